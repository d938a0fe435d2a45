# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Bandwidth: bytes sent and received per endpoint, and a budget per window.

Transports count where they already know how many bytes moved (the HTTP server once per
answered request and per closed connection, the gRPC client once per call, the OTA
fetcher once per chunk), never by wrapping every socket. Endpoint names: ``"loki"``,
``"ota"``, ``"client:<ip>"`` (clients of the device's own server), ``"stream:<id>"``.

With a budget (``resources.bandwidth_budget`` bytes per ``resources.bandwidth_window``
seconds; 0 = none), :meth:`Bandwidth.allow` defers traffic of ``USER`` and ``LOW``
priority once the window's bytes would pass the budget; ``HIGH`` and ``SYSTEM`` traffic
(tool calls and their answers, OTA confirm) is never deferred, only counted.
"""

from jotunheim.resources import HIGH

MAX_ENDPOINTS = 16  # beyond this many names, bytes are counted under "other"
SENT = 0
RECEIVED = 1
DEFERRED = 2


class Bandwidth:
    """Counts bytes per endpoint and decides whether low-priority traffic may go now.

    :param budget: bytes per window (0 = no budget: nothing is deferred)
    :param window: seconds per window
    :param clock: seconds, monotonic

    Example::

        if bandwidth.allow("loki", 600, LOW):
            send_announcement()
        bandwidth.count("loki", sent=600, received=40)
    """

    def __init__(self, budget: int = 0, window: float = 60.0, clock=None) -> None:
        if clock is None:
            from jotunheim.compat import monotonic as clock
        self.clock = clock
        self.budget = budget
        self.window = window
        self.endpoints = {}  # name -> [sent, received, deferred]
        self.window_start = clock()
        self.window_bytes = 0
        self.last_window_bytes = 0
        self.deferred = 0

    def roll(self) -> None:
        """Start a new window once the current one is over."""
        now = self.clock()
        if now - self.window_start >= self.window:
            self.last_window_bytes = self.window_bytes
            self.window_bytes = 0
            self.window_start = now

    def count(self, endpoint: str, sent: int = 0, received: int = 0) -> list:
        """Add bytes that moved to and from ``endpoint``; returns its
        ``[sent, received, deferred]`` entry (``"other"``'s beyond MAX_ENDPOINTS names)."""
        endpoints = self.endpoints
        entry = endpoints.get(endpoint)
        if entry is None:
            if len(endpoints) >= MAX_ENDPOINTS:
                endpoint = "other"
                entry = endpoints.get(endpoint)
            if entry is None:
                entry = endpoints[endpoint] = [0, 0, 0]
        entry[SENT] += sent
        entry[RECEIVED] += received
        self.roll()
        self.window_bytes += sent + received
        return entry

    def allow(self, endpoint: str, nbytes: int, priority: int) -> bool:
        """False when a transfer of ``nbytes`` at ``priority`` should wait for the next
        window (counted as deferred); always True for ``HIGH`` and ``SYSTEM``."""
        if not self.budget or priority <= HIGH:
            return True
        self.roll()
        if self.window_bytes + nbytes <= self.budget:
            return True
        self.deferred += 1
        self.count(endpoint)[DEFERRED] += 1
        return False
