# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
# Sensor reading on a Raspberry Pi Pico W: a photoresistor divider on GP26 (ADC0) and a push
# button from GP14 to GND (internal pull-up). Callers read them as tools; the loop also
# prints the light level every 10 s.
# Tools: read_photoresistor_value, read_photoresistor_voltage, read_button_pressed
#
# Copy to CIRCUITPY as code.py with settings.toml. Library: circup install jotunheim
# On a desktop: JOTUNHEIM_LISTEN=127.0.0.1:8181 BLINKA_OS_AGNOSTIC=1 python sensor.py

import os

import board

from jotunheim import Device
from jotunheim.capability.drivers.io import AnalogInput, Button


def pin(name, desktop):
    """The Pico W pin ``name``; on Blinka's desktop stand-in board (no such pin) ``desktop``."""
    return getattr(board, name, None) or getattr(board, desktop)


host, _, port = (os.getenv("JOTUNHEIM_LISTEN") or "").rpartition(":")
device = Device.from_settings(host=host or None, port=int(port) if port else None)
light = device.add_sensor(
    "light", AnalogInput(pin("GP26", "Ax_INPUT_FIXED_INT_PI"), part="Photoresistor")
)
device.add_sensor("button", Button(pin("GP14", "Dx_INPUT_TRUE_PULL_UP")))


def report():
    print("light:", light.read())


device.start()
print("sensors at", device.url)
device.run(every=report, interval=10)
