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
# One list, not four globals: [the tick function (None: time.monotonic_ns), its wrap
# period (0: time.ticks_diff unwraps it), milliseconds so far, the last reading].
_clock = [None, 0, 0, 0]
if not IS_CPYTHON:
    try:
        import supervisor

        _clock[0] = supervisor.ticks_ms
        _clock[1] = 1 << 29
    except ImportError:
        _clock[0] = getattr(time, "ticks_ms", None)
    if _clock[0] is not None:
        _clock[3] = _clock[0]()


def monotonic_ms() -> int:
    """Milliseconds from an arbitrary start; never goes backwards (unwraps the port's tick
    counter)."""
    clock = _clock
    if clock[0] is None:
        return time.monotonic_ns() // 1000000
    now = clock[0]()
    if clock[1]:
        clock[2] += (now - clock[3]) % clock[1]
    else:
        clock[2] += time.ticks_diff(now, clock[3])
    clock[3] = now
    return clock[2]


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


def forget(name) -> None:
    """Drop module ``name`` from ``sys.modules`` and from its package, so that its code
    can go back to the heap: MicroPython keeps a module's code for as long as the module
    is imported. For modules that only build things (the Device's set-up, the settings
    file's reading): they define no classes and hold no state, so nothing they made
    keeps their code alive, and an import brings them back when they are needed again.
    Does nothing on CPython, which has no fixed heap."""
    if IS_CPYTHON:
        return
    sys.modules.pop(name, None)
    package, _, child = name.rpartition(".")
    parent = sys.modules.get(package)
    if parent is not None:
        try:
            delattr(parent, child)
        except (AttributeError, KeyError):  # KeyError: MicroPython, when it is not there
            pass


def run_and_forget(name, function, *args, **kwargs):
    """``function(*args, **kwargs)`` of module ``name``, which is then forgotten
    (:func:`forget`) whether the call returned or raised."""
    __import__(name)
    try:
        return getattr(sys.modules[name], function)(*args, **kwargs)
    finally:
        forget(name)
