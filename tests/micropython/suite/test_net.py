# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""jotunheim.net under MicroPython with the fake ``wifi`` and ``socketpool``: WiFi drops and
comes back with backoff, dead-link probe, TCPClient over the fake pool, the session helper
picking the board's pool, socket teardown on reconnect."""

import errno

import fake_net
import wifi


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def _manager(**kw):
    from jotunheim.net.wifi import WiFiManager
    from jotunheim.resilience.backoff import Backoff

    return WiFiManager(
        wifi.radio,
        [("edda", "pw")],
        clock=kw.pop("clock"),
        backoff=Backoff(base=1.0, cap=8.0, jitter="none"),
        **kw,
    )


def test_session_helper_picks_the_board_pool():
    from jotunheim.net import session

    session.reset_cache()
    assert session.get_radio() is wifi.radio
    pool = session.get_pool()
    assert pool.__class__.__name__ == "SocketPool"
    assert session.get_pool() is pool
    assert session.nodelay_pool(pool).TCP_NODELAY == pool.TCP_NODELAY
    s = pool.socket(pool.AF_INET, pool.SOCK_STREAM)
    assert session.set_nodelay(s, pool)
    s.close()
    assert session.parse_url("https://loki.local/x") == ("https", "loki.local", 443, "/x")


def test_wifi_drops_and_comes_back():
    from jotunheim.net.report import network_status
    from jotunheim.net.wifi import CONNECTED, DISCONNECTED

    wifi.radio.add_network("edda", "pw", rssi=-48)
    clock = Clock()
    mgr = _manager(clock=clock, probe_interval=0)
    seen = []
    mgr.on_change(lambda status, m: seen.append(status))
    assert mgr.ensure_connected()
    st = network_status(mgr)
    assert st["status"] == "connected" and st["rssi"] == -48 and st["ip"].startswith("192.168.4.")
    # the access point disappears and refuses to come back for a while
    wifi.radio.drop()
    wifi.radio.fail_next_connects(3)
    assert mgr.poll() == DISCONNECTED
    delays = []
    for _ in range(3):
        delays.append(mgr.next_attempt_at - clock.now)
        clock.now = mgr.next_attempt_at - 0.01
        calls = len(wifi.radio.connect_calls)
        mgr.poll()
        assert len(wifi.radio.connect_calls) == calls  # backing off: no attempt
        clock.now = mgr.next_attempt_at
        mgr.poll()
    assert delays == [1.0, 2.0, 4.0]
    assert mgr.status == CONNECTED and mgr.connects == 2
    assert seen[-1] == CONNECTED and DISCONNECTED in seen


def test_dead_link_probe_resets_radio_and_rejoins():
    from jotunheim.net.wifi import CONNECTED, DISCONNECTED

    wifi.radio.add_network("edda", "pw")
    clock = Clock()
    route = [True]

    def probe():
        if not route[0]:
            raise OSError(-2)  # getaddrinfo fails: no route although associated
        return True

    mgr = _manager(clock=clock, probe=probe, probe_interval=10, dead_after=2)
    assert mgr.ensure_connected()
    route[0] = False
    clock.now = 10
    assert mgr.poll() == CONNECTED
    clock.now = 12
    assert mgr.poll() == DISCONNECTED and mgr.dead_links == 1
    route[0] = True
    assert mgr.poll() == CONNECTED and mgr.connects == 2


def test_default_probe_uses_dns_and_tcp_over_the_pool():
    wifi.radio.add_network("edda", "pw")
    clock = Clock()
    fake_net.add_host("loki.local")
    fake_net.serve("loki.local", 8080, fake_net.respond(b""), fake_net.refuse())
    from jotunheim.net import deadlink

    mgr = _manager(clock=clock, probe="http://loki.local:8080", probe_interval=5)
    assert mgr.ensure_connected()
    assert deadlink.run(mgr) is True
    assert deadlink.run(mgr) is False and "probe" in mgr.last_error
    fake_net.assert_no_leaks()


def test_teardown_on_reconnect_closes_pooled_sockets():
    from jotunheim.net import session

    wifi.radio.add_network("edda", "pw")
    wifi.radio.connect("edda", "pw")
    session.reset_cache()
    fake_net.serve(
        "loki.local", 8080,
        fake_net.respond(fake_net.http_response(body=b"ok"), keep_alive=True),
    )  # fmt: skip
    s = session.new_session(session_id="keep")
    status, _, body = session.request_bytes(s, "GET", "http://loki.local:8080/")
    assert (status, body) == (200, b"ok")
    assert len(fake_net.open_sockets()) == 1  # kept alive for reuse
    clock = Clock()
    mgr = _manager(clock=clock, probe_interval=0)
    wifi.radio.drop()
    mgr.ensure_connected()  # re-joining frees whatever the old link left open
    assert mgr.sockets_closed == 1
    fake_net.assert_no_leaks()


