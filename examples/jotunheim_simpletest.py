# SPDX-License-Identifier: MIT
# Simplest Jotunheim device: the board's LED and a custom tool, callable over JotunheimService.
# Runs on any CircuitPython board with WiFi (settings.toml: CIRCUITPY_WIFI_SSID/PASSWORD) and,
# unchanged, on a desktop with Blinka (BLINKA_OS_AGNOSTIC=1 python jotunheim_simpletest.py).

import board

from jotunheim import Device
from jotunheim.capability.drivers.io import Led
from jotunheim.capability.schema import NUMBER, Field

device = Device.from_settings()  # jotunheim.json + settings.toml from CIRCUITPY
# board.LED on most boards; Blinka's desktop stand-in board calls its output pin Dx_OUTPUT.
led_pin = getattr(board, "LED", None) or board.Dx_OUTPUT
device.add_actuator("status", Led(led_pin))  # tools: set_led, get_led_state


def add(a, b):
    return a + b


device.add_tool(
    "add_numbers",
    add,
    "Add two numbers",
    (Field("a", NUMBER, required=True), Field("b", NUMBER, required=True)),
)

print("Jotunheim device", device.device_id, "serving on port", device.port)
device.run()  # joins WiFi, serves calls, talks to Loki if network.loki_url is set
