# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Handlers for :mod:`jotunheim.log` loggers: the record a handler is given, a handler
base class and the error ring's handler for adafruit_logging loggers (loaded with the first record handed to a handler, or with adafruit_logging;
a leaf: jotunheim.log imports it there)."""

from jotunheim.compat import monotonic

# jotunheim.log's level names, by level // 10 (a leaf, so not imported from there).
NAMES = ("NOTSET", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class LogRecord:
    """Same fields as adafruit_logging's LogRecord; ``levelname`` is ``"LEVEL<n>"`` for a
    number without a name."""

    def __init__(self, name, levelno, msg, args) -> None:
        self.name = name
        self.levelno = levelno
        self.levelname = (
            NAMES[levelno // 10] if levelno in (10, 20, 30, 40, 50) else "LEVEL%d" % levelno
        )
        self.msg = msg
        self.created = monotonic()
        self.args = args


class Handler:
    """A handler that writes to the serial console with ``print`` (adafruit_logging's
    ``level``, ``setLevel``, ``format``, ``emit``); subclasses override :meth:`emit` to
    send records elsewhere."""

    def __init__(self, level: int = 0) -> None:
        self.level = level

    def setLevel(self, level) -> None:  # noqa: N802 - logging API name
        """Handle only records at ``level`` (name or number) and above."""
        if not isinstance(level, int):
            name = str(level).upper()
            level = NAMES.index("WARNING" if name == "WARN" else name) * 10  # ValueError
        self.level = level

    def format(self, record) -> str:
        """``"<seconds>: <LEVEL> - <message>"`` for ``record``."""
        return "%.3f: %s - %s" % (record.created, record.levelname, record.msg)

    def emit(self, record) -> None:
        """Print the formatted record."""
        print(self.format(record))


class RingHook(Handler):
    """The handler of an ``adafruit_logging`` logger that hands its ERROR and CRITICAL
    records to the error ring ``ring()`` answers (:func:`jotunheim.log.error_ring`; None:
    no ring). The fallback Logger feeds the ring itself."""

    def __init__(self, ring) -> None:
        self.level = 40  # ERROR
        self.ring = ring

    def emit(self, record) -> None:
        """Add the record to the ring, if there is one."""
        ring = self.ring()
        if ring is not None:
            ring.add(record.msg, record.levelno, record.name)


# The console handler is the base handler itself (one class less on the board).
PrintHandler = Handler
