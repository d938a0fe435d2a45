# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The adapter interface every sensor and actuator implements.

A **sensor** declares its readings and returns them all at once::

    class Thermometer(Sensor):
        part = "TMP36"
        readings = (Field("temperature", NUMBER, unit="C", minimum=-40, maximum=125),)

        def read(self):
            return {"temperature": self._adc.value * 3.3 / 65535 * 100 - 50}

An **actuator** declares its settings, applies validated values in ``_apply`` and reports
its state::

    class Fan(Actuator):
        part = "Fan"
        settings = (Field("speed", NUMBER, minimum=0, maximum=1, required=True),)

        def _apply(self, values):
            self._pwm.duty_cycle = int(values["speed"] * 65535)
            self._speed = values["speed"]

        def state(self):
            return {"speed": self._speed}

``part`` names the kind of part (it becomes part of the tool names, see the registry);
an object without ``part`` or without declarations is still accepted by the registry and
reached through the generic ``read_sensor`` / ``set_actuator`` tools.

Adapters for Adafruit parts import their driver library only when constructed, and every
adapter takes an already-made driver or pin object (``device=...``/``io=...``) instead, so
it can be tested with a fake and used with a library the adapter does not know; adapters
built from a pin make their ``digitalio``/``pwmio`` object with :func:`digital_in`,
:func:`digital_out` or :func:`pwm_out`.
"""

from jotunheim import compat
from jotunheim.capability.schema import slug, validate


class DriverError(RuntimeError):
    """A part could not be read or driven (wiring, checksum, bus error)."""


class DriverMissingError(ImportError):
    """The Adafruit library an adapter needs is not installed on the board."""


def require(module_name, bundle_name=None):
    """Import ``module_name`` (dotted names allowed) or raise DriverMissingError that says
    which library to install."""
    try:
        module = __import__(module_name)
    except ImportError as exc:
        name = bundle_name or module_name.split(".")[0]
        raise DriverMissingError(
            "%s is not available (%s): install it with `circup install %s`"
            % (module_name, exc, name)
        )
    for part in module_name.split(".")[1:]:
        module = getattr(module, part)
    return module


class Sensor:
    """Base class of sensors. Subclasses set ``part`` and ``readings`` and implement
    :meth:`_measure`; :meth:`read` adds caching (``min_interval``) and retries, which slow
    or flaky parts (DHT: one reading per 2 s, frequent checksum errors) need."""

    part = None
    readings = ()
    min_interval = 0.0  # seconds a reading stays fresh; 0 = always measure
    attempts = 1  # measurements tried before a read fails

    def __init__(self, *, clock=None):
        self._clock = clock or compat.monotonic
        self._last = None
        self._last_at = None

    def read(self):
        """All readings as ``{name: value}``."""
        now = self._clock()
        if self._last is not None and self.min_interval and now - self._last_at < self.min_interval:
            return dict(self._last)
        error = None
        for _ in range(self.attempts):
            try:
                values = self._measure()
            except (RuntimeError, OSError) as exc:
                # Library errors (checksum, bus NACK) are worth another try; remember why.
                error = exc
                continue
            self._last = values
            self._last_at = now
            return dict(values)
        if self._last is not None and self.min_interval:
            # A flaky part keeps the device useful: serve the last good value while fresh-ish.
            if now - self._last_at < self.min_interval * 5:
                return dict(self._last)
        raise DriverError(
            "%s: read failed after %d attempts: %s" % (self.part, self.attempts, error)
        )

    def _measure(self):
        raise NotImplementedError("%s must implement _measure() or read()" % type(self).__name__)

    def deinit(self):
        """Release pins and buses (drivers that hold them override this)."""
        device = getattr(self, "_device", None)
        if device is not None and hasattr(device, "deinit"):
            device.deinit()


class Actuator:
    """Base class of actuators. Subclasses set ``part``, ``settings`` (and optionally
    ``action``, which names the tool ``set_<part>_<action>``) and implement ``_apply`` and
    ``state``. :meth:`set` validates before touching hardware, so a bad value leaves the
    part in its last good state."""

    part = None
    action = None
    settings = ()

    def set(self, **values):
        """Apply ``values`` (validated against ``settings``); return the new state."""
        tool = "set_" + (slug(self.part or "") or "actuator")
        checked = validate(self.settings, values, tool)
        if not checked:
            raise ValueError(tool + " needs at least one value")
        self._apply(checked)
        return self.state()

    def _apply(self, values):
        raise NotImplementedError("%s must implement _apply()" % type(self).__name__)

    def state(self):
        """The part's current state as ``{setting: value}`` (what :meth:`set` returns)."""
        raise NotImplementedError("%s must implement state()" % type(self).__name__)

    def deinit(self):
        """Release the pin or driver object the actuator holds."""
        for attr in ("_io", "_pwm", "_device"):
            io = getattr(self, attr, None)
            if io is not None and hasattr(io, "deinit"):
                io.deinit()


def clamp(value, low, high):
    """``value`` limited to ``low..high``."""
    return low if value < low else high if value > high else value


# ------------------------------------------------------------ pin objects

DUTY_MAX = 65535
"""Full scale of ``PWMOut.duty_cycle`` and ``AnalogIn.value`` (16 bits on every port)."""


def digital_in(pin, pull=None):
    """A ``digitalio.DigitalInOut`` input.

    :param pin: a board pin (``board.D5``)
    :param pull: ``"up"``, ``"down"`` or None
    """
    digitalio = require("digitalio")
    io = digitalio.DigitalInOut(pin)
    io.direction = digitalio.Direction.INPUT
    if pull == "up":
        io.pull = digitalio.Pull.UP
    elif pull == "down":
        io.pull = digitalio.Pull.DOWN
    return io


def digital_out(pin, value: bool = False):
    """A ``digitalio.DigitalInOut`` output, driven to ``value`` at once.

    :param pin: a board pin
    :param bool value: the first level
    """
    digitalio = require("digitalio")
    io = digitalio.DigitalInOut(pin)
    io.switch_to_output(value=value)
    return io


def pwm_out(pin, frequency: int = 5000, variable_frequency: bool = False):
    """A ``pwmio.PWMOut`` at duty cycle 0.

    :param pin: a PWM-capable board pin
    :param int frequency: Hz
    :param bool variable_frequency: the frequency may change later (a buzzer's tone)
    """
    pwmio = require("pwmio")
    return pwmio.PWMOut(
        pin, frequency=frequency, duty_cycle=0, variable_frequency=variable_frequency
    )
