# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Per-client token buckets that keep callers from hammering actuators (loaded only when
``remote.rate_limit_per_minute`` is not 0)."""


class RateLimiter:
    """``per_minute`` calls per client and minute on average, bursts of ``burst`` (default
    min(per_minute, 10)); 0 = unlimited. Clients are keyed by address; at most
    ``max_clients`` are tracked (the least recently seen is forgotten first), so a flood
    of addresses cannot eat the heap. ``refused`` counts the calls refused."""

    def __init__(self, per_minute=60, burst=None, max_clients=16, clock=None):
        if clock is None:
            from jotunheim.compat import monotonic

            clock = monotonic
        self.clock = clock
        self.max_clients = max_clients
        self.refused = 0
        self.configure(per_minute, burst)

    def configure(self, per_minute, burst=None):
        """Set the rate (0 = unlimited) and burst; forgets every client's bucket."""
        self.per_minute = int(per_minute or 0)
        if burst is None:
            burst = min(self.per_minute, 10)
        self.burst = max(1, int(burst))
        self.buckets = {}  # key -> [tokens, last refill time]

    def take(self, key):
        """Spend one call for ``key``: 0 when allowed, else seconds until one is free."""
        if self.per_minute <= 0:
            return 0
        now = self.clock()
        buckets = self.buckets
        bucket = buckets.get(key)
        if bucket is None:
            if len(buckets) >= self.max_clients:
                # MicroPython dicts are not ordered: the least recently used by its time.
                oldest = None
                for name in buckets:
                    if oldest is None or buckets[name][1] < buckets[oldest][1]:
                        oldest = name
                del buckets[oldest]
            bucket = buckets[key] = [float(self.burst), now]
        tokens = bucket[0] + (now - bucket[1]) * (self.per_minute / 60.0)
        bucket[0] = tokens if tokens < self.burst else float(self.burst)
        bucket[1] = now
        if bucket[0] >= 1.0:
            bucket[0] -= 1.0
            return 0
        self.refused += 1
        return (1.0 - bucket[0]) * 60.0 / self.per_minute

    def clients(self):
        """How many clients are tracked."""
        return len(self.buckets)

    def refusal(self, tool, context):
        """Why a call of ``tool`` is refused now (text), or None. Only tools that change
        state are limited (not sensors, ``gpio_read``, ``get_*``, ``read_*``), per client
        address (its host part)."""
        name = tool.name
        if (
            tool.kind == "sensor"
            or name == "gpio_read"
            or name[:4] == "get_"
            or name[:5] == "read_"
        ):
            return None
        address = context.client_address if context is not None else None
        if isinstance(address, (tuple, list)) and address:
            address = address[0]
        wait = self.take(str(address))
        if not wait:
            return None
        return (
            "rate limit: at most %d state-changing calls per minute per client; retry in %.1f s"
            % (self.per_minute, wait)
        )
