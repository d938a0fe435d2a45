# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Imported first under the MicroPython Unix port: add the built-in exceptions CircuitPython
has and the port lacks (``ConnectionError``, ``TimeoutError``, both ``OSError``s).
``time.monotonic`` comes from ``time.py`` beside this file."""

import builtins

try:
    ConnectionError  # noqa: B018
except NameError:
    builtins.ConnectionError = type("ConnectionError", (OSError,), {})
try:
    TimeoutError  # noqa: B018
except NameError:
    builtins.TimeoutError = type("TimeoutError", (OSError,), {})
