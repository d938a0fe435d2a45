# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Small portability layer: one place for what differs between CircuitPython,
MicroPython and CPython (clocks, platform name)."""

import sys
import time

try:
    from typing import Optional  # noqa: F401  (annotations only)
except ImportError:
    pass

IMPLEMENTATION = sys.implementation.name  # "circuitpython", "micropython" or "cpython"
IS_CPYTHON = IMPLEMENTATION == "cpython"


def _ticks():
    # (ticks_ms, period) where a small-int millisecond counter exists: CircuitPython's
    # supervisor.ticks_ms() (wraps at 2**29) or MicroPython's time.ticks_ms(). Preferred to
    # time.monotonic_ns(), whose nanoseconds outgrow a small int after ~1 s of uptime, so
    # that every reading of it allocates.
    if IS_CPYTHON:
        return None
    try:
        from supervisor import ticks_ms

        return ticks_ms, 1 << 29
    except ImportError:
        pass
    if hasattr(time, "ticks_ms"):
        return time.ticks_ms, None
    return None


_TICKS = _ticks()

if _TICKS is not None:
    _base = [0, _TICKS[0]()]

    def monotonic_ms() -> int:
        """Milliseconds from an arbitrary start; unwraps the port's tick counter."""
        now = _TICKS[0]()
        period = _TICKS[1]
        if period is None:
            _base[0] += time.ticks_diff(now, _base[1])
        else:
            _base[0] += (now - _base[1]) % period
        _base[1] = now
        return _base[0]

elif hasattr(time, "monotonic_ns"):

    def monotonic_ms() -> int:
        """Milliseconds from an arbitrary start; never goes backwards."""
        return time.monotonic_ns() // 1000000

else:  # pragma: no cover - every supported port has one of the two

    def monotonic_ms() -> int:
        return int(time.monotonic() * 1000)


def monotonic() -> float:
    """Seconds (float) from an arbitrary start."""
    return monotonic_ms() / 1000.0


def sleep_ms(ms: int) -> None:
    """Sleep for ``ms`` milliseconds."""
    time.sleep(ms / 1000.0)


def collect_garbage() -> None:
    """Run ``gc.collect()`` where the port has a ``gc`` module."""
    try:
        import gc

        gc.collect()
    except ImportError:  # pragma: no cover
        pass


def free_memory():
    """Free heap in bytes, or None where the interpreter does not say (CPython)."""
    try:
        import gc

        return gc.mem_free()
    except (ImportError, AttributeError):
        return None
