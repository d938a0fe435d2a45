# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Circuit breaker: stop calling a peer that keeps failing, try again after a cool-down.

States: ``closed`` (calls pass), ``open`` (calls refused until the cool-down ends),
``half-open`` (a limited number of trial calls; one success closes, one failure reopens).
The clock is injectable (a callable returning seconds) so tests need no sleeping.
"""

from jotunheim.compat import monotonic

CLOSED = "closed"
OPEN = "open"
HALF_OPEN = "half-open"


class CircuitOpenError(Exception):
    """Raised instead of calling a peer whose breaker is open.

    ``retry_after`` is the number of seconds until a call will be allowed again.
    """

    def __init__(self, name: str, retry_after: float) -> None:
        super().__init__("%s: circuit open, next try in %.1f s" % (name, retry_after))
        self.endpoint = name
        self.retry_after = retry_after


class CircuitBreaker:
    """:param int threshold: consecutive failures that open the circuit
    :param float cooldown: seconds the circuit stays open before a trial call
    :param int half_open_max: trial calls allowed at once while half-open
    :param clock: callable returning seconds (default ``compat.monotonic``)
    """

    def __init__(
        self,
        threshold: int = 5,
        cooldown: float = 30.0,
        half_open_max: int = 1,
        clock=None,
        name: str = "breaker",
    ) -> None:
        if threshold < 1:
            raise ValueError("breaker threshold must be at least 1")
        self.threshold = threshold
        self.cooldown = cooldown
        self.half_open_max = half_open_max
        self.clock = clock or monotonic
        self.name = name
        self.failures = 0  # consecutive
        self.opened_at = 0.0
        self.trials = 0  # trial calls let through while half-open
        self.times_opened = 0
        self._state = CLOSED

    @property
    def state(self) -> str:
        """The current state; an open circuit turns half-open once its cool-down is over."""
        if self._state == OPEN and self.clock() - self.opened_at >= self.cooldown:
            self._state = HALF_OPEN
            self.trials = 0
        return self._state

    def retry_after(self) -> float:
        """Seconds until a call is allowed (0 when it is allowed now)."""
        state = self.state
        if state == OPEN:
            return max(0.0, self.cooldown - (self.clock() - self.opened_at))
        if state == HALF_OPEN and self.trials >= self.half_open_max:
            return self.cooldown
        return 0.0

    def allow(self) -> bool:
        """Whether a call may go out now; in half-open, counts the trial."""
        state = self.state
        if state == HALF_OPEN and self.trials < self.half_open_max:
            self.trials += 1
            return True
        return state == CLOSED

    def check(self) -> None:
        """Raise :class:`CircuitOpenError` unless a call may go out now."""
        if not self.allow():
            raise CircuitOpenError(self.name, self.retry_after())

    def record_success(self) -> None:
        """Count a success (or reset): the breaker closes and its counts clear."""
        self.failures = 0
        self.trials = 0
        self._state = CLOSED

    reset = record_success  # close the breaker and clear its counts

    def record_failure(self) -> None:
        """Count a failure: open at the threshold, or at once when half-open."""
        self.failures += 1
        if self._state == HALF_OPEN or self.failures >= self.threshold:
            if self._state != OPEN:
                self.times_opened += 1
            self._state = OPEN
            self.opened_at = self.clock()
            self.trials = 0

    def call(self, fn, *args, **kwargs):
        """Run ``fn`` through the breaker: refused while open, outcome recorded."""
        self.check()
        try:
            result = fn(*args, **kwargs)
        except Exception:
            self.record_failure()
            raise
        self.record_success()
        return result
