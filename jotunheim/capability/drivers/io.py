# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Digital and analog pin parts: analog input, digital input / button, LED, relay and
generic GPIO output.

Built from a pin (``board.D13``) they create the ``digitalio`` / ``analogio`` / ``pwmio``
object themselves (:mod:`~jotunheim.capability.drivers.hardware`, imported when
constructed); built with ``io=`` they use the given object, which needs only the
attributes used here (``value``, ``duty_cycle``). PWM parts (servo, buzzer, PWM output)
are in :mod:`~jotunheim.capability.drivers.pwm`, NeoPixels in
:mod:`~jotunheim.capability.drivers.pixels`.
"""

from jotunheim.capability.drivers import (
    BRIGHTNESS,
    DUTY_MAX,
    PRESSED,
    SWITCH,
    Actuator,
    Sensor,
)
from jotunheim.capability.schema import BOOLEAN, NUMBER, Field
from jotunheim.compat import run_and_forget

# Made only for a part built from a pin or a bus; forgotten after each use.
HARDWARE = "jotunheim.capability.drivers.hardware"


def _needs_pin(part, pin):
    if pin is None:
        raise ValueError("%s needs a pin or io=" % part)


class AnalogInput(Sensor):
    """An ``analogio.AnalogIn`` pin: raw 16-bit value and voltage.

    :param str part: kind name used in tool names (e.g. "Photoresistor", "SoilMoisture")
    """

    part = "Analog"

    def __init__(self, pin=None, io=None, reference_voltage=None, part=None, clock=None):
        Sensor.__init__(self, clock=clock)
        if io is None:
            _needs_pin("AnalogInput", pin)
            io = run_and_forget(HARDWARE, "analog_in", pin)
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
        value = self._io.value
        return {"value": value, "voltage": value * self.reference_voltage / DUTY_MAX}


class DigitalInput(Sensor):
    """A ``digitalio`` input pin. ``active_low`` inverts the level (a switch to ground on a
    pulled-up pin reads True when closed)."""

    part = "DigitalInput"
    reading = "value"

    def __init__(self, pin=None, io=None, pull=None, active_low=False, part=None, clock=None):
        Sensor.__init__(self, clock=clock)
        if io is None:
            _needs_pin(self.part, pin)
            io = run_and_forget(HARDWARE, "digital_in", pin, pull)
        self._io = io
        self.active_low = active_low
        if part:
            self.part = part
        if not self.readings:  # made here, not at import: a Button declares its own
            self.readings = (Field(self.reading, BOOLEAN, description="Input level"),)

    def _measure(self):
        level = bool(self._io.value)
        return {self.reading: (not level) if self.active_low else level}


class Button(DigitalInput):
    """A push button to ground on a pulled-up pin (the usual wiring): ``pressed``."""

    part = "Button"
    reading = "pressed"
    readings = (PRESSED,)

    def __init__(self, pin=None, io=None, pull="up", active_low=True, clock=None):
        DigitalInput.__init__(self, pin, io=io, pull=pull, active_low=active_low, clock=clock)


class Led(Actuator):
    """An LED on a digital pin, or on a PWM pin (``pwm=True``) with brightness 0..1."""

    part = "LED"

    def __init__(self, pin=None, io=None, pwm=None, frequency=5000):
        if io is None:
            _needs_pin("Led", pin)
            io = (
                run_and_forget(HARDWARE, "pwm_out", pin, frequency)
                if pwm
                else run_and_forget(HARDWARE, "digital_out", pin)
            )
        self._io = io
        self.pwm = hasattr(io, "duty_cycle") if pwm is None else pwm
        self._on = False
        self._brightness = 1.0
        self.settings = (SWITCH, BRIGHTNESS) if self.pwm else (SWITCH,)
        self._apply({})

    def _apply(self, values):
        self._on = values.get("on", self._on)
        self._brightness = values.get("brightness", self._brightness)
        if self.pwm:
            level = self._brightness if self._on else 0.0
            self._io.duty_cycle = int(level * DUTY_MAX + 0.5)
        else:
            self._io.value = self._on


class Relay(Actuator):
    """A relay (or MOSFET, solenoid valve) on a digital pin; ``active_low`` for modules that
    switch on when the pin is low."""

    part = "Relay"
    settings = (SWITCH,)

    def __init__(self, pin=None, io=None, active_low=False):
        if io is None:
            _needs_pin("Relay", pin)
            # Made switched off.
            io = run_and_forget(HARDWARE, "digital_out", pin, value=active_low)
        self._io = io
        self.active_low = active_low
        self._apply({"on": False})

    def _apply(self, values):
        self._on = values["on"]
        self._io.value = (not self._on) if self.active_low else self._on


class GpioOutput(Actuator):
    """A generic digital output (``set_gpio`` with ``value``)."""

    part = "GPIO"

    def __init__(self, pin=None, io=None):
        if io is None:
            _needs_pin("GpioOutput", pin)
            io = run_and_forget(HARDWARE, "digital_out", pin)
        self._io = io
        self._value = bool(getattr(io, "value", False))
        # Made here, not at import: a device that has no GPIO output does not hold it.
        self.settings = (Field("value", BOOLEAN, required=True, description="Output level"),)

    def _apply(self, values):
        self._io.value = values["value"]
        self._value = values["value"]
