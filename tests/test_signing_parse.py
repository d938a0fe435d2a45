# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""`jotunheim.remote.signing`'s own pieces: HMAC against CPython's `hmac` (short, long and
text keys), and every malformed `JH-HMAC` header refused by `SignatureCheck.verify` with
what is wrong (the header is parsed before anything else is checked)."""

import hashlib
import hmac

import pytest

from jotunheim.remote.handler import constant_time_equal
from jotunheim.remote.signing import SignatureCheck, SignatureError, hmac_sha256
from jotunheim_host.signing import Signer

GOOD = "JH-HMAC keyid=user,ts=1700000000000,nonce=%s,sig=%s" % ("n" * 16, "ab" * 32)
PATH = "/jotunheim.JotunheimService/CallTool"


def verify(value):
    """What a device with the token ``t`` and its clock at GOOD's ts makes of ``value``."""
    check = SignatureCheck({"user": "t"}, constant_time_equal, clock=lambda: 1700000000.0)
    return check.verify("POST", PATH, b"", value)


@pytest.mark.parametrize("key", [b"k", b"x" * 64, b"y" * 65, "t\u00f6ken", b""])
def test_hmac_matches_cpythons_for_every_key_length(key):
    raw = key.encode("utf-8") if isinstance(key, str) else key
    for message in (b"", b"abc", "m\u00e9ssage", b"z" * 1000):
        data = message.encode("utf-8") if isinstance(message, str) else message
        assert hmac_sha256(key, message) == hmac.new(raw, data, hashlib.sha256).digest()


def test_a_good_header_parses():
    # Every field reaches the check: keyid, ts and nonce are signed, sig is compared.
    signed = Signer("t").header(PATH, b"", ts=1700000000000, nonce="n" * 16)
    assert verify(signed) == "user"
    with pytest.raises(SignatureError, match="does not match"):
        verify(GOOD)  # parsed, but not signed with the token


@pytest.mark.parametrize(
    "value, why",
    [
        ("JH-HMAC keyid=user,ts=1,sig=" + "ab" * 32, "has no nonce="),
        (GOOD.replace("nonce=" + "n" * 16, "nonce="), "has an empty nonce="),
        (GOOD.replace("n" * 16, "short"), "nonce must be 16-64 characters"),
        (GOOD.replace("n" * 16, "n" * 65), "nonce must be 16-64 characters"),
        (GOOD.replace("ts=1700000000000", "ts=yesterday"), "ts must be Unix time"),
        (GOOD.replace("ab" * 32, "zz" * 32), "sig must be 64 hex digits"),
        (GOOD.replace("ab" * 32, "ab" * 31), "sig must be 64 hex digits"),
        (GOOD.replace("keyid=user,", ""), "has no keyid="),
        # a field name inside another's value is not that field
        (Signer("t").header(PATH, b"", ts=1700000000000, nonce="xnonce=aaaaaaaaaaaaaaaa"), None),
    ],
)
def test_malformed_headers_are_refused_naming_what_is_wrong(value, why):
    if why is None:
        assert verify(value) == "user"  # the nonce read is "xnonce=aaaaaaaaaaaaaaaa"
        return
    with pytest.raises(SignatureError, match=why):
        verify(value)
