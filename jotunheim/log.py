"""Minimal leveled logging to the serial console, plus a persistent ring of recent errors.

``getLogger(name)`` returns an ``adafruit_logging`` Logger when that library is installed
(so Jotunheim's messages share its handlers and formatting) and otherwise a small Logger
with the same API: ``debug/info/warning/error/critical/exception``, ``setLevel``,
``addHandler``. WARNING is the default level; ``set_level("DEBUG")`` switches every
Jotunheim logger at once (hot-reloaded from the ``logging`` settings section).

:class:`ErrorRing` keeps the last N errors on flash (a small JSON file in the root, written
with temp file + rename) or in ``microcontroller.nvm`` when the filesystem is read-only to
code, so they survive a reboot and can be read remotely ("Error-Persistence").
``enable_error_ring()`` attaches it to every Jotunheim logger.
"""

import json
import os

from jotunheim.compat import IS_CPYTHON, monotonic, monotonic_ms

CRITICAL = 50
ERROR = 40
WARNING = 30
INFO = 20
DEBUG = 10
NOTSET = 0

_NAMES = {CRITICAL: "CRITICAL", ERROR: "ERROR", WARNING: "WARNING", INFO: "INFO", DEBUG: "DEBUG"}
_LEVELS = {"CRITICAL": CRITICAL, "ERROR": ERROR, "WARNING": WARNING, "WARN": WARNING,
           "INFO": INFO, "DEBUG": DEBUG, "NOTSET": NOTSET}  # fmt: skip

try:
    import adafruit_logging as _backend
except ImportError:
    _backend = None


def level_number(level) -> int:
    """``"INFO"`` or ``20`` -> 20."""
    if isinstance(level, int):
        return level
    number = _LEVELS.get(str(level).upper())
    if number is None:
        raise ValueError("unknown log level {!r}".format(level))
    return number


def level_name(level: int) -> str:
    """``20`` -> ``"INFO"``; ``"LEVEL<n>"`` for a number without a name."""
    return _NAMES.get(level, "LEVEL{}".format(level))


class LogRecord:
    """Same fields as adafruit_logging's LogRecord."""

    __slots__ = ("name", "levelno", "levelname", "msg", "created", "args")

    def __init__(self, name, levelno, msg, args) -> None:
        self.name = name
        self.levelno = levelno
        self.levelname = level_name(levelno)
        self.msg = msg
        self.created = monotonic()
        self.args = args


class Handler:
    """Base handler (adafruit_logging-compatible: ``level``, ``emit``, ``format``)."""

    def __init__(self, level: int = NOTSET) -> None:
        self.level = level

    def setLevel(self, level) -> None:  # noqa: N802 - logging API name
        """Handle only records at ``level`` (name or number) and above."""
        self.level = level_number(level)

    def format(self, record) -> str:
        """``"<seconds>: <LEVEL> - <message>"`` for ``record``."""
        return "{:.3f}: {} - {}".format(record.created, record.levelname, record.msg)

    def emit(self, record) -> None:
        """Output one record (subclasses implement it)."""
        raise NotImplementedError

    def flush(self) -> None:
        """Nothing to flush in the base handler."""
        return None


class PrintHandler(Handler):
    """Writes to the serial console with ``print``."""

    def emit(self, record) -> None:
        """Print the formatted record."""
        print(self.format(record))


