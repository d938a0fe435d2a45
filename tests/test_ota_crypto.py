"""Ed25519 verify and SHA-512 of jotunheim.ota against RFC 8032, FIPS 180 and `cryptography`."""

import hashlib
import os
import pathlib
import random

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jotunheim.ota import ed25519
from jotunheim.ota.sha512 import SHA512, sha512

# RFC 8032 section 7.1: (secret key, public key, message, signature)
RFC8032_VECTORS = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
        "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
        "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
    (  # TEST SHA(abc): the message is SHA-512("abc")
        "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
        "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
        "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704",
    ),
]


def _raw_pub(key):
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@pytest.mark.parametrize("secret,public,message,signature", RFC8032_VECTORS)
def test_rfc8032_vectors(secret, public, message, signature):
    pub, msg, sig = bytes.fromhex(public), bytes.fromhex(message), bytes.fromhex(signature)
    # The vectors themselves are checked against an independent implementation.
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(secret))
    assert _raw_pub(key) == pub
    assert key.sign(msg) == sig
    assert ed25519.verify(pub, msg, sig)
    assert ed25519.VerifyKey(pub).verify(msg, sig)
    assert not ed25519.verify(pub, msg + b"x", sig)
    for i in (0, 31, 32, 63):
        bad = bytearray(sig)
        bad[i] ^= 0x01
        assert not ed25519.verify(pub, msg, bytes(bad))


def test_rfc_sha_abc_message_is_sha512_of_abc():
    assert RFC8032_VECTORS[3][2] == hashlib.sha512(b"abc").hexdigest()
    assert SHA512(b"abc").hexdigest() == RFC8032_VECTORS[3][2]


def test_thousands_of_cryptography_signatures_and_tampering():
    rng = random.Random(8032)
    for i in range(1500):
        key = Ed25519PrivateKey.generate()
        pub = _raw_pub(key)
        msg = rng.randbytes(rng.randrange(0, 300))
        sig = key.sign(msg)
        assert ed25519.verify(pub, msg, sig), i
        which = rng.randrange(3)
        if which == 0:  # flip one bit of the signature
            bad = bytearray(sig)
            bad[rng.randrange(64)] ^= 1 << rng.randrange(8)
            assert not ed25519.verify(pub, msg, bytes(bad)), i
        elif which == 1:  # different message
            assert not ed25519.verify(pub, msg + b"\x00", sig), i
        else:  # another key's signature
            other = Ed25519PrivateKey.generate()
            assert not ed25519.verify(_raw_pub(other), msg, sig), i


def test_rejects_non_canonical_s():
    pub, sig = bytes.fromhex(RFC8032_VECTORS[1][1]), bytes.fromhex(RFC8032_VECTORS[1][3])
    s = int.from_bytes(sig[32:], "little")
    malleated = sig[:32] + (s + ed25519.L).to_bytes(32, "little")
    assert not ed25519.verify(pub, b"\x72", malleated)


def test_rejects_bad_lengths_and_bad_keys():
    pub, sig = bytes.fromhex(RFC8032_VECTORS[0][1]), bytes.fromhex(RFC8032_VECTORS[0][3])
    assert not ed25519.verify(pub, b"", sig[:63])
    assert not ed25519.verify(pub, b"", sig + b"\x00")
    with pytest.raises(ed25519.BadPublicKey):
        ed25519.verify(pub[:31], b"", sig)
    # y = p (non-canonical encoding of y = 0)
    with pytest.raises(ed25519.BadPublicKey):
        ed25519.VerifyKey(ed25519.P.to_bytes(32, "little"))
    # y = 2 is not on the curve (u/v is not a square)
    with pytest.raises(ed25519.BadPublicKey):
        ed25519.VerifyKey((2).to_bytes(32, "little"))
    # x = 0 with the sign bit set (y = 1 is the neutral element)
    with pytest.raises(ed25519.BadPublicKey):
        ed25519.VerifyKey(((1 << 255) | 1).to_bytes(32, "little"))


def test_naf_digits_rebuild_the_scalar():
    rng = random.Random(1)
    for width in (4, 5, 6, 7, 8):
        for _ in range(200):
            k = rng.randrange(0, 1 << 253)
            out = bytearray(257)
            top = ed25519._naf(k, width, out)
            total = 0
            last = -width
            for i in range(top):
                d = out[i] - 256 if out[i] > 127 else out[i]
                if d:
                    assert d & 1 and abs(d) < (1 << (width - 1))
                    assert i - last >= width  # non-adjacent
                    last = i
                total += d << i
            assert total == k


def test_no_int_bit_length_in_device_code():
    root = pathlib.Path(ed25519.__file__).parent
    for path in root.glob("*.py"):
        assert "bit_length(" not in path.read_text(), path


@pytest.mark.parametrize("n", [0, 1, 55, 111, 112, 113, 127, 128, 129, 239, 240, 256, 1000, 4099])
def test_pure_sha512_matches_hashlib(n):
    data = os.urandom(n)
    assert SHA512(data).digest() == hashlib.sha512(data).digest()
    h = SHA512()
    for i in range(0, n, 37):
        h.update(data[i : i + 37])
    copy = h.copy()
    assert h.hexdigest() == hashlib.sha512(data).hexdigest()
    copy.update(b"more")
    assert copy.digest() == hashlib.sha512(data + b"more").digest()
    assert h.digest() == h.digest()  # digest does not consume the state


def test_sha512_known_digests_and_native_preference():
    assert SHA512(b"").hexdigest().startswith("cf83e1357eefb8bdf1542850d66d8007")
    two_blocks = b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno" * 2
    assert SHA512(two_blocks).digest() == hashlib.sha512(two_blocks).digest()
    assert sha512(b"x").digest() == hashlib.sha512(b"x").digest()
