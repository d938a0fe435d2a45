# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Pooled buffers under the MicroPython interpreter: a whole Device (the RAM benchmark's
base path) serves 1,000 CallTools with its body and receive buffers from the pool, and
the heap after them is what it was before (measured after real collections)."""

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests" / "micropython"))

from harness import MicroPython, check_installed  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")

CALLS = 1000
GROWTH_ALLOWED = 1024  # the measurement moves by up to ~500 B; 2 B a call would fail


def test_no_heap_growth_over_1000_calls_with_pooled_buffers():
    import bench_device_ram as ram

    check_installed()
    with MicroPython(timeout=600) as mp:
        mp.exec(ram.FIRMWARE)
        mp.exec(ram.SETUP % ram.BASE_SETTINGS)
        # every call signed (the device's default auth), made before the measured span
        mp.exec("_SIGNED = %r" % (ram.signed_calls(CALLS + 30),))
        mp.exec(ram.DEVICE % 1)
        # The default rate limit (60 state-changing calls a minute) would refuse the 11th
        # call of this series: lifted after the first call, as bench_device_ram does.
        mp.exec(ram.LIFT_RATE_LIMIT)
        mp.exec("for _ in range(20):\n    serve_one()")  # warm: caches and interned names
        pool = "device.resources.buffers"
        mp.exec("_ids = sorted(id(b) for b in %s.pooled)" % pool)
        acquired = mp.eval(pool + ".acquired")
        before = mp.mem_alloc()
        for _ in range(CALLS // 100):
            mp.exec("for _ in range(100):\n    serve_one()", timeout=300)
        after = mp.mem_alloc()
        # Each body arrived whole with its head and was read in the server's receive
        # buffer (from the pool): no buffer taken, none allocated, per call.
        assert mp.eval(pool + ".acquired") == acquired
        assert mp.eval(pool + ".misses") == 0
        assert mp.eval("sorted(id(b) for b in %s.pooled) == _ids" % pool)
        # Every buffer the pool made is free again but one: the server's receive buffer.
        assert mp.eval("len(%s.pooled) - len(%s.free)" % (pool, pool)) == 1
    assert after - before <= GROWTH_ALLOWED, after - before
