# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Unit tests of jotunheim.resilience: backoff, retry, error categories, breaker, manager."""

import errno
import socket
import ssl

import pytest

from jotunheim.resilience import errors
from jotunheim.resilience.backoff import Backoff
from jotunheim.resilience.breaker import CLOSED, HALF_OPEN, OPEN, CircuitBreaker, CircuitOpenError
from jotunheim.resilience.errors import ErrorHandler
from jotunheim.resilience.manager import ConnectionResilienceManager
from jotunheim.resilience.retry import RetryManager


class Clock:
    """A clock that moves only when told (or when something sleeps on it)."""

    def __init__(self):
        self.now = 1000.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def seq_rand(values):
    it = iter(values)
    return lambda: next(it)


# -- backoff ---------------------------------------------------------------------------
def test_backoff_grows_exponentially_and_caps():
    b = Backoff(base=0.5, cap=4.0, jitter="none")
    assert [b.next() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    b.reset()
    assert b.next() == 0.5


def test_backoff_full_jitter_uses_injected_random():
    b = Backoff(base=1.0, cap=8.0, rand=seq_rand([0.5, 0.25, 0.0, 0.999]))
    assert b.next() == 0.5  # 1 * 0.5
    assert b.next() == 0.5  # 2 * 0.25
    assert b.next() == 0.0  # 4 * 0
    assert b.next() == pytest.approx(8 * 0.999)


def test_backoff_equal_jitter_and_floor():
    b = Backoff(base=2.0, cap=10.0, jitter="equal", rand=lambda: 0.0)
    assert b.next() == 1.0
    b = Backoff(base=2.0, cap=10.0, min_delay=0.3, rand=lambda: 0.0)
    assert b.next() == 0.3


def test_backoff_huge_attempt_does_not_overflow():
    assert Backoff(base=1, cap=60, jitter="none").ceiling(10_000) == 60


def test_backoff_rejects_bad_arguments():
    with pytest.raises(ValueError):
        Backoff(factor=0.5)
    with pytest.raises(ValueError):
        Backoff(jitter="sometimes")


# -- retry -----------------------------------------------------------------------------
def test_retry_succeeds_after_failures_with_recorded_delays():
    clock = Clock()
    calls = []

    def flaky():
        calls.append(clock.now)
        if len(calls) < 3:
            raise ConnectionResetError(errno.ECONNRESET, "reset")
        return "ok"

    rm = RetryManager(attempts=5, base_delay=0.1, max_delay=2, jitter=False, sleep=clock.sleep,
                      clock=clock)  # fmt: skip
    assert rm.run(flaky) == "ok"
    assert len(calls) == 3
    # ECONNRESET suggests at least 0.2 s; backoff 0.1, 0.2 → floors to 0.2, 0.2
    assert rm.delays == [0.2, 0.2]
    assert clock.slept == rm.delays


def test_retry_counts_an_attempt_the_caller_made_as_the_first():
    clock = Clock()
    calls = []

    def flaky():
        calls.append(clock.now)
        if len(calls) < 2:
            raise ConnectionResetError(errno.ECONNRESET, "reset")
        return "ok"

    first = ConnectionResetError(errno.ECONNRESET, "reset")
    rm = RetryManager(attempts=3, base_delay=0.1, max_delay=2, jitter=False, sleep=clock.sleep,
                      clock=clock)  # fmt: skip
    # the given failure is attempt 1: a pause, then fn twice (the second works)
    assert rm.run(flaky, failed=first) == "ok"
    assert len(calls) == 2 and rm.delays == [0.2, 0.2]
    # with one attempt in all, the given failure is re-raised without a call
    with pytest.raises(ConnectionResetError):
        RetryManager(attempts=1, sleep=clock.sleep, clock=clock).run(flaky, failed=first)
    assert len(calls) == 2


def test_retry_budget_exhausted_raises_last_error():
    clock = Clock()
    n = [0]

    def always():
        n[0] += 1
        raise TimeoutError("timed out %d" % n[0])

    rm = RetryManager(
        attempts=3, base_delay=0.1, max_delay=2, sleep=clock.sleep, clock=clock, rand=lambda: 1.0
    )
    with pytest.raises(TimeoutError, match="timed out 3"):
        rm.run(always)
    assert n[0] == 3
    assert len(rm.delays) == 2


def test_retry_never_retries_non_retryable():
    clock = Clock()
    n = [0]

    def bug():
        n[0] += 1
        raise TypeError("wrong")

    rm = RetryManager(attempts=5, sleep=clock.sleep, clock=clock)
    with pytest.raises(TypeError):
        rm.run(bug)
    assert n[0] == 1 and rm.delays == []


def test_retry_if_overrides_the_error_handler():
    clock = Clock()
    n = [0]

    def fails():
        n[0] += 1
        raise ValueError("protocol-ish")

    rm = RetryManager(attempts=4, base_delay=0.1, sleep=clock.sleep, clock=clock)
    with pytest.raises(ValueError):
        rm.run(fails, retry_if=lambda exc: isinstance(exc, ValueError))
    assert n[0] == 4


def test_retry_never_sleeps_past_the_deadline():
    clock = Clock()
    starts = []

    def slow_fail():
        starts.append(clock.now)
        clock.now += 0.4  # each attempt takes 0.4 s
        raise ConnectionRefusedError(errno.ECONNREFUSED, "refused")

    rm = RetryManager(attempts=100, base_delay=0.5, max_delay=0.5, jitter=False, deadline=2.0,
                      sleep=clock.sleep, clock=clock)  # fmt: skip
    begin = clock.now
    with pytest.raises(ConnectionRefusedError):
        rm.run(slow_fail)
    # attempts start at 0, 0.9, 1.8 (0.4 s work + 0.5 s pause); after the third, at 2.2,
    # a pause would end past the deadline, so the error is raised without sleeping
    assert [round(s - begin, 6) for s in starts] == [0, 0.9, 1.8]
    assert rm.delays == [0.5, 0.5]


def test_retry_absolute_deadline_and_on_retry_callback():
    clock = Clock()
    seen = []

    def fail():
        raise OSError(errno.ETIMEDOUT, "t")

    rm = RetryManager(attempts=10, base_delay=1, max_delay=1, jitter=False, sleep=clock.sleep,
                      clock=clock)  # fmt: skip
    with pytest.raises(OSError):
        rm.run(fail, deadline_at=clock.now + 2.5, on_retry=lambda a, e, d: seen.append((a, d)))
    assert seen == [(1, 1), (2, 1)]


def test_retry_from_settings():
    rm = RetryManager.from_settings({"retries": 4, "base_delay": 0.3, "max_delay": 9})
    assert (rm.attempts, rm.base_delay, rm.max_delay) == (5, 0.3, 9)


# -- error categories ------------------------------------------------------------------
class FakeGrpcError(Exception):
    def __init__(self, code, message=""):
        super().__init__(message)
        self.code = code
        self.message = message


@pytest.mark.parametrize(
    ("code", "category", "retry"),
    [
        (1, "network", False),
        (2, "protocol", False),
        (3, "protocol", False),
        (4, "network", True),
        (5, "protocol", False),
        (6, "protocol", False),
        (7, "auth", False),
        (8, "resource", True),
        (9, "protocol", False),
        (10, "protocol", True),
        (11, "protocol", False),
        (12, "protocol", False),
        (13, "protocol", False),
        (14, "network", True),
        (15, "protocol", False),
        (16, "auth", False),
    ],
)
def test_grpc_status_categories(code, category, retry):
    info = ErrorHandler().classify(FakeGrpcError(code, "x"))
    assert (info.category, info.retryable, info.code) == (category, retry, code)


@pytest.mark.parametrize(
    ("exc", "category", "retry"),
    [
        (ConnectionRefusedError(errno.ECONNREFUSED, "refused"), "network", True),
        (ConnectionResetError(errno.ECONNRESET, "reset"), "network", True),
        (OSError(errno.ETIMEDOUT, "t"), "network", True),
        (OSError(errno.EHOSTUNREACH, "h"), "network", True),
        (OSError(errno.ENOMEM, "m"), "resource", True),
        (OSError(errno.ENOBUFS, "b"), "resource", True),
        (OSError(116), "network", True),  # CircuitPython ESP32 "[Errno 116] ETIMEDOUT"
        (OSError(118), "network", True),  # newlib EHOSTUNREACH
        (OSError(128), "network", True),  # newlib ENOTCONN
        (OSError(-2), "network", True),  # getaddrinfo on CircuitPython
        (socket.gaierror(-3, "Temporary failure in name resolution"), "network", True),
        (OSError(-0x2700), "auth", False),  # mbedTLS cert verify failed
        (OSError(-0x7F00), "resource", True),  # mbedTLS alloc failed
        (OSError("Failed SSL handshake"), "network", True),
        (RuntimeError("Out of sockets"), "resource", True),
        (MemoryError(), "resource", True),
        (TimeoutError("timed out"), "network", True),
        (socket.timeout("timed out"), "network", True),
        (ssl.SSLCertVerificationError(1, "certificate verify failed"), "auth", False),
        (ssl.SSLEOFError(8, "EOF occurred"), "network", True),
        (OSError(errno.EINVAL, "bad"), "bug", False),
        (ValueError("bad frame"), "protocol", False),
        (TypeError("x"), "bug", False),
        (AttributeError("x"), "bug", False),
        (KeyError("x"), "bug", False),
        (CircuitOpenError("loki", 3.0), "network", False),
        (Exception("mystery"), "bug", False),
    ],
)
def test_exception_categories(exc, category, retry):
    info = ErrorHandler().classify(exc)
    assert (info.category, info.retryable) == (category, retry), info


def test_suggested_delays_and_counts():
    h = ErrorHandler()
    assert h.suggest_delay(MemoryError()) >= 1.0
    assert h.suggest_delay(FakeGrpcError(8)) >= 2.0
    assert h.suggest_delay(CircuitOpenError("x", 7.5)) == 7.5
    assert h.is_retryable(FakeGrpcError(14)) and not h.is_retryable(FakeGrpcError(16))
    h.handle(MemoryError())
    h.handle(FakeGrpcError(16))
    h.handle(OSError(errno.ECONNRESET, "r"))
    assert h.counts == {"network": 1, "protocol": 0, "resource": 1, "auth": 1, "bug": 0}


def test_http_status_classification():
    h = ErrorHandler()
    assert h.classify_http(401).category == "auth"
    assert h.classify_http(429).retryable
    assert h.classify_http(503).category == "network"
    assert not h.classify_http(404).retryable
    assert h.classify_status(0).category == "bug"


def test_errno_tables_cover_both_numberings():
    assert errors._numbers(2)["ETIMEDOUT"] == 110 and errors._numbers(3)["ETIMEDOUT"] == 116
    h = ErrorHandler()
    assert h.classify_errno(110).category == "network"
    assert h.classify_errno(9999, "mystery").retryable  # unknown errno: assume a network blip


# -- breaker ---------------------------------------------------------------------------
def test_breaker_opens_half_opens_and_closes():
    clock = Clock()
    br = CircuitBreaker(threshold=3, cooldown=10, clock=clock)
    for _ in range(2):
        br.record_failure()
    assert br.state == CLOSED and br.allow()
    br.record_failure()
    assert br.state == OPEN and not br.allow()
    assert br.retry_after() == 10
    clock.now += 9.9
    with pytest.raises(CircuitOpenError) as info:
        br.check()
    assert info.value.retry_after == pytest.approx(0.1)
    clock.now += 0.1
    assert br.state == HALF_OPEN
    assert br.allow()  # one trial
    assert not br.allow()  # not two at once
    br.record_failure()  # trial failed → open again, fresh cool-down
    assert br.state == OPEN and br.times_opened == 2
    clock.now += 10
    assert br.call(lambda: 42) == 42
    assert br.state == CLOSED and br.failures == 0


def test_breaker_call_records_failures():
    br = CircuitBreaker(threshold=2, cooldown=5, clock=Clock())

    def boom():
        raise OSError(errno.ECONNREFUSED, "no")

    for _ in range(2):
        with pytest.raises(OSError):
            br.call(boom)
    with pytest.raises(CircuitOpenError):
        br.call(boom)


# -- manager ---------------------------------------------------------------------------
def test_manager_per_endpoint_backoff_and_breaker():
    clock = Clock()
    m = ConnectionResilienceManager(base_delay=1, max_delay=8, breaker_threshold=4,
                                    breaker_cooldown=30, jitter=False, clock=clock,
                                    sleep=clock.sleep)  # fmt: skip

    def refused():
        raise ConnectionRefusedError(errno.ECONNREFUSED, "refused")

    with pytest.raises(ConnectionRefusedError):
        m.call("loki", refused)
    assert m.wait_time("loki") == 1.0
    assert m.ready("ota")  # other endpoints unaffected
    with pytest.raises(CircuitOpenError):
        m.call("loki", refused)  # still backing off, non-blocking
    with pytest.raises(ConnectionRefusedError):
        m.call("loki", refused, wait=True)  # sleeps 1 s, then fails again
    assert clock.slept == [1.0]
    assert m.endpoint("loki").last_delay == 2.0
    for _ in range(2):
        with pytest.raises(ConnectionRefusedError):
            m.call("loki", refused, wait=True)
    assert m.endpoint("loki").breaker.state == OPEN
    with pytest.raises(CircuitOpenError):
        m.call("loki", refused, wait=True)  # an open breaker is never waited for
    clock.now += 30
    assert m.call("loki", lambda: "back") == "back"
    st = m.endpoint("loki")
    assert (st.successes, st.failures, st.consecutive_failures) == (1, 4, 0)
    assert m.ready("loki")
    assert m.stats()[0]["last_category"] == "network"


def test_manager_configure_hot_reload_and_eviction():
    m = ConnectionResilienceManager(max_endpoints=2, clock=Clock())
    m.endpoint("a")
    m.endpoint("b")
    m.endpoint("c")
    assert [s["endpoint"] for s in m.stats()] == ["b", "c"]
    st = m.endpoint("b")
    m.record_failure("b")  # its breaker is made now: one made before the reload follows it too
    m.record_success("b")
    m.configure({"base_delay": 3, "max_delay": 5, "breaker_threshold": 9, "breaker_cooldown": 7,
                 "jitter": False})  # fmt: skip
    assert (st.breaker.threshold, st.breaker.cooldown) == (9, 7)
    assert m.endpoint("c").breaker is None  # never failed: no breaker yet
    m.record_failure("c")
    m.record_success("c")
    assert (m.endpoint("c").breaker.threshold, m.endpoint("c").breaker.cooldown) == (9, 7)
    # the backoff of an endpoint known before the reload: 3 s, then doubling, capped at 5 s
    m.record_failure("b")
    assert m.wait_time("b") == 3
    m.record_failure("b")
    assert st.recent_delays[-2:] == [3, 5]
    m2 = ConnectionResilienceManager.from_settings(
        {"base_delay": 0.2, "max_delay": 1.0, "jitter": False}, clock=Clock()
    )
    m2.record_failure("x")
    assert m2.endpoint("x").last_delay == 0.2


def test_manager_resource_errors_wait_at_least_the_suggested_delay():
    clock = Clock()
    m = ConnectionResilienceManager(base_delay=0.01, max_delay=10, jitter=False, clock=clock)
    m.record_failure("x", MemoryError())
    assert m.wait_time("x") == 1.0
