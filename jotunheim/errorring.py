# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The persistent ring of recent errors: the last N survive a reboot, to be read remotely.

:class:`ErrorRing` keeps them on flash (a small JSON file in the root, written with temp
file + rename) or in ``microcontroller.nvm`` when the filesystem is read-only to code;
:class:`RingHandler` feeds it from loggers. ``jotunheim.log.enable_error_ring()`` attaches
one to every Jotunheim logger; this module loads only then ("Error-Persistence").
"""

import json
import os

from jotunheim.compat import monotonic, monotonic_ms

ERROR = 40
# The level names an entry carries (jotunheim.log's numbers; a leaf, so not imported).
_NAMES = {50: "CRITICAL", 40: "ERROR", 30: "WARNING", 20: "INFO", 10: "DEBUG"}

RING_FILE = ".jotunheim_errors.json"
NVM_MAGIC = b"JER1"
NVM_SIZE = 1024  # bytes at the end of microcontroller.nvm (the start is left to others)
MAX_MESSAGE = 120


class ErrorRing:
    """The last ``size`` errors, persisted so they survive a reboot.

    :param int size: entries kept (oldest dropped first)
    :param path: JSON file to keep them in (default ``<root>/.jotunheim_errors.json``)
    :param nvm: a bytearray-like (``microcontroller.nvm``) used when the file cannot be
        written; ``nvm_offset``/``nvm_size`` choose the region (default: the last 1 KB)
    :param float min_write_interval: seconds between flash writes; errors that come faster
        are flushed by the next write or :meth:`flush` (protects flash from error storms)
    """

    def __init__(
        self,
        size: int = 16,
        path=None,
        *,
        root=None,
        nvm=None,
        nvm_offset=None,
        nvm_size: int = NVM_SIZE,
        min_write_interval: float = 5.0,
        clock=None,
    ) -> None:
        if path is None:
            if root is None:
                from jotunheim.settings.secrets import default_root  # noqa: PLC0415

                root = default_root()
            path = root.rstrip("/") + "/" + RING_FILE
        self.path = path
        self.size = size
        self.nvm = nvm
        self.nvm_size = nvm_size
        self.nvm_offset = nvm_offset
        self.min_write_interval = min_write_interval
        self.clock = clock or monotonic
        self.storage = None  # "file", "nvm" or None (RAM only)
        self.write_errors = 0
        self.writes = 0
        self._dirty = False
        self._last_write = None
        self._entries = []
        self._seq = 0
        self._boot = 0
        self._load()
        self._boot += 1  # this boot's number; stored with the next write

    # -- persistence -----------------------------------------------------------------
    def _load(self) -> None:
        payload = self._read_file(self.path)
        if payload is None:
            payload = self._read_file(self.path + ".tmp")  # a write cut by power loss
        if payload is None and self.nvm is not None:
            payload = self._read_nvm()
        if payload is None:
            return
        entries = payload.get("entries")
        if isinstance(entries, list):
            self._entries = [e for e in entries if isinstance(e, dict)]
            self._trim()
        self._seq = int(payload.get("seq", 0))
        self._boot = int(payload.get("boot", 0))

    def _read_file(self, path):
        try:
            with open(path) as handle:
                payload = json.loads(handle.read())
        except (OSError, ValueError):
            return None
        return payload if isinstance(payload, dict) else None

    def _region(self):
        offset = self.nvm_offset
        if offset is None:
            offset = len(self.nvm) - self.nvm_size
        return offset

    def _read_nvm(self):
        start = self._region()
        head = bytes(self.nvm[start : start + 6])
        if head[:4] != NVM_MAGIC:
            return None
        length = (head[4] << 8) | head[5]
        if length > self.nvm_size - 6:
            return None
        try:
            payload = json.loads(bytes(self.nvm[start + 6 : start + 6 + length]).decode())
        except (ValueError, UnicodeError):
            return None
        return payload if isinstance(payload, dict) else None

    def _payload(self, entries) -> bytes:
        data = {"boot": self._boot, "seq": self._seq, "entries": entries}
        return json.dumps(data).encode()

    def _write_file(self, blob: bytes) -> None:
        tmp = self.path + ".tmp"
        with open(tmp, "wb") as handle:
            handle.write(blob)
        try:
            os.rename(tmp, self.path)
        except OSError:
            # FAT (CircuitPython) will not rename over an existing file: remove, then
            # rename. A power cut in between leaves the .tmp, which _load() reads.
            os.remove(self.path)
            os.rename(tmp, self.path)

    def _write_nvm(self) -> None:
        entries = list(self._entries)
        blob = self._payload(entries)
        while len(blob) > self.nvm_size - 6 and entries:
            entries.pop(0)  # the region is small: drop the oldest until it fits
            blob = self._payload(entries)
        start = self._region()
        header = NVM_MAGIC + bytes(((len(blob) >> 8) & 0xFF, len(blob) & 0xFF))
        self.nvm[start : start + 6 + len(blob)] = header + blob

    def flush(self) -> bool:
        """Write pending entries now; True when they are on flash/nvm."""
        if not self._dirty:
            return self.storage is not None
        if self.storage in (None, "file"):
            try:
                self._write_file(self._payload(self._entries))
                self.storage = "file"
                return self._written()
            except OSError:
                self.write_errors += 1  # read-only CIRCUITPY (no boot.py remount): use nvm
        if self.nvm is not None:
            try:
                self._write_nvm()
                self.storage = "nvm"
                return self._written()
            except (OSError, ValueError, IndexError, TypeError):
                self.write_errors += 1
        self.storage = None
        return False

    def _written(self) -> bool:
        self._dirty = False
        self._last_write = self.clock()
        self.writes += 1
        return True

    # -- API -------------------------------------------------------------------------
    def add(self, message, level: int = ERROR, name: str = "") -> None:
        """Record an error (and write it out unless the last write was very recent)."""
        self._seq += 1
        entry = {
            "seq": self._seq,
            "boot": self._boot,
            "t_ms": monotonic_ms(),
            "level": _NAMES.get(level) or "LEVEL%d" % level,
            "name": str(name)[:24],
            "msg": str(message)[:MAX_MESSAGE],
        }
        self._entries.append(entry)
        self._trim()
        self._dirty = True
        now = self.clock()
        if self._last_write is None or now - self._last_write >= self.min_write_interval:
            self.flush()

    def poll(self) -> None:
        """Flush entries held back by the write-rate limit once the interval has passed."""
        if self._dirty and (
            self._last_write is None or self.clock() - self._last_write >= self.min_write_interval
        ):
            self.flush()

    def entries(self) -> list:
        """Oldest first; each ``{"seq", "boot", "t_ms", "level", "name", "msg"}``. Entries
        whose ``boot`` is lower than :attr:`boot` happened before the last reboot."""
        return list(self._entries)

    @property
    def boot(self) -> int:
        """This boot's number (one more than the stored ring's; entries carry it)."""
        return self._boot

    def resize(self, size: int) -> None:
        """Keep at most ``size`` entries, dropping the oldest beyond it."""
        self.size = size
        if len(self._entries) > size:
            self._trim()
            self._dirty = True

    def _trim(self) -> None:
        if self.size <= 0:
            self._entries = []
        elif len(self._entries) > self.size:
            self._entries = self._entries[-self.size :]

    def clear(self) -> None:
        """Drop every entry and write the empty ring."""
        self._entries = []
        self._dirty = True
        self.flush()

    def __len__(self) -> int:
        return len(self._entries)


class RingHandler:
    """A logging handler that copies ERROR and CRITICAL records into an :class:`ErrorRing`
    (jotunheim.log and adafruit_logging loggers alike: they need only ``level`` and
    ``emit``)."""

    def __init__(self, ring: ErrorRing, level: int = ERROR) -> None:
        self.ring = ring
        self.level = level

    def emit(self, record) -> None:
        """Add the record to the ring."""
        self.ring.add(record.msg, record.levelno, record.name)
