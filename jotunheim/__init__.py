"""Jotunheim: makes a CircuitPython board a device of the Edda platform.

This package imports nothing heavy: every submodule is importable on its own, so a
board pays RAM only for what ``code.py`` uses. ``jotunheim.Device`` is loaded on first use.
"""

__version__ = "0.0.0+auto.0"
__repo__ = "https://github.com/edda-platform/jotunheim.git"


def __getattr__(name):
    # PEP 562 lazy attribute: importing jotunheim must stay cheap on a board.
    if name == "Device":
        from jotunheim.device import Device

        return Device
    raise AttributeError(name)
