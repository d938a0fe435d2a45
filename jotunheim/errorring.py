# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The persistent ring of recent errors: the last N survive a reboot, to be read remotely.

:class:`ErrorRing` keeps them on flash (a small JSON file in the root, written with temp
file + rename) or in ``microcontroller.nvm`` when the filesystem is read-only to code;
Jotunheim loggers feed it (``jotunheim.logconfig.enable_error_ring()``); this module
loads only with the first error logged or when the ring is read ("Error-Persistence").
"""

import json
import os

from jotunheim.compat import IS_CPYTHON, monotonic, monotonic_ms

ERROR = 40
# The level names an entry carries (jotunheim.log's numbers; a leaf, so not imported):
# the level // 10.
_NAMES = ("NOTSET", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

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
        # The stored ring: the file, else the .tmp a write cut by power loss left, else nvm.
        data = None
        for name in (path, path + ".tmp"):
            try:
                with open(name) as f:
                    data = json.loads(f.read())
            except (OSError, ValueError):
                pass
            if isinstance(data, dict):
                break
            data = None
        if data is None and nvm is not None:
            start = nvm_offset if nvm_offset is not None else len(nvm) - nvm_size
            head = bytes(nvm[start : start + 6])
            if head[:4] == NVM_MAGIC and (head[4] << 8 | head[5]) <= nvm_size - 6:
                try:
                    data = json.loads(
                        bytes(nvm[start + 6 : start + 6 + (head[4] << 8 | head[5])]).decode()
                    )
                except (ValueError, UnicodeError):
                    pass
        if not isinstance(data, dict):
            data = {}
        entries = data.get("entries")
        if isinstance(entries, list):
            self._entries = [e for e in entries if isinstance(e, dict)]
            self._trim()
        self._seq = int(data.get("seq", 0))
        self._boot = int(data.get("boot", 0)) + 1  # this boot's number; stored with the next write

    def _payload(self, entries) -> bytes:
        return json.dumps({"boot": self._boot, "seq": self._seq, "entries": entries}).encode()

    def flush(self) -> bool:
        """Write pending entries now; True when they are on flash/nvm."""
        if not self._dirty:
            return self.storage is not None
        storage = None
        if self.storage in (None, "file"):
            try:
                tmp = self.path + ".tmp"
                with open(tmp, "wb") as f:
                    f.write(self._payload(self._entries))
                try:
                    os.rename(tmp, self.path)
                except OSError:
                    # FAT (CircuitPython) will not rename over an existing file: remove,
                    # then rename. A power cut in between leaves the .tmp, which is read.
                    # No .tmp: another writer (a host thread) moved it in place already;
                    # the ring file must not be removed then (stat raises, counted below).
                    os.stat(tmp)
                    os.remove(self.path)
                    os.rename(tmp, self.path)
                storage = "file"
            except OSError:
                self.write_errors += 1  # read-only CIRCUITPY (no boot.py remount): use nvm
        nvm = self.nvm
        if storage is None and nvm is not None:
            try:
                entries = list(self._entries)
                data = self._payload(entries)
                while len(data) > self.nvm_size - 6 and entries:
                    entries.pop(0)  # the region is small: drop the oldest until it fits
                    data = self._payload(entries)
                start = self.nvm_offset
                if start is None:
                    start = len(nvm) - self.nvm_size
                n = len(data)
                nvm[start : start + 6 + n] = NVM_MAGIC + bytes((n >> 8 & 0xFF, n & 0xFF)) + data
                storage = "nvm"
            except (OSError, ValueError, IndexError, TypeError):
                self.write_errors += 1
        self.storage = storage
        if storage is None:
            return False
        self._dirty = False
        self._last_write = self.clock()
        self.writes += 1
        return True

    # -- API -------------------------------------------------------------------------
    def add(self, message, level: int = ERROR, name: str = "") -> None:
        """Record an error (and write it out unless the last write was very recent)."""
        self._seq += 1
        known = level in (10, 20, 30, 40, 50)
        self._entries.append(
            {
                "seq": self._seq,
                "boot": self._boot,
                "t_ms": monotonic_ms(),
                "level": _NAMES[int(level) // 10] if known else "LEVEL%d" % level,
                "name": str(name)[:24],
                "msg": str(message)[:MAX_MESSAGE],
            }
        )
        self._trim()
        self._dirty = True
        self.poll()

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


def board_ring(**kwargs):
    """An :class:`ErrorRing` made from ``kwargs``, with ``microcontroller.nvm`` as its
    fallback storage on a board unless ``nvm`` is given."""
    if "nvm" not in kwargs:
        nvm = None
        if not IS_CPYTHON:  # Blinka's microcontroller on a PC has no nvm
            try:
                import microcontroller

                nvm = getattr(microcontroller, "nvm", None)
            except ImportError:
                pass
        kwargs["nvm"] = nvm
    return ErrorRing(**kwargs)
