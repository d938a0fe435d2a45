# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The device id of a machine that is no microcontroller (Blinka on a desktop, where
``microcontroller.cpu.uid`` is missing): ``HOST-`` + 12 hex digits of SHA-256 over the
machine's MAC (``uuid.getnode()``) and the board id, stable per machine. Loaded by
:func:`jotunheim.capability.identity.identity` only there (this module's
:func:`identity` is its answer there): a board never loads it.
"""

from binascii import hexlify


def identity(board=None) -> tuple:
    """``(device_id, key)`` of this machine: the id, and the MAC as text it was made from
    (``b"unknown-host"`` without ``uuid``); ``board`` is the ``board`` module (its
    ``board_id`` goes into the id; default: imported)."""
    if board is None:
        import board
    try:
        import uuid

        key = ("%012x" % uuid.getnode()).encode()
    except ImportError:
        key = b"unknown-host"
    import hashlib

    board_id = getattr(board, "board_id", "") or ""
    digest = hashlib.sha256(key + board_id.encode()).digest()
    return "HOST-" + hexlify(digest[:6]).decode().upper(), key
