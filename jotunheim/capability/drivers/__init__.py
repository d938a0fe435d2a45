"""Sensor and actuator adapters.

Import what you use, from its module (this package imports nothing on its own)::

    from jotunheim.capability.drivers.environment import DHT22, BME280, SHT4x, DS18B20
    from jotunheim.capability.drivers.io import Led, Relay, Servo, NeoPixel, Button
    from jotunheim.capability.drivers.simulated import SimulatedClimateSensor

- ``base``: :class:`Sensor`, :class:`Actuator`, :class:`DriverError`, lazy ``require``.
- ``environment``: DHT22, DHT11, BMP280, BME280, SHT31, SHT4x, DS18B20.
- ``io``: AnalogInput, DigitalInput, Button, Led, NeoPixel, Relay, Servo, PwmOutput,
  Buzzer, GpioOutput.
- ``simulated``: seeded, hardware-free parts for the host simulator and tests.
"""
