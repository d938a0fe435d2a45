# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""gRPC-Web framing, status, streaming parser and client calls under MicroPython,
over the fake socket pool."""

import fake_net

from jotunheim.grpc import frame_parser, framing
from jotunheim.grpc.client import GrpcWebClient, parse_trailers, trailer_status
from jotunheim.grpc.framing import percent_encode
from jotunheim.grpc.retry import RetryPolicy
from jotunheim.grpc.status import GrpcError, StatusCode
from jotunheim.grpc.status_decode import code_from_http_status, percent_decode
from jotunheim.pb import loki

HOST = "loki.local"
PORT = 8080
URL = "http://loki.local:8080"
OK = framing.encode_trailer_frame({"grpc-status": "0"})


def _grpc_response(frames, chunked=False, headers=None):
    extra = ""
    for name, value in (headers or {}).items():
        extra += name + ": " + value + "\r\n"
    if chunked:
        return (
            b"HTTP/1.1 200 OK\r\ncontent-type: application/grpc-web+proto\r\n"
            + extra.encode()
            + b"transfer-encoding: chunked\r\n\r\n"
            + frames
        )
    head = "HTTP/1.1 200 OK\r\ncontent-type: application/grpc-web+proto\r\n%scontent-length: %d\r\n\r\n"
    return (head % (extra, len(frames))).encode() + frames


def _client(**kw):
    pool = fake_net.FakeSocketPool()
    kw.setdefault("timeout", 5)
    return pool, GrpcWebClient(URL, socket_pool=pool, **kw)


def _done(client):
    client.close()
    fake_net.assert_no_leaks()


def _raises(code, fn):
    try:
        fn()
    except GrpcError as err:
        assert err.code == code, repr(err)
        return err
    raise AssertionError("no GrpcError")


def test_status_names_and_http_mapping():
    assert StatusCode.UNAVAILABLE == 14 and StatusCode.name(14) == "UNAVAILABLE"
    assert StatusCode.name(99) == "CODE_99"
    assert code_from_http_status(404) == StatusCode.UNIMPLEMENTED
    assert code_from_http_status(503) == StatusCode.UNAVAILABLE
    assert code_from_http_status(500) == StatusCode.UNKNOWN
    assert str(GrpcError(5, "x")) == "NOT_FOUND: x"


def test_percent_decoding_never_fails():
    assert percent_decode("caf%C3%A9%20ok") == "café ok"
    assert percent_decode("100%") == "100%"
    assert percent_decode("%zz%4") == "%zz%4"
    assert percent_decode("%FF") == "\ufffd"
    assert percent_decode(percent_encode("ä ✓ 100%")) == "ä ✓ 100%"


def test_frame_parser_fed_one_byte_at_a_time():
    msg = loki.ExecuteScriptResponse(success=True, output="hi").encode()
    data = framing.encode_frame(msg) + framing.encode_frame(b"") + OK
    parser = frame_parser.FrameParser(1024, bytearray(4))
    frames = []
    for i in range(len(data)):
        used = parser.feed(data[i : i + 1])
        assert used == 1
        if parser.ready:
            frames.append((parser.flag, bytes(parser.payload)))
            parser.next()
    parser.finish()
    assert frames[0] == (0, msg) and frames[1] == (0, b"")
    assert frames[2][0] == 0x80
    assert parse_trailers(frames[2][1]) == {"grpc-status": "0"}


def test_frame_parser_errors():
    parser = frame_parser.FrameParser(16)
    _raises(StatusCode.RESOURCE_EXHAUSTED, lambda: parser.feed(b"\x00\x00\x00\x01\x00"))
    _raises(StatusCode.INTERNAL, lambda: frame_parser.FrameParser().feed(b"\x01\x00\x00\x00\x00"))
    cut = frame_parser.FrameParser()
    cut.feed(b"\x00\x00\x00\x00\x05ab")
    _raises(StatusCode.INTERNAL, cut.finish)
    _raises(StatusCode.INTERNAL, lambda: parse_trailers(b"garbage"))
    trailers = parse_trailers(b"Grpc-Status: 7\r\ngrpc-message: no%20way\r\n\r\n")
    assert trailer_status(trailers) == (7, "no way")


def test_unary_call_over_fake_socket_pool():
    reply = loki.ExecuteScriptResponse(success=True, output="21.5").encode()
    body = framing.encode_frame(reply) + OK
    fake_net.serve(HOST, PORT, fake_net.respond(_grpc_response(body), chunks=7, keep_alive=True))
    pool, client = _client(metadata={"authorization": "Bearer t"})
    result = client.unary(
        "/loki.LokiService/ExecuteScript",
        loki.ExecuteScriptRequest(script_id="temp"),
        decode=loki.ExecuteScriptResponse.decode,
    )
    assert result.output == "21.5" and result.success
    sent = bytes(fake_net.connections[0].sent)
    assert sent.startswith(b"POST /loki.LokiService/ExecuteScript HTTP/1.1\r\n")
    assert b"content-type: application/grpc-web+proto" in sent.lower()
    assert b"authorization: Bearer t" in sent and b"grpc-timeout: " in sent
    _done(client)


def test_chunked_stream_over_fake_socket_pool():
    frames = b""
    for i in range(3):
        chunk = loki.ScriptChunk(output=loki.ScriptOutput(data="line %d" % i)).encode()
        f = framing.encode_frame(chunk)
        size = "%X" % len(f) if i % 2 else "%x" % len(f)
        frames += size.encode() + b"\r\n" + f + b"\r\n"
    frames += b"%x\r\n" % len(OK) + OK + b"\r\n0\r\n\r\n"
    fake_net.serve(HOST, PORT, fake_net.respond(_grpc_response(frames, chunked=True), chunks=5))
    pool, client = _client()
    stream = client.server_stream(
        "/loki.LokiService/StreamScriptExecution",
        loki.StreamScriptExecutionRequest(script_name="s"),
        decode=loki.ScriptChunk.decode,
    )
    got = [c.output.data for c in stream]
    assert got == ["line 0", "line 1", "line 2"]
    _done(client)


def test_errors_over_fake_socket_pool_close_their_sockets():
    trailer = framing.encode_trailer_frame({"grpc-status": "5", "grpc-message": "no%20script"})
    fake_net.serve(HOST, PORT, fake_net.respond(_grpc_response(trailer)))
    fake_net.serve(HOST, PORT, fake_net.respond(_grpc_response(b"", headers={"grpc-status": "16"})))
    fake_net.serve(HOST, PORT, fake_net.respond(_grpc_response(b"\x00\x00\x00\x00\x09abc")))
    fake_net.serve(HOST, PORT, fake_net.reset(b"HTTP/1.1 200 OK\r\n"))
    fake_net.serve(HOST, PORT, fake_net.refuse())
    fake_net.serve(HOST, PORT, fake_net.hang())
    pool, client = _client(retry_policy=RetryPolicy(1), timeout=0.2)

    def call():
        return client.unary("/loki.LokiService/ExecuteScript", b"")

    assert _raises(StatusCode.NOT_FOUND, call).message == "no script"
    _raises(StatusCode.UNAUTHENTICATED, call)
    _raises(StatusCode.INTERNAL, call)
    _raises(StatusCode.UNAVAILABLE, call)
    _raises(StatusCode.UNAVAILABLE, call)
    _raises(StatusCode.DEADLINE_EXCEEDED, call)
    # Every failed exchange closed its socket: at most the idle keep-alive one is open.
    assert len(fake_net.open_sockets()) <= 1
    _done(client)
