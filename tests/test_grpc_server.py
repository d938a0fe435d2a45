# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Our device-side gRPC-Web server (jotunheim.http.server on CPython's socket module),
called by third-party gRPC-Web clients (connect-python, connect-node), by our client,
and by raw sockets sending malformed requests."""

import json
import socket
import struct
import threading
import time

import pytest

from jotunheim.compat import monotonic_ms
from jotunheim.grpc.client import GrpcWebClient
from jotunheim.grpc.retry import RetryPolicy
from jotunheim.grpc.server import GrpcWebServer
from jotunheim.grpc.status import GrpcError, StatusCode
from jotunheim.grpc.timeout import parse_grpc_timeout
from jotunheim.pb import jotunheim as jpb
from jotunheim.pb import loki as lpb
from tests.interop import node_peer, stubs


def get_status(request, context):
    auth = context.headers.get("authorization", "")
    return jpb.DeviceStatusResponse(
        device_id=request.device_id,
        status="online",
        capabilities=json.dumps({"auth": auth, "peer": context.client_address[0]}),
        last_seen="now",
    )


def call_tool(request, context):
    if request.tool_name == "explode":
        raise RuntimeError("secret internal detail /flash/code.py line 12")
    if request.tool_name == "denied":
        raise GrpcError(StatusCode.PERMISSION_DENIED, "tool is user-only ✋")
    return jpb.ToolCallResponse(success=True, result=request.parameters.encode())


def stream_script(request, context):
    params = request.input.parameters if request.input else {}
    n = int(params.get("n", "3"))
    for i in range(n):
        yield lpb.ScriptChunk(output=lpb.ScriptOutput(data="line %d" % i))
        if request.script_name == "fail_midway" and i == 1:
            raise GrpcError(StatusCode.ABORTED, "lost the sensor")
        if request.script_name == "crash" and i == 0:
            raise ValueError("boom")
        time.sleep(float(params.get("delay", "0.02")))
    yield lpb.ScriptChunk(result=lpb.ScriptResult(success=True, output="done"))


class Running:
    """Our server in a thread that calls poll() in a loop (as the Device loop does)."""

    def __init__(self, max_request_size=4096):
        self.server = GrpcWebServer(socket, max_request_size=max_request_size)
        s = self.server
        s.register(
            "jotunheim.JotunheimService", "GetDeviceStatus", jpb.DeviceStatusRequest, get_status
        )
        s.register("jotunheim.JotunheimService", "CallTool", jpb.ToolCallRequest, call_tool)
        s.register(
            "loki.LokiService",
            "StreamScriptExecution",
            lpb.StreamScriptExecutionRequest,
            stream_script,
            streaming=True,
        )
        s.start("127.0.0.1", 0)
        self.url = "http://127.0.0.1:%d" % s.port
        self.port = s.port
        self._stop = False
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while not self._stop:
            if not self.server.poll():
                time.sleep(0.002)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stop = True
        self.thread.join(5)
        self.server.stop()


@pytest.fixture
def running():
    with Running() as r:
        yield r


def exchange(port, data):
    """Send ``data`` on a new connection; everything the server answers until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(data)
        reply = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return reply
            reply += chunk


def raw_call(port, path, body, headers=None):
    """Send one request on a raw socket; returns (status line, headers dict, body bytes)."""
    head = "POST %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %d\r\n" % (
        path,
        len(body),
    )
    for k, v in (headers or {"Content-Type": "application/grpc-web+proto"}).items():
        head += "%s: %s\r\n" % (k, v)
    data = exchange(port, head.encode() + b"\r\n" + body)
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    hdrs = {}
    for line in lines[1:]:
        k, v = line.split(":", 1)
        hdrs[k.strip().lower()] = v.strip()
    return lines[0], hdrs, rest


def frame(payload, flag=0):
    return struct.pack(">BI", flag, len(payload)) + payload


