# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Sensor and actuator adapters: the interface every one implements (this package), and
adapters for common parts, one module per part family.

Import the parts you use from their module::

    from jotunheim.capability.drivers.environment import DHT22, BME280, SHT4x, DS18B20
    from jotunheim.capability.drivers.io import Led, Relay, Button
    from jotunheim.capability.drivers.pwm import Servo, Buzzer, PwmOutput
    from jotunheim.capability.drivers.pixels import NeoPixel
    from jotunheim.capability.drivers.simulated import SimulatedClimateSensor

- this package: :class:`Sensor`, :class:`Actuator`, :class:`DriverError`, the pin parts'
  fields ``SWITCH``, ``BRIGHTNESS``, ``PRESSED``. Every driver module loads it, so it is
  not a module of its own (which would cost a board one more module); ``base`` still names
  the same objects.
- ``hardware``: lazy ``require`` (``DriverMissingError``, defined in ``missing``),
  ``digitalio``/``pwmio`` objects for adapters built from a pin; run by their
  constructors and forgotten after each use (:func:`jotunheim.compat.run_and_forget`).
- ``environment``: DHT22, DHT11, BMP280, BME280, SHT31, SHT4x, DS18B20.
- ``io``: AnalogInput, DigitalInput, Button, Led, Relay, GpioOutput.
- ``pwm``: Servo, PwmOutput, Buzzer.
- ``pixels``: NeoPixel, ``COLORS``, ``parse_color``, ``color_text``.
- ``simulated``: seeded, hardware-free parts for the host simulator and tests.

A new part family gets its own module here; see docs/architecture.md.

A **sensor** declares its readings and returns them all at once::

    class Thermometer(Sensor):
        part = "TMP36"
        readings = (Field("temperature", NUMBER, unit="C", minimum=-40, maximum=125),)

        def _measure(self):
            return {"temperature": self._adc.value * 3.3 / 65535 * 100 - 50}

An **actuator** declares its settings, applies validated values in ``_apply`` and reports
its state (by default each setting's last value, kept as ``self._<setting>``)::

    class Fan(Actuator):
        part = "Fan"
        settings = (Field("speed", NUMBER, minimum=0, maximum=1, required=True),)

        def _apply(self, values):
            self._pwm.duty_cycle = int(values["speed"] * 65535)
            self._speed = values["speed"]

``part`` names the kind of part (it becomes part of the tool names, see the registry);
an object without ``part`` or without declarations is still accepted by the registry and
reached through the generic ``read_sensor`` / ``set_actuator`` tools.

Adapters for Adafruit parts import their driver library only when constructed, and every
adapter takes an already-made driver or pin object (``device=...``/``io=...``) instead, so
it can be tested with a fake and used with a library the adapter does not know; adapters
built from a pin make their ``digitalio``/``pwmio`` object with
:mod:`~jotunheim.capability.drivers.hardware` (run only then, and forgotten).
"""

from jotunheim import compat

# DriverError is one of the capability layer's errors (a leaf); it is a part's error, so
# drivers name it here too.
from jotunheim.capability import DriverError, ToolParameterError  # noqa: F401
from jotunheim.capability.schema import BOOLEAN, NUMBER, Field, slug, validate


class Sensor:
    """Base class of sensors. Subclasses set ``part`` and ``readings`` and implement
    ``_measure()`` (all readings as ``{name: value}``); :meth:`read` adds caching
    (``min_interval``) and retries, which slow or flaky parts (DHT: one reading per 2 s,
    frequent checksum errors) need. ``clock`` is the clock it reads (seconds), the one
    given or ``compat.monotonic``."""

    part = None
    readings = ()
    min_interval = 0.0  # seconds a reading stays fresh; 0 = always measure
    attempts = 1  # measurements tried before a read fails
    _last = None  # the last good readings (kept only when min_interval is set)
    _last_at = None  # and when they were measured

    def __init__(self, clock=None):
        self.clock = clock or compat.monotonic

    def read(self):
        """All readings as ``{name: value}``."""
        now = self.clock()
        limit = self.min_interval
        if self._last is not None and limit and now - self._last_at < limit:
            return dict(self._last)
        error = None
        for _ in range(self.attempts):
            try:
                data = self._measure()
            except (RuntimeError, OSError) as exc:
                # Library errors (checksum, bus NACK) are worth another try; remember why.
                error = exc
                continue
            if not limit:
                return data  # nothing kept: the next read measures again
            self._last = data
            self._last_at = now
            return dict(data)
        # A flaky part keeps the device useful: serve the last good value while fresh-ish.
        if self._last is not None and limit and now - self._last_at < limit * 5:
            return dict(self._last)
        from jotunheim.capability import refusals

        raise refusals.failed(self, error)

    def deinit(self):
        """Release the pin, PWM output or driver object the part holds (``_io``, ``_pwm``,
        ``_device``); drivers that release theirs otherwise override this."""
        for name in ("_io", "_pwm", "_device"):
            device = getattr(self, name, None)
            if hasattr(device, "deinit"):
                device.deinit()


class Actuator:
    """Base class of actuators. Subclasses set ``part``, ``settings`` (and optionally
    ``action``, which names the tool ``set_<part>_<action>``) and implement ``_apply``
    (and ``state`` when their state is not each setting's ``self._<setting>``).
    :meth:`set` validates before touching hardware, so a bad value leaves the part in its
    last good state."""

    part = None
    action = None
    settings = ()

    def set(self, **values):
        """Apply ``values`` (validated against ``settings``); return the new state."""
        error = None
        try:
            values = validate(self.settings, values)
        except ToolParameterError as exc:
            error = exc
        if error is not None or not values:
            # The tool's name only when it is needed: a call that fits allocates none.
            from jotunheim.capability import refusals

            raise refusals.setting("set_" + (slug(self.part or "") or "actuator"), error)
        self._apply(values)
        return self.state()

    def state(self):
        """The part's current state as ``{setting: value}`` (what :meth:`set` returns): by
        default each setting's last applied value, ``self._<setting>`` (None before)."""
        out = {}
        for field in self.settings:
            out[field.name] = getattr(self, "_" + field.name, None)
        return out

    # The same release as a sensor's (a function shared by both classes, not a copy).
    deinit = Sensor.deinit


# Full scale of PWMOut.duty_cycle and AnalogIn.value (16 bits on every port).
DUTY_MAX = 65535

# The settings and reading of pin parts, shared by the adapters (io) and their simulations
# (simulated), so a simulated part's tools have the real part's schema.
SWITCH = Field("on", BOOLEAN, required=True, description="Switch on (true) or off (false)")
BRIGHTNESS = Field("brightness", NUMBER, minimum=0, maximum=1, description="Brightness 0..1")
PRESSED = Field("pressed", BOOLEAN, description="Button is pressed")
