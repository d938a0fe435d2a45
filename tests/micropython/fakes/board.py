# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Fake of CircuitPython's ``board`` module: a few pins as ``microcontroller.Pin`` objects."""

from microcontroller import Pin

board_id = "jotunheim_fake_feather"

D0 = Pin("D0")
D1 = Pin("D1")
D2 = Pin("D2")
D3 = Pin("D3")
D4 = Pin("D4")
D5 = Pin("D5")
D6 = Pin("D6")
D7 = Pin("D7")
D8 = Pin("D8")
D9 = Pin("D9")
D10 = Pin("D10")
D11 = Pin("D11")
D12 = Pin("D12")
D13 = Pin("D13")
A0 = Pin("A0")
A1 = Pin("A1")
A2 = Pin("A2")
SCL = Pin("SCL")
SDA = Pin("SDA")
NEOPIXEL = Pin("NEOPIXEL")
LED = D13  # as on Feather boards, the red LED shares D13
RX = D0
TX = D1

PIN_NAMES = (
    "D0 D1 D2 D3 D4 D5 D6 D7 D8 D9 D10 D11 D12 D13 A0 A1 A2 SCL SDA NEOPIXEL LED RX TX"
).split()
