# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""A caller's ``authorization: JH-HMAC ...`` value, made with the device's own HMAC (the
host's independent signer, jotunheim_host.signing, needs CPython's hmac)."""

import hashlib
from binascii import hexlify

from jotunheim.remote import signing


def header_value(keyid, secret, method, path, body, ts, nonce):
    """The whole ``authorization`` header value of a signed request."""
    digest = hexlify(hashlib.sha256(body or b"").digest()).decode()
    text = "JH-HMAC-SHA256\n%s\n%s\n%s\n%d\n%s" % (method.upper(), path, digest, ts, nonce)
    sig = hexlify(signing.hmac_sha256(secret, text))
    return "JH-HMAC keyid=%s,ts=%d,nonce=%s,sig=%s" % (keyid, ts, nonce, sig.decode())
