# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""TCPClient and the session helper against real sockets on 127.0.0.1 (plain and TLS
with a custom CA)."""

import datetime
import errno
import os
import socket
import ssl
import threading

import pytest

from jotunheim.net import session as net_session
from jotunheim.net.session import (
    get_pool,
    get_ssl_context,
    new_session,
    nodelay_pool,
    parse_url,
    set_nodelay,
)
from jotunheim.net.tcp import TCPClient


def fd_count():
    return len(os.listdir("/proc/self/fd"))


class EchoServer:
    """Echoes everything; ``mode="silent"`` accepts and never answers; ``mode="close"``
    closes after ``close_after`` bytes."""

    def __init__(self, mode="echo", close_after=None):
        self.mode = mode
        self.close_after = close_after
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.stop_event = threading.Event()
        self.conns = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop_event.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.conns.append(conn)
            if self.mode == "echo":
                threading.Thread(target=self._echo, args=(conn,), daemon=True).start()
            elif self.mode == "close":
                threading.Thread(target=self._short, args=(conn,), daemon=True).start()

    def _echo(self, conn):
        try:
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                conn.sendall(data)
        except OSError:
            pass
        conn.close()

    def _short(self, conn):
        conn.sendall(b"x" * self.close_after)
        conn.close()

    def stop(self):
        self.stop_event.set()
        self.thread.join(2)
        self.sock.close()
        for c in self.conns:
            c.close()


@pytest.fixture
def echo():
    srv = EchoServer()
    yield srv
    srv.stop()


def test_send_all_and_receive_exactly(echo):
    payload = bytes(range(256)) * 1024  # 256 KB: many partial sends and receives
    with TCPClient(timeout=5) as client:
        client.connect("127.0.0.1", echo.port)
        assert client.connected
        received = bytearray(len(payload))
        result = {}

        def reader():
            result["n"] = client.recv_exactly(received)

        t = threading.Thread(target=reader)
        t.start()
        assert client.send_all(memoryview(payload)) == len(payload)
        t.join(10)
        assert result["n"] == len(payload) and bytes(received) == payload
        assert client.bytes_sent == client.bytes_received == len(payload)
    assert not client.connected


def test_recv_into_partial_buffer(echo):
    client = TCPClient(timeout=2).connect("127.0.0.1", echo.port)
    client.send_all(b"abcdef")
    buf = bytearray(16)
    got = 0
    while got < 6:
        got += client.recv_into(memoryview(buf)[got:], 6 - got)
    assert bytes(buf[:6]) == b"abcdef"
    client.close()
    client.close()  # idempotent


def test_connect_refused_closes_and_raises():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    before = fd_count()
    for _ in range(200):
        client = TCPClient(timeout=1)
        with pytest.raises(ConnectionRefusedError):
            client.connect("127.0.0.1", port)
        assert not client.connected
    assert fd_count() <= before


def test_timeout_fires_on_a_silent_server_and_closes():
    before = fd_count()
    srv = EchoServer(mode="silent")
    try:
        client = TCPClient(timeout=0.2).connect("127.0.0.1", srv.port)
        with pytest.raises(OSError) as info:  # socket.timeout is an OSError
            client.recv_into(bytearray(10))
        assert isinstance(info.value, TimeoutError) or info.value.args[0] == errno.ETIMEDOUT
        assert not client.connected
    finally:
        srv.stop()
    assert fd_count() <= before  # the server's accepted socket is closed by stop()


def test_peer_closing_early_is_an_error_for_recv_exactly():
    srv = EchoServer(mode="close", close_after=3)
    try:
        client = TCPClient(timeout=2).connect("127.0.0.1", srv.port)
        with pytest.raises(OSError, match="closed after 3 of 10"):
            client.recv_exactly(bytearray(10))
        assert not client.connected
    finally:
        srv.stop()


def test_not_connected_errors():
    client = TCPClient()
    with pytest.raises(OSError):
        client.send_all(b"x")
    with pytest.raises(OSError):
        client.recv_into(bytearray(1))


def test_nodelay_is_set_on_cpython(echo):
    pool = get_pool()
    assert pool is socket
    client = TCPClient(timeout=1).connect("127.0.0.1", echo.port)
    assert client.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    client.close()
    s = socket.socket()
    assert set_nodelay(s)
    s.close()

    class NoConstantPool:
        pass

    assert set_nodelay(object(), NoConstantPool()) is False
    wrapper = nodelay_pool(pool)
    assert wrapper is nodelay_pool(pool)  # cached: one connection manager per pool
    raw = wrapper.socket(socket.AF_INET, socket.SOCK_STREAM)
    assert raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    raw.close()
    assert wrapper.AF_INET == socket.AF_INET


def test_sessions_use_nodelay_sockets(echo):
    """A request through new_session() goes out on a TCP_NODELAY socket."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]

    def serve():
        conn, _ = srv.accept()
        data = b""
        while b"\r\n\r\n" not in data:  # with TCP_NODELAY the request comes in pieces
            data += conn.recv(4096)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        conn.close()

    t = threading.Thread(target=serve)
    t.start()
    session = new_session(session_id="nodelay")
    resp = session.get("http://127.0.0.1:%d/" % port, timeout=2)
    assert resp.socket.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    assert resp.text == "ok"
    t.join(2)
    srv.close()
    net_session.close_all()


