# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Ed25519 signature verification (RFC 8032), pure Python, built for CircuitPython."""

# Only verification lives on the device (signing is a host job). Heap and speed matter on a
# board: under MicroPython every big-int operation allocates (a 255-bit product reduced mod p
# leaves ~176 bytes of garbage, a sum ~64, pow(x, 2, p) ~64 as it frees its temporaries),
# so the work is organised to need as few of them as possible:
#
# * Half-size scalars (T. Pornin, "Optimized lattice basis reduction in dimension 2, and fast
#   Schnorr and EdDSA signature verification", IACR eprint 2020/454). With h = H(R||A||M)
#   mod L, the signature is valid iff Q = [s]B - [h]A - R is the neutral element. A short
#   vector of the lattice {(c, d) : c = d*h (mod 8L)} gives c and d of ~128 bits with d odd;
#   then [d]Q = [t]B - [c]A - [d]R with t = d*s mod L (B has order L; c = d*h mod 8L also
#   holds for A and R with a small-order component, the group has order 8L). As d is odd and
#   0 < d < L it is invertible modulo the group order, so [d]Q = 0 exactly when Q = 0: the
#   accept/reject decision is the same as the full-length check (see _half_size).
#   t (253 bits) is split at bit 128 over two cached tables, B and [2**128]B, so four
#   scalars of <= 128 bits share one loop of ~128 doublings instead of ~253. When the
#   lattice has no short vector with an odd d (h = -1 mod L, say), the same loop runs
#   with t = s, c = h, d = 1 at full length.
# * R is decoded (a non-canonical or off-curve R is rejected, exactly as comparing
#   encode([s]B - [h]A) with R's bytes did: encode() only produces canonical encodings).
# * Extended twisted Edwards coordinates (a = -1, Hisil-Wong-Carter-Dawson), kept as the
#   factors (E, F, G, H) both formulas end with; doublings with four pow(x, 2, p)
#   squarings; additions with precomputed (y+x, y-x, 2dxy[, 2z]) points. Products are
#   formed unreduced where pow() or a reduction follows anyway (see _combine).
# * The key's table is kept with its VerifyKey, and verify() keeps the last key's.
# * Width-w NAF digits from the scalars' bytes with small integers only, in bytearrays.
# * No int.bit_length (CircuitPython lacks it).
#
# verify() keeps the cofactorless RFC 8032 equation that OpenSSL and `cryptography` use
# ([s]B = R + [h mod L]A), rejects S >= L, non-canonical and off-curve keys, and bad
# lengths.

from jotunheim.ota.sha512 import sha512

try:
    from typing import Optional  # noqa: F401
except ImportError:
    pass

P = (1 << 255) - 19
L = (1 << 252) + 27742317777372353535851937790883648493
L8 = 8 * L
D = 37095705934669439343138083508754565189542113879843219016388785533085940283555
D2 = (2 * D) % P
SQRT_M1 = 19681161376707505956807079304988542015446066515923890162744021073123829784752
BASE_X = 15112221349535400772501151409588531511454012693041857206046113283949847762202
BASE_Y = 46316835694926478169428394003475163141307993866256225615783033603165251855960
# [2**128]B, the second fixed base (checked by the tests against 128 doublings of B).
BASE128_X = 34445898214599204196824587830670445739267303633182408050117152659121903233060
BASE128_Y = 43048524062920118298805915568484795959327268000798232147099016825120495085163
# floor(sqrt(8L)): the extended Euclidean algorithm stops below it.
SQRT_L8 = 240615969168004511545033772477625056927
# Half-size scalars must stay below this (NAF arrays are sized for 17-byte scalars); a
# lattice without such a vector (h very close to a small fraction of 8L) takes the
# full-length path, which gives the same answer more slowly.
HALF_LIMIT = 1 << 136
MASK128 = (1 << 128) - 1

# NAF window widths (a table holds 2**(w-2) odd multiples): the two base tables are built
# once and cached; the key's table is cached with its VerifyKey (verify() keeps the last
# key's); R's table is built per verify, where a small one costs least overall.
BASE_WINDOW = 8
KEY_WINDOW = 4
R_WINDOW = 4

_base_tables = []  # [table of B, table of 2**128 B], filled on first use, kept
_last_key = []  # [VerifyKey] of the last verify() call


class BadPublicKey(ValueError):
    """The 32 bytes are not the encoding of a point on Ed25519."""


