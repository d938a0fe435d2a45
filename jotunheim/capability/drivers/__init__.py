# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Sensor and actuator adapters, one module per part family.

Import what you use, from its module (this package imports nothing on its own)::

    from jotunheim.capability.drivers.environment import DHT22, BME280, SHT4x, DS18B20
    from jotunheim.capability.drivers.io import Led, Relay, Button
    from jotunheim.capability.drivers.pwm import Servo, Buzzer, PwmOutput
    from jotunheim.capability.drivers.pixels import NeoPixel
    from jotunheim.capability.drivers.simulated import SimulatedClimateSensor

- ``base``: :class:`Sensor`, :class:`Actuator`, :class:`DriverError`, the pin parts'
  fields; ``hardware``: lazy ``require`` (``DriverMissingError``), ``digitalio``/``pwmio``
  objects for adapters built from a pin.
- ``environment``: DHT22, DHT11, BMP280, BME280, SHT31, SHT4x, DS18B20.
- ``io``: AnalogInput, DigitalInput, Button, Led, Relay, GpioOutput.
- ``pwm``: Servo, PwmOutput, Buzzer.
- ``pixels``: NeoPixel, ``COLORS``, ``parse_color``, ``color_text``.
- ``simulated``: seeded, hardware-free parts for the host simulator and tests.

A new part family gets its own module here; see docs/architecture.md.
"""
