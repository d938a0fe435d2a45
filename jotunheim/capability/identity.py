# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Who a board is: its device id, from the chip's unique id.

``microcontroller.cpu.uid`` as upper-case hex (stable per chip). Without a uid (Blinka on a
desktop) it is ``HOST-`` + 12 hex digits of SHA-256 over the machine's MAC and the board id
(:mod:`jotunheim.capability.hostid`, loaded only there): stable per machine, and saying it
is not a microcontroller. A leaf of :mod:`jotunheim.capability.detect`, apart so that a device
that only needs its id (to register its tools with Loki) does not load the detection of
pins and interfaces.
"""

from binascii import hexlify


def identity(board=None, microcontroller=None) -> tuple:
    """``(device_id, key)``: the id (see the module), and the bytes it was made from (the
    chip uid, or the MAC as text) that the hardware fingerprint is made from too.

    :param board: the ``board`` module (its ``board_id`` names a host's id; default: the
        firmware's, imported only on a host)
    :param microcontroller: the ``microcontroller`` module (default: the firmware's, where
        there is one)
    """
    if microcontroller is None:
        try:
            import microcontroller
        except ImportError:
            pass
    key = getattr(getattr(microcontroller, "cpu", None), "uid", None)
    if key:
        key = bytes(key)
        return hexlify(key).decode().upper(), key
    from jotunheim.capability import hostid  # a desktop: no chip uid

    return hostid.identity(board)
