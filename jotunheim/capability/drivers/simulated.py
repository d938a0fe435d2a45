# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Simulated parts for the host simulator and tests: pure Python, no hardware, and
deterministic for a given ``seed`` (they use their own small PRNG, so CPython and
MicroPython produce the same values).

- :class:`SimulatedClimateSensor`: temperature and humidity as a bounded random walk
  around a base value (21 degC, 45 %), one step per 2 s of (injectable) clock time.
- :class:`SimulatedLed`, :class:`SimulatedRelay`: an LED and a relay driven as
  :class:`~.io.Led` and :class:`~.io.Relay` drive theirs (the same settings, the same
  levels), on a :class:`SimulatedPin` that records its levels (and holds a duty cycle, for
  a PWM LED).
- :class:`SimulatedButton`: a button read as :class:`~.io.Button` reads one, on a
  pulled-up :class:`SimulatedPin`; ``press()``/``release()`` from a test or the simulator,
  or random presses with ``press_probability``.

They stand alone (they do not load :mod:`~.io`): a simulated device holds only what it
uses. Their settings and readings are the real parts' (``SWITCH``, ``BRIGHTNESS``,
``PRESSED`` in :mod:`~.base`), so their tools have the same schemas.

Part names carry a ``-sim`` suffix so capabilities never claim real hardware.
"""

from jotunheim.capability.drivers import (
    BRIGHTNESS,
    DUTY_MAX,
    PRESSED,
    SWITCH,
    Actuator,
    Sensor,
)
from jotunheim.capability.schema import NUMBER, Field


def seeded(seed):
    """The first state of the xorshift32 PRNG for ``seed`` (never 0)."""
    return (seed * 2654435761 + 1) & 0xFFFFFFFF or 0x9E3779B9


def random(part):
    """A float in [0, 1) from ``part``'s xorshift32 state ``part.rng`` (tiny, portable,
    deterministic), which it advances."""
    x = part.rng
    x ^= (x << 13) & 0xFFFFFFFF
    x ^= x >> 17
    x ^= (x << 5) & 0xFFFFFFFF
    part.rng = x
    return x / 4294967296.0


class SimulatedPin:
    """Stands in for a ``digitalio.DigitalInOut`` (``value``; every level the simulated
    parts write goes through :meth:`write`, which records it in ``history``, the last
    ``HISTORY`` of them, so a simulator that runs for days does not grow) and for a
    ``pwmio.PWMOut`` (``duty_cycle``, ``frequency``)."""

    HISTORY = 32

    duty_cycle = 0
    frequency = 5000

    def __init__(self, value=False):
        self.value = value
        self.history = []

    def write(self, level):
        """Set ``value`` to ``level`` and record it in ``history``."""
        self.value = level
        self.note(level)

    def deinit(self):
        """Stop the output (duty cycle 0) and record the release in ``history``."""
        self.duty_cycle = 0
        self.note("deinit")

    def note(self, event):
        """Record ``event`` in ``history`` (the oldest dropped beyond ``HISTORY``)."""
        history = self.history
        history.append(event)
        if len(history) > self.HISTORY:
            del history[0]


class SimulatedClimateSensor(Sensor):
    """Temperature (degC) and humidity (%) drifting plausibly around ``temperature`` and
    ``humidity``: each step moves a little at random and is pulled back towards the base,
    and values never leave base +/- ``spread``."""

    part = "DHT22-sim"
    readings = (
        Field("temperature", NUMBER, unit="C", minimum=-40, maximum=80, description="Temperature"),
        Field("humidity", NUMBER, unit="%", minimum=0, maximum=100, description="Humidity"),
    )
    min_interval = 2.0

    def __init__(
        self,
        seed=1,
        temperature=21.0,
        humidity=45.0,
        spread=(4.0, 15.0),
        part=None,
        clock=None,
    ):
        Sensor.__init__(self, clock=clock)
        self.rng = seeded(seed)
        self.base = (temperature, humidity)
        self.spread = spread
        self._t = temperature
        self._h = humidity
        if part:
            self.part = part

    def step(self):
        """One step of the walk (called by read() per ``min_interval`` of clock time)."""
        base = self.base
        spread = self.spread  # how far temperature and humidity may stray from the base
        dt = -0.15 + 0.3 * random(self) + 0.01 * (base[0] - self._t)
        # Warmer air holds more water: relative humidity moves against temperature.
        humidity = self._h + (-0.6 + 1.2 * random(self) + 0.02 * (base[1] - self._h) - 0.8 * dt)
        self._t = min(max(self._t + dt, base[0] - spread[0]), base[0] + spread[0])
        self._h = min(max(humidity, 0.0, base[1] - spread[1]), 100.0, base[1] + spread[1])

    def _measure(self):
        steps = 1
        if self._last_at is not None:  # when read() last measured: the last step
            steps = int((self.clock() - self._last_at) / self.min_interval) or 1
        for _ in range(min(steps, 50)):  # a long pause advances the walk 50 steps at most
            self.step()
        # A DHT22 reports one decimal.
        return {"temperature": round(self._t, 1), "humidity": round(self._h, 1)}


class SimulatedLed(Actuator):
    """An LED on a simulated pin, as :class:`~.io.Led` drives one: ``on``, and with
    ``pwm=True`` ``brightness`` 0..1 as the pin's duty cycle."""

    part = "LED-sim"
    active_low = False  # the pin is low when switched on (a relay's option)

    def __init__(self, pwm=False, part=None):
        self.pin = self._io = SimulatedPin()
        self.pwm = pwm
        self._on = False
        self._brightness = 1.0
        self.settings = (SWITCH, BRIGHTNESS) if pwm else (SWITCH,)
        if part:
            self.part = part
        self._apply({})

    def _apply(self, values):
        self._on = values.get("on", self._on)
        self._brightness = values.get("brightness", self._brightness)
        if self.pwm:
            self.pin.duty_cycle = int((self._brightness if self._on else 0.0) * DUTY_MAX + 0.5)
        else:
            self.pin.write(self._on != self.active_low)


class SimulatedRelay(SimulatedLed):
    """A relay on a simulated pin, as :class:`~.io.Relay` drives one (``active_low``: the
    pin is low when switched on). It switches as the LED does, without PWM."""

    part = "Relay-sim"

    def __init__(self, active_low=False, part=None):
        if active_low:
            self.active_low = True
        SimulatedLed.__init__(self, False, part)


class SimulatedButton(Sensor):
    """A push button on a pulled-up simulated pin (released = high), read as
    :class:`~.io.Button` reads one: ``pressed``.

    ``press_probability`` (0..1) presses or releases it at random on each read, from the
    seeded PRNG; ``press_count`` counts presses."""

    part = "Button-sim"
    readings = (PRESSED,)

    def __init__(self, seed=1, press_probability=0.0, part=None, clock=None):
        Sensor.__init__(self, clock=clock)
        self.pin = self._io = SimulatedPin(True)
        self.rng = seeded(seed)
        self.press_probability = press_probability
        self.press_count = 0
        if part:
            self.part = part

    def press(self):
        """Press the button (the pin goes low); counts a press when it was released."""
        if self.pin.value:
            self.press_count += 1
        self.pin.write(False)

    def release(self):
        """Release the button (the pin goes high)."""
        self.pin.write(True)

    def _measure(self):
        if self.press_probability and random(self) < self.press_probability:
            if self.pin.value:
                self.press()
            else:
                self.release()
        return {"pressed": not self.pin.value}
