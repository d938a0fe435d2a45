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
  :meth:`CapabilityStore.release`.

:class:`AnnouncementCounter` is the device side (a small file, or ``microcontroller.nvm``
where code cannot write the filesystem); :class:`CapabilityStore` the controller side.
"""

try:
    from typing import Optional  # noqa: F401  (annotations only)
except ImportError:
    pass

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


class AnnouncementResult:
    """The controller's verdict on one announcement (also the reply to the device)."""

    def __init__(self, status, device_id, message="", holder_fingerprint=""):
        self.status = status
        self.device_id = device_id
        self.message = message
        self.holder_fingerprint = holder_fingerprint

    @property
    def accepted(self) -> bool:
        """True when the controller now holds this announcement (accepted or reset)."""
        return self.status in (ACCEPTED, RESET)

    def __repr__(self):
        return "AnnouncementResult(%s, %r, %r)" % (self.status, self.device_id, self.message)


class KnownDevice:
    """What the controller holds about one device id."""

    def __init__(self, device_id, fingerprint, counter, content_hash_hex, capabilities):
        self.device_id = device_id
        self.fingerprint = fingerprint
        self.counter = counter
        self.content_hash = content_hash_hex
        self.capabilities = capabilities
        self.online = True


class CapabilityStore:
    """Controller side: receives announcements and applies the rule above.

    :param notify: callable(fingerprint, AnnouncementResult) to reach the device that
        already holds an id when another board claims it
    :param log: callable(message) for clashes (default: the ``jotunheim.capability``
        logger at ERROR level)
    """

    def __init__(self, *, notify=None, log=None):
        self._devices = {}
        self.clashes = []  # AnnouncementResult of every clash seen
        self.notify = notify
        self.log = log

    def get(self, device_id: str) -> "Optional[KnownDevice]":
        """The :class:`KnownDevice` held for ``device_id``, or None."""
        return self._devices.get(device_id)

    def devices(self) -> list:
        """Every :class:`KnownDevice` held."""
        return list(self._devices.values())

    def capabilities(self, device_id):
        """The ``JotunheimCapabilities`` held for ``device_id``, or None."""
        known = self._devices.get(device_id)
        return known.capabilities if known is not None else None

    def needs_refresh(self, device_id: str, content_hash_hex: str) -> bool:
        """True when the controller holds no capabilities with this hash for the device
        (ask the device to announce, or fetch with a CapabilityRequest)."""
        known = self._devices.get(device_id)
        return known is None or known.content_hash != content_hash_hex

    def release(self, device_id: str):
        """Forget a device id (an operator resolved a clash, or the device was retired)."""
        self._devices.pop(device_id, None)

    def receive(self, event, announcement: Announcement) -> "AnnouncementResult":
        """Apply one announcement; returns an AnnouncementResult."""
        caps = event.capabilities
        device_id = announcement.device_id
        if caps is not None:
            if caps.device_id != device_id:
                return AnnouncementResult(
                    INVALID,
                    device_id,
                    "envelope says %r, capabilities say %r" % (device_id, caps.device_id),
                )
            digest = content_hash(caps)
            if announcement.content_hash and announcement.content_hash != digest:
                return AnnouncementResult(INVALID, device_id, "content hash does not match")
        else:
            digest = announcement.content_hash
        known = self._devices.get(device_id)
        if known is None:
            if caps is None:
                return AnnouncementResult(STALE, device_id, "unknown device without capabilities")
            self._devices[device_id] = KnownDevice(
                device_id, announcement.fingerprint, announcement.counter, digest, caps
            )
            return AnnouncementResult(ACCEPTED, device_id, "new device")
        if known.fingerprint != announcement.fingerprint:
            return self._clash(known, announcement)
        return self._order(known, event, announcement, caps, digest)

    def _order(self, known, event, announcement, caps, digest):
        device_id = known.device_id
        counter = announcement.counter
        if counter > known.counter or (
            counter == 1 and event.event_type == "connected" and known.counter > 1
        ):
            status = ACCEPTED if counter > known.counter else RESET
            known.counter = counter
            if event.event_type == "disconnected":
                known.online = False
            else:
                known.online = True
            if caps is not None:
                known.capabilities = caps
                known.content_hash = digest
            return AnnouncementResult(status, device_id, "announcement %d" % counter)
        if counter == known.counter and digest == known.content_hash:
            return AnnouncementResult(DUPLICATE, device_id, "announcement %d again" % counter)
        return AnnouncementResult(
            STALE,
            device_id,
            "announcement %d is older than %d, which is kept" % (counter, known.counter),
        )

    def _clash(self, known, announcement):
        device_id = known.device_id
        message = "device id %r is claimed by two boards: %s (holder) and %s (refused)" % (
            device_id,
            known.fingerprint,
            announcement.fingerprint,
        )
        result = AnnouncementResult(CLASH, device_id, message, known.fingerprint)
        self.clashes.append(result)
        if self.log is not None:
            self.log(message)
        else:
            from jotunheim.log import getLogger

            getLogger("jotunheim.capability").error(message)
        if self.notify is not None:
            self.notify(known.fingerprint, result)
        return result
