# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""SHA-512 (FIPS 180-4) for boards whose ``hashlib`` lacks it (CircuitPython has only
sha1/sha256).

``sha512(data)`` returns ``hashlib.sha512`` where it exists and the pure-Python
``SHA512`` otherwise. The pure version keeps every 64-bit word as four 16-bit limbs so
all arithmetic stays in MicroPython *small* integers (31-bit): no big-int allocations,
so hashing costs no garbage beyond the object itself. The compression function is
unrolled over the limbs (rotations become shifts between neighbouring limbs; left
shifts of 15+ bits are pre-masked so nothing leaves the small-int range).
"""

_native = []  # [hashlib.sha512 or None], decided once


def sha512(data=b""):
    """A SHA-512 hasher (``update``/``digest``/``hexdigest``), native when available."""
    if not _native:
        try:
            import hashlib

            _native.append(hashlib.sha512)
        except (ImportError, AttributeError):
            _native.append(None)
    native = _native[0]
    if native is not None:
        return native(data)
    return SHA512(data)


_K = (
    0xAE22,
    0xD728,
    0x2F98,
    0x428A,
    0x65CD,
    0x23EF,
    0x4491,
    0x7137,
    0x3B2F,
    0xEC4D,
    0xFBCF,
    0xB5C0,
    0xDBBC,
    0x8189,
    0xDBA5,
    0xE9B5,
    0xB538,
    0xF348,
    0xC25B,
    0x3956,
    0xD019,
    0xB605,
    0x11F1,
    0x59F1,
    0x4F9B,
    0xAF19,
    0x82A4,
    0x923F,
    0x8118,
    0xDA6D,
    0x5ED5,
    0xAB1C,
    0x0242,
    0xA303,
    0xAA98,
    0xD807,
    0x6FBE,
    0x4570,
    0x5B01,
    0x1283,
    0xB28C,
    0x4EE4,
    0x85BE,
    0x2431,
    0xB4E2,
    0xD5FF,
    0x7DC3,
    0x550C,
    0x896F,
    0xF27B,
    0x5D74,
    0x72BE,
    0x96B1,
    0x3B16,
    0xB1FE,
    0x80DE,
    0x1235,
    0x25C7,
    0x06A7,
    0x9BDC,
    0x2694,
    0xCF69,
    0xF174,
    0xC19B,
    0x4AD2,
    0x9EF1,
    0x69C1,
    0xE49B,
    0x25E3,
    0x384F,
    0x4786,
    0xEFBE,
    0xD5B5,
    0x8B8C,
    0x9DC6,
    0x0FC1,
    0x9C65,
    0x77AC,
    0xA1CC,
    0x240C,
    0x0275,
    0x592B,
    0x2C6F,
    0x2DE9,
    0xE483,
    0x6EA6,
    0x84AA,
    0x4A74,
    0xFBD4,
    0xBD41,
    0xA9DC,
    0x5CB0,
    0x53B5,
    0x8311,
    0x88DA,
    0x76F9,
    0xDFAB,
    0xEE66,
    0x5152,
    0x983E,
    0x3210,
    0x2DB4,
    0xC66D,
    0xA831,
    0x213F,
    0x98FB,
    0x27C8,
    0xB003,
    0x0EE4,
    0xBEEF,
    0x7FC7,
    0xBF59,
    0x8FC2,
    0x3DA8,
    0x0BF3,
    0xC6E0,
    0xA725,
    0x930A,
    0x9147,
    0xD5A7,
    0x826F,
    0xE003,
    0x6351,
    0x06CA,
    0x6E70,
    0x0A0E,
    0x2967,
    0x1429,
    0x2FFC,
    0x46D2,
    0x0A85,
    0x27B7,
    0xC926,
    0x5C26,
    0x2138,
    0x2E1B,
    0x2AED,
    0x5AC4,
    0x6DFC,
    0x4D2C,
    0xB3DF,
    0x9D95,
    0x0D13,
    0x5338,
    0x63DE,
    0x8BAF,
    0x7354,
    0x650A,
    0xB2A8,
    0x3C77,
    0x0ABB,
    0x766A,
    0xAEE6,
    0x47ED,
    0xC92E,
    0x81C2,
    0x353B,
    0x1482,
    0x2C85,
    0x9272,
    0x0364,
    0x4CF1,
    0xE8A1,
    0xA2BF,
    0x3001,
    0xBC42,
    0x664B,
    0xA81A,
    0x9791,
    0xD0F8,
    0x8B70,
    0xC24B,
    0xBE30,
    0x0654,
    0x51A3,
    0xC76C,
    0x5218,
    0xD6EF,
    0xE819,
    0xD192,
    0xA910,
    0x5565,
    0x0624,
    0xD699,
    0x202A,
    0x5771,
    0x3585,
    0xF40E,
    0xD1B8,
    0x32BB,
    0xA070,
    0x106A,
    0xD0C8,
    0xB8D2,
    0xC116,
    0x19A4,
    0xAB53,
    0x5141,
    0x6C08,
    0x1E37,
    0xEB99,
    0xDF8E,
    0x774C,
    0x2748,
    0x48A8,
    0xE19B,
    0xBCB5,
    0x34B0,
    0x5A63,
    0xC5C9,
    0x0CB3,
    0x391C,
    0x8ACB,
    0xE341,
    0xAA4A,
    0x4ED8,
    0xE373,
    0x7763,
    0xCA4F,
    0x5B9C,
    0xB8A3,
    0xD6B2,
    0x6FF3,
    0x682E,
    0xB2FC,
    0x5DEF,
    0x82EE,
    0x748F,
    0x2F60,
    0x4317,
    0x636F,
    0x78A5,
    0xAB72,
    0xA1F0,
    0x7814,
    0x84C8,
    0x39EC,
    0x1A64,
    0x0208,
    0x8CC7,
    0x1E28,
    0x2363,
    0xFFFA,
    0x90BE,
    0xBDE9,
    0xDE82,
    0x6CEB,
    0xA450,
    0x7915,
    0xB2C6,
    0xA3F7,
    0xBEF9,
    0x532B,
    0xE372,
    0x78F2,
    0xC671,
    0x619C,
    0xEA26,
    0x3ECE,
    0xCA27,
    0xC207,
    0x21C0,
    0xB8C7,
    0xD186,
    0xEB1E,
    0xCDE0,
    0x7DD6,
    0xEADA,
    0xD178,
    0xEE6E,
    0x4F7F,
    0xF57D,
    0x6FBA,
    0x7217,
    0x67AA,
    0x06F0,
    0x98A6,
    0xA2C8,
    0x7DC5,
    0x0A63,
    0x0DAE,
    0xBEF9,
    0x9804,
    0x113F,
    0x471B,
    0x131C,
    0x0B35,
    0x1B71,
    0x7D84,
    0x2304,
    0x77F5,
    0x28DB,
    0x2493,
    0x40C7,
    0xAB7B,
    0x32CA,
    0xBEBC,
    0x15C9,
    0xBE0A,
    0x3C9E,
    0x0D4C,
    0x9C10,
    0x67C4,
    0x431D,
    0x42B6,
    0xCB3E,
    0xD4BE,
    0x4CC5,
    0x7E2A,
    0xFC65,
    0x299C,
    0x597F,
    0xFAEC,
    0x3AD6,
    0x6FAB,
    0x5FCB,
    0x5817,
    0x4A47,
    0x198C,
    0x6C44,
)
_H0 = (
    0xC908,
    0xF3BC,
    0xE667,
    0x6A09,
    0xA73B,
    0x84CA,
    0xAE85,
    0xBB67,
    0xF82B,
    0xFE94,
    0xF372,
    0x3C6E,
    0x36F1,
    0x5F1D,
    0xF53A,
    0xA54F,
    0x82D1,
    0xADE6,
    0x527F,
    0x510E,
    0x6C1F,
    0x2B3E,
    0x688C,
    0x9B05,
    0xBD6B,
    0xFB41,
    0xD9AB,
    0x1F83,
    0x2179,
    0x137E,
    0xCD19,
    0x5BE0,
)


def _compress(state, w):
    """One SHA-512 block: ``w`` holds the 16 message words as limbs; extends it to 80."""
    # Message schedule: w[t] = s1(w[t-2]) + w[t-7] + s0(w[t-15]) + w[t-16].
    for t in range(64, 320, 4):
        x0 = w[t - 60]
        x1 = w[t - 59]
        x2 = w[t - 58]
        x3 = w[t - 57]
        y0 = w[t - 8]
        y1 = w[t - 7]
        y2 = w[t - 6]
        y3 = w[t - 5]
        u0 = ((x0 >> 1 | (x1 & 1) << 15) ^ (x0 >> 8 | x1 << 8) ^ (x0 >> 7 | x1 << 9)) & 0xFFFF
        u1 = ((x1 >> 1 | (x2 & 1) << 15) ^ (x1 >> 8 | x2 << 8) ^ (x1 >> 7 | x2 << 9)) & 0xFFFF
        u2 = ((x2 >> 1 | (x3 & 1) << 15) ^ (x2 >> 8 | x3 << 8) ^ (x2 >> 7 | x3 << 9)) & 0xFFFF
        u3 = ((x3 >> 1 | (x0 & 1) << 15) ^ (x3 >> 8 | x0 << 8) ^ (x3 >> 7)) & 0xFFFF
        v0 = ((y1 >> 3 | y2 << 13) ^ (y3 >> 13 | y0 << 3) ^ (y0 >> 6 | y1 << 10)) & 0xFFFF
        v1 = ((y2 >> 3 | y3 << 13) ^ (y0 >> 13 | y1 << 3) ^ (y1 >> 6 | y2 << 10)) & 0xFFFF
        v2 = ((y3 >> 3 | y0 << 13) ^ (y1 >> 13 | y2 << 3) ^ (y2 >> 6 | y3 << 10)) & 0xFFFF
        v3 = ((y0 >> 3 | y1 << 13) ^ (y2 >> 13 | y3 << 3) ^ (y3 >> 6)) & 0xFFFF
        c = u0 + v0 + w[t - 28] + w[t - 64]
        w[t] = c & 0xFFFF
        c = (c >> 16) + u1 + v1 + w[t - 27] + w[t - 63]
        w[t + 1] = c & 0xFFFF
        c = (c >> 16) + u2 + v2 + w[t - 26] + w[t - 62]
        w[t + 2] = c & 0xFFFF
        c = (c >> 16) + u3 + v3 + w[t - 25] + w[t - 61]
        w[t + 3] = c & 0xFFFF
    a0, a1, a2, a3, b0, b1, b2, b3, c0, c1, c2, c3, d0, d1, d2, d3 = state[0:16]
    e0, e1, e2, e3, f0, f1, f2, f3, g0, g1, g2, g3, h0, h1, h2, h3 = state[16:32]
    k = _K
    # Plain assignments below, not "h0, h1, h2, h3 = g0, ...": MicroPython builds a
    # tuple for a 4-way unpack, which is garbage on every round.
    for t in range(0, 320, 4):
        s0 = ((e0 >> 14 | e1 << 2) ^ (e1 >> 2 | e2 << 14) ^ (e2 >> 9 | e3 << 7)) & 0xFFFF
        s1 = ((e1 >> 14 | e2 << 2) ^ (e2 >> 2 | e3 << 14) ^ (e3 >> 9 | e0 << 7)) & 0xFFFF
        s2 = ((e2 >> 14 | e3 << 2) ^ (e3 >> 2 | e0 << 14) ^ (e0 >> 9 | e1 << 7)) & 0xFFFF
        s3 = ((e3 >> 14 | e0 << 2) ^ (e0 >> 2 | e1 << 14) ^ (e1 >> 9 | e2 << 7)) & 0xFFFF
        z0 = ((a1 >> 12 | a2 << 4) ^ (a2 >> 2 | a3 << 14) ^ (a2 >> 7 | a3 << 9)) & 0xFFFF
        z1 = ((a2 >> 12 | a3 << 4) ^ (a3 >> 2 | a0 << 14) ^ (a3 >> 7 | a0 << 9)) & 0xFFFF
        z2 = ((a3 >> 12 | a0 << 4) ^ (a0 >> 2 | a1 << 14) ^ (a0 >> 7 | a1 << 9)) & 0xFFFF
        z3 = ((a0 >> 12 | a1 << 4) ^ (a1 >> 2 | a2 << 14) ^ (a1 >> 7 | a2 << 9)) & 0xFFFF
        c = h0 + s0 + (g0 ^ (e0 & (f0 ^ g0))) + k[t + 0] + w[t + 0]
        t0 = c & 0xFFFF
        c = (c >> 16) + h1 + s1 + (g1 ^ (e1 & (f1 ^ g1))) + k[t + 1] + w[t + 1]
        t1 = c & 0xFFFF
        c = (c >> 16) + h2 + s2 + (g2 ^ (e2 & (f2 ^ g2))) + k[t + 2] + w[t + 2]
        t2 = c & 0xFFFF
        c = (c >> 16) + h3 + s3 + (g3 ^ (e3 & (f3 ^ g3))) + k[t + 3] + w[t + 3]
        t3 = c & 0xFFFF
        h0 = g0
        h1 = g1
        h2 = g2
        h3 = g3
        g0 = f0
        g1 = f1
        g2 = f2
        g3 = f3
        f0 = e0
        f1 = e1
        f2 = e2
        f3 = e3
        c = d0 + t0
        e0 = c & 0xFFFF
        c = (c >> 16) + d1 + t1
        e1 = c & 0xFFFF
        c = (c >> 16) + d2 + t2
        e2 = c & 0xFFFF
        c = (c >> 16) + d3 + t3
        e3 = c & 0xFFFF
        d0 = c0
        d1 = c1
        d2 = c2
        d3 = c3
        m = t0 + z0 + ((a0 & b0) | (c0 & (a0 | b0)))
        t0 = m & 0xFFFF
        m = (m >> 16) + t1 + z1 + ((a1 & b1) | (c1 & (a1 | b1)))
        t1 = m & 0xFFFF
        m = (m >> 16) + t2 + z2 + ((a2 & b2) | (c2 & (a2 | b2)))
        t2 = m & 0xFFFF
        m = (m >> 16) + t3 + z3 + ((a3 & b3) | (c3 & (a3 | b3)))
        t3 = m & 0xFFFF
        c0 = b0
        c1 = b1
        c2 = b2
        c3 = b3
        b0 = a0
        b1 = a1
        b2 = a2
        b3 = a3
        a0 = t0
        a1 = t1
        a2 = t2
        a3 = t3
    new = (
        a0,
        a1,
        a2,
        a3,
        b0,
        b1,
        b2,
        b3,
        c0,
        c1,
        c2,
        c3,
        d0,
        d1,
        d2,
        d3,
        e0,
        e1,
        e2,
        e3,
        f0,
        f1,
        f2,
        f3,
        g0,
        g1,
        g2,
        g3,
        h0,
        h1,
        h2,
        h3,
    )
    for i in range(0, 32, 4):
        c = 0
        for j in range(i, i + 4):
            c += state[j] + new[j]
            state[j] = c & 0xFFFF
            c >>= 16


class SHA512:
    """Pure-Python SHA-512 with hashlib's interface (update, digest, hexdigest, copy)."""

    digest_size = 64
    block_size = 128
    name = "sha512"

    def __init__(self, data=b""):
        self._state = list(_H0)
        self._w = [0] * 320
        self._buf = bytearray(128)
        self._fill = 0
        self._length = 0
        if data:
            self.update(data)

    def _load(self, block, offset):
        # Big-endian 64-bit words -> little-endian 16-bit limbs.
        w = self._w
        for i in range(16):
            o = offset + 8 * i
            w[4 * i + 3] = (block[o] << 8) | block[o + 1]
            w[4 * i + 2] = (block[o + 2] << 8) | block[o + 3]
            w[4 * i + 1] = (block[o + 4] << 8) | block[o + 5]
            w[4 * i] = (block[o + 6] << 8) | block[o + 7]
        _compress(self._state, w)

    def update(self, data):
        """Hash ``data`` (bytes-like) on top of what came before."""
        data = memoryview(data)
        n = len(data)
        self._length += n
        pos = 0
        buf = self._buf
        if self._fill:
            take = min(128 - self._fill, n)
            buf[self._fill : self._fill + take] = data[:take]
            self._fill += take
            pos = take
            if self._fill < 128:
                return
            self._load(buf, 0)
            self._fill = 0
        while n - pos >= 128:
            self._load(data, pos)
            pos += 128
        if pos < n:
            buf[0 : n - pos] = data[pos:]
            self._fill = n - pos

    def copy(self):
        """An independent copy of the current hash state."""
        other = SHA512()
        other._state = list(self._state)
        other._buf[:] = self._buf
        other._fill = self._fill
        other._length = self._length
        return other

    def digest(self):
        """The 64-byte digest of the data so far (more may still be added)."""
        clone = self.copy()
        bits = self._length * 8
        pad = bytearray(1 + ((111 - self._length) % 128) + 16)
        pad[0] = 0x80
        pad[-16:] = bits.to_bytes(16, "big")
        clone.update(pad)
        state = clone._state
        out = bytearray(64)
        for i in range(8):
            for j in range(4):
                limb = state[4 * i + 3 - j]
                out[8 * i + 2 * j] = limb >> 8
                out[8 * i + 2 * j + 1] = limb & 0xFF
        return bytes(out)

    def hexdigest(self):
        """The digest as 128 lower-case hex digits."""
        return "".join("%02x" % b for b in self.digest())
