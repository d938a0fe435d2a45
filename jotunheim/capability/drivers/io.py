# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Digital and analog pin parts: analog input, digital input / button, LED, relay and
generic GPIO output.

Built from a pin (``board.D13``) they create the ``digitalio`` / ``analogio`` / ``pwmio``
object themselves (:mod:`~jotunheim.capability.drivers.base`, imported when constructed);
built with ``io=`` they use the given object, which needs only the attributes used here
(``value``, ``duty_cycle``). PWM parts (servo, buzzer, PWM output) are in
:mod:`~jotunheim.capability.drivers.pwm`, NeoPixels in
:mod:`~jotunheim.capability.drivers.pixels`.
"""

from jotunheim.capability.drivers.base import (
    DUTY_MAX,
    Actuator,
    Sensor,
    digital_in,
    digital_out,
    pwm_out,
    require,
)
from jotunheim.capability.schema import BOOLEAN, NUMBER, Field

_ON = Field("on", BOOLEAN, required=True, description="Switch on (true) or off (false)")
_BRIGHTNESS = Field("brightness", NUMBER, minimum=0, maximum=1, description="Brightness 0..1")


class AnalogInput(Sensor):
    """An ``analogio.AnalogIn`` pin: raw 16-bit value and voltage.

    :param str part: kind name used in tool names (e.g. "Photoresistor", "SoilMoisture")
    """

    part = "Analog"

    def __init__(self, pin=None, *, io=None, reference_voltage=None, part=None, clock=None):
        Sensor.__init__(self, clock=clock)
        if io is None:
            if pin is None:
                raise ValueError("AnalogInput needs a pin (e.g. board.A0) or io=")
            io = require("analogio").AnalogIn(pin)
        self._io = io
        if reference_voltage is None:
            reference_voltage = getattr(io, "reference_voltage", None) or 3.3
        self.reference_voltage = reference_voltage
        if part:
            self.part = part
        self.readings = (
            Field("value", NUMBER, minimum=0, maximum=DUTY_MAX, description="Raw 16-bit value"),
            Field("voltage", NUMBER, unit="V", minimum=0, maximum=reference_voltage),
        )

    def _measure(self):
        raw = self._io.value
        return {"value": raw, "voltage": raw * self.reference_voltage / DUTY_MAX}


class DigitalInput(Sensor):
    """A ``digitalio`` input pin. ``active_low`` inverts the level (a switch to ground on a
    pulled-up pin reads True when closed)."""

    part = "DigitalInput"
    reading = "value"

    def __init__(self, pin=None, *, io=None, pull=None, active_low=False, part=None, clock=None):
        Sensor.__init__(self, clock=clock)
        if io is None:
            if pin is None:
                raise ValueError("%s needs a pin or io=" % self.part)
            io = digital_in(pin, pull)
        self._io = io
        self.active_low = active_low
        if part:
            self.part = part
        self.readings = (Field(self.reading, BOOLEAN, description="Input level"),)

    def _measure(self):
        level = bool(self._io.value)
        return {self.reading: (not level) if self.active_low else level}


class Button(DigitalInput):
    """A push button to ground on a pulled-up pin (the usual wiring): ``pressed``."""

    part = "Button"
    reading = "pressed"

    def __init__(self, pin=None, *, io=None, pull="up", active_low=True, clock=None):
        DigitalInput.__init__(self, pin, io=io, pull=pull, active_low=active_low, clock=clock)
        self.readings = (Field("pressed", BOOLEAN, description="Button is pressed"),)


class Led(Actuator):
    """An LED on a digital pin, or on a PWM pin (``pwm=True``) with brightness 0..1."""

    part = "LED"

    def __init__(self, pin=None, *, io=None, pwm=None, frequency=5000):
        if io is None:
            if pin is None:
                raise ValueError("Led needs a pin (e.g. board.LED) or io=")
            io = pwm_out(pin, frequency) if pwm else digital_out(pin)
        self._io = io
        self.pwm = hasattr(io, "duty_cycle") if pwm is None else pwm
        self._on = False
        self._brightness = 1.0
        self.settings = (_ON, _BRIGHTNESS) if self.pwm else (_ON,)
        self._write()

    def _apply(self, values):
        if "on" in values:
            self._on = values["on"]
        if "brightness" in values:
            self._brightness = values["brightness"]
        self._write()

    def _write(self):
        if self.pwm:
            level = self._brightness if self._on else 0.0
            self._io.duty_cycle = int(level * DUTY_MAX + 0.5)
        else:
            self._io.value = self._on

    def state(self):
        """``{'on': ...}``, plus ``brightness`` on a PWM pin."""
        if self.pwm:
            return {"on": self._on, "brightness": self._brightness}
        return {"on": self._on}


class Relay(Actuator):
    """A relay (or MOSFET, solenoid valve) on a digital pin; ``active_low`` for modules that
    switch on when the pin is low."""

    part = "Relay"
    settings = (_ON,)

    def __init__(self, pin=None, *, io=None, active_low=False):
        if io is None:
            if pin is None:
                raise ValueError("Relay needs a pin or io=")
            io = digital_out(pin, value=active_low)  # start switched off
        self._io = io
        self.active_low = active_low
        self._on = False
        self._io.value = active_low

    def _apply(self, values):
        self._on = values["on"]
        self._io.value = (not self._on) if self.active_low else self._on

    def state(self):
        """``{'on': ...}`` (the logical state, whatever ``active_low`` says)."""
        return {"on": self._on}


class GpioOutput(Actuator):
    """A generic digital output (``set_gpio`` with ``value``)."""

    part = "GPIO"
    settings = (Field("value", BOOLEAN, required=True, description="Output level"),)

    def __init__(self, pin=None, *, io=None):
        if io is None:
            if pin is None:
                raise ValueError("GpioOutput needs a pin or io=")
            io = digital_out(pin)
        self._io = io
        self._value = bool(getattr(io, "value", False))

    def _apply(self, values):
        self._io.value = values["value"]
        self._value = values["value"]

    def state(self):
        """``{'value': ...}``: the level last written."""
        return {"value": self._value}
