# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Small portability layer: one place for what differs between CircuitPython,
MicroPython and CPython (clocks, platform name)."""

import gc
import sys
import time

IMPLEMENTATION = sys.implementation.name  # "circuitpython", "micropython" or "cpython"
IS_CPYTHON = IMPLEMENTATION == "cpython"

# A small-int millisecond counter where one exists: CircuitPython's supervisor.ticks_ms()
# (wraps at 2**29) or MicroPython's time.ticks_ms() (wraps, time.ticks_diff unwraps it).
# Preferred to time.monotonic_ns(), whose nanoseconds outgrow a small int after ~1 s of
# uptime, so that every reading of it allocates (CPython has only that one). Chosen once,
# at import; one function for all three (each def is kept on the heap, taken or not).
_ticks = None
_period = 0
if not IS_CPYTHON:
    try:
        from supervisor import ticks_ms as _ticks

        _period = 1 << 29
    except ImportError:
        _ticks = getattr(time, "ticks_ms", None)
_base = [0, _ticks() if _ticks is not None else 0]  # milliseconds so far, the last reading


def monotonic_ms() -> int:
    """Milliseconds from an arbitrary start; never goes backwards (unwraps the port's tick
    counter)."""
    if _ticks is None:
        return time.monotonic_ns() // 1000000
    now = _ticks()
    if _period:
        _base[0] += (now - _base[1]) % _period
    else:
        _base[0] += time.ticks_diff(now, _base[1])
    _base[1] = now
    return _base[0]


def monotonic() -> float:
    """Seconds (float) from an arbitrary start."""
    return monotonic_ms() / 1000.0


def sleep_ms(ms: int) -> None:
    """Sleep for ``ms`` milliseconds."""
    time.sleep(ms / 1000.0)


def free_memory():
    """Free heap in bytes, or None where the interpreter does not say (CPython)."""
    try:
        return gc.mem_free()
    except AttributeError:
        return None
