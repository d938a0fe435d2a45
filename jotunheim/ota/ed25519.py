"""Ed25519 signature verification (RFC 8032), pure Python, built for CircuitPython.

Only verification lives on the device (signing is a host job). Speed and heap matter on a
board, so instead of the textbook "two double-and-add scalar multiplications":

* points are kept in extended twisted Edwards coordinates (X:Y:Z:T) and the curve
  equation ``-x^2 + y^2 = 1 + d x^2 y^2`` gives 7-multiplication doublings;
  T is only computed when an addition follows (a doubling does not read it);
* ``[s]B - [h]A`` is one joint (Straus) loop over width-w NAF digits of both scalars,
  so the ~253 doublings are shared;
* the base point's odd multiples (affine "Niels" form ``(y+x, y-x, 2dxy)``) are computed
  once, on first use, and cached: ``2**(BASE_WINDOW-2)`` points, about 6 KB of heap;
* NAF digits are computed from the scalar's bytes with small integers only (no big-int
  shifting per bit) and stored in a ``bytearray``;
* no ``int.bit_length`` (CircuitPython lacks it).

``verify`` checks ``encode([s]B - [h]A) == R`` (the cofactorless RFC 8032 equation, as
OpenSSL and the ``cryptography`` package do), rejects ``S >= L``, non-canonical and
off-curve public keys, and wrong lengths.
"""

from jotunheim.ota.sha512 import sha512

try:
    from typing import Optional  # noqa: F401
except ImportError:
    pass

P = (1 << 255) - 19
L = (1 << 252) + 27742317777372353535851937790883648493
D = 37095705934669439343138083508754565189542113879843219016388785533085940283555
D2 = (2 * D) % P
SQRT_M1 = 19681161376707505956807079304988542015446066515923890162744021073123829784752
BASE_X = 15112221349535400772501151409588531511454012693041857206046113283949847762202
BASE_Y = 46316835694926478169428394003475163141307993866256225615783033603165251855960

# NAF window widths: the base table is cached (2**(w-2) entries), the key's table is
# rebuilt per key (2**(w-2) entries).
BASE_WINDOW = 7
KEY_WINDOW = 5

_base_table = []  # filled on first use, kept for the life of the program


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
    yy = y * y % p
    u = (yy - 1) % p
    v = (D * yy + 1) % p
    v3 = v * v % p * v % p
    # x = u v^3 (u v^7)^((p-5)/8): square root candidate without an inversion.
    x = u * v3 % p * pow(u * v3 * v3 % p * v % p, (p - 5) >> 3, p) % p
    vxx = v * x % p * x % p
    if vxx != u:
        if vxx != p - u:
            raise BadPublicKey("not a point on the curve")
        x = x * SQRT_M1 % p
    if x == 0 and sign:
        raise BadPublicKey("non-canonical point encoding (x = 0, sign 1)")
    if (x & 1) != sign:
        x = p - x
    return x, y


def _encode(X, Y, Z):
    p = P
    zi = pow(Z, p - 2, p)
    x = X * zi % p
    y = Y * zi % p
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


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


def _base():
    """Cached odd multiples of B as affine Niels triples (y+x, y-x, 2dxy)."""
    if not _base_table:
        p = P
        pts = _odd_multiples((BASE_X, BASE_Y, 1, BASE_X * BASE_Y % p), 1 << (BASE_WINDOW - 2))
        # Montgomery's trick: one inversion for all Z coordinates.
        acc = [1]
        for pt in pts:
            acc.append(acc[-1] * pt[2] % p)
        inv = pow(acc[-1], p - 2, p)
        affine = [None] * len(pts)
        for i in range(len(pts) - 1, -1, -1):
            zi = inv * acc[i] % p
            inv = inv * pts[i][2] % p
            x = pts[i][0] * zi % p
            y = pts[i][1] * zi % p
            affine[i] = ((y + x) % p, (y - x) % p, D2 * x % p * y % p)
        _base_table.extend(affine)
    return _base_table


def _key_table(x, y):
    """Odd multiples of -A in cached form (Y+X, Y-X, 2dT, 2Z)."""
    p = P
    x = (p - x) % p
    out = []
    for X, Y, Z, T in _odd_multiples((x, y, 1, x * y % p), 1 << (KEY_WINDOW - 2)):
        out.append(((Y + X) % p, (Y - X) % p, D2 * T % p, (Z + Z) % p))
    return out


