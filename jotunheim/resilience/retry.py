# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Retries with an attempt budget, exponential backoff, jitter and a deadline.

Typical use (the gRPC-Web client, the OTA fetcher)::

    from jotunheim.resilience.retry import RetryManager

    retry = RetryManager(attempts=3, base_delay=0.1, max_delay=2, deadline=10)
    response = retry.run(lambda: session.post(url, data=body), retry_if=is_unavailable)

``run`` never sleeps past the deadline: when the next pause would end after it, the last
error is raised at once. ``delays`` holds the pauses of the last run (for tests and logs).
"""

import time

from jotunheim.compat import monotonic


class RetryManager:
    """:param int attempts: total tries (1 = no retry)
    :param float base_delay: the first backoff ceiling in seconds
    :param float max_delay: no pause is longer than this
    :param deadline: time budget in seconds for one :meth:`run` (None = unbounded)
    :param bool jitter: full jitter (True) or plain exponential delays (False)
    :param rand: random source for the jitter (callable returning [0, 1))
    :param sleep: callable(seconds); injectable for tests
    :param clock: callable returning seconds; injectable for tests
    :param error_handler: an :class:`~jotunheim.resilience.errors.ErrorHandler` used when
        ``retry_if`` is not given (retry what it calls retryable)
    """

    def __init__(
        self,
        attempts: int = 3,
        base_delay: float = 0.1,
        max_delay: float = 2.0,
        *,
        deadline=None,
        jitter: bool = True,
        rand=None,
        sleep=None,
        clock=None,
        error_handler=None,
    ) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self.attempts = attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.deadline = deadline
        self.jitter = jitter
        self.rand = rand
        self.sleep = sleep or time.sleep
        self.clock = clock or monotonic
        self.error_handler = error_handler
        self.delays = []
        self.last_error = None

    @classmethod
    def from_settings(cls, resilience: dict, **kwargs):
        """Build from the ``network.resilience`` settings section."""
        return cls(
            attempts=resilience.get("retries", 2) + 1,
            base_delay=resilience.get("base_delay", 0.1),
            max_delay=resilience.get("max_delay", 2.0),
            jitter=resilience.get("jitter", True),
            **kwargs,
        )

    def run(self, fn, *args, retry_if=None, deadline_at=None, on_retry=None, failed=None, **kwargs):
        """Call ``fn(*args, **kwargs)`` until it returns, the budget is spent, or the error
        is not worth retrying; return its result or raise its last exception.

        :param retry_if: callable(exc) -> bool; default: the error handler's opinion
        :param deadline_at: absolute deadline (``compat.monotonic()`` seconds); overrides
            the constructor's relative ``deadline``
        :param on_retry: callable(attempt, exc, delay) called before each pause
        :param failed: the exception of a first attempt the caller made already (before it
            needed a RetryManager): counted as attempt 1, so ``run`` begins with its retry
        """
        if deadline_at is None and self.deadline is not None:
            deadline_at = self.clock() + self.deadline
        self.delays = []
        self.last_error = None
        count = 0  # attempts made
        while True:
            count += 1
            try:
                if failed is not None:
                    raise failed
                return fn(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - decided below, re-raised if final
                failed = None
                self.last_error = exc
                if count >= self.attempts:
                    raise
                floor = 0.0
                if retry_if is None:
                    if self.error_handler is None:
                        from jotunheim.resilience import errors  # noqa: PLC0415

                        self.error_handler = errors.default_handler()
                    info = self.error_handler.handle(exc)
                    if not info.retryable:
                        raise
                    floor = info.delay
                elif not retry_if(exc):
                    raise
                # By module: its full name is interned only when a failure loads it.
                from jotunheim.resilience import backoff  # noqa: PLC0415

                delay = backoff.Backoff(
                    self.base_delay,
                    self.max_delay,
                    jitter=backoff.FULL if self.jitter else backoff.NONE,
                    rand=self.rand,
                ).delay(count - 1)
                delay = min(max(delay, floor), self.max_delay)
                # A pause that ends after the deadline leaves no time for an attempt.
                if deadline_at is not None and delay >= deadline_at - self.clock():
                    raise
                if on_retry is not None:
                    on_retry(count, exc, delay)
                self.delays.append(delay)
                if delay > 0:
                    self.sleep(delay)
