# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Pin numbers from the ``board`` module.

CircuitPython's ``board`` holds ``microcontroller.Pin`` objects under board names (``D4``,
``GP15``, ``A0``, ``LED``...); a pin object carries no number. A pin's number is found, in
this order:

1. its name in ``microcontroller.pin`` (the chip's names: ``GPIO5`` on ESP32-S2/S3,
   ``GPIO15`` on RP2040, ``P0_13`` on nRF52 -> 13, ``P1_02`` -> 34), found by identity;
2. Blinka's ``Pin.id`` when it is an int (the kernel/BCM line number on a Linux board);
3. its board name: ``GP15`` -> 15, ``GPIO5``/``IO5`` -> 5, ``D4`` -> 4.

Pins whose number cannot be derived (``SDA``, ``A0`` on most boards, ``NEOPIXEL``) stay
listed by name but are left out of ``GpioInfo.available_pins``. Aliases (``LED`` and
``D13`` on a Feather) are one pin.
"""

try:
    from typing import Optional  # noqa: F401  (annotations only)
except ImportError:
    pass

_PREFIXES = ("GPIO", "GP", "IO", "D")


def number_from_name(name) -> "Optional[int]":
    """The pin number spelled in a pin name, or None (``"GP15"`` -> 15, ``"P1_02"`` -> 34)."""
    if not isinstance(name, str):
        return None
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            digits = name[len(prefix) :]
            if digits.isdigit():
                return int(digits)
    # nRF52: P<port>_<pin>, 32 pins per port
    if len(name) > 3 and name[0] == "P" and name[2] == "_":
        port, pin = name[1], name[3:]
        if port.isdigit() and pin.isdigit():
            return int(port) * 32 + int(pin)
    return None


def board_pins(board, microcontroller=None) -> list:
    """``[(number or None, name, pin)]`` for every distinct pin object in ``board``,
    in name order; the first (alphabetical) board name of a pin names it."""
    pin_class = getattr(microcontroller, "Pin", None)
    chip_names = {}
    chip = getattr(microcontroller, "pin", None)
    if chip is not None:
        for name in dir(chip):
            if not name.startswith("_"):
                chip_names[id(getattr(chip, name))] = name
    seen = {}
    out = []
    for name in sorted(dir(board)):
        if name.startswith("_"):
            continue
        obj = getattr(board, name)
        try:
            pin = pin_class is not None and isinstance(obj, pin_class)
        except TypeError:
            pin = False
        if not (pin or type(obj).__name__ == "Pin"):
            continue
        key = id(obj)
        if key in seen:
            continue
        seen[key] = True
        # The chip's name first, then Blinka's Pin.id (a Linux line number), then the
        # board name.
        number = number_from_name(chip_names.get(key))
        if number is None:
            number = getattr(obj, "id", None)
            if not isinstance(number, int) or isinstance(number, bool):
                number = number_from_name(name)
        out.append((number, name, obj))
    return out


def numbered_pins(board, microcontroller=None) -> dict:
    """``{number: (name, pin)}`` for the pins whose number is known."""
    out = {}
    for number, name, obj in board_pins(board, microcontroller):
        if number is not None and number not in out:
            out[number] = (name, obj)
    return out
