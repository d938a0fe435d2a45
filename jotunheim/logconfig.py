# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Configuring the Jotunheim loggers of :mod:`jotunheim.log`: the level of every one,
the ``logging`` settings section, the error ring. It runs when the Device is made and on
a settings hot reload, through :func:`jotunheim.compat.run_and_forget`: on a board its
code goes back to the heap in between (importing it yourself keeps it, which works too).
It defines no classes and keeps no state (``jotunheim.log.loggers`` and
``jotunheim.log.state`` hold it; see :func:`jotunheim.compat.forget`)."""

from jotunheim import log


def set_level(level) -> None:
    """Set the level of every Jotunheim logger (``"DEBUG"``, ``"INFO"``, ``"WARNING"``...)."""
    level = log.level_number(level)
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
