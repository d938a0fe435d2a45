# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The hardware objects of adapters built from a pin or a bus: the Adafruit library an
adapter needs (:func:`require`) and ``analogio`` / ``digitalio`` / ``pwmio`` objects.

Run by an adapter's constructor only when it is given a pin rather than a ready object
(``io=``/``device=``), through :func:`jotunheim.compat.run_and_forget`: it is forgotten
after each use, so on a board its code goes back to the heap once the part is made (a
device whose parts come ready never loads it). It defines no classes and keeps no state
(see :func:`jotunheim.compat.forget`): :class:`DriverMissingError` is
:mod:`~jotunheim.capability.drivers.missing`'s, named here too.
"""

from jotunheim.capability.drivers.missing import DriverMissingError


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


def analog_in(pin):
    """An ``analogio.AnalogIn``.

    :param pin: an analog-capable board pin (``board.A0``)
    """
    return require("analogio").AnalogIn(pin)


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


def default_i2c(i2c):
    """The given bus, or the board's default I2C bus (``board.I2C()``)."""
    if i2c is not None:
        return i2c
    return require("board").I2C()


def i2c_device(library, i2c, address):
    """The driver object of an I2C part: class ``library[1]`` of module ``library[0]``
    (``("adafruit_sht31d", "SHT31D")``) on bus ``i2c`` (:func:`default_i2c`) at ``address``."""
    return getattr(require(library[0]), library[1])(default_i2c(i2c), address=address)


def bme280(i2c, address):
    """A BME280's ``Adafruit_BME280_I2C`` (in ``adafruit_bme280.basic`` from library 2.6
    on, in ``adafruit_bme280`` before)."""
    try:
        module = require("adafruit_bme280.basic", "adafruit_bme280")
    except ImportError:
        module = require("adafruit_bme280")
    return module.Adafruit_BME280_I2C(default_i2c(i2c), address=address)


def dht(part, pin, use_pulseio):
    """``adafruit_dht``'s object of ``part`` (``"DHT22"``, ``"DHT11"``) on ``pin``."""
    if pin is None:
        raise ValueError("%s needs a pin (e.g. board.D4) or device=" % part)
    return getattr(require("adafruit_dht"), part)(pin, use_pulseio=use_pulseio)


def ds18x20(pin, index):
    """The ``DS18X20`` object of thermometer ``index`` (in bus scan order) on the 1-Wire
    bus at ``pin``."""
    if pin is None:
        raise ValueError("DS18B20 needs a pin (e.g. board.D5) or device=")
    onewire = require("adafruit_onewire.bus", "adafruit_onewire")
    ds18x20 = require("adafruit_ds18x20")
    bus = onewire.OneWireBus(pin)
    found = bus.scan()
    if index >= len(found):
        raise ValueError("DS18B20: %d device(s) on the bus, no index %d" % (len(found), index))
    return ds18x20.DS18X20(bus, found[index])


def servo(pin, actuation_range, min_pulse, max_pulse):
    """An ``adafruit_motor.servo.Servo`` on a 50 Hz ``pwmio.PWMOut`` at ``pin``."""
    if pin is None:
        raise ValueError("Servo needs a pin or device=")
    motor = require("adafruit_motor.servo", "adafruit_motor")
    pwm = require("pwmio").PWMOut(pin, duty_cycle=2**15, frequency=50)
    return motor.Servo(
        pwm, actuation_range=actuation_range, min_pulse=min_pulse, max_pulse=max_pulse
    )


def neopixel(pin, n, brightness):
    """A ``neopixel.NeoPixel`` of ``n`` pixels at ``pin`` (written on ``show()``)."""
    if pin is None:
        raise ValueError("NeoPixel needs a pin (e.g. board.NEOPIXEL) or device=")
    return require("neopixel").NeoPixel(pin, n, brightness=brightness, auto_write=False)
