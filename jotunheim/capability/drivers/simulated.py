# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Simulated parts for the host simulator and tests: pure Python, no hardware, and
deterministic for a given ``seed`` (they use their own small PRNG, so CPython and
MicroPython produce the same values).

- :class:`SimulatedClimateSensor`: temperature and humidity as a bounded random walk
  around a base value (21 degC, 45 %), one step per 2 s of (injectable) clock time.
- :class:`SimulatedLed`, :class:`SimulatedRelay`: the real :class:`~.io.Led` and
  :class:`~.io.Relay` adapters on a :class:`SimulatedPin` that records its levels (and
  holds a duty cycle, for a PWM LED).
- :class:`SimulatedButton`: the real :class:`~.io.Button` adapter on a pulled-up
  :class:`SimulatedPin`; ``press()``/``release()`` from a test or the simulator, or random
  presses with ``press_probability``.

Part names carry a ``-sim`` suffix so capabilities never claim real hardware.
"""

from jotunheim.capability.drivers.base import Sensor
from jotunheim.capability.drivers.io import Button, Led, Relay
from jotunheim.capability.schema import NUMBER, Field


class Rng:
    """xorshift32: tiny, portable, deterministic."""

    def __init__(self, seed=1):
        self.state = (seed * 2654435761 + 1) & 0xFFFFFFFF or 0x9E3779B9

    def next32(self):
        """The next 32-bit value."""
        x = self.state
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        self.state = x
        return x

    def random(self):
        """A float in [0, 1)."""
        return self.next32() / 4294967296.0


class SimulatedPin:
    """Stands in for a ``digitalio.DigitalInOut`` (``value``, every level written recorded
    in ``history``) and for a ``pwmio.PWMOut`` (``duty_cycle``, ``frequency``)."""

    duty_cycle = 0
    frequency = 5000

    def __init__(self, value=False):
        self._value = value
        self.history = []

    @property
    def value(self):
        """The level last written (or the initial one)."""
        return self._value

    @value.setter
    def value(self, level):
        """The level last written (or the initial one)."""
        self._value = level
        self.history.append(level)

    def deinit(self):
        """Stop the output (duty cycle 0) and record the release in ``history``."""
        self.duty_cycle = 0
        self.history.append("deinit")


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
        *,
        seed=1,
        temperature=21.0,
        humidity=45.0,
        spread=(4.0, 15.0),
        part=None,
        clock=None,
    ):
        Sensor.__init__(self, clock=clock)
        self._rng = Rng(seed)
        self.base = (temperature, humidity)
        self.spread = spread
        self._t = temperature
        self._h = humidity
        self._stepped_at = None
        if part:
            self.part = part

    def step(self):
        """One step of the walk (called by read() per ``min_interval`` of clock time)."""
        base = self.base
        spread = self.spread  # how far temperature and humidity may stray from the base
        dt = -0.15 + 0.3 * self._rng.random() + 0.01 * (base[0] - self._t)
        # Warmer air holds more water: relative humidity moves against temperature.
        humidity = self._h + (
            -0.6 + 1.2 * self._rng.random() + 0.02 * (base[1] - self._h) - 0.8 * dt
        )
        self._t = min(max(self._t + dt, base[0] - spread[0]), base[0] + spread[0])
        self._h = min(max(humidity, 0.0, base[1] - spread[1]), 100.0, base[1] + spread[1])

    def _measure(self):
        now = self._clock()
        steps = 1
        if self._stepped_at is not None:
            steps = int((now - self._stepped_at) / self.min_interval) or 1
        for _ in range(min(steps, 50)):  # a long pause advances the walk 50 steps at most
            self.step()
        self._stepped_at = now
        # A DHT22 reports one decimal.
        return {"temperature": round(self._t, 1), "humidity": round(self._h, 1)}


class SimulatedLed(Led):
    """The :class:`Led` adapter on a simulated pin (``pwm=True`` adds brightness)."""

    part = "LED-sim"

    def __init__(self, *, pwm=False, part=None):
        self.pin = SimulatedPin()
        Led.__init__(self, io=self.pin, pwm=pwm)
        if part:
            self.part = part


class SimulatedRelay(Relay):
    """The :class:`Relay` adapter on a simulated pin."""

    part = "Relay-sim"

    def __init__(self, *, active_low=False, part=None):
        self.pin = SimulatedPin()
        Relay.__init__(self, io=self.pin, active_low=active_low)
        if part:
            self.part = part


class SimulatedButton(Button):
    """The :class:`Button` adapter on a pulled-up simulated pin (released = high).

    ``press_probability`` (0..1) presses or releases it at random on each read, from the
    seeded PRNG; ``press_count`` counts presses."""

    part = "Button-sim"

    def __init__(self, *, seed=1, press_probability=0.0, part=None, clock=None):
        self.pin = SimulatedPin(value=True)
        Button.__init__(self, io=self.pin, clock=clock)
        self._rng = Rng(seed)
        self.press_probability = press_probability
        self.press_count = 0
        if part:
            self.part = part

    def press(self):
        """Press the button (the pin goes low); counts a press when it was released."""
        if self.pin.value:
            self.press_count += 1
        self.pin.value = False

    def release(self):
        """Release the button (the pin goes high)."""
        self.pin.value = True

    def _measure(self):
        if self.press_probability and self._rng.random() < self.press_probability:
            if self.pin.value:
                self.press()
            else:
                self.release()
        return Button._measure(self)
