# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Resilience for flaky networks and servers that go away.

Modules (import the one you need; this package imports nothing on its own, to keep
RAM free on small boards):

- ``jotunheim.resilience.backoff``: :class:`Backoff`, exponential delays with a cap and jitter.
- ``jotunheim.resilience.retry``: :class:`RetryManager`, attempt budget + deadline-aware retries.
- ``jotunheim.resilience.errors``: :class:`ErrorHandler`, sorts exceptions into
  network / protocol / resource / auth / bug and says whether a retry makes sense.
- ``jotunheim.resilience.breaker``: :class:`CircuitBreaker` so a dead server is not hammered.
- ``jotunheim.resilience.manager``: :class:`ConnectionResilienceManager`, all of the above
  per endpoint.
"""

# (The bundle's __repo__ is read from jotunheim/__init__.py alone.)
