# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Parts driven by a PWM signal: hobby servo, plain PWM output (fan, motor driver,
dimmer) and piezo buzzer.

Built from a pin they make the ``pwmio.PWMOut`` themselves
(:func:`~jotunheim.capability.drivers.hardware.pwm_out`); built with ``io=`` (``device=`` for the
servo) they use the given object, which needs only ``duty_cycle``/``frequency``
(``angle`` for a servo).
"""

from jotunheim.capability import ToolParameterError
from jotunheim.capability.drivers import DUTY_MAX, Actuator
from jotunheim.capability.schema import NUMBER, Field
from jotunheim.compat import run_and_forget

# Made only for a part built from a pin or a bus; forgotten after each use.
HARDWARE = "jotunheim.capability.drivers.hardware"


class Servo(Actuator):
    """A hobby servo (``adafruit_motor.servo`` on a 50 Hz ``pwmio.PWMOut``): tool
    ``set_servo_angle``."""

    part = "Servo"
    action = "angle"

    def __init__(self, pin=None, device=None, actuation_range=180, min_pulse=750, max_pulse=2250):
        if device is None:
            device = run_and_forget(HARDWARE, "servo", pin, actuation_range, min_pulse, max_pulse)
        self._device = device
        self._angle = None
        self.settings = (
            Field(
                "angle",
                NUMBER,
                unit="deg",
                minimum=0,
                maximum=actuation_range,
                required=True,
                description="Target angle",
            ),
        )

    def _apply(self, values):
        self._device.angle = values["angle"]
        self._angle = values["angle"]

    def state(self):
        """``{'angle': ...}`` (None until the first set)."""
        return {"angle": self._angle}


class PwmOutput(Actuator):
    """A plain PWM output (fan, motor driver, dimmer): duty cycle 0..1 and, when the
    ``PWMOut`` was made with ``variable_frequency=True``, its frequency."""

    part = "PWM"

    def __init__(self, pin=None, io=None, frequency=1000, variable_frequency=False):
        if io is None:
            if pin is None:
                raise ValueError("%s needs a pin or io=" % self.part)
            io = run_and_forget(HARDWARE, "pwm_out", pin, frequency, variable_frequency)
        self._io = io
        self._duty = 0.0
        self._frequency = frequency
        fields = [Field("duty", NUMBER, minimum=0, maximum=1, required=True)]
        if variable_frequency:
            fields.append(Field("frequency", NUMBER, unit="Hz", minimum=1, maximum=100000))
        self.settings = tuple(fields)
        self._io.duty_cycle = 0

    def _apply(self, values):
        if "frequency" in values:
            self._io.frequency = int(values["frequency"])
            self._frequency = int(values["frequency"])
        self._duty = values["duty"]
        self._io.duty_cycle = int(self._duty * DUTY_MAX + 0.5)

    def state(self):
        """``{'duty': 0..1, 'frequency': Hz}``."""
        return {"duty": self._duty, "frequency": self._frequency}


class Buzzer(Actuator):
    """A piezo buzzer on a variable-frequency PWM pin: ``frequency`` in Hz (0 = silent,
    otherwise 20..20000) and ``volume`` 0..1 (duty cycle up to 50 %)."""

    part = "Buzzer"
    settings = (
        Field(
            "frequency",
            NUMBER,
            unit="Hz",
            minimum=0,
            maximum=20000,
            required=True,
            description="Tone; 0 = silent",
        ),
        Field("volume", NUMBER, minimum=0, maximum=1, description="Loudness 0..1"),
    )

    def __init__(self, pin=None, io=None, volume=0.5):
        if io is None:
            if pin is None:
                raise ValueError("Buzzer needs a pin or io=")
            io = run_and_forget(HARDWARE, "pwm_out", pin, 440, variable_frequency=True)
        self._io = io
        self._frequency = 0
        self._volume = volume
        self._io.duty_cycle = 0

    def _apply(self, values):
        frequency = values["frequency"]
        if 0 < frequency < 20:
            raise ToolParameterError("set_buzzer", "frequency", "0 or 20..20000 Hz", str(frequency))
        volume = values.get("volume", self._volume)
        if frequency:
            self._io.frequency = int(frequency)
            self._io.duty_cycle = int(volume * 32768)  # 50 % duty is the loudest a piezo gets
        else:
            self._io.duty_cycle = 0
        self._frequency = frequency
        self._volume = volume

    def state(self):
        """``{'frequency': Hz, 'volume': 0..1}`` (frequency 0: silent)."""
        return {"frequency": self._frequency, "volume": self._volume}
