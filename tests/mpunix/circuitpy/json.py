# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""CircuitPython's ``json`` on the MicroPython Unix port: ``load()`` reads any object with
``read()`` (the port's takes only native streams; adafruit_requests passes a Python one)."""

from ujson import dump, dumps, loads  # noqa: F401  (re-exported)
from ujson import load as _native_load


def load(stream):
    try:
        return _native_load(stream)
    except OSError:
        return loads(stream.read())