def _decode_point(data):
    """Affine (x, y) from 32 bytes (RFC 8032 5.1.3); raises BadPublicKey."""
    if len(data) != 32:
        raise BadPublicKey("point must be 32 bytes")
    y = int.from_bytes(data, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    if y >= P:
        raise BadPublicKey("non-canonical point encoding")
    p = P
    # pow(x, e, p) frees its temporaries itself: the cheapest operation under MicroPython.
    yy = pow(y, 2, p)
    u = (yy - 1) % p
    v = D * yy % p + 1
    # x = u v^3 (u v^7)^((p-5)/8): square root candidate without an inversion.
    uv3 = u * pow(v, 3, p) % p
    x = uv3 * pow(uv3 * pow(v, 4, p) % p, (p - 5) >> 3, p) % p
    vxx = v * pow(x, 2, p) % p
    if vxx != u:
        if vxx != (p - u) % p:
            raise BadPublicKey("not a point on the curve")
        x = x * SQRT_M1 % p
    if x == 0 and sign:
        raise BadPublicKey("non-canonical point encoding (x = 0, sign 1)")
    if (x & 1) != sign:
        x = p - x
    return x, y


def _add_ext(p1, p2):
    """Extended + extended (general, used only while building tables)."""
    p = P
    X1, Y1, Z1, T1 = p1
    X2, Y2, Z2, T2 = p2
    a = (Y1 - X1) * (Y2 - X2) % p
    b = (Y1 + X1) * (Y2 + X2) % p
    c = T1 * D2 % p * T2 % p
    dd = 2 * Z1 * Z2 % p
    e = b - a
    f = dd - c
    g = dd + c
    h = b + a
    return (e * f % p, g * h % p, f * g % p, e * h % p)


def _double_ext(p1):
    p = P
    X, Y, Z, _ = p1
    xx = pow(X, 2, p)
    yy = pow(Y, 2, p)
    zz = pow(Z, 2, p)
    e = X * Y % p
    e += e
    g = yy - xx
    h = xx + yy
    f = zz + zz - g
    return (e * f % p, g * h % p, f * g % p, e * h % p)


def _odd_multiples(point, count):
    """[point, 3 point, 5 point, ...] (count entries), extended coordinates."""
    out = [point]
    twice = _double_ext(point)
    for _ in range(count - 1):
        out.append(_add_ext(out[-1], twice))
    return out


def _fixed_table(x, y):
    """Odd multiples of the affine point (x, y) as ((y+x)/2, (y-x)/2, dxy, 0)."""
    p = P
    pts = _odd_multiples((x, y, 1, x * y % p), 1 << (BASE_WINDOW - 2))
    # Montgomery's trick: one inversion for all Z coordinates.
    acc = [1]
    for pt in pts:
        acc.append(acc[-1] * pt[2] % p)
    inv = pow(acc[-1], p - 2, p)
    affine = [None] * len(pts)
    for i in range(len(pts) - 1, -1, -1):
        zi = inv * acc[i] % p
        inv = inv * pts[i][2] % p
        affine[i] = _halved(pts[i][0] * zi % p, pts[i][1] * zi % p)
    return affine


def _halved(x, y):
    # An affine point Q with Z = 1 for the loop's mixed addition. Halving every entry
    # halves a, b, c and 2Z in the addition formula: the result is the same projective
    # point, and 2Z is then just Z (one big-int operation saved per addition).
    p = P
    half = (p + 1) >> 1
    # "- 0" copies a remainder into an int of its own size: % leaves room for 33 digits.
    return ((y + x) * half % p - 0, (y - x) * half % p - 0, D * x % p * y % p - 0, 0)


def _base():
    """The cached tables of B and [2**128]B (built on first use, ~23 KB of heap)."""
    if not _base_tables:
        _base_tables.append(_fixed_table(BASE_X, BASE_Y))
        _base_tables.append(_fixed_table(BASE128_X, BASE128_Y))
    return _base_tables


def _point_table(x, y, width):
    """Odd multiples of the affine point (x, y): the point itself halved (see _halved),
    then 3P, 5P, ... as (Y+X, Y-X, 2dT, 2Z)."""
    p = P
    x %= p
    out = [_halved(x, y)]
    # 2P in the same cached form, so each next multiple costs one addition with
    # precomputed 2dT and 2Z; the first addition starts from P itself (Z = 1).
    X, Y, Z, T = _double_ext((x, y, 1, x * y % p))
    ypx, ymx, t2d, z2 = Y + X, Y - X, D2 * T % p, Z + Z
    X, Y, Z, T = x, y, 1, x * y % p
    for _ in range((1 << (width - 2)) - 1):
        a = (Y - X) * ymx % p
        b = (Y + X) * ypx % p
        c = T * t2d % p
        zz = z2 if Z == 1 else Z * z2 % p
        e = b - a
        b += a
        f = zz - c
        zz += c
        X = e * f % p
        Y = zz * b % p
        Z = f * zz % p
        T = e * b % p
        out.append((Y + X, Y - X, D2 * T % p, Z + Z))
    return out


def _naf(scalar, width, out, negate=False):
    """Width-w NAF of a non-negative scalar < 2**(8*n) into ``out`` (a bytearray of
    8*n + 1; 257 for 256-bit scalars); with ``negate``, the digits of -scalar.

    Works on the scalar's little-endian bytes with small ints only. Digits are odd,
    |digit| < 2**(width-1), stored as ``digit & 0xFF``; returns 1 + highest index.
    """
    size = len(out)
    data = scalar.to_bytes((size - 1) >> 3, "little") + b"\x00\x00\x00"
    for i in range(size):
        out[i] = 0
    mask = (1 << width) - 1
    half = 1 << (width - 1)
    carry = 0
    i = 0
    top = 0
    while i < size:
        j = i >> 3
        bit = ((data[j] >> (i & 7)) & 1) + carry
        if bit != 1:  # even (0 or 2): zero digit, carry propagates
            carry = bit >> 1
            i += 1
            continue
        window = (data[j] | (data[j + 1] << 8) | (data[j + 2] << 16)) >> (i & 7)
        window = ((window & mask) + carry) & mask
        if window >= half:
            window -= 1 << width
            carry = 1
        else:
            carry = 0
        out[i] = (-window if negate else window) & 0xFF
        top = i + 1
        i += width
    return top


def _half_size(h):
    """(c, d) with c = d*h (mod 8L), d odd, 0 < d < HALF_LIMIT and |c| < HALF_LIMIT, or None.

    Euclid on (8L, h), stopped as in Gallant-Lambert-Vanstone: each remainder r_i equals
    t_i*h (mod 8L) for the t_i of the extended algorithm; at the first r_i below
    sqrt(8L), (r_i, t_i) and the shorter of its two neighbours form a short basis of the
    lattice. The lattice holds (h, 1), so the basis vectors cannot both have an even d:
    one of v1, v2, v1 +- v2 has an odd d, and the shortest such is returned.
    Only the remainders are computed (one big-int operation per step); the few t_i that
    are needed are recovered as r_i / h (mod L) and the result is checked modulo 8L.
    """
    if h == 0:
        return 0, 1
    r0, r1 = L8, h
    while r1 >= SQRT_L8:
        r0, r1 = r1, r0 % r1
    # r1 >= 1 here: gcd(8L, h) <= 8 is reached only after a remainder below sqrt(8L).
    r2 = r0 % r1
    inv = pow(h, L - 2, L)
    t0 = _short(r0 * inv % L)
    t1 = _short(r1 * inv % L)
    t2 = _short(r2 * inv % L)
    v2 = (r0, t0)
    if _norm(r2, t2) < _norm(r0, t0):
        v2 = (r2, t2)
    best = None
    for c, d in ((r1, t1), v2, (r1 + v2[0], t1 + v2[1]), (r1 - v2[0], t1 - v2[1])):
        if d & 1:
            if d < 0:
                c, d = -c, -d
            size = d
            if c > size:
                size = c
            elif -c > size:
                size = -c
            # c = d*h (mod L) by construction; the mod 8 part holds for a true t_i (and
            # their sums) but not for a wrongly recovered one (|t_i| >= L/2), so check.
            if size < HALF_LIMIT and (best is None or size < best[2]) and (d * h - c) % 8 == 0:
                best = (c, d, size)
    return None if best is None else (best[0], best[1])


def _short(x):
    # The representative of x (mod L) in (-L/2, L/2).
    return x - L if x > (L >> 1) else x


def _norm(a, b):
    return a * a + b * b


def verify(public_key, message, signature):
    """True if ``signature`` (64 bytes) is a valid Ed25519 signature of ``message``.

    Raises BadPublicKey if ``public_key`` is not a valid point (the caller's key is
    wrong, which is a different problem from a forged signature). The last key's table
    is kept, so verifying again with the same key costs less.
    """
    if len(signature) != 64:
        return False
    public_key = bytes(public_key)
    if _last_key and _last_key[0].public_key == public_key:
        key = _last_key[0]
    else:
        if _last_key:
            _last_key.pop()  # free the old table before building the new one
        key = VerifyKey(public_key)
        _last_key.append(key)
    return key.verify(message, signature)


def _verify(public_key, a_table, message, signature):
    if len(signature) != 64:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= L:  # malleability: RFC 8032 requires S < L
        return False
    r_bytes = bytes(signature[:32])
    try:
        rx, ry = _decode_point(r_bytes)
    except BadPublicKey:
        # No point encodes to these bytes, so encode([s]B - [h]A) cannot equal them.
        return False
    hasher = sha512(r_bytes)
    hasher.update(public_key)
    hasher.update(message)
    h = int.from_bytes(hasher.digest(), "little") % L
    return _is_neutral(s, h, a_table, rx, ry, _half_size(h))


def _is_neutral(s, h, a_table, rx, ry, half):
    """True if [s]B - [h]A - R is the neutral element (``a_table``: _point_table of A
    with KEY_WINDOW); ``half`` is _half_size(h), or None for the full-length check with
    t = s, c = h, d = 1."""
    if half is None:
        t, c, d, size = s, h, 1, 257
    else:
        c, d = half
        t, size = d * s % L, 137
    nafs = (bytearray(size), bytearray(size), bytearray(size), bytearray(size))
    top = _naf(t & MASK128, BASE_WINDOW, nafs[0])
    top = max(top, _naf(t >> 128, BASE_WINDOW, nafs[1]))
    # -[c]A: the digits of c negated, or those of -c when c < 0.
    top = max(top, _naf(-c if c < 0 else c, KEY_WINDOW, nafs[2], c >= 0))
    top = max(top, _naf(d, R_WINDOW, nafs[3], True))
    base = _base()
    tables = (base[0], base[1], a_table, _point_table(rx, ry, R_WINDOW))
    X, Y, Z = _combine(nafs, tables, top)
    p = P
    return X % p == 0 and (Y - Z) % p == 0


def _combine(nafs, tables, top):
    """Sum over k of [naf_k]table_k as projective (X, Y, Z), unreduced.

    One loop, doublings shared by the four scalars. The running point is kept as the four
    factors (E, F, G, H) that both formulas end with: X = EF, Y = GH, Z = FG, T = EH.
    The products are formed by the next step, unreduced where that is cheaper: pow()
    reduces what it squares for free, and only what the addition multiplies again is
    reduced (so T costs one product, and only before an addition).
    """
    p = P
    E, F, G, H = 0, 1, 1, 1  # the neutral element
    i = top - 1
    while i >= 0:
        if i < top - 1:
            # Doubling (dbl-2008-hwcd, a = -1): 2XY = X^2 + Y^2 - (X - Y)^2.
            X = E * F
            Y = G * H
            Z = pow(F * G, 2, p)
            xx = pow(X, 2, p)
            H = pow(Y, 2, p)
            G = H - xx  # Y^2 - X^2
            H += xx  # X^2 + Y^2
            # 2XY from (X - Y)^2 or (X + Y)^2, whichever subtracts magnitudes (a digit
            # less to allocate).
            if (X < 0) == (Y < 0):
                E = H - pow(X - Y, 2, p)
            else:
                E = pow(X + Y, 2, p) - H
            F = Z - (G - Z)  # 2Z^2 - (Y^2 - X^2): two subtractions are cheaper than + and -
        k = 0
        while k < 4:
            dg = nafs[k][i]
            if dg:
                if dg < 128:
                    ypx, ymx, t2d, z2 = tables[k][dg >> 1]
                else:  # -Q: (y-x, y+x, -2dxy), the sign of 2dxy is applied below
                    ymx, ypx, t2d, z2 = tables[k][(256 - dg) >> 1]
                X = E * F
                Y = G * H
                a = (Y - X) * ymx % p
                b = (Y + X) * ypx % p
                c = E * H * t2d % p
                if z2:
                    Z = F * G * z2 % p
                else:
                    Z = F * G % p
                E = b - a
                H = b + a
                if dg < 128:
                    F = Z - c
                    G = Z + c
                else:
                    F = Z + c
                    G = Z - c
            k += 1
        i -= 1
    return E * F, G * H, F * G


class VerifyKey:
    """A pinned Ed25519 public key: decoded, checked and tabulated once."""

    def __init__(self, public_key):
        self.public_key = bytes(public_key)
        x, y = _decode_point(self.public_key)  # fail early on a bad key
        table = _point_table(x, y, KEY_WINDOW)
        for i in range(len(table)):
            e = table[i]
            # "- 0": a copy of its own size (a remainder keeps room for 33 digits).
            table[i] = (e[0] - 0, e[1] - 0, e[2] - 0, e[3] - 0)
        self._table = table

    def verify(self, message, signature):
        """True if ``signature`` (64 bytes) is this key's Ed25519 signature of ``message``."""
        return _verify(self.public_key, self._table, message, signature)
