# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Exponential backoff with a cap and jitter.

"Full jitter" (a uniform draw between 0 and the exponential ceiling) spreads the retries of
many devices that lost the same server at the same moment, so they do not come back in lock
step. The random source is injectable so tests are deterministic.
"""

FULL = "full"
EQUAL = "equal"
NONE = "none"


def default_random() -> float:
    """A float in [0, 1) from whatever the interpreter offers."""
    import random  # noqa: PLC0415  (lazy: not every port has it compiled in)

    if hasattr(random, "random"):
        return random.random()
    # MicroPython without MICROPY_PY_RANDOM_EXTRA_FUNCS has only getrandbits.
    return random.getrandbits(24) / 16777216.0


class Backoff:
    """Delays ``base * factor ** attempt``, capped at ``cap``, with jitter.

    :param float base: the first ceiling, in seconds
    :param float cap: no delay is ever longer than this
    :param float factor: growth per attempt
    :param str jitter: ``"full"`` (uniform in 0..ceiling), ``"equal"`` (half fixed, half
        random) or ``"none"``
    :param float min_delay: floor for every delay (full jitter can otherwise return ~0)
    :param rand: callable returning a float in [0, 1); injectable for tests
    """

    def __init__(
        self,
        base: float = 0.5,
        cap: float = 30.0,
        *,
        factor: float = 2.0,
        jitter: str = FULL,
        min_delay: float = 0.0,
        rand=None,
    ) -> None:
        if base < 0 or cap < 0 or factor < 1:
            raise ValueError("backoff needs base >= 0, cap >= 0 and factor >= 1")
        if jitter not in (FULL, EQUAL, NONE):
            raise ValueError(f"jitter must be 'full', 'equal' or 'none', not {jitter!r}")
        self.base = base
        self.cap = cap
        self.factor = factor
        self.jitter = jitter
        self.min_delay = min_delay
        self.rand = rand or default_random
        self.attempt = 0

    def ceiling(self, attempt: int) -> float:
        """The un-jittered delay for ``attempt`` (0-based), already capped."""
        value = self.base
        # Multiply step by step so a large attempt number cannot overflow a float power.
        for _ in range(attempt):
            value *= self.factor
            if value >= self.cap:
                return self.cap
        return min(value, self.cap)

    def delay(self, attempt: int) -> float:
        """The jittered delay for ``attempt`` without changing the internal counter."""
        top = self.ceiling(attempt)
        if self.jitter == FULL:
            value = top * self.rand()
        elif self.jitter == EQUAL:
            value = top / 2 + (top / 2) * self.rand()
        else:
            value = top
        value = max(value, self.min_delay)
        return value

    def next(self) -> float:
        """The delay before the next attempt; advances the counter."""
        value = self.delay(self.attempt)
        self.attempt += 1
        return value

    def reset(self) -> None:
        """Back to the first delay (call after a success)."""
        self.attempt = 0
