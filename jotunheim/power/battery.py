# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Battery: the battery voltage, read from an analog pin through a divider.

``power.battery_pin`` names a ``board`` pin and the divider's ratio: ``PIN`` or
``PIN*RATIO`` (``A2*2`` on most Feathers, ``VOLTAGE_MONITOR*3`` on a Pico W; default 2). Tests and the simulator hand in a
``read`` callable returning volts instead.
"""

DEFAULT_DIVIDER = 2.0  # the usual 1:1 divider of a LiPo Feather


class Battery:
    """Reads the battery voltage.

    :param read: callable returning volts (else made from ``pin``)
    :param str pin: a ``board`` pin name for ``analogio.AnalogIn``
    :param float divider: battery volts = pin volts * divider
    """

    def __init__(self, read=None, pin: str = "", divider: float = DEFAULT_DIVIDER) -> None:
        self.read_fn = read
        self.pin = pin
        self.divider = divider
        self.analog = None
        self.error = None

    @classmethod
    def from_settings(cls, settings, read=None):
        """A Battery for ``power.battery_*``, or None when nothing reads a battery."""
        text = settings.get("power.battery_pin")
        if read is None and not text:
            return None
        pin, _, ratio = text.partition("*")
        try:
            divider = float(ratio) if ratio else DEFAULT_DIVIDER
        except ValueError:
            raise ValueError("power.battery_pin: %r is not PIN or PIN*RATIO" % text) from None
        return cls(read=read, pin=pin.strip(), divider=divider)

    def _analog_volts(self) -> float:
        if self.analog is None:
            import analogio
            import board

            if not hasattr(board, self.pin):
                raise ValueError("power.battery_pin: board has no pin %r" % self.pin)
            self.analog = analogio.AnalogIn(getattr(board, self.pin))
        analog = self.analog
        return analog.value * analog.reference_voltage / 65535 * self.divider

    def volts(self):
        """Battery volts, or None when the reading failed (``error`` says why)."""
        try:
            value = self.read_fn() if self.read_fn is not None else self._analog_volts()
        except (ImportError, OSError, ValueError, RuntimeError) as exc:
            self.error = "battery reading failed: %s: %s" % (type(exc).__name__, exc)
            return None
        self.error = None
        return float(value)
