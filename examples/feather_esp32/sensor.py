# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
# Sensor reading on an Adafruit Feather ESP32-S2 or ESP32-S3 (same pin names): a photoresistor
# divider on D6 and the BOOT button (board.BUTTON, pressed = low). While WiFi is on, only ADC1
# pins read analog values on ESP32 (GPIO1-10: D5, D6, D9, D10 on the Feather); A0-A5 are ADC2
# and raise "ADC2 is being used by WiFi". Tools: read_photoresistor_value,
# read_photoresistor_voltage, read_button_pressed
#
# Copy to CIRCUITPY as code.py with settings.toml. Library: circup install jotunheim
# On a desktop: JOTUNHEIM_LISTEN=127.0.0.1:8181 BLINKA_OS_AGNOSTIC=1 python sensor.py

import os

import board

from jotunheim import Device
from jotunheim.capability.drivers.io import AnalogInput, Button


def pin(name, desktop):
    """The board's pin ``name``; on Blinka's desktop stand-in board (no such pin) ``desktop``."""
    return getattr(board, name, None) or getattr(board, desktop)


host, _, port = (os.getenv("JOTUNHEIM_LISTEN") or "").rpartition(":")
device = Device.from_settings(host=host or None, port=int(port) if port else None)
light = device.add_sensor(
    "light", AnalogInput(pin("D6", "Ax_INPUT_FIXED_INT_PI"), part="Photoresistor")
)
device.add_sensor("button", Button(pin("BUTTON", "Dx_INPUT_TRUE_PULL_UP")))


def report():
    print("light:", light.read())


device.start()
print("sensors at", device.url)
device.run(every=report, interval=10)
