# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""CircuitPython's ``traceback`` on the MicroPython Unix port, over ``sys.print_exception``."""

import io
import sys


def print_exception(exc, value=None, tb=None, limit=None, file=None, chain=True):
    if value is not None and isinstance(value, BaseException):
        exc = value
    sys.print_exception(exc, file if file is not None else sys.stdout)


def format_exception(exc, value=None, tb=None, limit=None, chain=True):
    buf = io.StringIO()
    print_exception(exc, value, tb, limit, buf, chain)
    return [buf.getvalue()]
