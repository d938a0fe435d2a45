# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
# LED control on an Adafruit Feather ESP32-S2 or ESP32-S3 (same pin names): callers switch the
# red LED on D13 (board.LED) and set its brightness; on ESP32 every output pin can do PWM.
# Other boards: change the pin name (see board_pins.md of your board, or dir(board)). Tools:
# set_led(on, brightness), get_led_state
#
# Copy to CIRCUITPY as code.py with settings.toml. Library: circup install jotunheim
# On a desktop: JOTUNHEIM_LISTEN=127.0.0.1:8181 BLINKA_OS_AGNOSTIC=1 python led.py

import os

import board

from jotunheim import Device
from jotunheim.capability.drivers.io import Led


def pin(name, desktop):
    """The board's pin ``name``; on Blinka's desktop stand-in board (no such pin) ``desktop``."""
    return getattr(board, name, None) or getattr(board, desktop)


# JOTUNHEIM_LISTEN = "host:port" (settings.toml or environment); unset = remote.listen_port.
host, _, port = (os.getenv("JOTUNHEIM_LISTEN") or "").rpartition(":")
device = Device.from_settings(host=host or None, port=int(port) if port else None)
device.add_actuator("status", Led(pin("LED", "Dx_OUTPUT"), pwm=True))
device.start()
print("LED control at", device.url)
device.run()
