# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Minimal leveled logging to the serial console, plus a persistent ring of recent errors.

``getLogger(name)`` returns an ``adafruit_logging`` Logger when that library is installed
(so Jotunheim's messages share its handlers and formatting) and otherwise a small Logger
with the same API: ``debug/info/warning/error/critical/exception``, ``setLevel``,
``addHandler``. WARNING is the default level; :func:`jotunheim.logconfig.set_level`
(``"DEBUG"``) switches every Jotunheim logger at once (hot-reloaded from the ``logging``
settings section: :func:`jotunheim.logconfig.apply_settings`).

A Jotunheim logger prints its lines itself (``<seconds>: <LEVEL> - <message>``): its
console "handler" is the built-in ``print``, so a device that only prints never loads
:mod:`jotunheim.loghandler` (``Handler``, ``LogRecord``), which loads with the first
record handed to a handler of your own or with ``adafruit_logging``.

:func:`jotunheim.logconfig.enable_error_ring` keeps the errors of every Jotunheim logger
in a :class:`jotunheim.errorring.ErrorRing` (the last N errors, kept on flash or in
``microcontroller.nvm`` across reboots); that module loads, and the ring is made, only with
the first error logged or when :func:`error_ring` is read (the status does).
"""

from jotunheim.compat import monotonic, run_and_forget

CRITICAL = 50
ERROR = 40
WARNING = 30
INFO = 20
DEBUG = 10
NOTSET = 0

NAMES = ("NOTSET", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")  # the level // 10
# Making loggers, levels by name, the settings: run when needed, then forgotten.
CONFIG = "jotunheim.logconfig"

try:
    import adafruit_logging
except ImportError:
    adafruit_logging = None


class Logger:
    """The fallback Logger when ``adafruit_logging`` is not installed: ``debug``,
    ``info``, ``warning``, ``error``, ``critical`` log ``msg % args`` at their level to
    its handlers (objects with ``level`` and ``emit(record)``, see
    :class:`jotunheim.loghandler.Handler`; ``print`` stands for the serial console) and
    ERROR and above to the error ring (:func:`jotunheim.logconfig.enable_error_ring`)."""

    def __init__(self, name, level: int = WARNING) -> None:
        self.name = name
        self.level = level
        self.handlers = []

    def setLevel(self, level) -> None:  # noqa: N802 - logging API name
        """Log only messages at ``level`` (name or number) and above."""
        if not isinstance(level, int):  # a name: looked up where levels are configured
            level = run_and_forget(CONFIG, "level_number", level)
        self.level = level

    def getEffectiveLevel(self) -> int:  # noqa: N802
        """The level set on this logger."""
        return self.level

    def isEnabledFor(self, level: int) -> bool:  # noqa: N802
        """True if a message at ``level`` would be logged."""
        return level >= self.level

    def addHandler(self, handler) -> None:  # noqa: N802
        """Add ``handler`` (once; adding it again does nothing)."""
        if handler not in self.handlers:
            self.handlers.append(handler)

    def removeHandler(self, handler) -> None:  # noqa: N802
        """Remove ``handler`` if it was added."""
        if handler in self.handlers:
            self.handlers.remove(handler)

    def hasHandlers(self) -> bool:  # noqa: N802
        """True if any handler is attached."""
        return bool(self.handlers)

    def log(self, level: int, msg, *args) -> None:
        """Log ``msg % args`` at ``level`` to every handler whose level allows it;
        a failing handler is ignored."""
        if level < self.level:
            return
        if args:
            try:
                msg = msg % args
            except (TypeError, ValueError):
                msg = "%s %s" % (msg, args)
        record = None
        for handler in self.handlers:
            if handler is print:  # the console: one line, no record made
                name = NAMES[level // 10] if level in (10, 20, 30, 40, 50) else "LEVEL%d" % level
                print("%.3f: %s - %s" % (monotonic(), name, msg))
            elif level >= handler.level:
                try:
                    if record is None:
                        from jotunheim.loghandler import LogRecord

                        record = LogRecord(self.name, level, msg, args)
                    handler.emit(record)
                except Exception:  # noqa: BLE001, S110 - logging must never crash the caller
                    pass
        if level >= ERROR and state[1] is not None:  # the error ring, once enabled
            try:
                error_ring().add(msg, level, self.name)
            except Exception:  # noqa: BLE001, S110
                pass

    # Five plain methods: on MicroPython they take less heap than five closures of one.
    def debug(self, msg, *args) -> None:
        """Log ``msg % args`` at DEBUG."""
        self.log(DEBUG, msg, *args)

    def info(self, msg, *args) -> None:
        """Log ``msg % args`` at INFO."""
        self.log(INFO, msg, *args)

    def warning(self, msg, *args) -> None:
        """Log ``msg % args`` at WARNING."""
        self.log(WARNING, msg, *args)

    def error(self, msg, *args) -> None:
        """Log ``msg % args`` at ERROR."""
        self.log(ERROR, msg, *args)

    def critical(self, msg, *args) -> None:
        """Log ``msg % args`` at CRITICAL."""
        self.log(CRITICAL, msg, *args)

    def exception(self, msg, *args) -> None:
        """Log an ERROR for an exception (adafruit_logging style: pass the exception)."""
        if isinstance(msg, BaseException):
            self.log(ERROR, "%s: %s" % (type(msg).__name__, msg))
        else:
            self.log(ERROR, msg, *args)


# Kept for the whole run (jotunheim.logconfig changes them): every Jotunheim logger by
# name, and [their level, the error ring (an ErrorRing, or the keyword arguments to make
# it with on first use) or None].
loggers = {}
state = [WARNING, None]


def getLogger(name: str = "jotunheim"):  # noqa: N802 - logging API name
    """A Jotunheim logger (an ``adafruit_logging.Logger`` when that library is present)."""
    logger = loggers.get(name)
    if logger is None:  # made where loggers are configured
        logger = run_and_forget(CONFIG, "make_logger", name)
    return logger


def error_ring(load=True):
    """The ring of :func:`jotunheim.logconfig.enable_error_ring`, or None. A ring not
    made yet is made now (holding what earlier boots stored), or with ``load=False``
    None is answered."""
    ring = state[1]
    if isinstance(ring, dict):
        if not load:
            return None
        from jotunheim.errorring import board_ring

        ring = state[1] = board_ring(**ring)
    return ring
