# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""jotunheim.http.server under MicroPython with the fake socket pool: the hostile-client
battery's core cases (clients that vanish mid-head, mid-body, mid-chunk, reset, stall past
the head timeout, hold idle connections, keep alive, send chunked bodies), each followed by
a normal request that must be answered."""

import fake_net
import socketpool
import wifi

from jotunheim.http.server import HttpServer, Response

PORT = 8080
GOOD = fake_net.http_request("POST", "/echo", b"hello", {"Connection": "close"})


def _echo(request):
    body = ("%s %s %d" % (request.method, request.path, len(request.body))).encode()
    if request.too_large:
        body += b" too-large"
    return Response(200, [("Content-Type", "text/plain")], body)


def _server(**limits):
    wifi.radio.add_network("home", "pw")
    wifi.radio.connect("home", "pw")
    server = HttpServer(socketpool.SocketPool(wifi.radio), _echo, **limits)
    server.start("0.0.0.0", PORT)
    return server


def _poll(server, times=60):
    served = 0
    for _ in range(times):
        served += server.poll()
    return served


def _then_a_good_client_is_served(server, within=2.0):
    # Served within 2 s of real time, as the battery asks of connect-node.
    import time

    fake_net.accept_from(PORT, fake_net.client(GOOD, then="hang"))
    end = time.monotonic() + within
    served = 0
    while not served and time.monotonic() < end:
        served = _poll(server, 5)
        time.sleep(0.02)
    assert served >= 1, [(slot.client_address, slot.state) for slot in server.slots]
    replies = fake_net.connections[-1].replies()
    assert replies and replies[0].status == 200 and replies[0].body == b"POST /echo 5", replies


def _check(case, server):
    _poll(server)
    held = [(slot.client_address, slot.state) for slot in server.slots]
    assert not held, "%s: slot still held: %r" % (case, held)
    _then_a_good_client_is_served(server)


def test_clients_that_vanish_or_reset_free_their_slot():
    server = _server()
    cases = {
        "bare close": fake_net.client(),
        "a newline": fake_net.client(b"\n"),
        "partial head": fake_net.client(b"POST /echo HTT"),
        "body cut short": fake_net.client(b"POST /echo HTTP/1.1\r\nContent-Length: 1000\r\n\r\nab"),
        "chunk cut short": fake_net.client(
            b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"
        ),
        "reset mid-head": fake_net.client(b"POST /echo HTTP/1.1\r\nHost", then="reset"),
    }
    for case, client in cases.items():
        fake_net.accept_from(PORT, client)
        _check(case, server)
    assert server.requests == len(cases) and server.dropped >= 4
    server.stop()
    fake_net.assert_no_leaks()


def test_limits_are_answered_and_closed():
    server = _server()
    cases = (
        (b"GET / HTTP/1.1\r\nX: " + b"a" * 5000 + b"\r\n\r\n", 431),
        (b"GET / HTTP/1.1\r\n" + b"a: b\r\n" * 40 + b"\r\n", 431),
        (b"BLAH\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
    )
    for data, status in cases:
        fake_net.accept_from(PORT, fake_net.client(data, chunks=512, then="hang"))
        _poll(server, 40)
        conn = fake_net.connections[-1]
        replies = conn.replies()
        assert replies and replies[0].status == status, (status, bytes(conn.sent)[:80])
        # Closed, or lingering (reading what the client still sends) until it closes.
        assert conn.closed or server.slots[-1].state == "linger", server.slots
    fake_net.accept_from(
        PORT, fake_net.client(b"POST /big HTTP/1.1\r\nContent-Length: 99999\r\n\r\n", then="hang")
    )
    _poll(server)
    reply = [c for c in fake_net.connections if c.sent][-1].replies()[0]
    assert reply.status == 200 and reply.body == b"POST /big 0 too-large"
    _then_a_good_client_is_served(server)
    server.stop()


def test_a_stalled_head_times_out_and_idle_clients_give_way():
    server = _server(head_timeout=0.2, slots=2)
    fake_net.accept_from(
        PORT, fake_net.client(b"GET / HT", fake_net.stall(seconds=5), b"TP/1.1\r\n\r\n")
    )
    _poll(server, 5)
    import time

    time.sleep(0.3)
    _poll(server, 5)
    slow = fake_net.connections[-1]
    assert slow.replies() and slow.replies()[0].status == 408
    for _ in range(4):  # idle clients: connect, then say nothing
        fake_net.accept_from(PORT, fake_net.client(then="hang"))
    _poll(server, 5)
    time.sleep(0.6)  # older than the reclaim age
    _then_a_good_client_is_served(server)
    assert server.reclaimed >= 1 and len(server.slots) <= 2
    server.stop()


def test_keep_alive_and_chunked_bodies():
    server = _server()
    first = fake_net.http_request("POST", "/a", b"abc")
    second = fake_net.http_request("POST", "/b", b"0123456789", chunked=True, chunk_sizes=3)
    fake_net.accept_from(
        PORT, fake_net.client(first, fake_net.await_reply(), second, chunks=7, then="hang")
    )
    _poll(server, 200)
    replies = fake_net.connections[-1].replies()
    assert [r.body for r in replies] == [b"POST /a 3", b"POST /b 10"], replies
    assert not fake_net.connections[-1].closed  # kept alive
    server.stop()
