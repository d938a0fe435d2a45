# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""SleepState: what a deep-sleeping device keeps between wakes, in 20 bytes.

Layout (big-endian) at the start of ``alarm.sleep_memory`` (RAM kept powered in deep
sleep), or, on a port without it, in a region of ``microcontroller.nvm`` just before the
error ring's last KB (flash: it wears, so sleep memory is preferred)::

    0  2s  magic b"JH"
    2  B   layout version (1)
    3  B   failures: wakes in a row that could not reach Loki (the backoff)
    4  I   cycles: wakes since the state was made
    8  I   capability hash (FNV-1a of the encoded capabilities) last announced
    12 I   sequence number of the last pending command handled
    16 B   flags (bit 0: the battery was low at the last wake)
    17 B   announce age: wakes since the last announcement (saturates at 255)
    18 H   checksum: sum of bytes 0..17, 16 bits

A region that does not hold a valid record (first power-on, garbage) reads as a fresh
state, never as an error.
"""

import struct

SIZE = 20
MAGIC = b"JH"
VERSION = 1
LAYOUT = ">2sBBIIIBB"
NVM_RESERVED_TAIL = 1024 + 32  # the error ring's last KB, the OTA flag, some slack
FLAG_LOW_BATTERY = 1


def _checksum(data) -> int:
    total = 0
    for i in range(SIZE - 2):
        total += data[i]
    return total & 0xFFFF


def fnv1a(data) -> int:
    """32-bit FNV-1a hash of ``data`` (stable across boots, unlike ``hash()``)."""
    value = 0x811C9DC5
    for byte in data:
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


class SleepState:
    """The surviving state; :meth:`load` from and :meth:`save` to a memory region.

    :param memory: a bytearray-like (``alarm.sleep_memory``, ``microcontroller.nvm``)
    :param int offset: where the 20 bytes start in ``memory``
    """

    def __init__(self, memory, offset: int = 0) -> None:
        self.memory = memory
        self.offset = offset
        self.fresh = True
        self.failures = 0
        self.cycles = 0
        self.caps_hash = 0
        self.command_seq = 0
        self.flags = 0
        self.announce_age = 0

    def encode(self) -> bytes:
        """The 20-byte record."""
        data = bytearray(SIZE)
        struct.pack_into(
            LAYOUT,
            data,
            0,
            MAGIC,
            VERSION,
            min(self.failures, 255),
            self.cycles & 0xFFFFFFFF,
            self.caps_hash & 0xFFFFFFFF,
            self.command_seq & 0xFFFFFFFF,
            self.flags & 0xFF,
            min(self.announce_age, 255),
        )
        struct.pack_into(">H", data, SIZE - 2, _checksum(data))
        return bytes(data)

    def decode(self, data) -> bool:
        """Take the values from a record; False (and a fresh state) if it is not one."""
        if len(data) < SIZE or bytes(data[0:2]) != MAGIC or data[2] != VERSION:
            return False
        if struct.unpack_from(">H", data, SIZE - 2)[0] != _checksum(data):
            return False
        fields = struct.unpack_from(LAYOUT, data, 0)
        self.failures, self.cycles, self.caps_hash = fields[2], fields[3], fields[4]
        self.command_seq, self.flags, self.announce_age = fields[5], fields[6], fields[7]
        self.fresh = False
        return True

    def load(self):
        """Read the record from memory; returns self."""
        start = self.offset
        self.decode(bytes(self.memory[start : start + SIZE]))
        return self

    def save(self) -> None:
        """Write the record to memory (only the bytes that changed matter to flash,
        but a 20-byte slice write is what every port offers)."""
        start = self.offset
        record = self.encode()
        if bytes(self.memory[start : start + SIZE]) != record:
            self.memory[start : start + SIZE] = record
        self.fresh = False

    @property
    def low_battery(self) -> bool:
        """The battery was low at the last wake."""
        return bool(self.flags & FLAG_LOW_BATTERY)

    def as_dict(self) -> dict:
        """The values, for status and tests."""
        return {
            "cycles": self.cycles,
            "failures": self.failures,
            "caps_hash": self.caps_hash,
            "command_seq": self.command_seq,
            "low_battery": self.low_battery,
            "announce_age": self.announce_age,
        }


def memory_region(alarm=None):
    """``(memory, offset)`` for the state: ``alarm.sleep_memory`` at 0, else a region
    of ``microcontroller.nvm``, else a RAM bytearray (state then lasts one boot).

    :param alarm: the ``alarm`` module (or a stand-in); None = no sleep memory
    """
    memory = getattr(alarm, "sleep_memory", None) if alarm is not None else None
    if memory is not None and len(memory) >= SIZE:
        return memory, 0
    try:
        import microcontroller

        nvm = microcontroller.nvm
    except (ImportError, AttributeError):
        nvm = None
    if nvm is not None and len(nvm) >= NVM_RESERVED_TAIL + SIZE:
        return nvm, len(nvm) - NVM_RESERVED_TAIL - SIZE
    return bytearray(SIZE), 0
