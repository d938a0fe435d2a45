# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Addressable RGB pixels: a NeoPixel strip or single pixel (``neopixel`` library), and
colour text (``"#ff8000"``, ``"orange"``).
"""

from jotunheim.capability import ToolParameterError
from jotunheim.capability.drivers import Actuator
from jotunheim.capability.schema import NUMBER, STRING, Field
from jotunheim.compat import run_and_forget

# Made only for a part built from a pin or a bus; forgotten after each use.
HARDWARE = "jotunheim.capability.drivers.hardware"

COLORS = {
    "off": (0, 0, 0),
    "black": (0, 0, 0),
    "white": (255, 255, 255),
    "red": (255, 0, 0),
    "green": (0, 255, 0),
    "blue": (0, 0, 255),
    "yellow": (255, 255, 0),
    "cyan": (0, 255, 255),
    "magenta": (255, 0, 255),
    "orange": (255, 128, 0),
    "purple": (128, 0, 255),
}


def parse_color(text: str, tool: str = "set_neopixel") -> tuple:
    """``"#RRGGBB"``, ``"RRGGBB"`` or a name from :data:`COLORS` -> ``(r, g, b)``.

    :param str text: the colour
    :param str tool: the tool's name, for the ToolParameterError a bad colour raises
    """
    low = text.strip().lower()
    if low in COLORS:
        return COLORS[low]
    digits = low[1:] if low.startswith("#") else low
    if len(digits) == 6:
        try:
            return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))
        except ValueError:
            pass
    raise ToolParameterError(tool, "color", "#RRGGBB or a color name", "String %r" % text)


def color_text(rgb) -> str:
    """``(255, 128, 0)`` -> ``"#ff8000"``."""
    return "#%02x%02x%02x" % (rgb[0], rgb[1], rgb[2])


class NeoPixel(Actuator):
    """A NeoPixel strip or single pixel (``neopixel`` library). ``color`` sets every pixel,
    or only pixel ``index``."""

    part = "NeoPixel"

    def __init__(self, pin=None, n=1, device=None, brightness=0.2):
        if device is None:
            device = run_and_forget(HARDWARE, "neopixel", pin, n, brightness)
        self._device = device
        self.n = n
        self._colors = [(0, 0, 0)] * n
        self._brightness = brightness
        names = ", ".join(sorted(COLORS))
        self.settings = (
            Field(
                "color",
                STRING,
                required=True,
                description="#RRGGBB or one of: " + names,
            ),
            Field("brightness", NUMBER, minimum=0, maximum=1, description="Brightness 0..1"),
            Field("index", NUMBER, minimum=0, maximum=n - 1, description="Only this pixel"),
        )

    def _apply(self, values):
        rgb = parse_color(values["color"])  # may raise: nothing written yet
        index = values.get("index")
        if index is not None and index != int(index):
            raise ToolParameterError("set_neopixel", "index", "a whole number", str(index))
        if "brightness" in values:
            self._brightness = values["brightness"]
            self._device.brightness = self._brightness
        if index is None:
            self._colors = [rgb] * self.n
            self._device.fill(rgb)
        else:
            self._colors[int(index)] = rgb
            self._device[int(index)] = rgb
        self._device.show()

    def state(self):
        """Every pixel's colour as ``#rrggbb`` and the brightness."""
        return {"colors": [color_text(c) for c in self._colors], "brightness": self._brightness}
