# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""CircuitPython's ``microcontroller`` on the MicroPython Unix port.

``reset()`` ends the process with exit code 3 (the runner reports it), as a board would
restart; ``nvm`` is 8 KB of RAM; ``cpu`` has a fixed uid.
"""

import sys


class Pin:
    """A named pin (``repr`` is ``board.<name>``)."""

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return "board." + self._name

    def __hash__(self):
        return hash(self._name)

    def __eq__(self, other):
        return isinstance(other, Pin) and repr(other) == repr(self)


class RunMode:
    """Run modes accepted by ``on_next_reset``."""

    NORMAL = "NORMAL"
    SAFE_MODE = "SAFE_MODE"
    UF2 = "UF2"
    BOOTLOADER = "BOOTLOADER"


class _Cpu:
    uid = b"\x6d\x70\x75\x6e\x69\x78"
    frequency = 240000000
    temperature = 41.5
    voltage = 3.3
    reset_reason = None


cpu = _Cpu()
cpus = (cpu,)
nvm = bytearray(8192)
next_run_modes = []


def on_next_reset(run_mode):
    next_run_modes.append(run_mode)


def reset():
    print("MPUNIX-RESET")
    sys.exit(3)
