# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The gRPC-Web client's retry policy, loaded on the client's first retry (a call that
succeeds, or is not marked idempotent, never needs it)."""


class RetryPolicy:
    """The gRPC-Web client's retries (:class:`jotunheim.grpc.client.GrpcWebClient`'s
    ``retry_policy``): for UNAVAILABLE on calls marked idempotent, never for other codes.

    Waits come from :class:`jotunheim.resilience.backoff.Backoff` (exponential from
    ``initial_backoff``, capped at ``max_backoff``, "equal" jitter so every wait is at
    least half its ceiling). A retry never sleeps past the call's deadline."""

    def __init__(
        self,
        max_attempts: int = 3,
        initial_backoff: float = 0.1,
        max_backoff: float = 2.0,
        multiplier: float = 2.0,
        rand=None,
    ) -> None:
        from jotunheim.resilience.backoff import EQUAL, Backoff  # noqa: PLC0415

        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.max_attempts = max_attempts
        self.backoff = Backoff(
            initial_backoff, max_backoff, factor=multiplier, jitter=EQUAL, rand=rand
        )

    def delay(self, attempt: int):
        """Seconds to wait after failed attempt number ``attempt`` (1-based); None when it
        was the last of ``max_attempts``."""
        if attempt >= self.max_attempts:
            return None
        return self.backoff.delay(attempt - 1)
