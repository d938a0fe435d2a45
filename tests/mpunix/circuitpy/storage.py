# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""CircuitPython's ``storage`` on the MicroPython Unix port: the folder playing CIRCUITPY
is always writable from code, ``remount`` records the request."""


class _Mount:
    def __init__(self, path):
        self.path = path
        self.readonly = False
        self.label = "CIRCUITPY"


mounts = {"/": _Mount("/")}
remounts = []


def getmount(mount_path):
    try:
        return mounts[mount_path]
    except KeyError:
        raise OSError(2) from None  # ENOENT, as on a board


def remount(mount_path, readonly=False, *, disable_concurrent_write_protection=False):
    remounts.append((mount_path, readonly))
    getmount(mount_path).readonly = readonly


def disable_usb_drive():
    pass


def enable_usb_drive():
    pass
