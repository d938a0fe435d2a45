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
