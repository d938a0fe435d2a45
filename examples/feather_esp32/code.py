# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
# Adafruit Feather ESP32-S2 or ESP32-S3 (same pin names) lab node: BME280 on I2C, the NeoPixel
# as status light, a fan relay on D5, plus an owner-only tool. The whole loop is device.run();
# your periodic code goes in `every`.
#
# Copy to CIRCUITPY: this file as code.py, settings.toml, and a jotunheim.json with at least
# {"network": {"loki_url": "http://<loki-host>:8080"}} to register the tools with Loki.
# Libraries: circup install jotunheim adafruit_bme280 neopixel adafruit_requests
# adafruit_connection_manager
# On a desktop: JOTUNHEIM_LISTEN=127.0.0.1:8181 BLINKA_OS_AGNOSTIC=1 python code.py

import os
import sys

import board

from jotunheim import Device
from jotunheim.capability.drivers.environment import BME280
from jotunheim.capability.drivers.io import Relay
from jotunheim.capability.drivers.pixels import NeoPixel
from jotunheim.capability.schema import NUMBER, Field


def pin(name, desktop):
    """The board's pin ``name``; on Blinka's desktop stand-in board (no such pin) ``desktop``."""
    return getattr(board, name, None) or getattr(board, desktop)


def part(make, simulated):
    """``make()`` on a board; on a desktop, where the pin or the driver library is missing,
    the class named ``simulated`` of jotunheim's simulated drivers (imported only there)."""
    try:
        return make()
    except (AttributeError, ImportError, RuntimeError, ValueError):
        if sys.implementation.name != "cpython":
            raise  # on a board a missing part is an error to see
        from jotunheim.capability.drivers import simulated as parts

        return getattr(parts, simulated)()


# JOTUNHEIM_LISTEN = "host:port" (settings.toml or environment); unset = remote.listen_port.
host, _, port = (os.getenv("JOTUNHEIM_LISTEN") or "").rpartition(":")
device = Device.from_settings(host=host or None, port=int(port) if port else None)
air = device.add_sensor("lab", part(lambda: BME280(board.I2C()), "SimulatedClimateSensor"))
device.add_actuator("status", part(lambda: NeoPixel(board.NEOPIXEL), "SimulatedLed"))
device.add_actuator("fan", Relay(pin("D5", "Dx_OUTPUT")))

calibration = {"offset": 0.0}


def calibrate(offset):
    calibration["offset"] = offset
    return calibration


# Owner-only: callers need JOTUNHEIM_OWNER_TOKEN.
device.add_tool(
    "calibrate_temperature",
    calibrate,
    "Set the temperature offset in degrees C",
    (Field("offset", NUMBER, minimum=-5, maximum=5, unit="C", required=True),),
    True,
)


def report():
    print("lab:", air.read(), "status:", device.status())


device.run(every=report, interval=30)
