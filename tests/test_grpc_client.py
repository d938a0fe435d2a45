# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""gRPC-Web client against scripted raw-socket peers: framing faults, HTTP faults,
deadlines, retries, keep-alive and socket hygiene."""

import os
import socket
import ssl
import time

import pytest

from jotunheim.grpc.client import GrpcWebClient
from jotunheim.grpc.retry import RetryPolicy
from jotunheim.grpc.status import GrpcError, StatusCode
from tests.interop.counting_pool import CountingPool
from tests.interop.raw_server import CLOSE, RESET, RawServer, frame, grpc_response, trailer

OK_TRAILER = trailer("grpc-status: 0\r\n")


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def client(url, **kw):
    kw.setdefault("timeout", 5)
    kw.setdefault("socket_pool", socket)
    return GrpcWebClient(url, ssl_context=ssl.create_default_context(), **kw)


def reply(data):
    return lambda request: data


def call_error(url, responder=None, **kw) -> GrpcError:
    c = client(url, **kw)
    with pytest.raises(GrpcError) as info:
        c.unary("/t.S/M", b"req")
    c.close()
    return info.value


def test_unary_success_and_request_shape():
    response = grpc_response(frame(b"pong") + OK_TRAILER)
    with RawServer(reply(response)) as srv:
        c = client(srv.url, metadata={"authorization": "Bearer abc"})
        assert c.unary("/t.S/M", b"ping", metadata={"x-trace": "1"}) == b"pong"
        req = srv.requests[0]
        assert req.method == "POST" and req.path == "/t.S/M"
        assert req.headers["content-type"] == "application/grpc-web+proto"
        assert req.headers["x-grpc-web"] == "1"
        assert req.headers["authorization"] == "Bearer abc"
        assert req.headers["x-trace"] == "1"
        timeout = req.headers["grpc-timeout"]
        assert timeout[-1] == "m" and 1 <= len(timeout) - 1 <= 8
        assert 4000 <= int(timeout[:-1]) <= 5000
        assert req.body == b"\x00\x00\x00\x00\x04ping"
        c.close()


def test_keep_alive_reuses_one_connection():
    response = grpc_response(frame(b"x") + OK_TRAILER)
    with RawServer(reply(response)) as srv:
        c = client(srv.url)
        for _ in range(20):
            assert c.unary("/t.S/M", b"") == b"x"
        assert srv.connections == 1
        # The request arrived whole in one read every time (one write on our side).
        assert max(srv.recv_calls) == 1
        c.close()


@pytest.mark.parametrize("hexcase", ["lower", "upper"])
def test_chunked_body_with_either_hex_case_and_frames_split_across_chunks(hexcase):
    payload = bytes(range(256)) * 2  # 512 bytes: chunk size 0x200
    body = frame(payload) + OK_TRAILER
    pieces = [body[:3], body[3:300], body[300:]]
    wire = b""
    for piece in pieces:
        size = "%x" % len(piece)
        size = size.upper() if hexcase == "upper" else size
        wire += size.encode() + b";ext=1\r\n" + piece + b"\r\n"
    wire += b"0\r\n\r\n"
    with RawServer(reply(grpc_response(wire, chunked=True))) as srv:
        c = client(srv.url)
        assert c.unary("/t.S/M", b"") == payload
        assert c.unary("/t.S/M", b"") == payload
        assert srv.connections == 1
        c.close()


def test_error_status_in_trailer_frame_percent_decoded():
    body = trailer("grpc-status: 9\r\nGrpc-Message: caf%C3%A9%20%E2%9C%93 %zz\r\nx-extra: 1\r\n")
    with RawServer(reply(grpc_response(body))) as srv:
        err = call_error(srv.url)
        assert err.code == StatusCode.FAILED_PRECONDITION
        assert err.message == "café ✓ %zz"
        assert err.trailers["x-extra"] == "1"


def test_trailers_only_error_in_headers():
    # What Envoy and grpcwebproxy send for an error before any message.
    head = {"grpc-status": "16", "grpc-message": "token%20expired"}
    with RawServer(reply(grpc_response(b"", headers=head))) as srv:
        err = call_error(srv.url)
        assert err.code == StatusCode.UNAUTHENTICATED and err.message == "token expired"


@pytest.mark.parametrize(
    "status,code",
    [
        ("400 Bad Request", StatusCode.INTERNAL),
        ("401 Unauthorized", StatusCode.UNAUTHENTICATED),
        ("403 Forbidden", StatusCode.PERMISSION_DENIED),
        ("404 Not Found", StatusCode.UNIMPLEMENTED),
        ("429 Too Many Requests", StatusCode.UNAVAILABLE),
        ("502 Bad Gateway", StatusCode.UNAVAILABLE),
        ("503 Service Unavailable", StatusCode.UNAVAILABLE),
        ("504 Gateway Timeout", StatusCode.UNAVAILABLE),
        ("500 Internal Server Error", StatusCode.UNKNOWN),
        ("418 I'm a teapot", StatusCode.UNKNOWN),
    ],
)
def test_http_status_without_grpc_status(status, code):
    raw = "HTTP/1.1 " + status + "\r\ncontent-type: text/html\r\ncontent-length: 5\r\n\r\noops!"
    with RawServer(reply(raw.encode())) as srv:
        assert call_error(srv.url, retry_policy=RetryPolicy(1)).code == code


MALFORMED = {
    "truncated frame payload": (grpc_response(b"\x00\x00\x00\x00\x10short"), StatusCode.INTERNAL),
    "truncated frame header": (grpc_response(b"\x00\x00\x00"), StatusCode.INTERNAL),
    "length beyond body": (
        b"HTTP/1.1 200 OK\r\ncontent-type: application/grpc-web+proto\r\ncontent-length: 9\r\n\r\n"
        + b"\x00\x00\x00\x00\x04ab",
        StatusCode.INTERNAL,
    ),
    "no trailer frame": (grpc_response(frame(b"x")), StatusCode.INTERNAL),
    "garbage trailers": (
        grpc_response(frame(b"x") + trailer("no colon here\r\n")),
        StatusCode.INTERNAL,
    ),
    "binary trailers": (
        grpc_response(frame(b"x") + frame(b"\xff\xfe:\x00", 0x80)),
        StatusCode.INTERNAL,
    ),
    "trailers without status": (
        grpc_response(frame(b"x") + trailer("a: b\r\n")),
        StatusCode.INTERNAL,
    ),
    "non-numeric status": (
        grpc_response(frame(b"x") + trailer("grpc-status: ok\r\n")),
        StatusCode.INTERNAL,
    ),
    "unknown flag": (grpc_response(frame(b"x", 0x42) + OK_TRAILER), StatusCode.INTERNAL),
    "compressed without agreement": (
        grpc_response(frame(b"x", 0x01) + OK_TRAILER),
        StatusCode.INTERNAL,
    ),
    "two unary messages": (
        grpc_response(frame(b"x") + frame(b"y") + OK_TRAILER),
        StatusCode.INTERNAL,
    ),
    "no message with OK": (grpc_response(OK_TRAILER), StatusCode.INTERNAL),
    "data after trailers": (
        grpc_response(frame(b"x") + OK_TRAILER + frame(b"z")),
        StatusCode.INTERNAL,
    ),
    "text mode content type": (
        grpc_response(b"", headers={}).replace(b"grpc-web+proto", b"grpc-web-text"),
        StatusCode.INTERNAL,
    ),
    "not http": (b"SSH-2.0-OpenSSH\r\n\r\n", StatusCode.INTERNAL),
    "bad chunk size": (grpc_response(b"zz\r\nabc\r\n0\r\n\r\n", chunked=True), StatusCode.INTERNAL),
    "chunk without CRLF": (
        grpc_response(b"6\r\n" + frame(b"x") + b"XX0\r\n\r\n", chunked=True),
        StatusCode.INTERNAL,
    ),
    "oversized message": (
        grpc_response(b"\x00\x00\x10\x00\x00" + b"a" * 64),
        StatusCode.RESOURCE_EXHAUSTED,
    ),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_responses_raise_the_right_error_and_close_the_socket(name):
    data, code = MALFORMED[name]
    before = open_fds()
    pool = CountingPool()
    with RawServer(reply([data, CLOSE])) as srv:
        c = client(srv.url, max_message_size=1024, timeout=3, socket_pool=pool)
        started = time.monotonic()
        with pytest.raises(GrpcError) as info:
            c.unary("/t.S/M", b"")
        assert time.monotonic() - started < 2.5  # no hang until the deadline
        assert info.value.code == code, info.value
        # A broken exchange closes its socket; a well-framed error may keep it alive
        # (as the client's idle socket, which close() closes): none is left open.
        assert pool.open() <= 1
        c.close()
        assert pool.open() == 0
    assert open_fds() <= before


def test_server_down_is_unavailable():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    err = call_error("http://127.0.0.1:%d" % port, retry_policy=RetryPolicy(1))
    assert err.code == StatusCode.UNAVAILABLE


def test_connection_reset_is_unavailable():
    with RawServer(reply(RESET)) as srv:
        assert call_error(srv.url, retry_policy=RetryPolicy(1)).code == StatusCode.UNAVAILABLE


def test_reset_mid_body_is_unavailable():
    data = grpc_response(frame(b"x" * 100) + OK_TRAILER)[:-60]
    with RawServer(reply([data, 0.05, RESET])) as srv:
        assert call_error(srv.url).code == StatusCode.UNAVAILABLE


def test_deadline_while_waiting_for_the_response():
    with RawServer(reply([2.0, CLOSE])) as srv:
        c = client(srv.url, timeout=0.3)
        started = time.monotonic()
        with pytest.raises(GrpcError) as info:
            c.unary("/t.S/M", b"", idempotent=True)
        assert info.value.code == StatusCode.DEADLINE_EXCEEDED
        assert time.monotonic() - started < 1.5
        c.close()


def test_deadline_while_a_slow_body_trickles_in():
    body = grpc_response(frame(b"x" * 50) + OK_TRAILER)
    steps = [body[:60]] + [item for b in body[60:] for item in (0.05, bytes([b]))]
    with RawServer(reply(steps)) as srv:
        c = client(srv.url, timeout=0.4)
        with pytest.raises(GrpcError) as info:
            c.unary("/t.S/M", b"")
        assert info.value.code == StatusCode.DEADLINE_EXCEEDED
        c.close()


def test_grpc_timeout_header_units():
    response = grpc_response(frame(b"x") + OK_TRAILER)
    with RawServer(reply(response)) as srv:
        c = client(srv.url)
        c.unary("/t.S/M", b"", timeout=200000)  # 2e8 ms does not fit in 8 digits
        c.unary("/t.S/M", b"", timeout=None)
        first, second = srv.requests
        assert first.headers["grpc-timeout"].endswith("S")
        assert 199990 <= int(first.headers["grpc-timeout"][:-1]) <= 200000
        assert "grpc-timeout" not in second.headers
        c.close()


def test_idempotent_calls_retry_on_unavailable_others_do_not():
    answers = iter([b"HTTP/1.1 503 Busy\r\ncontent-length: 0\r\n\r\n"] * 2)
    good = grpc_response(frame(b"ok") + OK_TRAILER)

    def responder(request):
        return next(answers, good)

    with RawServer(responder) as srv:
        c = client(srv.url, retry_policy=RetryPolicy(3, initial_backoff=0.01, max_backoff=0.05))
        assert c.unary("/t.S/M", b"", idempotent=True) == b"ok"
        assert len(srv.requests) == 3
        c.close()
    with RawServer(reply(b"HTTP/1.1 503 Busy\r\ncontent-length: 0\r\n\r\n")) as srv:
        c = client(srv.url, retry_policy=RetryPolicy(3, initial_backoff=0.01))
        with pytest.raises(GrpcError) as info:
            c.unary("/t.S/M", b"")
        assert info.value.code == StatusCode.UNAVAILABLE and len(srv.requests) == 1
        with pytest.raises(GrpcError):
            c.unary("/t.S/M", b"", idempotent=True)
        assert len(srv.requests) == 4  # 1 + 3 attempts
        c.close()
    # Never retried: a non-UNAVAILABLE status even on an idempotent call.
    with RawServer(reply(grpc_response(trailer("grpc-status: 13\r\n")))) as srv:
        c = client(srv.url, retry_policy=RetryPolicy(3, initial_backoff=0.01))
        with pytest.raises(GrpcError):
            c.unary("/t.S/M", b"", idempotent=True)
        assert len(srv.requests) == 1
        c.close()


def test_backoff_grows_and_has_jitter():
    policy = RetryPolicy(5, initial_backoff=0.1, max_backoff=0.3)
    delays = [policy.delay(n) for n in (1, 2, 3, 4)]
    assert 0.05 <= delays[0] <= 0.1 and 0.1 <= delays[1] <= 0.2
    assert all(0.15 <= d <= 0.3 for d in delays[2:])
    assert len({round(policy.delay(2), 6) for _ in range(20)}) > 1


def test_stale_keep_alive_socket_is_replaced_transparently():
    good = grpc_response(frame(b"ok") + OK_TRAILER)
    with RawServer(reply([good, CLOSE])) as srv:  # server closes after every answer
        c = client(srv.url, retry_policy=RetryPolicy(1))
        for _ in range(3):
            assert c.unary("/t.S/M", b"") == b"ok"  # not idempotent: no retry policy used
        assert srv.connections == 3
        c.close()


def test_a_thousand_failing_calls_leave_no_socket_open():
    before = open_fds()
    with RawServer(reply([b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nbad"])) as srv:
        pool = CountingPool()
        c = client(srv.url, retry_policy=RetryPolicy(1), socket_pool=pool)
        for _ in range(1000):
            with pytest.raises(GrpcError):
                c.unary("/t.S/M", b"")
        assert len(pool.made) == 1000 and pool.open() == 0
    # The server's side is closed by now; any fd left would be a client socket.
    assert open_fds() <= before


def test_abandoned_stream_closes_its_socket_and_unary_calls_run_meanwhile():
    def responder(request):
        if request.path.endswith("Stream"):
            frames = [
                b"HTTP/1.1 200 OK\r\ncontent-type: application/grpc-web+proto\r\n"
                b"transfer-encoding: chunked\r\n\r\n"
            ]
            for i in range(50):
                f = frame(b"msg%d" % i)
                frames += [b"%x\r\n" % len(f) + f + b"\r\n", 0.05]
            return frames
        return grpc_response(frame(b"unary") + OK_TRAILER)

    with RawServer(responder) as srv:
        pool = CountingPool()
        c = client(srv.url, socket_pool=pool)
        stream = c.server_stream("/t.S/Stream", b"")
        assert next(stream) == b"msg0"
        assert c.unary("/t.S/M", b"") == b"unary"  # on its own connection meanwhile
        assert next(stream) == b"msg1"
        assert len(pool.made) == 2
        stream.close()
        assert pool.open() == 1  # only the idle unary socket
        with pytest.raises(StopIteration):
            next(stream)
        c.close()
        assert pool.open() == 0


def test_tls_with_custom_ca(tmp_path):
    from tests.interop.tls import self_signed

    cert_pem, key_pem = self_signed("127.0.0.1")
    cert_file = tmp_path / "cert.pem"
    key_file = tmp_path / "key.pem"
    cert_file.write_bytes(cert_pem)
    key_file.write_bytes(key_pem)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(str(cert_file), str(key_file))
    response = grpc_response(frame(b"secure") + OK_TRAILER)
    with RawServer(reply(response), ssl_context=server_ctx) as srv:
        url = srv.url
        # Without the CA: the certificate is refused -> UNAVAILABLE.
        c = GrpcWebClient(
            url,
            socket_pool=socket,
            ssl_context=ssl.create_default_context(),
            retry_policy=RetryPolicy(1),
            timeout=5,
        )
        with pytest.raises(GrpcError) as info:
            c.unary("/t.S/M", b"")
        assert info.value.code == StatusCode.UNAVAILABLE
        # With the CA from settings (PEM text) it works, through the default network.
        c = GrpcWebClient(url, ca_cert=cert_pem.decode(), timeout=5)
        assert c.unary("/t.S/M", b"") == b"secure"
        assert c.unary("/t.S/M", b"") == b"secure"
        c.close()
