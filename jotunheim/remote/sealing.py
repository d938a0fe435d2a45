# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Sealed tool results: a result only the caller holding the token can read.

Opt-in: ``remote.seal_results`` seals every CallTool result, or a caller asks per call
with the header ``jh-seal: 1``. Only signed requests get sealed results (the keys come
from the token that signed). The result bytes become::

    b"JHS1" + ciphertext + tag (16 bytes)

    k_enc = HMAC-SHA256(token, "JH-SEAL-ENC"), k_mac = HMAC-SHA256(token, "JH-SEAL-MAC")
    iv    = the request's signature (32 bytes: unique, a replayed request is refused)
    ciphertext = result XOR (HMAC(k_enc, iv + be32(0)) || HMAC(k_enc, iv + be32(1)) || ...)
    tag   = HMAC(k_mac, "JHS1" + iv + ciphertext)[:16]

HMAC-SHA256 in counter mode is a PRF keystream, and encrypt-then-MAC makes it
authenticated; it needs nothing but ``hashlib.sha256``, which every port has (``aesio`` is
CircuitPython-only, ``cryptolib`` MicroPython-only). What it does not protect: see
docs/security.md ("Sealed results").
"""

import struct

from jotunheim.remote.signing import hmac_sha256, pads

MAGIC = b"JHS1"
TAG = 16


class SealError(Exception):
    """A sealed result that does not open (wrong token, changed bytes, not sealed)."""


def _keys(secret):
    return pads(hmac_sha256(secret, b"JH-SEAL-ENC")), pads(hmac_sha256(secret, b"JH-SEAL-MAC"))


def _xor_stream(enc, iv, data) -> bytes:
    out = bytearray(data)
    for block in range((len(out) + 31) // 32):
        stream = hmac_sha256(enc, iv + struct.pack(">I", block))
        at = block * 32
        for i in range(min(32, len(out) - at)):
            out[at + i] ^= stream[i]
    return bytes(out)


def seal(secret, iv, data) -> bytes:
    """``data`` sealed for the holder of ``secret``; ``iv``: the request's signature."""
    enc, mac = _keys(secret)
    body = MAGIC + _xor_stream(enc, iv, data)
    return body + hmac_sha256(mac, body[:4] + iv + body[4:])[:TAG]


def unseal(secret, iv, blob, equal) -> bytes:
    """The data of a sealed result; raises :class:`SealError`.

    :param equal: constant-time comparison (:func:`jotunheim.remote.handler.constant_time_equal`)
    """
    if len(blob) < len(MAGIC) + TAG or blob[:4] != MAGIC:
        raise SealError("not a sealed result (no JHS1 header)")
    enc, mac = _keys(secret)
    body, tag = blob[:-TAG], blob[-TAG:]
    if not equal(hmac_sha256(mac, body[:4] + iv + body[4:])[:TAG], tag):
        raise SealError("sealed result does not verify: wrong token, or changed on the way")
    return _xor_stream(enc, iv, body[4:])
