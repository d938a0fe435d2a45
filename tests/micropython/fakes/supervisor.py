# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Fake of CircuitPython's ``supervisor`` module.

``ticks_ms()`` wraps at 2**29 like the real one. ``reload()`` records the call and raises
``ReloadCalled`` (a BaseException: on a board the code stops there). ``set_next_code_file``
and ``runtime`` settings are kept in module state that ``_reset()`` clears before each test.
"""

import time

_TICKS_PERIOD = 1 << 29
_start = time.ticks_ms()


class ReloadCalled(BaseException):
    """Raised by the fake ``reload()``."""


class RunReason:
    STARTUP = "STARTUP"
    AUTO_RELOAD = "AUTO_RELOAD"
    SUPERVISOR_RELOAD = "SUPERVISOR_RELOAD"
    REPL_RELOAD = "REPL_RELOAD"


class _Runtime:
    def __init__(self):
        self.serial_connected = False
        self.serial_bytes_available = 0
        self.usb_connected = False
        self.autoreload = True
        self.run_reason = RunReason.STARTUP
        self.safe_mode_reason = None


runtime = _Runtime()
reloads = []
next_code_files = []


def ticks_ms():
    # time.ticks_ms() already wraps on MicroPython; fold it into CircuitPython's 2**29 period.
    return time.ticks_diff(time.ticks_ms(), _start) % _TICKS_PERIOD


def reload():
    reloads.append(True)
    raise ReloadCalled("supervisor.reload() called")


def set_next_code_file(filename, *, reload_on_success=False, reload_on_error=False, **kwargs):
    next_code_files.append((filename, reload_on_success, reload_on_error))


def _reset():
    global runtime
    runtime = _Runtime()
    del reloads[:]
    del next_code_files[:]
