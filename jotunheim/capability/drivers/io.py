"""Pin-level parts: analog input, digital input / button, LED, NeoPixel, relay, servo,
buzzer, PWM output and generic GPIO output.

Built from a pin (``board.D13``) they create the ``digitalio`` / ``analogio`` / ``pwmio``
object themselves (imported when constructed); built with ``io=`` (or ``device=`` for
NeoPixel and servo) they use the given object, which needs only the attributes used
here (``value``, ``duty_cycle``, ``frequency``, ``angle``, ``fill``/``show``...).
"""

from jotunheim.capability.drivers.base import Actuator, Sensor, require
from jotunheim.capability.schema import BOOLEAN, NUMBER, STRING, Field, ToolParameterError

_ON = Field("on", BOOLEAN, required=True, description="Switch on (true) or off (false)")
_BRIGHTNESS = Field("brightness", NUMBER, minimum=0, maximum=1, description="Brightness 0..1")
_DUTY_MAX = 65535


def digital_in(pin, pull):
    """A ``digitalio.DigitalInOut`` input with ``pull`` "up", "down" or None."""
    digitalio = require("digitalio")
    io = digitalio.DigitalInOut(pin)
    io.direction = digitalio.Direction.INPUT
    if pull == "up":
        io.pull = digitalio.Pull.UP
    elif pull == "down":
        io.pull = digitalio.Pull.DOWN
    return io


def digital_out(pin, value=False):
    digitalio = require("digitalio")
    io = digitalio.DigitalInOut(pin)
    io.switch_to_output(value=value)
    return io


def pwm_out(pin, frequency=5000, variable_frequency=False):
    pwmio = require("pwmio")
    return pwmio.PWMOut(
        pin, frequency=frequency, duty_cycle=0, variable_frequency=variable_frequency
    )


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
            Field("value", NUMBER, minimum=0, maximum=_DUTY_MAX, description="Raw 16-bit value"),
            Field("voltage", NUMBER, unit="V", minimum=0, maximum=reference_voltage),
        )

    def _measure(self):
        raw = self._io.value
        return {"value": raw, "voltage": raw * self.reference_voltage / _DUTY_MAX}


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
            self._io.duty_cycle = int(level * _DUTY_MAX + 0.5)
        else:
            self._io.value = self._on

    def state(self):
        if self.pwm:
            return {"on": self._on, "brightness": self._brightness}
        return {"on": self._on}


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
        return {"on": self._on}


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
        return {"value": self._value}
