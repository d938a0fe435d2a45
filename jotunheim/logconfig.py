# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Configuring the Jotunheim loggers of :mod:`jotunheim.log`: making one, a level by
name, the level of every one, the ``logging`` settings section, the error ring. It runs
when the Device is made, when a logger is first asked for or given a level by name, and
on a settings hot reload, through :func:`jotunheim.compat.run_and_forget`: on a board its
code goes back to the heap in between (importing it yourself keeps it, which works too).
It defines no classes and keeps no state (``jotunheim.log.loggers`` and
``jotunheim.log.state`` hold it; see :func:`jotunheim.compat.forget`)."""

from jotunheim import log


def make_logger(name):
    """A new Jotunheim logger ``name``, kept in ``jotunheim.log.loggers`` for
    :func:`jotunheim.log.getLogger` (an ``adafruit_logging.Logger`` when that library is
    present, else a :class:`jotunheim.log.Logger`), at the level of every one."""
    if log.adafruit_logging is not None:
        # adafruit loggers take any object with ``level`` and ``emit``; print() resolves
        # the console at each call (an adafruit StreamHandler would hold on to the
        # sys.stderr object of the moment).
        from jotunheim.loghandler import PrintHandler, RingHook

        logger = log.adafruit_logging.getLogger(name)
        logger.addHandler(PrintHandler())
        logger.addHandler(RingHook(log.error_ring))
    else:
        logger = log.Logger(name)
        logger.addHandler(print)
    logger.setLevel(log.state[0])
    log.loggers[name] = logger
    return logger


def level_number(level) -> int:
    """``"INFO"`` or ``20`` -> 20 (``"WARN"`` is WARNING)."""
    if isinstance(level, int):
        return level
    name = str(level).upper()
    if name == "WARN":
        name = "WARNING"
    if name not in log.NAMES:
        raise ValueError("unknown log level %r" % (level,))
    return log.NAMES.index(name) * 10


def set_level(level) -> None:
    """Set the level of every Jotunheim logger (``"DEBUG"``, ``"INFO"``, ``"WARNING"``...)."""
    level = level_number(level)
    log.state[0] = level
    for logger in log.loggers.values():
        logger.setLevel(level)


def apply_settings(section: dict) -> None:
    """Apply the ``logging`` settings section (called at start and on hot reload)."""
    set_level(section.get("level", "WARNING"))
    ring = log.state[1]
    if ring is not None and "ring_size" in section:
        if isinstance(ring, dict):  # not made yet: made with this size
            ring["size"] = section["ring_size"]
        else:
            ring.resize(section["ring_size"])


def enable_error_ring(ring=None, **kwargs):
    """Keep the ERROR and CRITICAL records of every Jotunheim logger in an error ring:
    ``ring`` (a :class:`jotunheim.errorring.ErrorRing`), which is returned, or else one
    made from ``kwargs`` with ``microcontroller.nvm`` as fallback storage on a board
    (:func:`jotunheim.errorring.board_ring`) when the first error is logged or
    :func:`jotunheim.log.error_ring` asks for it (so an error-free device never loads
    that module)."""
    log.state[1] = kwargs if ring is None else ring
    return ring
