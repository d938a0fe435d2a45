# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The error of an adapter whose Adafruit library is not installed, in a module of its own:
:mod:`~jotunheim.capability.drivers.hardware`, which raises it, is forgotten after each use
and so defines no classes (``drivers.hardware`` names the same class)."""


class DriverMissingError(ImportError):
    """The Adafruit library an adapter needs is not installed on the board."""
