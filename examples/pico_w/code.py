# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
# Raspberry Pi Pico W greenhouse node: DHT22 on GP15, relay (pump) on GP16, button on GP14,
# the onboard LED as status light. Your own code runs between device steps.
#
# Copy to CIRCUITPY: this file as code.py, settings.toml (fill in your values) and, if you
# want, a jotunheim.json (see examples/README.md). Libraries: circup install jotunheim
# adafruit_dht adafruit_requests adafruit_connection_manager
# On a desktop: JOTUNHEIM_LISTEN=127.0.0.1:8181 BLINKA_OS_AGNOSTIC=1 python code.py

import os
import sys
import time

import board

from jotunheim import Device
from jotunheim.capability.drivers.environment import DHT22
from jotunheim.capability.drivers.io import Button, Led, Relay


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
climate = device.add_sensor("greenhouse", part(lambda: DHT22(board.GP15), "SimulatedClimateSensor"))
pump = device.add_actuator("pump", Relay(pin("GP16", "Dx_OUTPUT")))
led = device.add_actuator("status", Led(pin("LED", "Dx_OUTPUT")))
button = device.add_sensor("button", Button(pin("GP14", "Dx_INPUT_TRUE_PULL_UP")))

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
