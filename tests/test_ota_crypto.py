# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
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


# --- Differential tests of the half-size-scalar verify -----------------------------------
#
# ``_reference_verify`` is the verify of the previous release written out plainly: decode A
# (canonical, on the curve), reject S >= L, h = SHA-512(R || A || M) mod L, and accept iff
# encode([S]B - [h]A) is exactly the 32 bytes of R. jotunheim's verify must give the same
# answer on every input, including keys and R values with a small-order component (where
# the cofactorless and cofactored equations differ).

_P = ed25519.P
_L = ed25519.L
_D = ed25519.D
_IDENTITY = (0, 1, 1, 0)


def _ref_add(p1, p2):
    x1, y1, z1, t1 = p1
    x2, y2, z2, t2 = p2
    a = (y1 - x1) * (y2 - x2) % _P
    b = (y1 + x1) * (y2 + x2) % _P
    c = 2 * _D * t1 * t2 % _P
    d = 2 * z1 * z2 % _P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _ref_mul(k, point):
    out = _IDENTITY
    while k:
        if k & 1:
            out = _ref_add(out, point)
        point = _ref_add(point, point)
        k >>= 1
    return out


def _ref_neg(point):
    x, y, z, t = point
    return ((-x) % _P, y, z, (-t) % _P)


def _ref_encode(point):
    x, y, z, _ = point
    zi = pow(z, _P - 2, _P)
    x, y = x * zi % _P, y * zi % _P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def _ref_decode(data):
    """Extended point, or None if the 32 bytes are not a canonical encoding of a point."""
    y = int.from_bytes(data, "little")
    sign, y = y >> 255, y & ((1 << 255) - 1)
    if y >= _P:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    if x2 == 0:
        if sign:
            return None
        return (0, y, 1, 0)
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P:
        x = x * ed25519.SQRT_M1 % _P
    if (x * x - x2) % _P:
        return None
    if (x & 1) != sign:
        x = _P - x
    return (x, y, 1, x * y % _P)


_B = (ed25519.BASE_X, ed25519.BASE_Y, 1, ed25519.BASE_X * ed25519.BASE_Y % _P)


def _reference_verify(pub, msg, sig):
    if len(sig) != 64:
        return False
    a_point = _ref_decode(pub)
    if a_point is None:
        raise ed25519.BadPublicKey("reference: bad key")
    s = int.from_bytes(sig[32:], "little")
    if s >= _L:
        return False
    h = int.from_bytes(hashlib.sha512(sig[:32] + pub + msg).digest(), "little") % _L
    q = _ref_add(_ref_mul(s, _B), _ref_neg(_ref_mul(h, a_point)))
    return _ref_encode(q) == sig[:32]


def _jh_verify(pub, msg, sig):
    try:
        return ed25519.verify(pub, msg, sig)
    except ed25519.BadPublicKey:
        return "bad key"


def _ref_verify_or_bad_key(pub, msg, sig):
    try:
        return _reference_verify(pub, msg, sig)
    except ed25519.BadPublicKey:
        return "bad key"


def _cryptography_verify(pub, msg, sig):
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(pub).verify(sig, msg)
    except (InvalidSignature, ValueError):
        return False
    return True


def _order8_point(rng):
    """A point of order exactly 8 ([L] of a random curve point, until one has order 8)."""
    while True:
        point = _ref_decode(rng.randrange(_P).to_bytes(32, "little"))
        if point is None:
            continue
        t = _ref_mul(_L, point)
        if _ref_encode(_ref_mul(4, t)) != _ref_encode(_IDENTITY):
            return t


def _sign_raw(a, a_enc, msg, rng, r_extra=None):
    """An Ed25519 signature by secret scalar ``a`` under the encoded key ``a_enc``;
    ``r_extra(h_of)`` may add a point to R (given a function R_enc -> h)."""
    r = rng.randrange(1, _L)
    r_point = _ref_mul(r, _B)
    if r_extra is not None:
        r_point = r_extra(r_point)
    r_enc = _ref_encode(r_point)
    h = int.from_bytes(hashlib.sha512(r_enc + a_enc + msg).digest(), "little") % _L
    return r_enc + ((r + h * a) % _L).to_bytes(32, "little")


def test_reference_matches_cryptography_on_valid_and_tampered():
    rng = random.Random(2020)
    for _ in range(60):
        key = Ed25519PrivateKey.generate()
        pub, msg = _raw_pub(key), rng.randbytes(rng.randrange(0, 80))
        sig = key.sign(msg)
        assert _reference_verify(pub, msg, sig) is True
        bad = bytearray(sig)
        bad[rng.randrange(64)] ^= 1 << rng.randrange(8)
        assert _reference_verify(pub, msg, bytes(bad)) == _cryptography_verify(pub, msg, bytes(bad))


