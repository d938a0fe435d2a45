# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Fake of CircuitPython's ``microcontroller`` module for the MicroPython test runner.

What a test can rely on: ``cpu`` (uid, frequency, temperature, voltage), ``nvm`` (8 KB,
fixed length, survives only until the next ``_reset()``), ``reset()`` raising
``ResetCalled`` (a BaseException, so device code's ``except Exception`` cannot swallow it,
just as a real reset never returns), ``on_next_reset()`` and ``RunMode``. Calls are
recorded in ``resets`` and ``next_run_modes``.
"""

NVM_SIZE = 8192


class ResetCalled(BaseException):
    """Raised by the fake ``reset()``: on a board the interpreter would stop here."""


class Pin:
    """A named pin; the fake ``board`` module is made of these."""

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return "board." + self._name

    def __hash__(self):
        return hash(self._name)

    def __eq__(self, other):
        return isinstance(other, Pin) and other._name == self._name


class RunMode:
    """Run modes accepted by ``on_next_reset``; values are the names, for readable asserts."""

    NORMAL = "NORMAL"
    SAFE_MODE = "SAFE_MODE"
    UF2 = "UF2"
    BOOTLOADER = "BOOTLOADER"


class _Processor:
    def __init__(self):
        self.uid = bytearray(b"\x4a\x6f\x74\x75\x6e\x01")
        self.frequency = 240000000
        self.temperature = 41.5
        self.voltage = 3.3
        self.reset_reason = "POWER_ON"


class _NVM:
    """Fixed-length byte store like ``microcontroller.nvm`` (slicing, len, no resizing)."""

    def __init__(self, size):
        self._data = bytearray(size)

    def __len__(self):
        return len(self._data)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return bytearray(self._data[index])
        return self._data[index]

    def __setitem__(self, index, value):
        if isinstance(index, slice):
            start, stop, step = _slice_bounds(index, len(self._data))
            if step != 1:
                raise NotImplementedError("nvm slices with a step")
            if len(value) != stop - start:
                raise ValueError("nvm slice assignment must not change its length")
            self._data[start:stop] = value
        else:
            self._data[index] = value


def _slice_bounds(index, length):
    # MicroPython's slice objects have no indices(); work the bounds out by hand.
    start = 0 if index.start is None else index.start
    stop = length if index.stop is None else index.stop
    step = 1 if index.step is None else index.step
    if start < 0:
        start += length
    if stop < 0:
        stop += length
    start = max(0, min(start, length))
    stop = max(start, min(stop, length))
    return start, stop, step


cpu = _Processor()
cpus = (cpu,)
nvm = _NVM(NVM_SIZE)
resets = []
next_run_modes = []
pin = None  # filled by the fake board module's import; kept for API shape


def reset():
    """Record the reset and raise ``ResetCalled`` (a real reset never returns)."""
    resets.append(next_run_modes[-1] if next_run_modes else RunMode.NORMAL)
    raise ResetCalled("microcontroller.reset() called")


def on_next_reset(run_mode):
    next_run_modes.append(run_mode)


def delay_us(delay):
    import time

    time.sleep_us(delay)


def _reset():
    """Runner hook: called before every test."""
    global cpu, cpus, nvm
    cpu = _Processor()
    cpus = (cpu,)
    nvm = _NVM(NVM_SIZE)
    del resets[:]
    del next_run_modes[:]
