# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Smallest ``-X heapsize=`` at which the Device under the MicroPython Unix port serves
``calls`` CallTools in a row (bisection; each probe starts a fresh device).

    python -m tests.mpunix.heap_bisect [--calls 50] [--low 65536] [--high 1048576]
                                       [--step 4096] [--chunked] [--mpy]

A probe passes when the device starts, every call answers grpc-status 0 with a reading,
and the device is still running afterwards. Prints one line per probe, then the result.
The Unix port is 64-bit: pointers and object headers are twice a board's, so the figure
is an upper bound for a 32-bit board (see tests/mpunix/README.md).
"""

import argparse
import shutil
import sys
import tempfile

from tests import hostile_clients as raw
from tests.mpunix import runner


def serves(heap, calls=50, chunked=False, lib=None, workdir=None, mpy=False):
    """``(ok, why)``: does a Device in a ``heap``-byte heap serve ``calls`` CallTools?"""
    workdir = workdir or tempfile.mkdtemp(prefix="mp-heap-")
    if lib is None:
        # Always a short path in the temp folder: module file names are heap too, and near
        # the limit the import peak is sensitive to them (fragmentation at the compile).
        lib = runner.build_lib(tempfile.mkdtemp(prefix="mp-heap-lib-"), mpy=mpy)
        try:
            return serves(heap, calls, chunked, lib, workdir)
        finally:
            shutil.rmtree(lib, ignore_errors=True)
    device = runner.MpDevice(workdir, heap=heap, token="", lib=lib)
    try:
        device.start()
    except runner.MicroPythonError as exc:
        return False, "did not start: " + str(exc).splitlines()[0]
    try:
        for i in range(calls):
            out = raw.grpc_call(*device.address, chunked=chunked, timeout=5.0)
            result = out["results"][0] if out["results"] else {}
            if result.get("grpc_status") != 0 or not result.get("messages"):
                return False, "call %d: %r" % (i, {k: result.get(k) for k in
                                                    ("status", "grpc_status")})  # fmt: skip
        if not device.alive():
            return False, "the device exited"
        return True, "ok"
    except (OSError, ValueError, AssertionError) as exc:
        return False, "call failed: %s: %s" % (type(exc).__name__, exc)
    finally:
        device.stop()


def bisect(low, high, step=4096, calls=50, chunked=False, report=print, mpy=False):
    """Smallest heap in [low, high] (to ``step`` bytes) that serves ``calls`` calls, or
    None when even ``high`` does not. ``mpy``: load the library as ``.mpy``."""
    lib = runner.build_lib(tempfile.mkdtemp(prefix="mp-heap-lib-"), mpy=mpy)
    try:
        return _bisect(low, high, step, calls, chunked, report, lib)
    finally:
        shutil.rmtree(lib, ignore_errors=True)


def _bisect(low, high, step, calls, chunked, report, lib):
    ok, why = serves(high, calls, chunked, lib)
    report("heap %7d: %s" % (high, why))
    if not ok:
        return None
    while high - low > step:
        mid = (low + high) // 2 // 1024 * 1024
        ok, why = serves(mid, calls, chunked, lib)
        report("heap %7d: %s" % (mid, why))
        if ok:
            high = mid
        else:
            low = mid
    return high


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--low", type=int, default=64 * 1024)
    parser.add_argument("--high", type=int, default=1024 * 1024)
    parser.add_argument("--step", type=int, default=4096)
    parser.add_argument("--chunked", action="store_true", help="send chunked request bodies")
    parser.add_argument("--mpy", action="store_true", help="load the library as .mpy files")
    args = parser.parse_args(argv)
    found = bisect(args.low, args.high, args.step, args.calls, args.chunked, mpy=args.mpy)
    if found is None:
        print("the device does not serve %d calls even with %d bytes" % (args.calls, args.high))
        return 1
    print("smallest heap serving %d CallTools: %d bytes (%d KB)" % (args.calls, found,
                                                                  found // 1024))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
