# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Who is right when announcements disagree: the rule, on both sides.

**The rule.** Every capability announcement a device sends carries its device id, a
per-device *announcement counter* that only ever grows (persisted, so it survives a
reboot), the device's *hardware fingerprint* (chip uid + board id) and the *content hash*
(SHA-256 of the encoded ``JotunheimCapabilities``). The controller keeps, per device id, the
announcement with the highest counter:

- a higher counter replaces what the controller holds (``accepted``), whatever the hash:
  a controller holding an older hash is simply out of date;
- the same counter and hash again is a ``duplicate`` (a retried send), ignored;
- a lower counter (or the same counter with another hash) is ``stale``, ignored: it was
  overtaken by a newer one;
- exception: a ``connected`` announcement with counter 1 from the *same* hardware is a
  device whose counter storage was wiped (reflashed); it is accepted as a ``reset``;
- a different fingerprint for a device id the controller already holds is a ``clash``:
  two boards claim one id (a copied settings file). The first holder keeps the id, the
  newcomer's announcement is refused, both sides are told (the newcomer in the reply,
  the holder through ``notify``) and the clash is logged, until an operator calls
  :meth:`~jotunheim.capability.store.CapabilityStore.release`.

:class:`AnnouncementCounter` is the device side (a small file, or ``microcontroller.nvm``
where code cannot write the filesystem); the controller side,
:class:`~jotunheim.capability.store.CapabilityStore`, is a module of its own so a device,
which only announces, never loads it.
"""

import os

ACCEPTED = "accepted"
DUPLICATE = "duplicate"
STALE = "stale"
RESET = "reset"
CLASH = "clash"
INVALID = "invalid"

_NVM_BYTES = 8
_MASK = 0xFFFFFFFF


def content_hash(capabilities) -> str:
    """Hex SHA-256 of the encoded capabilities (the encoding is deterministic: fields in
    number order, repeated values in list order, no maps)."""
    import hashlib

    data = capabilities.encode() if capabilities is not None else b""
    return "".join("%02x" % b for b in hashlib.sha256(data).digest())


class Announcement:
    """The envelope of one CapabilityUpdateEvent: who sends it and in which order.

    It travels next to the event (the proto contract has no field for it), e.g. as gRPC
    metadata: :meth:`metadata` / :meth:`from_metadata`."""

    def __init__(self, device_id, counter, fingerprint, content_hash_hex="", event_type=""):
        self.device_id = device_id
        self.counter = counter
        self.fingerprint = fingerprint
        self.content_hash = content_hash_hex
        self.event_type = event_type

    def metadata(self) -> dict:
        """The envelope as gRPC metadata (``x-jotunheim-*`` headers)."""
        return {
            "x-jotunheim-device-id": self.device_id,
            "x-jotunheim-announcement": str(self.counter),
            "x-jotunheim-fingerprint": self.fingerprint,
            "x-jotunheim-capability-hash": self.content_hash,
        }

    @classmethod
    def from_metadata(cls, headers: dict, event_type: str = "") -> "Announcement":
        """Parse :meth:`metadata` (header names in any case); ValueError if incomplete."""
        low = {}
        for key in headers:
            low[key.lower()] = headers[key]
        try:
            counter = int(low["x-jotunheim-announcement"])
            return cls(
                low["x-jotunheim-device-id"],
                counter,
                low["x-jotunheim-fingerprint"],
                low.get("x-jotunheim-capability-hash", ""),
                event_type,
            )
        except (KeyError, ValueError) as exc:
            raise ValueError("announcement metadata incomplete or malformed: %r" % (exc,))

    def __repr__(self):
        return "Announcement(%r, #%d, %s)" % (self.device_id, self.counter, self.fingerprint)


class AnnouncementCounter:
    """A monotonic counter that survives reboots.

    :param str path: file holding the value (written to ``path + ".tmp"`` then renamed, and
        both are read back, so a power cut mid-write never loses the count)
    :param nvm: a ``microcontroller.nvm``-like byte store (used when ``path`` is None):
        8 bytes at ``nvm_offset``, the value and its complement (detects erased/corrupt)

    When storage fails (read-only filesystem) the counter keeps counting in RAM and
    ``persisted`` is False; ``last_error`` says why.
    """

    def __init__(self, path=None, *, nvm=None, nvm_offset=0):
        self.path = path
        self.nvm = nvm
        self.nvm_offset = nvm_offset
        self.persisted = True
        self.last_error = None
        self.value = self._load()

    def next(self) -> int:
        """Increment, persist, return the new value."""
        self.value += 1
        self._store(self.value)
        return self.value

    def _load(self):
        if self.path is not None:
            return max(_read_int(self.path), _read_int(self.path + ".tmp"))
        if self.nvm is not None:
            raw = bytes(self.nvm[self.nvm_offset : self.nvm_offset + _NVM_BYTES])
            value = int.from_bytes(raw[:4], "big")
            check = int.from_bytes(raw[4:8], "big")
            return value if value ^ check == _MASK else 0
        return 0

    def _store(self, value):
        try:
            if self.path is not None:
                atomic_write(self.path, str(value).encode())
            elif self.nvm is not None:
                blob = value.to_bytes(4, "big") + (value ^ _MASK).to_bytes(4, "big")
                self.nvm[self.nvm_offset : self.nvm_offset + _NVM_BYTES] = blob
            self.persisted = True
        except OSError as exc:
            # Read-only CIRCUITPY (no storage.remount in boot.py): count on in RAM.
            self.persisted = False
            self.last_error = exc


def _read_int(path):
    try:
        with open(path, "rb") as f:
            return int(f.read().strip() or b"0")
    except (OSError, ValueError):
        return 0


def atomic_write(path: str, data: bytes):
    """Write ``data`` to ``path`` so a power cut leaves the old file or the new one: the
    bytes go to ``path + ".tmp"``, which is then renamed over ``path`` (on FAT, which will
    not rename onto an existing file, ``path`` is removed first; a reader that finds only
    the ``.tmp`` file should read it).

    :param str path: the file
    :param bytes data: its new content
    """
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
        if hasattr(f, "flush"):
            f.flush()
    try:
        os.rename(tmp, path)
    except OSError:
        # FAT (CircuitPython) refuses to rename onto an existing file: remove it first.
        # A power cut here leaves only the .tmp file, which _load reads too.
        try:
            os.remove(path)
        except OSError:
            pass
        os.rename(tmp, path)
