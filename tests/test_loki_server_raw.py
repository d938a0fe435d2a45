# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The reference Loki on the wire, byte by byte: gRPC-Web frames built by hand from
betterproto bytes, sent with http.client (and a raw socket for chunk boundaries)."""

import gzip
import http.client
import re
import socket
import struct

import betterproto
import pytest

from jotunheim_host.loki import Limits, LokiServer
from jotunheim_host.reference_pb import loki as pb

OK_TRAILER = b"\x80\x00\x00\x00\x10grpc-status: 0\r\n"
HEADERS = {"content-type": "application/grpc-web+proto", "x-grpc-web": "1"}


def frame(message, flags=0) -> bytes:
    payload = bytes(message) if not isinstance(message, bytes) else message
    return bytes([flags]) + struct.pack(">I", len(payload)) + payload


@pytest.fixture
def loki(tmp_path):
    limits = Limits(max_instructions=5_000_000, max_seconds=3)
    with LokiServer(str(tmp_path / "scripts"), port=0, limits=limits) as srv:
        yield srv


@pytest.fixture
def conn(loki):
    c = http.client.HTTPConnection("127.0.0.1", loki.port, timeout=20)
    yield c
    c.close()


def post(conn, method, body, headers=None):
    conn.request("POST", f"/loki.LokiService/{method}", body=body, headers=headers or HEADERS)
    resp = conn.getresponse()
    return resp, resp.read()


def unary(conn, method, request, response_cls):
    """POST one frame; check the reply is exactly [message frame][OK trailer frame]."""
    resp, body = post(conn, method, frame(request))
    assert resp.status == 200
    assert resp.getheader("content-type") == "application/grpc-web+proto"
    assert resp.getheader("content-length") == str(len(body))
    assert body[0] == 0x00
    (length,) = struct.unpack(">I", body[1:5])
    assert body[5 + length :] == OK_TRAILER
    payload = body[5 : 5 + length]
    message = response_cls().parse(payload)
    assert bytes(message) == payload  # canonical encoding round-trips exactly
    return message


def test_every_unary_rpc_on_one_keep_alive_connection(conn, loki):
    # An empty response is still one 5-byte message frame, then the trailer frame.
    resp, body = post(conn, "ListScripts", frame(pb.ListScriptsRequest()))
    assert body == b"\x00\x00\x00\x00\x00" + OK_TRAILER
    reg = unary(
        conn,
        "RegisterScript",
        pb.RegisterScriptRequest(
            name="add",
            language="lua",
            inline_script="return params.a + params.b",
            parameters=[
                pb.ParameterDefinition(name="a", type="Number", required=True),
                pb.ParameterDefinition(name="b", type="Number", required=True),
            ],
            return_type="Number",
        ),
        pb.RegisterScriptResponse,
    )
    assert reg == pb.RegisterScriptResponse(success=True, script_name="add")
    # field 1 (bool) = 1, field 2 (string) = "add"
    assert bytes(reg) == b"\x08\x01\x12\x03add"
    listed = unary(
        conn, "ListScripts", pb.ListScriptsRequest(name_pattern="a*"), pb.ListScriptsResponse
    )
    assert [s.name for s in listed.scripts] == ["add"]
    assert listed.scripts[0].has_inline_script and listed.scripts[0].return_type == "Number"
    done = unary(
        conn,
        "ExecuteScript",
        pb.ExecuteScriptRequest(script_id="add", parameters={"a": "40", "b": "2"}),
        pb.ExecuteScriptResponse,
    )
    assert done == pb.ExecuteScriptResponse(success=True, output="42")
    assert bytes(done) == b"\x08\x01\x12\x0242"
    failed = unary(
        conn,
        "ExecuteScript",
        pb.ExecuteScriptRequest(script_content="error('no', 0)", script_type="lua"),
        pb.ExecuteScriptResponse,
    )
    assert failed == pb.ExecuteScriptResponse(success=False, error="no")
    assert bytes(failed) == b"\x1a\x02no"  # only field 3 is on the wire
    caps = unary(conn, "GetCapabilities", pb.GetCapabilitiesRequest(), pb.GetCapabilitiesResponse)
    assert caps.service_name == "loki" and caps.capabilities[0].script_name == "add"
    assert caps.capabilities[0].supports_streaming
    status = unary(
        conn, "GetChildrenStatus", pb.GetChildrenStatusRequest(), pb.GetChildrenStatusResponse
    )
    assert [c.name for c in status.children] == ["Fenrir", "Jörmungandr", "Hel"]
    assert all(c.last_check_timestamp > 1_600_000_000_000 for c in status.children)


def test_stream_sends_one_chunk_per_frame(loki):
    register = pb.RegisterScriptRequest(
        name="ticks", language="lua", inline_script="for i = 1, 3 do emit(i) end return 'end'"
    )
    c = http.client.HTTPConnection("127.0.0.1", loki.port, timeout=20)
    post(c, "RegisterScript", frame(register))
    c.close()
    body = frame(pb.StreamScriptExecutionRequest(script_name="ticks"))
    request = (
        b"POST /loki.LokiService/StreamScriptExecution HTTP/1.1\r\n"
        b"Host: 127.0.0.1\r\ncontent-type: application/grpc-web+proto\r\nx-grpc-web: 1\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\nconnection: close\r\n\r\n" + body
    )
    with socket.create_connection(("127.0.0.1", loki.port), timeout=20) as sock:
        sock.sendall(request)
        raw = b""
        while True:
            data = sock.recv(65536)
            if not data:
                break
            raw += data
    head, _, rest = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ")
    assert b"transfer-encoding: chunked" in head.lower()
    assert b"content-type: application/grpc-web+proto" in head.lower()
    chunks = []
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        chunks.append(rest[:size])
        assert rest[size : size + 2] == b"\r\n"
        rest = rest[size + 2 :]
    # Each chunk is exactly one gRPC-Web frame; the trailer frame is the last.
    assert chunks[-1] == OK_TRAILER
    messages = []
    for chunk in chunks[:-1]:
        assert chunk[0] == 0x00
        assert struct.unpack(">I", chunk[1:5])[0] == len(chunk) - 5
        messages.append(pb.ScriptChunk().parse(chunk[5:]))
    kinds = [betterproto.which_one_of(m, "chunk_type")[0] for m in messages]
    assert kinds == ["output", "output", "output", "output", "result"]
    assert [m.output.data for m in messages[:3]] == ["1", "2", "3"]
    assert messages[3].output.is_final
    assert messages[4].result.success and messages[4].result.output == "end"


def test_malformed_requests_get_trailers_only_errors(conn):
    cases = [
        (b"", "3", "at least 5"),
        (b"\x00\x00\x00\x00\x09abc", "3", "frame says 9 bytes"),
        (b"\x80\x00\x00\x00\x00", "3", "trailer frame"),
        (b"\x01\x00\x00\x00\x02\x08\x01", "12", "compressed"),
        (b"\x42\x00\x00\x00\x00", "3", "flags"),
    ]
    for body, code, why in cases:
        resp, data = post(conn, "ExecuteScript", body)
        assert resp.status == 200 and data == b""
        assert resp.getheader("grpc-status") == code, body
        assert why.replace(" ", "%20") in resp.getheader("grpc-message"), resp.getheader(
            "grpc-message"
        )
    resp, data = post(conn, "ExecuteScript", frame(b"\x00"), {"content-type": "application/json"})
    assert resp.status == 415 and resp.getheader("grpc-status") == "3"
    resp, data = post(conn, "NoSuchMethod", frame(b""))
    assert resp.getheader("grpc-status") == "12"


def test_gzip_frame_with_grpc_encoding(conn):
    request = bytes(pb.ExecuteScriptRequest(script_content="return 'gz'", script_type="lua"))
    headers = dict(HEADERS, **{"grpc-encoding": "gzip"})
    resp, body = post(conn, "ExecuteScript", frame(gzip.compress(request), flags=1), headers)
    assert body == frame(pb.ExecuteScriptResponse(success=True, output="gz")) + OK_TRAILER


def test_chunked_request_body_and_odd_accept(conn):
    request = frame(pb.ExecuteScriptRequest(script_content="return 7", script_type="lua"))
    conn.request(
        "POST",
        "/loki.LokiService/ExecuteScript",
        body=iter([request[:3], request[3:]]),
        headers=dict(HEADERS, accept="*/*"),
        encode_chunked=True,
    )
    resp = conn.getresponse()
    body = resp.read()
    # sonora would echo "*/*"; the dispatcher makes it the gRPC-Web type.
    assert resp.getheader("content-type") == "application/grpc-web+proto"
    assert body == frame(pb.ExecuteScriptResponse(success=True, output="7")) + OK_TRAILER


def test_grpc_timeout_cuts_the_script_short(conn):
    # sonora alone ignores grpc-timeout; the dispatcher parses it and the limit follows.
    spin = pb.ExecuteScriptRequest(script_content="while true do end", script_type="lua")
    headers = dict(HEADERS, **{"grpc-timeout": "300m"})
    resp, body = post(conn, "ExecuteScript", frame(spin), headers)
    reply = pb.ExecuteScriptResponse().parse(body[5 : len(body) - len(OK_TRAILER)])
    assert body.endswith(OK_TRAILER)
    # The server's own limit here is 5,000,000 instructions; 300 ms must win or tie.
    assert not reply.success
    # The deadline is what is left of 300 ms when the run starts.
    timed_out = re.search(r"time limit exceeded \(0\.(29\d?|3) s", reply.error)
    assert timed_out or "instruction limit" in reply.error, reply.error
    resp, body = post(conn, "ExecuteScript", frame(spin), dict(HEADERS, **{"grpc-timeout": "5 s"}))
    assert resp.getheader("grpc-status") == "3" and body == b""
    assert "malformed%20grpc-timeout" in resp.getheader("grpc-message")


def test_grpc_timeout_on_a_stream(tmp_path):
    limits = Limits(max_instructions=10**15, max_seconds=30)
    with LokiServer(str(tmp_path / "s"), port=0, limits=limits) as srv:
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=20)
        reg = pb.RegisterScriptRequest(
            name="spin", language="lua", inline_script="while true do end"
        )
        post(c, "RegisterScript", frame(reg))
        req = frame(pb.StreamScriptExecutionRequest(script_name="spin"))
        resp, body = post(
            c, "StreamScriptExecution", req, dict(HEADERS, **{"grpc-timeout": "400m"})
        )
        assert body.endswith(OK_TRAILER)
        chunk = pb.ScriptChunk().parse(body[5 : len(body) - len(OK_TRAILER)])
        assert chunk.error.error_type == "timeout"
        # The deadline is what is left of 400 ms when the run starts.
        assert re.fullmatch(r"time limit exceeded \(0\.(39\d?|4) s\)", chunk.error.error_message)
        c.close()