def test_our_client_unary_stream_and_errors(running):
    c = GrpcWebClient(
        running.url, socket_pool=socket, timeout=5, metadata={"authorization": "Bearer t"}
    )
    status = c.unary(
        "/jotunheim.JotunheimService/GetDeviceStatus",
        jpb.DeviceStatusRequest(device_id="d1"),
        decode=jpb.DeviceStatusResponse.decode,
    )
    assert status.device_id == "d1" and json.loads(status.capabilities)["auth"] == "Bearer t"
    chunks = list(
        c.server_stream(
            "/loki.LokiService/StreamScriptExecution",
            lpb.StreamScriptExecutionRequest(script_name="count"),
            decode=lpb.ScriptChunk.decode,
        )
    )
    assert [ch.which_oneof("chunk_type") for ch in chunks] == ["output"] * 3 + ["result"]
    with pytest.raises(GrpcError) as info:
        c.unary("/jotunheim.JotunheimService/CallTool", jpb.ToolCallRequest(tool_name="explode"))
    assert info.value.code == StatusCode.INTERNAL
    assert "secret" not in info.value.message and "Traceback" not in info.value.message
    with pytest.raises(GrpcError) as info:
        c.unary("/jotunheim.JotunheimService/CallTool", jpb.ToolCallRequest(tool_name="denied"))
    assert (
        info.value.code == StatusCode.PERMISSION_DENIED
        and info.value.message == "tool is user-only ✋"
    )
    with pytest.raises(GrpcError) as info:
        c.unary("/jotunheim.JotunheimService/Nope", b"")
    assert info.value.code == StatusCode.UNIMPLEMENTED
    got = []
    with pytest.raises(GrpcError) as info:
        for ch in c.server_stream(
            "/loki.LokiService/StreamScriptExecution",
            lpb.StreamScriptExecutionRequest(script_name="crash"),
            decode=lpb.ScriptChunk.decode,
        ):
            got.append(ch)
    assert len(got) == 1 and info.value.code == StatusCode.INTERNAL
    # Still serving after all of that.
    assert c.unary(
        "/jotunheim.JotunheimService/CallTool",
        jpb.ToolCallRequest(tool_name="ok", parameters="{}"),
        decode=jpb.ToolCallResponse.decode,
    ).success


def test_connect_python_grpc_web_client_calls_our_server(running, tmp_path):
    from connectrpc.errors import ConnectError
    from connectrpc.protocol import ProtocolType

    st = stubs.load(str(tmp_path / "stubs"))
    device = st.jotunheim_connect.JotunheimServiceClientSync(
        running.url, protocol=ProtocolType.GRPC_WEB, send_compression=None, accept_compression=()
    )
    resp = device.get_device_status(
        st.jotunheim_pb2.DeviceStatusRequest(device_id="dev-9"),
        headers={"authorization": "Bearer py"},
    )
    assert resp.device_id == "dev-9" and resp.status == "online"
    assert json.loads(resp.capabilities)["auth"] == "Bearer py"
    with pytest.raises(ConnectError) as info:
        device.call_tool(st.jotunheim_pb2.ToolCallRequest(tool_name="denied"))
    assert info.value.code.name == "PERMISSION_DENIED"
    assert str(info.value.message) == "tool is user-only ✋"
    with pytest.raises(ConnectError) as info:
        device.send_device_command(st.jotunheim_pb2.DeviceCommandRequest(command="x"))
    assert info.value.code.name == "UNIMPLEMENTED"
    loki = st.loki_connect.LokiServiceClientSync(
        running.url, protocol=ProtocolType.GRPC_WEB, send_compression=None, accept_compression=()
    )
    req = st.loki_pb2.StreamScriptExecutionRequest(script_name="count")
    req.input.parameters["n"] = "4"
    chunks = list(loki.stream_script_execution(req))
    assert [c.WhichOneof("chunk_type") for c in chunks] == ["output"] * 4 + ["result"]
    req.script_name = "fail_midway"
    got = []
    with pytest.raises(ConnectError) as info:
        for c in loki.stream_script_execution(req):
            got.append(c.output.data)
    assert got == ["line 0", "line 1"] and info.value.code.name == "ABORTED"


def test_connect_node_grpc_web_client_calls_our_server(running, tmp_path):
    node_peer.require("the connect-es client calls our server")
    results = node_peer.run_client(node_peer.descriptor_set(str(tmp_path)), running.url)
    assert results["status"]["ok"]["deviceId"] == "dev-1"
    assert json.loads(results["status"]["ok"]["capabilities"])["auth"] == "Bearer node"
    assert results["unknown"]["code"] == 12  # connect-es Code.Unimplemented
    assert results["failing"]["code"] == 13 and "secret" not in results["failing"]["message"]
    stream = results["stream"]["ok"]
    assert [next(iter(c)) for c in stream] == ["output", "output", "output", "result"]
    assert results["stream_error"]["code"] == 10  # Aborted


def test_malformed_requests_get_invalid_argument_and_the_server_keeps_serving(running):
    path = "/jotunheim.JotunheimService/GetDeviceStatus"
    cases = {
        "truncated frame": b"\x00\x00\x00\x00\x09abc",
        "truncated header": b"\x00\x00",
        "trailer frame": frame(b"grpc-status: 0\r\n", 0x80),
        "compressed flag": frame(b"\x0a\x01x", 0x01),
        "two messages": frame(b"\x0a\x01x") + frame(b"\x0a\x01y"),
        "bad protobuf": frame(b"\x0a\x09abc"),
        "empty body": b"",
    }
    for name, body in cases.items():
        line, headers, rest = raw_call(running.port, path, body)
        assert line.startswith("HTTP/1.1 200"), name
        assert headers["grpc-status"] == "3", (name, headers)
        assert rest == b"", name
    line, headers, _ = raw_call(
        running.port, path, frame(b"\x0a\x01x"), {"Content-Type": "application/grpc-web-text"}
    )
    assert line.startswith("HTTP/1.1 415")
    line, headers, rest = raw_call(running.port, path, frame(b"\x0a\x02ok"))
    assert headers["content-type"] == "application/grpc-web+proto"
    assert rest.endswith(b"grpc-status: 0\r\n") and b"ok" in rest


