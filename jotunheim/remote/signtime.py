# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The rare moments of a :class:`~jotunheim.remote.signing.SignatureCheck`'s time, loaded
when one comes: a board whose clock was never set takes the time of the first valid
signed request, and the nonce ring's base moves on every ~3 days so its offsets stay
small ints."""


def take_time(check, ts):
    """The first valid signature on a board without a clock source proves the caller holds
    the key, so its time ``ts`` (Unix ms) becomes the device's (docs/security.md says what
    this does not cover); returns it."""
    check.offset = ts - int(check.clock() * 1000)
    if check.logger is not None:
        check.logger.warning("clock was not set: took the time of a signed request")
    return ts


def rebase(check, now):
    """Move ``check``'s ring base to ``now`` less its window (``now`` in Unix ms): every
    remembered time, and the floor, stay the same instants."""
    ring = check.ring
    delta = now - check.window - check.base
    check.base += delta
    check.floor = max(-1, check.floor - delta)
    for i in range(1, len(ring), 2):
        ring[i] = max(0, ring[i] - delta)
