# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Environment sensors: DHT22/DHT11, BMP280/BME280, SHT31/SHT4x, DS18B20.

Each adapter wraps the Adafruit CircuitPython driver (``adafruit_dht``,
``adafruit_bmp280``, ``adafruit_bme280``, ``adafruit_sht31d``, ``adafruit_sht4x``,
``adafruit_ds18x20`` + ``adafruit_onewire``), imported only when the adapter is built
without ``device=``. Pass ``device=`` to use an already-made driver object (or a fake in
tests); it only needs the attributes the adapter reads (``temperature``, ``humidity``...).

Ranges are the parts' datasheet measuring ranges.
"""

from jotunheim.capability.drivers import Sensor
from jotunheim.capability.schema import NUMBER, Field
from jotunheim.compat import run_and_forget

_T = "temperature"
_H = "humidity"
_P = "pressure"
_A = "altitude"


def _temperature(low, high):
    return Field(_T, NUMBER, unit="C", minimum=low, maximum=high, description="Temperature")


def _humidity(low=0, high=100):
    return Field(_H, NUMBER, unit="%", minimum=low, maximum=high, description="Relative humidity")


_PRESSURE = Field(_P, NUMBER, unit="hPa", minimum=300, maximum=1100, description="Air pressure")
_ALTITUDE = Field(
    _A, NUMBER, unit="m", minimum=-500, maximum=9000, description="Altitude from pressure"
)

# Made only for a part built from a pin or a bus; forgotten after each use.
HARDWARE = "jotunheim.capability.drivers.hardware"


def _number(value, what):
    if value is None:
        # adafruit_dht returns None when a read produced no data; that is worth a retry.
        raise RuntimeError("%s: no data" % what)
    return float(value)


class DHT22(Sensor):
    """DHT22 / AM2302 temperature and humidity on one digital pin.

    The part answers at most every 2 s and often fails a checksum: readings are cached
    for ``min_interval`` seconds and a failed read is tried three times."""

    part = "DHT22"
    readings = (_temperature(-40, 80), _humidity())
    min_interval = 2.0
    attempts = 3

    def __init__(self, pin=None, device=None, use_pulseio=True, clock=None):
        Sensor.__init__(self, clock=clock)
        if device is None:
            device = run_and_forget(HARDWARE, "dht", self.part, pin, use_pulseio)
        self._device = device

    def _measure(self):
        return {
            _T: _number(self._device.temperature, self.part),
            _H: _number(self._device.humidity, self.part),
        }

    def deinit(self):
        """Release the data pin (``adafruit_dht`` frees its pulseio with ``exit()``)."""
        if hasattr(self._device, "exit"):
            self._device.exit()  # adafruit_dht releases its pulseio with exit()
        else:
            Sensor.deinit(self)


class DHT11(DHT22):
    """DHT11: like the DHT22 with a smaller range, one reading per second."""

    part = "DHT11"
    readings = (_temperature(0, 50), _humidity(20, 90))
    min_interval = 1.0


class BMP280(Sensor):
    """BMP280 temperature and air pressure (I2C), with altitude from ``sea_level_pressure``."""

    part = "BMP280"
    readings = (_temperature(-40, 85), _PRESSURE, _ALTITUDE)
    attempts = 2

    def __init__(self, i2c=None, address=0x77, device=None, sea_level_pressure=1013.25, clock=None):
        Sensor.__init__(self, clock=clock)
        if device is None:
            library = ("adafruit_bmp280", "Adafruit_BMP280_I2C")
            device = run_and_forget(HARDWARE, "i2c_device", library, i2c, address)
        device.sea_level_pressure = sea_level_pressure
        self._device = device

    def _measure(self):
        d = self._device
        return {_T: float(d.temperature), _P: float(d.pressure), _A: float(d.altitude)}


class BME280(BMP280):
    """BME280: BMP280 plus relative humidity."""

    part = "BME280"
    readings = (_temperature(-40, 85), _humidity(), _PRESSURE, _ALTITUDE)

    def __init__(self, i2c=None, address=0x77, device=None, sea_level_pressure=1013.25, clock=None):
        if device is None:
            device = run_and_forget(HARDWARE, "bme280", i2c, address)
        BMP280.__init__(self, device=device, sea_level_pressure=sea_level_pressure, clock=clock)

    def _measure(self):
        values = BMP280._measure(self)
        d = self._device
        humidity = getattr(d, "relative_humidity", None)
        if humidity is None:
            humidity = d.humidity
        values[_H] = float(humidity)
        return values


class SHT31(Sensor):
    """Sensirion SHT31-D temperature and humidity (I2C)."""

    part = "SHT31"
    readings = (_temperature(-40, 125), _humidity())
    attempts = 2
    library = ("adafruit_sht31d", "SHT31D")  # module, driver class

    def __init__(self, i2c=None, address=0x44, device=None, clock=None):
        Sensor.__init__(self, clock=clock)
        if device is None:
            device = run_and_forget(HARDWARE, "i2c_device", self.library, i2c, address)
        self._device = device

    def _measure(self):
        d = self._device
        return {_T: float(d.temperature), _H: float(d.relative_humidity)}


class SHT4x(SHT31):
    """Sensirion SHT40/41/45 temperature and humidity (I2C); one command reads both."""

    part = "SHT4x"
    library = ("adafruit_sht4x", "SHT4x")

    def _measure(self):
        temperature, humidity = self._device.measurements
        return {_T: float(temperature), _H: float(humidity)}


class DS18B20(Sensor):
    """Maxim DS18B20 1-Wire thermometer. ``index`` picks one of several on the bus (in the
    order the bus scan finds them); ``device=`` takes a ready ``DS18X20`` object."""

    part = "DS18B20"
    readings = (_temperature(-55, 125),)
    attempts = 2

    def __init__(self, pin=None, index=0, device=None, clock=None):
        Sensor.__init__(self, clock=clock)
        if device is None:
            device = run_and_forget(HARDWARE, "ds18x20", pin, index)
        self._device = device

    def _measure(self):
        return {_T: float(self._device.temperature)}
