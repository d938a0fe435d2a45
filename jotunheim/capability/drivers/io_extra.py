"""The io parts most devices do not have: NeoPixel, servo, PWM output and buzzer.

Import them from :mod:`jotunheim.capability.drivers.io` as before
(``from jotunheim.capability.drivers.io import NeoPixel``); they live here so a device
with only LEDs, relays and buttons never loads their code.
"""

from jotunheim.capability.drivers.base import Actuator, require
from jotunheim.capability.drivers.io import _BRIGHTNESS, _DUTY_MAX, pwm_out
from jotunheim.capability.schema import NUMBER, STRING, Field, ToolParameterError

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


def parse_color(text, tool="set_neopixel"):
    """ "#RRGGBB", "RRGGBB" or a name from COLORS -> (r, g, b)."""
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


def color_text(rgb):
    return "#%02x%02x%02x" % (rgb[0], rgb[1], rgb[2])


class NeoPixel(Actuator):
    """A NeoPixel strip or single pixel (``neopixel`` library). ``color`` sets every pixel,
    or only pixel ``index``."""

    part = "NeoPixel"

    def __init__(self, pin=None, n=1, *, device=None, brightness=0.2):
        if device is None:
            if pin is None:
                raise ValueError("NeoPixel needs a pin (e.g. board.NEOPIXEL) or device=")
            module = require("neopixel")
            device = module.NeoPixel(pin, n, brightness=brightness, auto_write=False)
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
            _BRIGHTNESS,
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
        return {"colors": [color_text(c) for c in self._colors], "brightness": self._brightness}


class Servo(Actuator):
    """A hobby servo (``adafruit_motor.servo`` on a 50 Hz ``pwmio.PWMOut``): tool
    ``set_servo_angle``."""

    part = "Servo"
    action = "angle"

    def __init__(
        self, pin=None, *, device=None, actuation_range=180, min_pulse=750, max_pulse=2250
    ):
        if device is None:
            if pin is None:
                raise ValueError("Servo needs a pin or device=")
            servo = require("adafruit_motor.servo", "adafruit_motor")
            pwm = require("pwmio").PWMOut(pin, duty_cycle=2**15, frequency=50)
            device = servo.Servo(
                pwm, actuation_range=actuation_range, min_pulse=min_pulse, max_pulse=max_pulse
            )
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
        return {"angle": self._angle}


class PwmOutput(Actuator):
    """A plain PWM output (fan, motor driver, dimmer): duty cycle 0..1 and, when the
    ``PWMOut`` was made with ``variable_frequency=True``, its frequency."""

    part = "PWM"

    def __init__(self, pin=None, *, io=None, frequency=1000, variable_frequency=False):
        if io is None:
            if pin is None:
                raise ValueError("%s needs a pin or io=" % self.part)
            io = pwm_out(pin, frequency, variable_frequency)
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
        self._io.duty_cycle = int(self._duty * _DUTY_MAX + 0.5)

    def state(self):
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

    def __init__(self, pin=None, *, io=None, volume=0.5):
        if io is None:
            if pin is None:
                raise ValueError("Buzzer needs a pin or io=")
            io = pwm_out(pin, 440, variable_frequency=True)
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
        return {"frequency": self._frequency, "volume": self._volume}
