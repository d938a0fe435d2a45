# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""jotunheim.net.session paths the device-side tests do not reach on CPython: no
adafruit_connection_manager (trimmed bundles, the MicroPython interpreter), a board's
``wifi``/``socketpool``, sockets that refuse options, abandoned responses, oversized bodies.

Real sockets and a real HTTP server on 127.0.0.1; the CircuitPython-only modules are the
MicroPython suite's fakes (tests/micropython/fakes).
"""

import importlib.util
import os
import socket
import ssl
import sys
import threading

import pytest

from jotunheim.net import session as net_session

FAKES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "micropython", "fakes")


def load_fake(monkeypatch, name):
    """A fresh copy of the fake ``name`` module, installed in sys.modules for this test."""
    spec = importlib.util.spec_from_file_location(name, os.path.join(FAKES, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def fresh_cache():
    net_session.reset_cache()
    yield
    net_session.reset_cache()


@pytest.fixture
def no_connection_manager(monkeypatch):
    """As on a bundle without adafruit_connection_manager: importing it fails."""
    monkeypatch.setitem(sys.modules, "adafruit_connection_manager", None)


class HttpServer:
    """Answers every request on 127.0.0.1 with ``body`` (Content-Length), keep-alive."""

    def __init__(self, body):
        self.body = body
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.sock.settimeout(5)
        self.url = "http://127.0.0.1:%d/x" % self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(self.body)
            conn.sendall(head + self.body)
            try:
                conn.recv(1)  # until the client closes (or resets: abandon() may)
            except OSError:
                pass

    def close(self):
        self.sock.close()
        self.thread.join(5)


def test_without_connection_manager_the_host_gets_the_socket_module(no_connection_manager):
    radio = net_session.get_radio()
    assert radio.is_host_radio and radio.__class__.__name__ == "_HostRadioMarker"
    assert net_session.get_pool() is socket
    assert net_session.get_pool(radio) is socket  # cached per radio
    ctx = net_session.get_ssl_context()
    assert isinstance(ctx, ssl.SSLContext) and net_session.get_ssl_context() is ctx
    assert net_session.open_socket_count() == 0
    assert net_session.close_all() == 0


def test_without_connection_manager_a_board_radio_gets_socketpool(
    no_connection_manager, monkeypatch
):
    wifi = load_fake(monkeypatch, "wifi")
    fake_net = load_fake(monkeypatch, "fake_net")
    socketpool = load_fake(monkeypatch, "socketpool")
    assert net_session.get_radio() is wifi.radio
    pool = net_session.get_pool()
    assert isinstance(pool, socketpool.SocketPool)
    assert net_session.get_pool(wifi.radio) is pool
    # this pool offers TCP_NODELAY (as some ports do): the wrapper sets it on new sockets
    # (recorded here: the fake socket keeps no options, as a board's allocates nothing)
    options = []
    monkeypatch.setattr(
        fake_net.FakeSocket, "setsockopt", lambda sock, *option: options.append(option)
    )
    sock = net_session.nodelay_pool(pool).socket()
    assert options == [(pool.IPPROTO_TCP, pool.TCP_NODELAY, 1)]
    sock.close()


def test_connection_manager_sees_a_board_radio(monkeypatch):
    wifi = load_fake(monkeypatch, "wifi")
    load_fake(monkeypatch, "fake_net")
    socketpool = load_fake(monkeypatch, "socketpool")
    assert net_session.get_radio() is wifi.radio
    # through adafruit_connection_manager, as on a board: socketpool.SocketPool(wifi.radio)
    pool = net_session.get_pool()
    assert isinstance(pool, socketpool.SocketPool)
    assert net_session.open_socket_count(pool) == 0


def test_set_nodelay_reports_what_happened():
    with socket.socket() as sock:
        assert net_session.set_nodelay(sock, socket) is True
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    closed = socket.socket()
    closed.close()
    assert net_session.set_nodelay(closed, socket) is False  # OSError: bad file descriptor

    class NoNodelay:
        pass

    assert net_session.set_nodelay(socket.socket(), NoNodelay()) is False


def test_nodelay_pool_defaults_and_caches():
    wrapper = net_session.nodelay_pool()
    assert isinstance(wrapper, net_session.NoDelayPool)
    assert net_session.nodelay_pool() is wrapper
    assert wrapper.AF_INET == socket.AF_INET  # everything else is the wrapped pool's
    with wrapper.socket() as sock:
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    pools = net_session.managed_pools()
    assert pools[0] is net_session.get_pool() and pools[1] is wrapper


def test_managed_pools_without_a_wrapper():
    pool = net_session.get_pool()
    assert net_session.managed_pools(pool) == [pool]


def test_session_without_nodelay_uses_the_plain_pool():
    server = HttpServer(b"plain")
    try:
        session = net_session.new_session(session_id="plain", nodelay=False)
        status, _, body = net_session.request_bytes(session, "GET", server.url, timeout=5)
        assert (status, body) == (200, b"plain")
        assert net_session.managed_pools() == [net_session.get_pool()]
    finally:
        net_session.close_all()
        server.close()


def test_body_over_the_limit_is_refused_and_the_socket_closed():
    server = HttpServer(b"x" * 100)
    try:
        session = net_session.new_session(session_id="big")
        with pytest.raises(ValueError, match="response of 100 bytes is over the 10 allowed"):
            net_session.request_bytes(session, "GET", server.url, timeout=5, max_bytes=10)
        assert net_session.open_socket_count() == 0
    finally:
        server.close()


def test_abandon_closes_sockets_the_manager_does_not_hold():
    server = HttpServer(b"abandoned")
    try:
        session = net_session.new_session(session_id="abandon")
        response = session.request("GET", server.url, timeout=5)
        held = response.socket
        other = socket.socket()
        net_session.abandon(response, other)  # not the manager's: closed directly
        assert other.fileno() == -1 and response.socket is None
        net_session.abandon(response)  # nothing left to close: no error
        assert held.fileno() != -1
        net_session.abandon(type("Bare", (), {"socket": held})())  # no session at all
        assert held.fileno() == -1
    finally:
        net_session.close_all()
        server.close()


def test_apply_timeout_without_a_connection_manager_is_a_no_op():
    class NoManager:
        pass

    net_session.apply_timeout(NoManager(), 1.0)  # nothing to set, nothing raised


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("loki.local/x", "URL needs http:// or https://"),
        ("ftp://loki.local/x", "URL needs http:// or https://"),
        ("http://loki.local:80a/x", "bad port in URL"),
        ("http:///x", "URL has no host"),
    ],
)
def test_parse_url_names_what_is_wrong(url, message):
    with pytest.raises(ValueError, match=message):
        net_session.parse_url(url)


def test_parse_url_defaults_ports_by_scheme():
    assert net_session.parse_url("https://loki.local") == ("https", "loki.local", 443, "/")
    assert net_session.parse_url("http://loki.local:8080/a?b") == (
        "http",
        "loki.local",
        8080,
        "/a?b",
    )