def test_oversized_request_is_resource_exhausted():
    with Running(max_request_size=64) as r:
        body = frame(jpb.DeviceStatusRequest(device_id="x" * 200).encode())
        line, headers, _ = raw_call(r.port, "/jotunheim.JotunheimService/GetDeviceStatus", body)
        assert headers["grpc-status"] == str(StatusCode.RESOURCE_EXHAUSTED)
        c = GrpcWebClient(r.url, socket_pool=socket, timeout=5, retry_policy=RetryPolicy(1))
        ok = c.unary(
            "/jotunheim.JotunheimService/GetDeviceStatus",
            jpb.DeviceStatusRequest(device_id="small"),
            decode=jpb.DeviceStatusResponse.decode,
        )
        assert ok.device_id == "small"


def test_streams_are_chunked_and_arrive_over_time(running):
    c = GrpcWebClient(running.url, socket_pool=socket, timeout=5)
    stream = c.server_stream(
        "/loki.LokiService/StreamScriptExecution",
        lpb.StreamScriptExecutionRequest(
            script_name="count", input=lpb.ScriptInput(parameters={"n": "3", "delay": "0.2"})
        ),
        decode=lpb.ScriptChunk.decode,
    )
    assert stream.headers["transfer-encoding"] == "chunked"
    start = time.monotonic()
    first = next(stream)
    t_first = time.monotonic() - start
    rest = list(stream)
    assert first.output.data == "line 0" and len(rest) == 3
    assert t_first < 0.15 and time.monotonic() - start > 0.45


def test_client_deadline_is_passed_to_handlers():
    seen = {}

    def timed(request, context):
        deadline = context.call_deadline  # monotonic_ms() time, or None
        seen["remaining"] = None if deadline is None else deadline - monotonic_ms()
        return jpb.DeviceStatusResponse(status="ok")

    with Running() as r:
        r.server.register("t.T", "Timed", jpb.DeviceStatusRequest, timed)
        body = frame(jpb.DeviceStatusRequest().encode())
        headers = {"Content-Type": "application/grpc-web+proto", "grpc-timeout": "250m"}
        line, hdrs, _ = raw_call(r.port, "/t.T/Timed", body, headers)
        assert line.startswith("HTTP/1.1 200") and 50 < seen["remaining"] <= 250
        headers["grpc-timeout"] = "1n"  # already over when the handler runs
        raw_call(r.port, "/t.T/Timed", body, headers)
        assert seen["remaining"] <= 0
        del headers["grpc-timeout"]
        raw_call(r.port, "/t.T/Timed", body, headers)
        assert seen["remaining"] is None
    assert parse_grpc_timeout("250m") == 250
    assert parse_grpc_timeout("2S") == 2000
    assert parse_grpc_timeout("1H") == 3600000
    assert parse_grpc_timeout("123456789m") is None
    assert parse_grpc_timeout("5x") is None
    assert parse_grpc_timeout(None) is None


def test_a_calls_trailers_and_deadline_are_its_own_on_a_kept_alive_connection():
    # The context is the connection's slot: what one call set (trailers, deadline) must
    # not reach the next call on the same connection.
    seen = []

    def tagged(request, context):
        seen.append(context.call_deadline)
        if len(seen) == 1:
            context.trailers = {"X-First": 1}
        return jpb.DeviceStatusResponse(status="ok")

    with Running() as r:
        r.server.register("t.T", "Tagged", jpb.DeviceStatusRequest, tagged)
        body = frame(jpb.DeviceStatusRequest().encode())
        head = (
            "POST /t.T/Tagged HTTP/1.1\r\nHost: x\r\n"
            "Content-Type: application/grpc-web+proto\r\nContent-Length: %d\r\n" % len(body)
        ).encode()
        first = head + b"grpc-timeout: 5S\r\n\r\n" + body
        second = head + b"Connection: close\r\n\r\n" + body
        data = exchange(r.port, first + second)  # pipelined: one connection, one slot
    assert data.count(b"HTTP/1.1 200") == 2 and data.count(b"grpc-status: 0") == 2
    assert data.count(b"x-first: 1") == 1
    assert seen[0] is not None and seen[1] is None
