"""Pin objects for adapters built from a pin: ``digitalio`` inputs and outputs, ``pwmio``
outputs. The firmware modules are imported when a pin object is made (through
:func:`~jotunheim.capability.drivers.base.require`, which names the missing library).
"""

from jotunheim.capability.drivers.base import require

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
