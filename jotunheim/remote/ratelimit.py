# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Per-client token buckets that keep callers from hammering actuators."""


class RateLimiter:
    """``per_minute`` calls per client and minute on average, bursts of ``burst`` (default
    min(per_minute, 10)); 0 = unlimited. Clients are keyed by address; at most
    ``max_clients`` are tracked (the least recently seen is forgotten first), so a flood
    of addresses cannot eat the heap."""

    def __init__(self, per_minute=60, burst=None, max_clients=16, clock=None):
        if clock is None:
            from jotunheim.compat import monotonic

            clock = monotonic
        self.clock = clock
        self.max_clients = max_clients
        self._buckets = {}  # key -> [tokens, last refill time]
        self.refused = 0
        self.configure(per_minute, burst)

    def configure(self, per_minute, burst=None):
        """Set the rate (0 = unlimited) and burst; forgets every client's bucket."""
        self.per_minute = int(per_minute or 0)
        if burst is None:
            burst = min(self.per_minute, 10)
        self.burst = max(1, int(burst))
        self._buckets = {}

    @property
    def enabled(self):
        """True unless the limit is 0 (unlimited)."""
        return self.per_minute > 0

    def _refill(self, bucket, now):
        rate = self.per_minute / 60.0
        tokens = bucket[0] + (now - bucket[1]) * rate
        bucket[0] = tokens if tokens < self.burst else float(self.burst)
        bucket[1] = now

    def take(self, key):
        """Spend one call for ``key``: 0 when allowed, else seconds until one is free."""
        if not self.enabled:
            return 0
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_clients:
                self._forget_oldest()
            bucket = [float(self.burst), now]
        self._buckets[key] = bucket
        self._refill(bucket, now)
        if bucket[0] >= 1.0:
            bucket[0] -= 1.0
            return 0
        self.refused += 1
        return (1.0 - bucket[0]) * 60.0 / self.per_minute

    def _forget_oldest(self):
        # MicroPython dicts are not ordered: find the least recently used by its time.
        oldest = None
        for key, bucket in self._buckets.items():
            if oldest is None or bucket[1] < self._buckets[oldest][1]:
                oldest = key
        del self._buckets[oldest]

    def clients(self):
        """How many clients are tracked."""
        return len(self._buckets)
