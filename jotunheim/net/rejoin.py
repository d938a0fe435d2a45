# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""A failed WiFi join or a lost link of a :class:`~jotunheim.net.wifi.WiFiManager`: why it
failed, the next network to try, and the backoff before the next attempt.

Loaded by the first join that fails or the first link lost: a board that joins at once and
stays joined never loads it, nor the backoff (:mod:`jotunheim.resilience.backoff`).
"""


def failed(manager, name, error) -> None:
    """The join of network ``name`` failed with ``error`` (``name`` None: there was no
    network to try): note why in ``manager.last_error``, move on to the next network and set
    ``manager.next_attempt_at`` after a backoff."""
    if name is None:
        manager.last_error = "no WiFi credentials: set CIRCUITPY_WIFI_SSID in settings.toml"
    else:
        manager.failures += 1
        manager.last_error = "{}: {}".format(name, error)
        manager.index += 1  # next time, the next network
        if manager.logger is not None:
            manager.logger.warning("wifi connect failed: " + manager.last_error)
    if manager.backoff is None:
        from jotunheim.resilience import backoff  # noqa: PLC0415

        first, longest = manager.delays
        manager.backoff = backoff.Backoff(first, longest, min_delay=0.5)
    manager.next_attempt_at = manager.clock() + manager.backoff.next()


def lost(manager, why: str) -> None:
    """``manager``'s link is gone (``why``): close its sockets, and rejoin at the next
    poll (the first reconnect is not backed off)."""
    manager.last_error = why
    manager.failures += 1
    manager.probe_failures = 0  # counted afresh on the next link
    manager.teardown_sockets()
    manager.ssid = None
    manager.set_status("disconnected")
    manager.next_attempt_at = manager.clock()
    if manager.logger is not None:
        manager.logger.warning("wifi " + why)
