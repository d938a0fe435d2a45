# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""jotunheim.http.server on CPython's socket module: every limit answered, every bad client
bounded, one client never blocking another (raw sockets that misbehave on purpose)."""

import socket
import threading
import time

import pytest

from jotunheim.http.server import HttpServer, Response
from jotunheim.http.wire import ChunkedDecoder, chunk_size


def echo(request):
    if request.path == "/stream":
        return Response(200, stream=iter([b"one", b"two", b"three"]))
    if request.path == "/boom":
        raise RuntimeError("handler bug")
    body = b"%s %s %d %s" % (
        request.method.encode(),
        request.path.encode(),
        len(request.body),
        b"too-large" if request.too_large else b"ok",
    )
    return Response(200, [("Content-Type", "text/plain")], body)


class Serving:
    def __init__(self, **limits):
        self.server = HttpServer(socket, echo, **limits)
        self.server.start("127.0.0.1", 0)
        self.port = self.server.port
        self._stop = False
        self.polls = 0
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while not self._stop:
            self.polls += 1
            if not self.server.poll():
                time.sleep(0.001)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stop = True
        self.thread.join(5)
        self.server.stop()

    def connect(self):
        return socket.create_connection(("127.0.0.1", self.port), timeout=5)

    def wait(self, predicate, what, timeout=5.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if predicate():
                return
            time.sleep(0.01)
        raise AssertionError("timed out waiting for " + what)


@pytest.fixture
def srv():
    with Serving(head_timeout=0.6, idle_timeout=0.8, body_timeout=0.6) as s:
        yield s


def read_response(sock):
    """(status, headers, body) of one Content-Length or chunked response."""
    return read_from(sock.makefile("rb"))


def read_from(f):
    """The next response from a buffered reader (keeps what follows for the next call)."""
    status_line = f.readline()
    if not status_line:
        raise ConnectionError("closed before a response head")
    headers = {}
    while True:
        line = f.readline().decode()
        if line in ("\r\n", ""):
            break
        name, value = line.split(":", 1)
        headers[name.lower()] = value.strip()
    status = int(status_line.split()[1])
    if headers.get("transfer-encoding") == "chunked":
        body = bytearray()
        decoder = ChunkedDecoder(body.extend)
        while not decoder.done:
            decoder.feed(memoryview(f.readline()))
        return status, headers, bytes(body)
    return status, headers, f.read(int(headers.get("content-length", "0")))


def get(srv, path="/x", extra=b""):
    with srv.connect() as s:
        s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: d\r\n" + extra + b"\r\n")
        return read_response(s)


def closed_by_server(sock, timeout=3.0):
    sock.settimeout(timeout)
    try:
        while sock.recv(65536):
            pass
    except ConnectionResetError:
        pass
    return True


def test_chunk_size_rules_shared_by_client_and_server():
    assert chunk_size(b"1A") == 26 and chunk_size(b"1a;ext=1") == 26
    for bad in (b"", b"g", b"123456789", b"-1"):
        with pytest.raises(ValueError):
            chunk_size(bad)


def test_chunked_decoder_in_pieces_and_errors():
    out = bytearray()
    decoder = ChunkedDecoder(out.extend)
    wire = b"3\r\nabc\r\n0A\r\n0123456789\r\n0\r\nx-trailer: 1\r\n\r\nNEXT"
    used = 0
    for i in range(len(wire)):  # one byte at a time
        if not decoder.done:
            used += decoder.feed(memoryview(wire[i : i + 1]))
    assert bytes(out) == b"abc0123456789" and decoder.done and wire[used:] == b"NEXT"
    for bad in (b"3\r\nabcX\r\n", b"zz\r\n", b"3\nabc\r\n", b"1" * 80):
        with pytest.raises(ValueError):
            ChunkedDecoder(out.extend).feed(memoryview(bad))


def test_keep_alive_serves_several_requests_on_one_connection(srv):
    with srv.connect() as s:
        for _ in range(5):
            s.sendall(b"POST /k HTTP/1.1\r\nHost: d\r\nContent-Length: 3\r\n\r\nabc")
            status, headers, body = read_response(s)
            assert (status, body) == (200, b"POST /k 3 ok") and "connection" not in headers
        # Two pipelined requests in one write get two answers, in order.
        s.sendall(b"GET /a HTTP/1.1\r\nHost: d\r\n\r\nGET /b HTTP/1.1\r\nHost: d\r\n\r\n")
        f = s.makefile("rb")
        assert read_from(f)[2] == b"GET /a 0 ok"
        assert read_from(f)[2] == b"GET /b 0 ok"
    assert srv.server.requests == 7


def test_chunked_request_body_and_expect_continue(srv):
    with srv.connect() as s:
        s.sendall(
            b"POST /c HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n"
            b"Expect: 100-continue\r\n\r\n"
        )
        f = s.makefile("rb")
        assert read_from(f)[0] == 100
        for piece in (b"4\r\nabcd\r\n", b"2\r\nef", b"\r\n0\r\n\r\n"):
            s.sendall(piece)
            time.sleep(0.02)
        assert read_from(f)[2] == b"POST /c 6 ok"


@pytest.mark.parametrize(
    "head, status",
    [
        (b"BLAH\r\n\r\n", 400),
        (b"GET nopath HTTP/1.1\r\n\r\n", 400),
        (b"GET / HTTP/2.0\r\n\r\n", 505),
        (b"GET / HTTP/1.1\r\nbad header\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\n\xff\xfe: x\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        (b"GET / HTTP/1.1\r\nX: " + b"a" * 100_000 + b"\r\n\r\n", 431),
        (b"GET / HTTP/1.1\r\n" + b"a: b\r\n" * 40 + b"\r\n", 431),
    ],
)
def test_malformed_and_oversized_heads_are_answered_and_closed(srv, head, status):
    with srv.connect() as s:
        s.sendall(head)
        got, headers, _ = read_response(s)
        assert got == status and headers["connection"] == "close"
        assert closed_by_server(s)
    assert get(srv)[0] == 200  # and the next client is served
    srv.wait(lambda: not srv.server.slots, "the slot to be freed")


def test_clients_that_vanish_free_their_slot_at_once(srv):
    cases = [b"", b"\n", b"GET / HTT", b"POST / HTTP/1.1\r\nContent-Length: 1000\r\n\r\nab"]
    cases.append(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab")
    for data in cases:
        s = srv.connect()
        if data:
            s.sendall(data)
        time.sleep(0.05)
        s.close()
    srv.wait(lambda: not srv.server.slots and not srv.server.waiting, "every slot to be freed")
    assert srv.server.requests == 0 and get(srv)[0] == 200


def test_reset_mid_request_frees_the_slot(srv):
    s = srv.connect()
    s.sendall(b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nab")
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    s.close()  # RST
    srv.wait(lambda: not srv.server.slots, "the slot to be freed")
    assert get(srv)[0] == 200


def test_slowloris_head_times_out_with_408_and_others_are_served(srv):
    s = srv.connect()
    start = time.monotonic()
    answered = None
    for byte in b"GET / HTTP/1.1\r\nHost: d\r\nX-Slow: 1234567890\r\n\r\n":
        try:
            s.send(bytes([byte]))
        except OSError:
            break
        assert get(srv)[0] == 200  # never blocked by the slow one
        s.settimeout(0.1)
        try:
            answered = s.recv(100)
            break
        except socket.timeout:
            pass
    assert answered is not None and answered.startswith(b"HTTP/1.1 408")
    assert time.monotonic() - start < 3
    s.close()


def test_idle_keep_alive_connection_is_closed_after_the_idle_timeout(srv):
    with srv.connect() as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: d\r\n\r\n")
        read_response(s)
        t0 = time.monotonic()
        assert closed_by_server(s)
        assert 0.6 < time.monotonic() - t0 < 3


def test_more_clients_than_slots_wait_then_get_503_never_a_hang():
    with Serving(slots=2, head_timeout=30) as srv:
        stuck = [srv.connect() for _ in range(2)]
        for s in stuck:
            s.sendall(b"GET / HTT")  # live requests: their slots cannot be reclaimed
        srv.wait(lambda: len(srv.server.slots) == 2, "two busy slots")
        with srv.connect() as late:
            late.sendall(b"GET / HTTP/1.1\r\nHost: d\r\n\r\n")
            t0 = time.monotonic()
            status, headers, body = read_response(late)
            assert status == 503 and headers["connection"] == "close"
            assert time.monotonic() - t0 < 3
        for s in stuck:
            s.close()
        srv.wait(lambda: not srv.server.slots, "the slots to be freed")
        assert get(srv)[0] == 200
        assert srv.server.busy >= 1


def test_idle_connections_give_their_slot_to_a_newcomer():
    with Serving(slots=4, head_timeout=30, idle_timeout=30) as srv:
        idle = [srv.connect() for _ in range(8)]  # connect and say nothing
        time.sleep(0.3)
        t0 = time.monotonic()
        assert get(srv)[0] == 200
        assert time.monotonic() - t0 < 2
        assert srv.server.reclaimed >= 1 and len(srv.server.slots) <= 4
        for s in idle:
            s.close()


def test_oversized_bodies_reach_the_handler_as_too_large_without_being_buffered(srv):
    server = srv.server
    server.max_body = 100
    with srv.connect() as s:
        s.sendall(
            b"POST /big HTTP/1.1\r\nHost: d\r\nContent-Length: 10000000\r\n\r\n" + b"x" * 5000
        )
        status, headers, body = read_response(s)
        assert body == b"POST /big 0 too-large" and headers["connection"] == "close"
    with srv.connect() as s:
        chunks = b"".join(b"40\r\n" + b"y" * 64 + b"\r\n" for _ in range(10)) + b"0\r\n\r\n"
        s.sendall(b"POST /c HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks)
        assert read_response(s)[2] == b"POST /c 0 too-large"
    assert get(srv)[0] == 200


def test_streamed_response_one_chunk_per_piece_and_handler_bugs_are_500(srv):
    with srv.connect() as s:
        s.sendall(b"GET /stream HTTP/1.1\r\nHost: d\r\n\r\n")
        status, headers, body = read_response(s)
        assert (status, headers["transfer-encoding"], body) == (200, "chunked", b"onetwothree")
        s.sendall(b"GET /boom HTTP/1.1\r\nHost: d\r\n\r\n")
        status, headers, body = read_response(s)
        assert (status, body, headers["connection"]) == (500, b"internal error", "close")


def test_a_client_that_stops_reading_is_dropped_after_the_send_timeout():
    big = b"z" * 64_000_000  # more than any socket buffer holds

    def handler(request):
        return Response(200, body=big)

    server = HttpServer(socket, handler, send_timeout=0.5)
    server.start("127.0.0.1", 0)
    try:
        s = socket.create_connection(("127.0.0.1", server.port))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(b"GET / HTTP/1.1\r\nHost: d\r\n\r\n")
        end = time.monotonic() + 5
        while server.slots or server.requests == 0:
            server.poll()
            time.sleep(0.01)
            assert time.monotonic() < end, "a stalled reader kept its slot"
        assert server.dropped == 1 and not server.slots
        s.close()
    finally:
        server.stop()


def test_rapid_connect_close_leaves_nothing_behind(srv):
    for _ in range(300):
        socket.create_connection(("127.0.0.1", srv.port), timeout=5).close()
    srv.wait(lambda: not srv.server.slots and not srv.server.waiting, "every slot to be freed")
    assert get(srv)[0] == 200
