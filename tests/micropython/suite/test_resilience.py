# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""jotunheim.resilience under MicroPython: backoff, retry with deadline, error categories
(CircuitPython errno values and messages), breaker, per-endpoint manager over the fake
socket pool with scripted refused / reset / hung connections."""

import errno

import fake_net


class Clock:
    def __init__(self):
        self.now = 100.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_backoff_exponential_cap_and_jitter():
    from jotunheim.resilience.backoff import Backoff

    b = Backoff(base=0.5, cap=4.0, jitter="none")
    assert [b.next() for _ in range(5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    j = Backoff(base=1.0, cap=8.0, rand=lambda: 0.5)
    assert [j.next() for _ in range(4)] == [0.5, 1.0, 2.0, 4.0]
    d = Backoff()
    for _ in range(20):
        assert 0 <= d.next() <= 30.0  # the default random source works here too


def test_retry_deadline_and_budget():
    from jotunheim.resilience.retry import RetryManager

    clock = Clock()
    calls = []

    def fails():
        calls.append(clock.now)
        clock.now += 0.4
        raise OSError(errno.ECONNRESET)

    rm = RetryManager(attempts=50, base_delay=0.5, max_delay=0.5, jitter=False, deadline=2.0,
                      sleep=clock.sleep, clock=clock)  # fmt: skip
    try:
        rm.run(fails)
    except OSError as exc:
        assert exc.args[0] == errno.ECONNRESET
    else:
        raise AssertionError("no error")
    assert len(calls) == 3 and rm.delays == [0.5, 0.5]

    n = [0]

    def ok_on_third():
        n[0] += 1
        if n[0] < 3:
            raise OSError(116)  # "[Errno 116] ETIMEDOUT" on ESP32 CircuitPython
        return "done"

    rm = RetryManager(attempts=3, base_delay=0.1, sleep=clock.sleep, clock=clock)
    assert rm.run(ok_on_third) == "done" and len(rm.delays) == 2


def test_error_categories_for_circuitpython_failures():
    from jotunheim.resilience.errors import ErrorHandler

    h = ErrorHandler()

    class GrpcError(Exception):
        def __init__(self, code):
            super().__init__("x")
            self.code = code

    cases = [
        (OSError(errno.ECONNREFUSED), "network", True),
        (OSError(116), "network", True),
        (OSError(-2), "network", True),
        (OSError(errno.ENOMEM), "resource", True),
        (RuntimeError("Out of sockets"), "resource", True),
        (MemoryError(), "resource", True),
        (OSError(-0x2700), "auth", False),
        (GrpcError(14), "network", True),
        (GrpcError(16), "auth", False),
        (GrpcError(3), "protocol", False),
        (ValueError("bad frame"), "protocol", False),
        (TypeError("x"), "bug", False),
    ]
    for exc, category, retry in cases:
        info = h.classify(exc)
        assert (info.category, info.retryable) == (category, retry), (exc, info)


def test_breaker_states():
    from jotunheim.resilience.breaker import CircuitBreaker, CircuitOpenError

    clock = Clock()
    br = CircuitBreaker(threshold=2, cooldown=5, clock=clock)
    br.record_failure()
    br.record_failure()
    assert br.state == "open"
    try:
        br.check()
    except CircuitOpenError as exc:
        assert exc.retry_after == 5
    else:
        raise AssertionError("breaker let a call through")
    clock.now += 5
    assert br.state == "half-open" and br.allow() and not br.allow()
    br.record_success()
    assert br.state == "closed"


def _fetch(session, url):
    from jotunheim.net.session import request_bytes

    status, _, body = request_bytes(session, "GET", url, timeout=1)
    assert status == 200
    return body


def test_manager_recovers_over_fake_network_without_leaking():
    import wifi

    from jotunheim.net import session as net_session
    from jotunheim.resilience.manager import ConnectionResilienceManager

    wifi.radio.add_network("edda", "pw")
    wifi.radio.connect("edda", "pw")
    net_session.reset_cache()
    clock = Clock()
    manager = ConnectionResilienceManager(base_delay=0.5, max_delay=4, jitter=False,
                                          breaker_threshold=100, clock=clock,
                                          sleep=clock.sleep)  # fmt: skip
    ok = fake_net.respond(fake_net.http_response(body=b"alive"))
    fake_net.serve(
        "loki.local", 8080,
        fake_net.refuse(), fake_net.refuse(),
        fake_net.reset(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\npart"),
        fake_net.hang(), fake_net.hang(),
        ok,
    )  # fmt: skip
    session = net_session.new_session(session_id="mp")
    failures = 0
    body = None
    for _ in range(20):
        try:
            body = manager.call("loki", _fetch, session, "http://loki.local:8080/x", wait=True)
            break
        except Exception:  # noqa: BLE001
            failures += 1
    assert body == b"alive"
    state = manager.endpoint("loki")
    assert failures == state.failures and failures >= 3
    # ECONNREFUSED asks for >= 1 s, then exponential growth up to the cap
    assert state.recent_delays[0] == 1.0
    assert clock.slept, "backoff must be visible"
    net_session.close_all()
    fake_net.assert_no_leaks()
