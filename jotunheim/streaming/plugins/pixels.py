# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""``pixels``: a downlink of LED frames (RGB, 3 bytes per pixel) shown on a NeoPixel strip.

Each frame sets every pixel and calls ``show()``. Without the ``neopixel`` library (the
host, ``simulate=True``) the last frame is kept in ``frame`` instead, so a test or the
simulator can look at it.

Options: ``pin`` (default ``"NEOPIXEL"``), ``count`` (pixels, default 1),
``brightness`` (0..1, default 0.3), ``simulate``.
"""

from jotunheim.compat import IS_CPYTHON

KIND = "video"
DIRECTION = "down"
SAMPLE_FORMAT = "rgb888"
CHUNK_SIZE = 768  # 256 pixels


class Pixels:
    """:param dict options: see the module docstring"""

    def __init__(self, options) -> None:
        self.count = int(options.get("count", 1))
        if not 1 <= self.count <= 1024:
            raise ValueError("pixels plugin: count must be 1..1024")
        self.strip = None
        self.frame = bytearray(self.count * 3)
        self.shown = 0
        if not options.get("simulate", False):
            try:
                self.strip = _strip(options, self.count)
            except (ImportError, ValueError, RuntimeError, NotImplementedError) as exc:
                if not IS_CPYTHON:  # on a board a missing strip is an error; the host simulates
                    raise ValueError("pixels plugin: no NeoPixel strip: %s" % exc) from None

    def ready(self) -> bool:
        """``show()`` returns when the strip is written: always ready for the next frame."""
        return self.frame is not None

    def write(self, payload, frame) -> None:
        """Show ``payload`` (RGB bytes; a short frame leaves the rest of the strip dark)."""
        n = min(len(payload), len(self.frame))
        self.frame[:n] = payload[:n]
        for i in range(n, len(self.frame)):
            self.frame[i] = 0
        self.shown += 1
        strip = self.strip
        if strip is None:
            return
        f = self.frame
        for i in range(self.count):
            strip[i] = (f[3 * i], f[3 * i + 1], f[3 * i + 2])
        strip.show()

    def close(self) -> None:
        """Switch the strip off and release it."""
        if self.strip is not None:
            self.strip.fill((0, 0, 0))
            self.strip.show()
            self.strip.deinit()
            self.strip = None


def _strip(options, count):
    import board
    import neopixel

    name = str(options.get("pin", "NEOPIXEL"))
    pin = getattr(board, name, None)
    if pin is None:
        raise ValueError("pixels plugin: board has no pin %s" % name)
    brightness = float(options.get("brightness", 0.3))
    return neopixel.NeoPixel(pin, count, brightness=brightness, auto_write=False)


def open(options):  # noqa: A001 - the plugin interface's name
    """A :class:`Pixels` sink."""
    return Pixels(options)
