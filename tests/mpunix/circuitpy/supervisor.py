# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""CircuitPython's ``supervisor`` on the MicroPython Unix port."""

import sys
import time


class _Runtime:
    autoreload = False
    serial_connected = True
    serial_bytes_available = 0
    usb_connected = False
    run_reason = None
    safe_mode_reason = None


runtime = _Runtime()
_start = time.ticks_ms()


def ticks_ms():
    """Milliseconds, wrapping at 2**29 as on CircuitPython."""
    return time.ticks_diff(time.ticks_ms(), _start) & 0x1FFFFFFF


def reload():
    print("MPUNIX-RELOAD")
    sys.exit(4)


def set_next_code_file(filename, *, reload_on_success=False, reload_on_error=False,
                       sticky_on_success=False, sticky_on_error=False,
                       sticky_on_reload=False):  # fmt: skip
    runtime.next_code_file = filename
