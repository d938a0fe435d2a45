# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Per-endpoint resilience: backoff state, a circuit breaker, success/failure accounting.

One :class:`ConnectionResilienceManager` is shared by everything that talks to the network
(Loki client, negotiator, OTA fetcher, Device loop). Each endpoint (any string: a URL, a
host:port, "loki") gets its own backoff and breaker, so a dead OTA server does not slow
down calls to a healthy Loki.

Non-blocking use (a device loop)::

    if manager.ready("loki"):
        manager.call("loki", client.execute_script, "monitor")

Blocking use: ``manager.call("loki", fn, wait=True)`` sleeps out a pending backoff first
(but never waits for an open breaker: that raises ``CircuitOpenError`` at once).

Only a failure needs the backoff arithmetic, the breaker and the error tables: their
modules load on the first failure, so an endpoint that never failed costs none of them.
"""

import time

from jotunheim.compat import monotonic


class EndpointState:
    """Accounting for one endpoint: counts, last error, when the next attempt may go out,
    the last few backoff delays, and its ``breaker`` (a
    :class:`~jotunheim.resilience.breaker.CircuitBreaker`, made at the first failure: None
    while the endpoint never failed)."""

    def __init__(self, name) -> None:
        self.name = name
        self.breaker = None
        self.successes = 0
        self.failures = 0
        self.consecutive_failures = 0  # also the backoff's attempt number
        self.last_error = None
        self.last_category = None
        self.next_attempt_at = 0.0
        self.last_delay = 0.0
        self.recent_delays = []  # the last few backoff delays, newest last (bounded)

    def as_dict(self) -> dict:
        """The endpoint's figures as a dict (for status output)."""
        return {
            "endpoint": self.name,
            "state": "closed" if self.breaker is None else self.breaker.state,
            "successes": self.successes,
            "failures": self.failures,
            "consecutive_failures": self.consecutive_failures,
            "last_error": self.last_error,
            "last_category": self.last_category,
            "next_delay": self.last_delay,
            "recent_delays": list(self.recent_delays),
        }