def test_differential_thousands_of_signatures_and_tamperings():
    """Valid signatures and tampered R, S, A, message: jotunheim == cryptography."""
    rng = random.Random(454)
    keys = [Ed25519PrivateKey.generate() for _ in range(40)]
    pubs = [_raw_pub(k) for k in keys]
    counts = {True: 0, False: 0}
    for i in range(2500):
        k = rng.randrange(len(keys))
        pub = pubs[k]
        msg = rng.randbytes(rng.randrange(0, 200))
        sig = keys[k].sign(msg)
        cases = [(pub, msg, sig)]
        bad = bytearray(sig)
        bad[rng.randrange(32)] ^= 1 << rng.randrange(8)  # R
        cases.append((pub, msg, bytes(bad)))
        bad = bytearray(sig)
        bad[32 + rng.randrange(32)] ^= 1 << rng.randrange(8)  # S
        cases.append((pub, msg, bytes(bad)))
        cases.append((pubs[(k + 1) % len(pubs)], msg, sig))  # another key
        bad_pub = bytearray(pub)
        bad_pub[rng.randrange(32)] ^= 1 << rng.randrange(8)  # A: often not a point at all
        cases.append((bytes(bad_pub), msg, sig))
        cases.append((pub, msg + b"!", sig))  # message
        for case in cases:
            ours = _jh_verify(*case)
            theirs = _cryptography_verify(*case)
            assert (ours is True) == theirs, (i, case)
            counts[theirs] += 1
    assert counts[True] == 2500 and counts[False] == 2500 * 5


def test_s_at_or_above_l_is_rejected_even_if_the_equation_holds():
    key = Ed25519PrivateKey.generate()
    pub = _raw_pub(key)
    for n in range(20):
        msg = b"m%d" % n
        sig = key.sign(msg)
        s = int.from_bytes(sig[32:], "little")
        for bigger in (s + _L, s + 2 * _L, s + 5 * _L):
            if bigger < 1 << 256:
                # [S + kL]B = [S]B: the curve equation holds, the range check must reject.
                assert not ed25519.verify(pub, msg, sig[:32] + bigger.to_bytes(32, "little"))
    assert not ed25519.verify(pub, b"x", key.sign(b"x")[:32] + _L.to_bytes(32, "little"))


def test_small_order_components_in_a_and_r_decided_as_before():
    """Keys A + T and R + T' with T, T' of small order: accept exactly when the previous
    (cofactorless, h mod L) verify accepts, including crafted signatures that it accepts."""
    rng = random.Random(8)
    t8 = _order8_point(rng)
    torsion = [_ref_mul(j, t8) for j in range(8)]
    accepted = rejected = 0
    for n in range(64):
        a = rng.randrange(1, _L)
        t_key = torsion[n % 8]
        a_enc = _ref_encode(_ref_add(_ref_mul(a, _B), t_key))
        msg = b"torsion %d" % n
        # Plain signature for the key A + T: valid iff [h]T = 0.
        sig = _sign_raw(a, a_enc, msg, rng)
        expected = _reference_verify(a_enc, msg, sig)
        assert ed25519.verify(a_enc, msg, sig) is expected, n
        accepted += expected
        rejected += not expected
        # R + T' for each T': the reference accepts when T' = -[h]T, never otherwise.
        for j in range(8):
            sig = _sign_raw(a, a_enc, msg, rng, lambda rp, j=j: _ref_add(rp, torsion[j]))
            expected = _reference_verify(a_enc, msg, sig)
            assert ed25519.verify(a_enc, msg, sig) is expected, (n, j)
            accepted += expected
            rejected += not expected
    # Both outcomes occur often (about 1 in 8 of these is valid), so both paths are tested.
    assert accepted > 20 and rejected > 200, (accepted, rejected)


def test_non_canonical_and_invalid_r_rejected():
    key = Ed25519PrivateKey.generate()
    pub = _raw_pub(key)
    sig = key.sign(b"r")
    s_bytes = sig[32:]
    for r_enc in (
        _P.to_bytes(32, "little"),  # y = p: non-canonical 0
        (_P + 1).to_bytes(32, "little"),  # y = p + 1: non-canonical encoding of y = 1
        ((1 << 255) | 1).to_bytes(32, "little"),  # x = 0 with the sign bit: non-canonical
        (2).to_bytes(32, "little"),  # not on the curve
        b"\xff" * 32,
    ):
        assert ed25519.verify(pub, b"r", r_enc + s_bytes) is False
        assert _reference_verify(pub, b"r", r_enc + s_bytes) is False


def test_base128_constant_is_2_to_the_128_times_b():
    point = _B
    for _ in range(128):
        point = _ref_add(point, point)
    expected = _ref_encode(point)
    got = (ed25519.BASE128_Y | ((ed25519.BASE128_X & 1) << 255)).to_bytes(32, "little")
    assert got == expected
    x, y = ed25519._decode_point(expected)
    assert (x, y) == (ed25519.BASE128_X, ed25519.BASE128_Y)


