# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""CircuitPython's ``time`` on the MicroPython Unix port: the port's module plus
``monotonic()``/``monotonic_ns()``, which CircuitPython has and the port lacks (its
built-in module cannot be given new attributes, so this file stands in front of it)."""

from utime import *  # noqa: F403  (everything the port's time has)
from utime import ticks_diff, ticks_us

_clock = [0, ticks_us()]


def monotonic_ns():
    """Nanoseconds from an arbitrary start; unwraps ticks_us() so it never goes back."""
    now = ticks_us()
    _clock[0] += ticks_diff(now, _clock[1])
    _clock[1] = now
    return _clock[0] * 1000


def monotonic():
    """Seconds (float) from an arbitrary start."""
    return monotonic_ns() / 1e9
