# SPDX-License-Identifier: MIT
# Raspberry Pi Pico W greenhouse node: DHT22 on GP15, relay (pump) on GP16, button on GP14,
# the onboard LED as status light. Your own code runs between device steps.
#
# Copy to CIRCUITPY: this file as code.py, settings.toml (fill in your values) and, if you
# want, a jotunheim.json (see examples/README.md). Libraries: circup install jotunheim
# adafruit_dht adafruit_requests adafruit_connection_manager

import time

import board

from jotunheim import Device
from jotunheim.capability.drivers.environment import DHT22
from jotunheim.capability.drivers.io import Button, Led, Relay

device = Device.from_settings()
climate = device.add_sensor("greenhouse", DHT22(board.GP15))
pump = device.add_actuator("pump", Relay(board.GP16))
led = device.add_actuator("status", Led(board.LED))
button = device.add_sensor("button", Button(board.GP14))

device.start()
print("serving at", device.url)

last_check = 0.0
while True:
    device.step()  # serve waiting calls and run upkeep, then come back quickly
    now = time.monotonic()
    if now - last_check >= 10:
        last_check = now
        try:
            humidity = climate.read()["humidity"]
        except RuntimeError as exc:  # DriverError: DHT22s miss readings now and then
            print("sensor:", exc)
            continue
        # Local automation keeps working without Loki or WiFi.
        if humidity < 35 and not pump.state()["on"]:
            pump.set(on=True)
        elif humidity > 45 and pump.state()["on"]:
            pump.set(on=False)
    if button.read()["pressed"]:
        led.set(on=not led.state()["on"])
        time.sleep(0.2)
