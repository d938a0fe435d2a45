# SPDX-License-Identifier: MIT
# ESP32-S3 (e.g. Adafruit Feather ESP32-S3) lab node: BME280 on I2C, the NeoPixel as status
# light, a servo on A0, plus an owner-only tool. The whole loop is device.run(); your periodic
# code goes in `every`.
#
# Copy to CIRCUITPY: this file as code.py, settings.toml, and a jotunheim.json with at least
# {"network": {"loki_url": "http://<loki-host>:8080"}} to register the tools with Loki.
# Libraries: circup install jotunheim adafruit_bme280 neopixel adafruit_motor
# adafruit_requests adafruit_connection_manager

import board

from jotunheim import Device
from jotunheim.capability.drivers.environment import BME280
from jotunheim.capability.drivers.pixels import NeoPixel
from jotunheim.capability.drivers.pwm import Servo
from jotunheim.capability.schema import NUMBER, Field

device = Device.from_settings()
air = device.add_sensor("lab", BME280(board.I2C()))
device.add_actuator("status", NeoPixel(board.NEOPIXEL))
device.add_actuator("vent", Servo(board.A0))

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