def test_tcp_client_send_receive_and_errors():
    from jotunheim.net.session import get_pool
    from jotunheim.net.tcp import TCPClient

    wifi.radio.add_network("edda", "pw")
    wifi.radio.connect("edda", "pw")
    fake_net.serve(
        "10.0.0.5", 7000,
        fake_net.respond(b"0123456789", chunks=3),
        fake_net.refuse(),
        fake_net.hang(b"ab"),
        fake_net.reset(b"xy"),
    )  # fmt: skip
    pool = get_pool()
    with TCPClient(pool, timeout=1) as client:
        client.connect("10.0.0.5", 7000)
        assert client.send_all(b"hello" * 100) == 500
        buf = bytearray(10)
        assert client.recv_exactly(buf) == 10 and bytes(buf) == b"0123456789"
        assert client.recv_into(bytearray(4)) == 0 and not client.connected  # EOF
    assert fake_net.connections[0].sent == b"hello" * 100
    client = TCPClient(pool, timeout=1)
    try:
        client.connect("10.0.0.5", 7000)
    except OSError as exc:
        assert exc.args[0] == errno.ECONNREFUSED
    else:
        raise AssertionError("connect should be refused")
    client.connect("10.0.0.5", 7000)
    buf = bytearray(10)
    try:
        client.recv_exactly(buf)
    except OSError as exc:
        assert exc.args[0] in (errno.ETIMEDOUT, errno.EAGAIN)
    else:
        raise AssertionError("hung peer must time out")
    assert not client.connected
    client.connect("10.0.0.5", 7000)
    try:
        client.recv_exactly(bytearray(10))
    except OSError as exc:
        assert exc.args[0] == errno.ECONNRESET
    assert not client.connected
    fake_net.assert_no_leaks()


def test_many_failures_leave_no_socket_open():
    from jotunheim.net import session
    from jotunheim.resilience.manager import ConnectionResilienceManager

    wifi.radio.add_network("edda", "pw")
    wifi.radio.connect("edda", "pw")
    session.reset_cache()
    behaviours = []
    for i in range(200):
        kind = i % 4
        if kind == 0:
            behaviours.append(fake_net.refuse())
        elif kind == 1:
            behaviours.append(fake_net.reset(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nab"))
        elif kind == 2:
            behaviours.append(fake_net.hang())
        else:
            behaviours.append(fake_net.respond(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nab"))
    fake_net.serve("loki.local", 8080, *behaviours)
    manager = ConnectionResilienceManager(base_delay=0, max_delay=0, breaker_threshold=10**6,
                                          sleep=lambda s: None)  # fmt: skip
    s = session.new_session(session_id="many")
    failures = 0
    while fake_net.open_sockets() is not None and failures < 400:
        try:
            manager.call("loki", session.request_bytes, s, "GET", "http://loki.local:8080/",
                         timeout=0.1, wait=True)  # fmt: skip
        except Exception:  # noqa: BLE001
            failures += 1
        if len(fake_net.connections) >= 200:
            break
    assert failures >= 100
    session.close_all()
    fake_net.assert_no_leaks()


def test_a_device_that_only_serves_never_loads_the_connection_manager():
    import sys

    for name in ("adafruit_connection_manager", "jotunheim.net.session"):
        sys.modules.pop(name, None)
    wifi.radio.add_network("edda", "pw")
    mgr = _manager(clock=Clock(), probe_interval=0)
    assert mgr.ensure_connected()  # joining tears down nothing: nothing holds sockets
    pool = mgr.socket_pool()
    assert pool is mgr.socket_pool()
    server = pool.socket(pool.AF_INET, pool.SOCK_STREAM)
    server.bind(("0.0.0.0", 8080))
    server.listen(1)
    server.close()
    assert "adafruit_connection_manager" not in sys.modules
    assert "jotunheim.net.session" not in sys.modules
    # Once an HTTP client loaded the manager, the pool is the manager's, and a rejoin
    # closes what it holds.
    from jotunheim.net import session

    managed = session.get_pool(wifi.radio)  # loads the manager
    assert mgr.socket_pool() is managed
    wifi.radio.drop()
    mgr.ensure_connected()
    assert mgr.sockets_closed == 0
    fake_net.assert_no_leaks()
