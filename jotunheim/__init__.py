# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Jotunheim: makes a CircuitPython board a device of the Edda platform."""

# Importing jotunheim costs almost nothing: every submodule is importable on its own, so
# a board pays RAM only for what code.py uses. jotunheim.Device loads on first use.
# (Module docstrings stay one line: loaded from .py, MicroPython keeps them in RAM.)

__version__ = "0.1.0"
__repo__ = "https://github.com/edda-platform/jotunheim.git"


def __getattr__(name):
    # PEP 562 lazy attribute. MicroPython (and CircuitPython) also ask the package's
    # __getattr__ before importing a submodule (`from jotunheim import log`), so any
    # other name is imported as a submodule here.
    if name == "Device":
        from jotunheim.device import Device

        return Device
    try:
        __import__("jotunheim." + name)
    except ImportError:
        raise AttributeError(name) from None
    return globals()[name]
