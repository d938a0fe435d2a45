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

if hasattr(time, "monotonic_ns"):

    def monotonic_ms() -> int:
        """Milliseconds from an arbitrary start; never goes backwards."""
        return time.monotonic_ns() // 1000000

elif hasattr(time, "ticks_ms"):
    _base = [0, time.ticks_ms()]

    def monotonic_ms() -> int:
        """Milliseconds from an arbitrary start; unwraps MicroPython's ticks."""
        now = time.ticks_ms()
        _base[0] += time.ticks_diff(now, _base[1])
        _base[1] = now
        return _base[0]

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
