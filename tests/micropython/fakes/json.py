# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""CircuitPython's ``json`` on MicroPython: ``load()`` reads from any object with ``read()``.

MicroPython's built-in ``json.load`` accepts only native streams, while CircuitPython's
takes any reader (adafruit_requests' ``Response.json()`` passes a Python object). The
built-in module stays reachable as ``ujson``.
"""

from ujson import dump, dumps, loads  # noqa: F401  (re-exported)
from ujson import load as _native_load


def load(stream):
    try:
        return _native_load(stream)
    except OSError:
        # "stream operation not supported": a Python-level reader.
        return loads(stream.read())
