# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""adafruit_requests over fake_net under MicroPython: the base the gRPC-Web client tests use."""

import errno
import json

import adafruit_connection_manager
import adafruit_requests
import fake_net

HOST = "loki.local"
PORT = 8080
URL = "http://loki.local:8080"


def _session(ssl_context=None):
    pool = fake_net.FakeSocketPool()
    return pool, adafruit_requests.Session(pool, ssl_context)


def _close_all(pool):
    adafruit_connection_manager.connection_manager_close_all(pool)


def _request_head_and_body(conn):
    head, _, body = bytes(conn.sent).partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return lines[0], headers, body


def test_get_with_content_length():
    fake_net.serve(
        HOST,
        PORT,
        fake_net.respond(fake_net.http_response(200, b'{"ok": true}', {"X-Loki": "1"})),
    )
    pool, session = _session()
    response = session.get(URL + "/status?x=1", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.headers["x-loki"] == "1"
    assert response.json() == {"ok": True}
    response.close()
    request_line, headers, body = _request_head_and_body(fake_net.connections[0])
    assert request_line == "GET /status?x=1 HTTP/1.1"
    assert headers["host"] == "loki.local"
    assert headers["accept"] == "application/json"
    assert body == b""
    _close_all(pool)
    fake_net.assert_no_leaks()


def test_post_json_reaches_the_server_intact():
    payload = {"script_id": "blink", "parameters": {"pin": "D13", "count": 3}}
    fake_net.serve(HOST, PORT, fake_net.respond(fake_net.http_response(201, b"created")))
    pool, session = _session()
    response = session.post(URL + "/run", json=payload)
    assert response.status_code == 201
    assert response.text == "created"
    response.close()
    request_line, headers, body = _request_head_and_body(fake_net.connections[0])
    assert request_line == "POST /run HTTP/1.1"
    assert headers["content-type"] == "application/json"
    assert int(headers["content-length"]) == len(body)
    assert json.loads(body) == payload
    _close_all(pool)
    fake_net.assert_no_leaks()


def test_post_binary_body_with_chunked_response_in_tiny_segments():
    body = bytes(range(256)) * 8  # 2 KB that is not text
    reply = fake_net.http_response(
        200, body, {"Content-Type": "application/grpc-web+proto"}, chunked=True, chunk_size=100
    )
    # The network hands the client 7 bytes at a time, splitting chunk headers and CRLFs.
    fake_net.serve(HOST, PORT, fake_net.respond(reply, chunks=7))
    pool, session = _session()
    frame = b"\x00\x00\x00\x00\x05hello"
    response = session.post(
        URL + "/loki.LokiService/Run",
        data=frame,
        headers={"Content-Type": "application/grpc-web+proto"},
    )
    assert response.headers["transfer-encoding"] == "chunked"
    assert response.content == body
    _, headers, sent_body = _request_head_and_body(fake_net.connections[0])
    assert sent_body == frame
    assert headers["content-type"] == "application/grpc-web+proto"
    _close_all(pool)
    fake_net.assert_no_leaks()


def test_streaming_iter_content():
    body = b"".join(b"line %d\n" % i for i in range(50))
    fake_net.serve(HOST, PORT, fake_net.respond(fake_net.http_response(200, body, chunked=True)))
    pool, session = _session()
    response = session.get(URL + "/stream", stream=True)
    pieces = list(response.iter_content(chunk_size=32))
    assert b"".join(pieces) == body
    assert max(len(p) for p in pieces) <= 32
    _close_all(pool)
    fake_net.assert_no_leaks()


def test_refused_connection_raises_oserror():
    fake_net.serve(HOST, PORT, fake_net.refuse())
    pool, session = _session()
    try:
        session.get(URL + "/")
    except OSError as exc:
        assert exc.args[0] == errno.ECONNREFUSED
    else:
        raise AssertionError("no error for a refused connection")
    fake_net.assert_no_leaks()


def test_hung_server_times_out_then_retries():
    fake_net.serve(HOST, PORT, fake_net.hang(), fake_net.hang())
    pool, session = _session()
    try:
        session.get(URL + "/", timeout=0.5)
    except adafruit_requests.OutOfRetries:
        pass
    else:
        raise AssertionError("no error for a server that never answers")
    assert len(fake_net.connections) == 2
    assert all(s.timeout == 0.5 for s in fake_net.sockets)
    fake_net.assert_no_leaks()


def test_https_goes_through_the_ssl_context():
    import ssl

    fake_net.serve(HOST, 443, fake_net.respond(fake_net.http_response(200, b"tls")))
    pool, session = _session(ssl.create_default_context())
    response = session.get("https://loki.local/secure")
    assert response.text == "tls"
    assert fake_net.sockets[0].tls_server_hostname == HOST
    _close_all(pool)
    fake_net.assert_no_leaks()


def test_httpserver_answers_a_scripted_client():
    from adafruit_httpserver import Request, Response, Server

    pool = fake_net.FakeSocketPool()
    server = Server(pool, debug=False)

    @server.route("/hello")
    def hello(request: Request):
        return Response(request, "hi " + request.query_params.get("name"))

    server.start("0.0.0.0", 80)
    fake_net.accept_from(80, b"GET /hello?name=odin HTTP/1.1\r\nHost: board\r\n\r\n")
    server.poll()
    reply = bytes(fake_net.connections[-1].sent)
    assert reply.startswith(b"HTTP/1.1 200 OK\r\n"), reply
    assert reply.endswith(b"hi odin")
    server.stop()
    fake_net.assert_no_leaks()