def _naf(scalar, width, out):
    """Width-w NAF of a non-negative scalar < 2**256 into ``out`` (bytearray of 257).

    Works on the scalar's little-endian bytes with small ints only. Digits are odd,
    |digit| < 2**(width-1), stored as ``digit & 0xFF``; returns 1 + highest index.
    """
    data = scalar.to_bytes(32, "little") + b"\x00\x00\x00"
    for i in range(257):
        out[i] = 0
    mask = (1 << width) - 1
    half = 1 << (width - 1)
    carry = 0
    i = 0
    top = 0
    while i < 257:
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
        out[i] = window & 0xFF
        top = i + 1
        i += width
    return top


def verify(public_key, message, signature):
    """True if ``signature`` (64 bytes) is a valid Ed25519 signature of ``message``.

    Raises BadPublicKey if ``public_key`` is not a valid point (the caller's key is
    wrong, which is a different problem from a forged signature).
    """
    if len(signature) != 64:
        return False
    ax, ay = _decode_point(bytes(public_key))
    s = int.from_bytes(signature[32:], "little")
    if s >= L:  # malleability: RFC 8032 requires S < L
        return False
    hasher = sha512(signature[:32])
    hasher.update(public_key)
    hasher.update(message)
    h = int.from_bytes(hasher.digest(), "little") % L
    X, Y, Z = _double_scalar(s, h, _key_table(ax, ay))
    return _encode(X, Y, Z) == bytes(signature[:32])


def _double_scalar(s, h, key_table):
    """[s]B + [h](-A) as projective (X, Y, Z): one joint loop, shared doublings."""
    p = P
    base = _base()
    ns = bytearray(257)
    nh = bytearray(257)
    top = _naf(s, BASE_WINDOW, ns)
    th = _naf(h, KEY_WINDOW, nh)
    top = max(top, th)
    # Start from the neutral element; the first doublings are skipped while it holds.
    X, Y, Z, T = 0, 1, 1, 0
    started = False
    i = top - 1
    while i >= 0:
        ds = ns[i]
        dh = nh[i]
        if started:
            # pow(x, 2, p) frees its temporaries itself: a third of the garbage of
            # x * x % p under MicroPython, same speed on CPython.
            xx = pow(X, 2, p)
            yy = pow(Y, 2, p)
            zz = pow(Z, 2, p)
            e = X * Y % p
            e += e
            g = yy - xx
            hh = xx + yy
            f = zz + zz - g
            X = e * f % p
            Y = g * hh % p
            Z = f * g % p
            if ds or dh:
                T = e * hh % p
        if ds:
            started = True
            if ds < 128:
                ypx, ymx, t2d = base[ds >> 1]
                a = (Y - X) * ymx % p
                b = (Y + X) * ypx % p
                c = T * t2d % p
            else:
                ypx, ymx, t2d = base[(256 - ds) >> 1]
                a = (Y - X) * ypx % p
                b = (Y + X) * ymx % p
                c = -T * t2d % p
            zz = Z + Z
            e = b - a
            f = zz - c
            g = zz + c
            hh = b + a
            X = e * f % p
            Y = g * hh % p
            Z = f * g % p
            if dh:
                T = e * hh % p
        if dh:
            started = True
            if dh < 128:
                ypx, ymx, t2d, z2 = key_table[dh >> 1]
                a = (Y - X) * ymx % p
                b = (Y + X) * ypx % p
                c = T * t2d % p
            else:
                ypx, ymx, t2d, z2 = key_table[(256 - dh) >> 1]
                a = (Y - X) * ypx % p
                b = (Y + X) * ymx % p
                c = -T * t2d % p
            zz = Z * z2 % p
            e = b - a
            f = zz - c
            g = zz + c
            hh = b + a
            X = e * f % p
            Y = g * hh % p
            Z = f * g % p
        i -= 1
    return X, Y, Z


class VerifyKey:
    """A pinned Ed25519 public key: decodes and checks the point once."""

    def __init__(self, public_key):
        self.public_key = bytes(public_key)
        _decode_point(self.public_key)  # fail early on a bad key

    def verify(self, message, signature):
        return verify(self.public_key, message, signature)
