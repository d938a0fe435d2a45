# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Minimal leveled logging to the serial console, plus a persistent ring of recent errors.

``getLogger(name)`` returns an ``adafruit_logging`` Logger when that library is installed
(so Jotunheim's messages share its handlers and formatting) and otherwise a small Logger
with the same API: ``debug/info/warning/error/critical/exception``, ``setLevel``,
``addHandler``. WARNING is the default level; ``set_level("DEBUG")`` switches every
Jotunheim logger at once (hot-reloaded from the ``logging`` settings section).

``enable_error_ring()`` attaches a :class:`jotunheim.errorring.ErrorRing` (the last N errors,
kept on flash or in ``microcontroller.nvm`` across reboots) to every Jotunheim logger; that
module loads only then.
"""

from jotunheim.compat import IS_CPYTHON, monotonic

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


def enable_error_ring(ring=None, **kwargs):
    """Attach a :class:`jotunheim.errorring.ErrorRing` to every Jotunheim logger (present
    and future). Without ``ring`` one is made from ``kwargs``, with ``microcontroller.nvm``
    as fallback storage on a board."""
    from jotunheim.errorring import ErrorRing, RingHandler

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
