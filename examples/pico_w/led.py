# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
# LED control on a Raspberry Pi Pico W: a callable sets the brightness of an external LED
# (GP13 -> 330 ohm resistor -> LED -> GND) and switches the onboard LED, which sits on the
# WiFi chip and is on/off only (no PWM).
# Tools: set_led_lamp(on, brightness), get_led_state_lamp, set_led_onboard(on), ...
#
# Copy to CIRCUITPY as code.py with settings.toml. Library: circup install jotunheim
# On a desktop: JOTUNHEIM_LISTEN=127.0.0.1:8181 BLINKA_OS_AGNOSTIC=1 python led.py

import os

import board

from jotunheim import Device
from jotunheim.capability.drivers.io import Led


def pin(name, desktop):
    """The Pico W pin ``name``; on Blinka's desktop stand-in board (no such pin) ``desktop``."""
    return getattr(board, name, None) or getattr(board, desktop)


# JOTUNHEIM_LISTEN = "host:port" (settings.toml or environment); unset = remote.listen_port.
host, _, port = (os.getenv("JOTUNHEIM_LISTEN") or "").rpartition(":")
device = Device.from_settings(host=host or None, port=int(port) if port else None)
device.add_actuator("lamp", Led(pin("GP13", "Dx_OUTPUT"), pwm=True))
device.add_actuator("onboard", Led(pin("LED", "Dx_OUTPUT")))
device.start()
print("LED control at", device.url)
device.run()