def _check_half(h):
    half = ed25519._half_size(h)
    if half is None:
        return None
    c, d = half
    assert (d * h - c) % (8 * _L) == 0, h
    assert d & 1 and 0 < d < ed25519.HALF_LIMIT and abs(c) < ed25519.HALF_LIMIT, h
    return c, d


def test_lattice_reduction_edge_cases():
    assert _check_half(0) == (0, 1)
    for h in (1, 2, 3, 7, 8, 9, 1000, (1 << 64) + 1, ed25519.SQRT_L8 - 1, ed25519.SQRT_L8):
        assert _check_half(h) is not None, h
    assert _check_half(5) == (5, 1)
    # h = -1 (mod L) and friends: no short vector with an odd d exists (c + d would be an
    # odd multiple of L), so the full-length path must take over.
    assert _check_half(_L - 1) is None
    for h in (_L - 2, _L - 3, _L // 2, _L // 3, (_L + 1) // 2, 1 << 251, (1 << 252) - 1):
        _check_half(h)


def test_lattice_reduction_random_h_is_short_and_valid():
    rng = random.Random(127)
    longest = 0
    for _ in range(20000):
        c, d = _check_half(rng.randrange(_L))
        longest = max(longest, abs(c).bit_length(), d.bit_length())
    assert longest <= 136


def _neutral_both_ways(s, h, a_point, r_point):
    a_table = ed25519._point_table(*_affine(a_point), ed25519.KEY_WINDOW)
    rx, ry = _affine(r_point)
    full = ed25519._is_neutral(s, h, a_table, rx, ry, None)
    half = ed25519._half_size(h)
    if half is not None:
        assert ed25519._is_neutral(s, h, a_table, rx, ry, half) is full
    return full


def _affine(point):
    x, y, z, _ = point
    zi = pow(z, _P - 2, _P)
    return x * zi % _P, y * zi % _P


def test_half_and_full_length_paths_agree_on_chosen_h():
    """[s]B - [h]A - R = 0 for chosen h (including the edge cases of the reduction),
    through both the half-size and the full-length loop; off by one point: never."""
    rng = random.Random(3)
    t8 = _order8_point(rng)
    hs = [0, 1, 2, 5, 8, _L - 1, _L - 2, _L // 2, _L // 3, 1 << 251, ed25519.SQRT_L8]
    hs += [rng.randrange(_L) for _ in range(30)]
    for n, h in enumerate(hs):
        a_point = _ref_mul(rng.randrange(1, _L), _B)
        if n % 3 == 1:
            a_point = _ref_add(a_point, _ref_mul(n % 8, t8))
        s = rng.randrange(_L)
        r_point = _ref_add(_ref_mul(s, _B), _ref_neg(_ref_mul(h, a_point)))
        assert _neutral_both_ways(s, h, a_point, r_point), h
        assert not _neutral_both_ways(s, h, a_point, _ref_add(r_point, _B)), h
        assert not _neutral_both_ways(s, h, a_point, _ref_add(r_point, t8)), h
        assert not _neutral_both_ways((s + 1) % _L, h, a_point, r_point), h


def test_key_cache_alternating_keys_and_bad_keys():
    """verify() keeps the last key's table: alternating keys, a bad key in between and
    VerifyKey objects must all still give the right answers."""
    keys = [Ed25519PrivateKey.generate() for _ in range(3)]
    pubs = [_raw_pub(k) for k in keys]
    sigs = [k.sign(b"cache") for k in keys]
    pinned = [ed25519.VerifyKey(p) for p in pubs]
    for n in range(12):
        i, j = n % 3, (n * 2 + 1) % 3
        assert ed25519.verify(pubs[i], b"cache", sigs[i])
        assert ed25519.verify(pubs[j], b"cache", sigs[i]) is (i == j)
        assert pinned[i].verify(b"cache", sigs[i])
        assert not pinned[j].verify(b"cache!", sigs[j])
        if n % 4 == 0:
            with pytest.raises(ed25519.BadPublicKey):
                ed25519.verify((2).to_bytes(32, "little"), b"cache", sigs[i])
    # A bytearray or memoryview key is the same key.
    assert ed25519.verify(bytearray(pubs[0]), b"cache", sigs[0])
    assert ed25519.verify(memoryview(pubs[0]), b"cache", memoryview(sigs[0]))


def test_naf_negated_digits_rebuild_minus_the_scalar():
    rng = random.Random(2)
    for width in (4, 6, 8):
        for _ in range(100):
            k = rng.randrange(0, 1 << 136)
            out = bytearray(137)
            top = ed25519._naf(k, width, out, True)
            total = sum((b - 256 if b > 127 else b) << i for i, b in enumerate(out[:top]))
            assert total == -k