def test_parse_url():
    assert parse_url("https://loki.local/x/y") == ("https", "loki.local", 443, "/x/y")
    assert parse_url("http://127.0.0.1:8080") == ("http", "127.0.0.1", 8080, "/")
    assert parse_url("HTTP://[::1]:9/") == ("http", "::1", 9, "/")
    for bad in ("loki.local", "ftp://x/", "http://:80/", "http://h:port/"):
        with pytest.raises(ValueError):
            parse_url(bad)


# -- TLS with a custom CA (a local Loki with a self-signed certificate) -----------------
def make_cert(tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    key_path = tmp_path / "key.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path = tmp_path / "cert.pem"
    cert_path.write_text(cert_pem)
    return cert_pem, str(cert_path), str(key_path)


def tls_server(cert_path, key_path, requests=1):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert_path, key_path)
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    port = srv.getsockname()[1]

    def serve():
        for _ in range(requests):
            try:
                conn, _ = srv.accept()
                with ctx.wrap_socket(conn, server_side=True) as tls:
                    data = b""
                    while b"\r\n\r\n" not in data:
                        chunk = tls.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                    tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecure")
            except (OSError, ssl.SSLError):
                continue

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    return srv, port, t


def test_https_with_custom_ca(tmp_path):
    cert_pem, cert_path, key_path = make_cert(tmp_path)
    srv, port, t = tls_server(cert_path, key_path, requests=2)
    try:
        # without the CA the certificate is rejected (and categorised as auth)
        from jotunheim.resilience.errors import ErrorHandler

        plain = new_session(session_id="no-ca")
        with pytest.raises(Exception) as info:  # noqa: PT011 - OutOfRetries from SSL error
            plain.get("https://localhost:%d/" % port, timeout=2)
        cause = info.value.__cause__ or info.value
        assert ErrorHandler().classify(cause).category == "auth"
        # with the CA from settings it works
        session = new_session(ca_pem=cert_pem, session_id="ca")
        resp = session.get("https://localhost:%d/" % port, timeout=2)
        assert resp.text == "secure"
        resp.close()
        assert get_ssl_context(cert_pem) is get_ssl_context(cert_pem)  # cached
        assert get_ssl_context(cert_pem) is not get_ssl_context()
    finally:
        t.join(3)
        srv.close()
        net_session.close_all()


def test_tcp_client_over_tls(tmp_path):
    cert_pem, cert_path, key_path = make_cert(tmp_path)
    srv, port, t = tls_server(cert_path, key_path)
    try:
        with TCPClient(ssl_context=get_ssl_context(cert_pem), timeout=2) as client:
            client.connect("localhost", port)
            client.send_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            buf = bytearray(64)
            n = client.recv_exactly(buf, 44)
            assert bytes(buf[:n]).endswith(b"secure")
    finally:
        t.join(3)
        srv.close()


def test_bad_ca_pem_is_a_clear_error():
    with pytest.raises(ValueError, match="custom CA certificate"):
        get_ssl_context("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
