"""Jotunheim: makes a CircuitPython board a device of the Edda platform."""

# Importing jotunheim costs almost nothing: every submodule is importable on its own, so
# a board pays RAM only for what code.py uses. jotunheim.Device loads on first use.
# (Module docstrings stay one line: loaded from .py, MicroPython keeps them in RAM.)

__version__ = "0.0.0+auto.0"
__repo__ = "https://github.com/edda-platform/jotunheim.git"


def __getattr__(name):
    # PEP 562 lazy attribute (MicroPython supports module __getattr__ too).
    if name == "Device":
        from jotunheim.device import Device

        return Device
    raise AttributeError(name)
