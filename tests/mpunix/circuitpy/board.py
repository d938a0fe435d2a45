# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""CircuitPython's ``board`` on the MicroPython Unix port: a few named pins."""

from microcontroller import Pin

board_id = "mpunix_host"

D0 = Pin("D0")
D1 = Pin("D1")
D2 = Pin("D2")
D3 = Pin("D3")
D4 = Pin("D4")
D5 = Pin("D5")
D13 = Pin("D13")
A0 = Pin("A0")
SCL = Pin("SCL")
SDA = Pin("SDA")
LED = D13
