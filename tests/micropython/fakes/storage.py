# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Fake of CircuitPython's ``storage`` module: records calls, changes nothing on disk.

``remount("/", readonly=False)`` succeeds unless a test sets ``storage.remount_error`` to an
exception instance (on a board remount raises RuntimeError while USB has the drive).
"""


class _Mount:
    def __init__(self, path):
        self.path = path
        self.readonly = True  # CircuitPython's default: the host owns the drive
        self.label = "CIRCUITPY"


mounts = {"/": _Mount("/")}
remounts = []
usb_drive_enabled = [True]
remount_error = None


def getmount(mount_path):
    try:
        return mounts[mount_path]
    except KeyError:
        raise OSError(2) from None  # ENOENT, as the real one does for an unknown path


def remount(mount_path, readonly=False, *, disable_concurrent_write_protection=False):
    remounts.append((mount_path, readonly, disable_concurrent_write_protection))
    if remount_error is not None:
        raise remount_error
    getmount(mount_path).readonly = readonly


def disable_usb_drive():
    usb_drive_enabled[0] = False


def enable_usb_drive():
    usb_drive_enabled[0] = True


def _reset():
    global mounts, remount_error
    mounts = {"/": _Mount("/")}
    del remounts[:]
    usb_drive_enabled[0] = True
    remount_error = None