class Logger:
    """The fallback Logger when ``adafruit_logging`` is not installed."""

    def __init__(self, name, level: int = WARNING) -> None:
        self.name = name
        self._level = level
        self._handlers = []

    def setLevel(self, level) -> None:  # noqa: N802
        """Log only messages at ``level`` (name or number) and above."""
        self._level = level_number(level)

    def getEffectiveLevel(self) -> int:  # noqa: N802
        """The level set on this logger."""
        return self._level

    def isEnabledFor(self, level: int) -> bool:  # noqa: N802
        """True if a message at ``level`` would be logged."""
        return level >= self._level

    def addHandler(self, handler) -> None:  # noqa: N802
        """Add ``handler`` (once; adding it again does nothing)."""
        if handler not in self._handlers:
            self._handlers.append(handler)

    def removeHandler(self, handler) -> None:  # noqa: N802
        """Remove ``handler`` if it was added."""
        if handler in self._handlers:
            self._handlers.remove(handler)

    def hasHandlers(self) -> bool:  # noqa: N802
        """True if any handler is attached."""
        return bool(self._handlers)

    def log(self, level: int, msg, *args) -> None:
        """Log ``msg % args`` at ``level`` to every handler whose level allows it;
        a failing handler is ignored."""
        if level < self._level:
            return
        if args:
            try:
                msg = msg % args
            except (TypeError, ValueError):
                msg = "{} {}".format(msg, args)
        record = LogRecord(self.name, level, msg, args)
        for handler in self._handlers:
            if level >= handler.level:
                try:
                    handler.emit(record)
                except Exception:  # noqa: BLE001, S110 - logging must never crash the caller
                    pass

    def debug(self, msg, *args) -> None:
        """Log at DEBUG."""
        self.log(DEBUG, msg, *args)

    def info(self, msg, *args) -> None:
        """Log at INFO."""
        self.log(INFO, msg, *args)

    def warning(self, msg, *args) -> None:
        """Log at WARNING."""
        self.log(WARNING, msg, *args)

    def error(self, msg, *args) -> None:
        """Log at ERROR."""
        self.log(ERROR, msg, *args)

    def critical(self, msg, *args) -> None:
        """Log at CRITICAL."""
        self.log(CRITICAL, msg, *args)

    def exception(self, err, *args) -> None:
        """Log an ERROR for an exception (adafruit_logging style: pass the exception)."""
        if isinstance(err, BaseException):
            self.log(ERROR, "{}: {}".format(err.__class__.__name__, err))
        else:
            self.log(ERROR, err, *args)


_loggers = {}
_state = {"level": WARNING, "ring_handler": None, "console": None}


def _console():
    handler = _state["console"]
    if handler is None:
        # print() resolves the console at each call (an adafruit StreamHandler would hold
        # on to the sys.stderr object of the moment); adafruit loggers accept any object
        # with ``level`` and ``emit``.
        handler = PrintHandler()
        _state["console"] = handler
    return handler


def getLogger(name: str = "jotunheim"):  # noqa: N802 - logging API name
    """A Jotunheim logger (an ``adafruit_logging.Logger`` when that library is present)."""
    logger = _loggers.get(name)
    if logger is None:
        logger = _backend.getLogger(name) if _backend is not None else Logger(name)
        logger.setLevel(_state["level"])
        logger.addHandler(_console())
        ring = _state["ring_handler"]
        if ring is not None:
            logger.addHandler(ring)
        _loggers[name] = logger
    return logger


def set_level(level) -> None:
    """Set the level of every Jotunheim logger (``"DEBUG"``, ``"INFO"``, ``"WARNING"``...)."""
    number = level_number(level)
    _state["level"] = number
    for logger in _loggers.values():
        logger.setLevel(number)


def apply_settings(section: dict) -> None:
    """Apply the ``logging`` settings section (called at start and on hot reload)."""
    set_level(section.get("level", "WARNING"))
    ring = _state["ring_handler"]
    if ring is not None and "ring_size" in section:
        ring.ring.resize(section["ring_size"])


# -- the persistent error ring -----------------------------------------------------------
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
            "level": level_name(level),
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


class RingHandler(Handler):
    """A logging handler that copies ERROR and CRITICAL records into an :class:`ErrorRing`
    (works with adafruit_logging loggers too: it only needs ``level`` and ``emit``)."""

    def __init__(self, ring: ErrorRing, level: int = ERROR) -> None:
        super().__init__(level)
        self.ring = ring

    def emit(self, record) -> None:
        """Add the record to the ring."""
        self.ring.add(record.msg, record.levelno, record.name)


def enable_error_ring(ring=None, **kwargs) -> ErrorRing:
    """Attach an :class:`ErrorRing` to every Jotunheim logger (present and future).
    Without ``ring`` one is made from ``kwargs``, with ``microcontroller.nvm`` as fallback
    storage on a board."""
    if ring is None:
        if "nvm" not in kwargs:
            kwargs["nvm"] = _board_nvm()
        ring = ErrorRing(**kwargs)
    old = _state["ring_handler"]
    handler = RingHandler(ring)
    _state["ring_handler"] = handler
    for logger in _loggers.values():
        if old is not None:
            logger.removeHandler(old)
        logger.addHandler(handler)
    return ring


def error_ring():
    """The ring attached by :func:`enable_error_ring`, or None."""
    handler = _state["ring_handler"]
    return handler.ring if handler is not None else None


def _board_nvm():
    if IS_CPYTHON:
        return None
    try:
        import microcontroller  # noqa: PLC0415

        return getattr(microcontroller, "nvm", None)
    except ImportError:
        return None
