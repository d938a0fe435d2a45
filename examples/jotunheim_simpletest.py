# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
# Simplest Jotunheim device: the board's LED and a custom tool, callable over JotunheimService.
# Runs on any CircuitPython board with WiFi (settings.toml: CIRCUITPY_WIFI_SSID/PASSWORD) and,
# unchanged, on a desktop with Blinka:
#   JOTUNHEIM_LISTEN=127.0.0.1:8181 BLINKA_OS_AGNOSTIC=1 python jotunheim_simpletest.py
# JOTUNHEIM_LISTEN ("host:port"; settings.toml on a board, the environment on a desktop)
# picks the address the device listens on, so it never clashes with a running simulator;
# unset = every interface, port remote.listen_port of jotunheim.json (8080).

import errno
import os

import board

from jotunheim import Device
from jotunheim.capability.drivers.io import Led
from jotunheim.capability.schema import NUMBER, Field

host, _, port = (os.getenv("JOTUNHEIM_LISTEN") or "").rpartition(":")
device = Device.from_settings(host=host or None, port=int(port) if port else None)
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

try:
    device.start()  # joins WiFi (on a board) and opens the server
except OSError as exc:
    if exc.args and exc.args[0] == errno.EADDRINUSE:
        # Typically a simulator (or another example) already has the port.
        raise SystemExit(
            "port %d is in use: set JOTUNHEIM_LISTEN=host:port (or remote.listen_port "
            "in jotunheim.json) to another port" % device.port
        ) from None
    raise
print("Jotunheim device", device.device_id, "serving at", device.url)
device.run()  # serves calls, talks to Loki if network.loki_url is set