class ConnectionResilienceManager:
    """:param float base_delay: first backoff ceiling (seconds)
    :param float max_delay: longest backoff
    :param int breaker_threshold: consecutive failures that open an endpoint's breaker
    :param float breaker_cooldown: seconds a breaker stays open
    :param bool jitter: full jitter on backoff delays
    :param int max_endpoints: endpoints tracked at most (the oldest is forgotten first)
    :param clock, sleep, rand: injectable for tests
    :param error_handler: categorises failures, held as ``errors`` (default: the shared
        one, made at the first failure)
    """

    def __init__(
        self,
        base_delay: float = 0.5,
        max_delay: float = 30.0,
        *,
        breaker_threshold: int = 5,
        breaker_cooldown: float = 30.0,
        jitter: bool = True,
        max_endpoints: int = 16,
        clock=None,
        sleep=None,
        rand=None,
        error_handler=None,
    ) -> None:
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.breaker_threshold = breaker_threshold
        self.breaker_cooldown = breaker_cooldown
        self.jitter = jitter
        self.max_endpoints = max_endpoints
        self.clock = clock or monotonic
        self.sleep = sleep or time.sleep
        self.rand = rand
        # Categorises failures; the shared one is made at the first failure (the error
        # tables are only needed once something has failed).
        self.errors = error_handler
        self._endpoints = []  # EndpointState, oldest first

    @classmethod
    def from_settings(cls, resilience: dict, **kwargs):
        """Build from the ``network.resilience`` settings section."""
        manager = cls(**kwargs)
        manager.configure(resilience)
        return manager

    def configure(self, resilience: dict) -> None:
        """Apply a (hot-reloaded) ``network.resilience`` section to every endpoint."""
        for key in ("base_delay", "max_delay", "breaker_threshold", "breaker_cooldown", "jitter"):
            setattr(self, key, resilience.get(key, getattr(self, key)))
        for state in self._endpoints:
            if state.breaker is not None:  # one made later takes the new values anyway
                state.breaker.threshold = self.breaker_threshold
                state.breaker.cooldown = self.breaker_cooldown

    def endpoint(self, name: str) -> EndpointState:
        """The state of ``name``, created on first use."""
        for state in self._endpoints:
            if state.name == name:
                return state
        if len(self._endpoints) >= self.max_endpoints:
            self._endpoints.pop(0)
        state = EndpointState(name)
        self._endpoints.append(state)
        return state

    def wait_time(self, name: str) -> float:
        """Seconds until ``name`` may be tried (backoff or open breaker)."""
        state = self.endpoint(name)
        left = state.next_attempt_at - self.clock()
        if state.breaker is not None:  # none yet: the endpoint never failed
            left = max(left, state.breaker.retry_after())
        return left if left > 0 else 0.0

    def ready(self, name: str) -> bool:
        """True when a call to ``name`` would go out now."""
        return self.wait_time(name) <= 0

    def record_success(self, name: str) -> None:
        """Count a success for ``name``: clear its backoff and close its breaker."""
        state = self.endpoint(name)
        state.successes += 1
        state.consecutive_failures = 0
        state.next_attempt_at = state.last_delay = 0.0
        if state.breaker is not None:
            state.breaker.record_success()

    def record_failure(self, name: str, exc=None):
        """Count a failure, schedule the next attempt; returns the error's ``ErrorInfo``
        (or None when no exception is given)."""
        # The failure path's modules, by module: their full names are interned only
        # when a failure loads them.
        from jotunheim.resilience import backoff, breaker, errors  # noqa: PLC0415

        state = self.endpoint(name)
        info = None
        # The backoff's attempt number is the count of failures since the last success.
        delay = backoff.Backoff(
            self.base_delay,
            self.max_delay,
            jitter=backoff.FULL if self.jitter else backoff.NONE,
            rand=self.rand,
        ).delay(state.consecutive_failures)
        if exc is not None:
            if self.errors is None:
                self.errors = errors.default_handler()
            info = self.errors.handle(exc)
            state.last_error = info.reason[:120]
            state.last_category = info.category
            if delay < info.delay:  # the error's own floor, within the longest backoff
                delay = min(info.delay, self.max_delay)
        state.failures += 1
        state.consecutive_failures += 1
        state.last_delay = delay
        state.recent_delays.append(delay)
        if len(state.recent_delays) > 8:
            state.recent_delays.pop(0)
        state.next_attempt_at = self.clock() + delay
        if state.breaker is None:
            state.breaker = breaker.CircuitBreaker(
                self.breaker_threshold, self.breaker_cooldown, clock=self.clock, name=name
            )
        state.breaker.record_failure()
        return info

    def call(self, name: str, fn, *args, wait: bool = False, **kwargs):
        """Call ``fn(*args, **kwargs)`` for endpoint ``name`` and account for the outcome.

        Raises :class:`CircuitOpenError` without calling when the breaker is open or (with
        ``wait=False``) while the endpoint is still backing off; ``wait=True`` sleeps out a
        backoff instead. ``fn``'s own exception is re-raised after being counted.
        """
        state = self.endpoint(name)
        if state.breaker is not None:  # None: the endpoint never failed, nothing to wait for
            from jotunheim.resilience import breaker  # noqa: PLC0415

            left = state.next_attempt_at - self.clock()
            if left > 0 and state.breaker.state == breaker.CLOSED:
                if not wait:
                    raise breaker.CircuitOpenError(name, left)
                self.sleep(left)
            state.breaker.check()
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:
            self.record_failure(name, exc)
            raise
        self.record_success(name)
        return result

    def stats(self) -> list:
        """Per-endpoint figures, e.g. for ``GetDeviceStatus``."""
        return [state.as_dict() for state in self._endpoints]

    def forget(self, name: str) -> None:
        """Drop everything known about endpoint ``name``."""
        for state in self._endpoints:
            if state.name == name:
                self._endpoints.remove(state)  # names are unique: there is no other
                return
