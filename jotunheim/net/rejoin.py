# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""A failed WiFi join of a :class:`~jotunheim.net.wifi.WiFiManager`: why it failed, the next
network to try, and the backoff before the next attempt.

Loaded by the first join that fails: a board that joins at once never loads it, nor the
backoff (:mod:`jotunheim.resilience.backoff`).
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
