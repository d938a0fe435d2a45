# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""CircuitPython's ``traceback`` module (adafruit_httpserver imports print_exception).

MicroPython has only ``sys.print_exception``; this maps the CircuitPython API onto it.
"""

import io
import sys


def print_exception(exc, value=None, tb=None, limit=None, file=None, chain=True):
    # CircuitPython accepts either (exc) or the CPython-style (type, value, tb).
    if value is not None and isinstance(value, BaseException):
        exc = value
    sys.print_exception(exc, file if file is not None else sys.stdout)


def format_exception(exc, value=None, tb=None, limit=None, chain=True):
    buf = io.StringIO()
    print_exception(exc, value, tb, limit, buf, chain)
    return [buf.getvalue()]
