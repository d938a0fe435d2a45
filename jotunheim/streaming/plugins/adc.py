# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""``adc``: ADC samples from ``analogio.AnalogIn`` as unsigned 16-bit little-endian (uplink).

A chunk is read in one burst (``chunk_size / 2`` readings, as fast as the ADC goes); the
stream's ``rate`` sets how many chunks per second. Live: a resumed stream continues with
fresh readings. On a host without an ADC (Blinka's fake board) use ``signal`` instead.

Options: ``pin`` (board pin name, default ``"A0"``).
"""

KIND = "sensor"
DIRECTION = "up"
SAMPLE_FORMAT = "u16le/1/1000"
CHUNK_SIZE = 200
RATE = 10


class AdcSource:
    """:param dict options: ``pin``; ``adc`` may hand in a ready AnalogIn-like object"""

    def __init__(self, options) -> None:
        self.adc = options.get("adc")
        self.owned = self.adc is None
        if self.adc is None:
            self.adc = _analog_in(str(options.get("pin", "A0")))

    def read_into(self, view, sequence) -> int:
        """``len(view) // 2`` readings of ``AnalogIn.value``."""
        adc = self.adc
        count = len(view) // 2
        for k in range(count):
            v = adc.value
            view[2 * k] = v & 0xFF
            view[2 * k + 1] = (v >> 8) & 0xFF
        return count * 2

    def seek(self, sequence) -> bool:
        """A live signal cannot go back: False."""
        return False

    def close(self) -> None:
        """Release the pin (when this source made the AnalogIn)."""
        if self.owned and self.adc is not None:
            self.adc.deinit()
        self.adc = None


def _analog_in(pin_name):
    try:
        import analogio
        import board
    except ImportError as exc:
        raise ValueError("adc plugin: this board has no analogio (%s)" % exc) from None
    pin = getattr(board, pin_name, None)
    if pin is None:
        raise ValueError("adc plugin: board has no pin %s" % pin_name)
    return analogio.AnalogIn(pin)


def open(options):  # noqa: A001 - the plugin interface's name
    """An :class:`AdcSource`."""
    return AdcSource(options)
