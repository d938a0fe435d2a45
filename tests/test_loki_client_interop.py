# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""LokiClient against third-party gRPC-Web servers on 127.0.0.1: sonora's WSGI app and
connect-python's WSGI app (threaded wsgiref, close-delimited HTTP/1.0 bodies), and
connect-node (HTTP/1.1 keep-alive, chunked streams). Every LokiService RPC, errors in
the trailer frame, a stream failing midway, a deadline mid-stream."""

import json
import socket
import time

import pytest

from jotunheim.grpc.retry import RetryPolicy
from jotunheim.grpc.status import GrpcError, StatusCode
from jotunheim.loki.client import LokiClient, ScriptFailed
from jotunheim.pb import loki as pb
from tests.interop import loki_standins, node_peer, stubs
from tests.interop.counting_pool import CountingPool

FAIL_MESSAGE = loki_standins.FAIL_MESSAGE


@pytest.fixture(scope="module")
def gen(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("stubs"))
    return out, stubs.load(out)


@pytest.fixture(params=["sonora", "connect-python"])
def python_server(request, gen):
    _, st = gen
    behaviour = loki_standins.LokiBehaviour(st.loki_pb2)
    make = loki_standins.sonora_app if request.param == "sonora" else loki_standins.connect_app
    with loki_standins.WsgiServer(make(st, behaviour)) as srv:
        srv.behaviour = behaviour
        srv.kind = request.param
        yield srv


@pytest.fixture(scope="module")
def node_server(gen):
    node_peer.require("connect-node serves LokiService")
    with node_peer.NodeServer(node_peer.descriptor_set(gen[0])) as srv:
        yield srv


def test_every_unary_rpc(python_server):
    loki = LokiClient(python_server.url, token="s3cret", timeout=5)
    caps = loki.get_capabilities()
    assert caps.service_name == "loki-standin"
    assert [c.name for c in caps.children] == ["fenrir", "jormungandr", "hel"]
    assert caps.capabilities[0].script_name == "temperature_monitor"
    assert caps.capabilities[0].parameters[0].required is True
    status = loki.get_children_status()
    assert status.children[0].last_check_timestamp == 1700000000
    assert status.children[1].status_message == "disk full"
    reg = loki.register_script(
        "blink",
        inline_script="return 1",
        description="blinks",
        parameters=[("times", "Number", True, "how often"), {"name": "pin", "type": "Number"}],
        return_type="Boolean",
    )
    assert reg.success and reg.script_name == "blink"
    scripts = loki.list_scripts()
    assert [s.name for s in scripts] == ["blink", "temperature_monitor"]
    blink = scripts[0]
    assert blink.has_inline_script and blink.parameters[0].description == "how often"
    assert [s.name for s in loki.list_scripts("temp")] == ["temperature_monitor"]
    path_reg = loki.register_script("from_file", script_path="/scripts/x.lua")
    assert path_reg.success
    assert loki.list_scripts("from_")[0].script_path == "/scripts/x.lua"
    result = loki.execute_script("echo", {"n": 3, "on": True, "xs": [1, 2], "s": "é"})
    assert result.success
    assert json.loads(result.output) == {"n": "3", "on": "true", "xs": "[1, 2]", "s": "é"}
    assert loki.execute_script("whoami").output == "Bearer s3cret"
    inline = loki.execute_script("inline", script_content="return 2", script_type="lua")
    assert inline.output == "lua:return 2"
    failed = loki.execute_script("lua_error")
    assert not failed.success and "nil" in failed.error
    # Metadata reached the server on every call.
    calls = python_server.behaviour.calls
    assert all(meta.get("authorization") == "Bearer s3cret" for _, meta in calls)
    loki.close()


def test_dynamic_script_functions(python_server):
    loki = LokiClient(python_server.url, timeout=5)
    assert dir(loki.scripts) == ["temperature_monitor"]
    out = loki.scripts.temperature_monitor(sensor="dht22")
    assert out == 'ran temperature_monitor {"sensor": "dht22"}'
    assert loki.scripts.Script_temperature_monitor(sensor="x").startswith("ran temperature")
    with pytest.raises(ScriptFailed) as info:
        loki.scripts.lua_error()
    assert "nil" in str(info.value)
    with pytest.raises(GrpcError) as err:
        loki.scripts.not_there()
    assert err.value.code == StatusCode.NOT_FOUND
    loki.register_script("later", inline_script="return 0")
    assert "later" in loki.scripts.refresh()
    chunks = list(loki.scripts.count.stream(n=2, delay=0))
    assert chunks[-1].which_oneof("chunk_type") == "result"
    loki.close()


def test_error_status_in_trailer_frame(python_server):
    loki = LokiClient(python_server.url, timeout=5)
    with pytest.raises(GrpcError) as info:
        loki.execute_script("fail")
    assert info.value.code == StatusCode.FAILED_PRECONDITION
    assert info.value.message == FAIL_MESSAGE
    assert info.value.trailers["grpc-status"] == "9"


def test_server_stream_arrives_over_time(python_server):
    loki = LokiClient(python_server.url, timeout=5)
    stamps = []
    chunks = []
    start = time.monotonic()
    for chunk in loki.stream_script_execution("count", {"n": 4, "delay": 0.15}):
        stamps.append(time.monotonic() - start)
        chunks.append(chunk)
    assert [c.output.data for c in chunks[:4]] == ["line 0", "line 1", "line 2", "line 3"]
    assert chunks[4].which_oneof("chunk_type") == "result"
    assert chunks[4].result.metadata == {"n": "4"}
    # The first message was in our hands well before the last was produced.
    assert stamps[3] - stamps[0] > 0.3


def test_stream_error_before_any_message(python_server):
    loki = LokiClient(python_server.url, timeout=5)
    with pytest.raises(GrpcError) as info:
        list(loki.stream_script_execution("fail_first"))
    assert info.value.code == StatusCode.PERMISSION_DENIED


def test_stream_that_errors_midway(python_server):
    pool = CountingPool()
    loki = LokiClient(python_server.url, timeout=5, socket_pool=pool)
    got = []
    with pytest.raises(GrpcError) as info:
        for chunk in loki.stream_script_execution("fail_midway"):
            got.append(chunk.output.data)
    assert got == ["part 0", "part 1"]
    assert info.value.code == StatusCode.ABORTED and info.value.message == "lost the sensor"
    # No socket leaked: at most the idle keep-alive one, which close() closes.
    assert pool.open() <= 1
    loki.close()
    assert pool.open() == 0


def test_deadline_expires_mid_stream(python_server):
    pool = CountingPool()
    loki = LokiClient(python_server.url, timeout=0.8, socket_pool=pool)
    got = 0
    start = time.monotonic()
    with pytest.raises(GrpcError) as info:
        for _ in loki.stream_script_execution("forever"):
            got += 1
    assert info.value.code == StatusCode.DEADLINE_EXCEEDED
    assert got >= 2
    assert time.monotonic() - start < 2.0
    # A unary call works right after, and the abandoned stream's socket is gone.
    assert loki.get_capabilities(timeout=5).service_name == "loki-standin"
    assert len(pool.made) == 2 and pool.open() <= 1  # at most the idle unary socket
    loki.close()
    assert pool.open() == 0


def test_unary_deadline(python_server):
    loki = LokiClient(python_server.url, timeout=0.3)
    with pytest.raises(GrpcError) as info:
        loki.execute_script("slow", {"seconds": 1.5})
    assert info.value.code == StatusCode.DEADLINE_EXCEEDED


def test_unknown_path_maps_http_404_to_unimplemented(python_server):
    loki = LokiClient(python_server.url + "/nothing-here", timeout=5)
    with pytest.raises(GrpcError) as info:
        loki.execute_script("echo")
    assert info.value.code == StatusCode.UNIMPLEMENTED


def test_stream_and_unary_calls_interleave(python_server):
    loki = LokiClient(python_server.url, timeout=5)
    stream = loki.stream_script_execution("count", {"n": 3, "delay": 0.05})
    first = next(stream)
    assert loki.execute_script("echo", {"a": 1}).success
    rest = list(stream)
    assert first.output.data == "line 0" and len(rest) == 3


def test_server_down(gen):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    loki = LokiClient(
        "http://127.0.0.1:%d" % port,
        timeout=2,
        retry_policy=RetryPolicy(3, initial_backoff=0.01, max_backoff=0.02),
    )
    for call in (loki.get_capabilities, lambda: loki.execute_script("x")):
        with pytest.raises(GrpcError) as info:
            call()
        assert info.value.code == StatusCode.UNAVAILABLE
    with pytest.raises(GrpcError) as info:
        loki.stream_script_execution("count")
    assert info.value.code == StatusCode.UNAVAILABLE


def test_server_resets_the_connection():
    from tests.interop.raw_server import RESET, RawServer

    with RawServer(lambda request: RESET) as srv:
        loki = LokiClient(srv.url, timeout=2, retry_policy=RetryPolicy(2, initial_backoff=0.01))
        with pytest.raises(GrpcError) as info:
            loki.get_capabilities()
        assert info.value.code == StatusCode.UNAVAILABLE
        assert len(srv.requests) == 2  # idempotent: retried once
        with pytest.raises(GrpcError) as info:
            loki.execute_script("x")
        assert info.value.code == StatusCode.UNAVAILABLE
        assert len(srv.requests) == 3  # not idempotent: no retry


# -- connect-node (HTTP/1.1 keep-alive, chunked) ------------------------------------------


def test_connect_node_every_rpc_and_keep_alive(node_server):
    pool = CountingPool()
    loki = LokiClient(node_server.url, token="tok", timeout=5, socket_pool=pool)
    assert loki.get_capabilities().service_name == "loki-connect-node"
    assert loki.get_children_status().children[0].status_message == "disk full"
    assert [s.name for s in loki.list_scripts()] == ["blink", "temperature_monitor"]
    assert loki.register_script("x", inline_script="return 1").script_name == "x"
    assert json.loads(loki.execute_script("echo", {"b": 2, "a": 1}).output) == {"a": "1", "b": "2"}
    assert loki.execute_script("whoami").output == "Bearer tok"
    with pytest.raises(GrpcError) as info:
        loki.execute_script("fail")
    assert info.value.code == StatusCode.FAILED_PRECONDITION and info.value.message == FAIL_MESSAGE
    # All of that over one kept-alive connection.
    assert len(pool.made) == 1 and pool.open() == 1
    loki.close()
    assert pool.open() == 0


def test_connect_node_chunked_stream_over_time_and_midway_error(node_server):
    loki = LokiClient(node_server.url, timeout=5)
    start = time.monotonic()
    stamps = []
    chunks = []
    for chunk in loki.stream_script_execution("count", {"n": 3, "delay": 150}):
        stamps.append(time.monotonic() - start)
        chunks.append(chunk)
    assert [c.which_oneof("chunk_type") for c in chunks] == ["output"] * 3 + ["result"]
    assert stamps[2] - stamps[0] > 0.2
    got = []
    with pytest.raises(GrpcError) as info:
        for chunk in loki.stream_script_execution("fail_midway", {"n": 5, "delay": 10}):
            got.append(chunk.output.data)
    assert got == ["line 0", "line 1"] and info.value.code == StatusCode.ABORTED
    # The completed stream's connection is reusable: run another stream on it.
    assert len(list(loki.stream_script_execution("count", {"n": 1, "delay": 0}))) == 2
    loki.close()


def test_connect_node_deadline_mid_stream(node_server):
    loki = LokiClient(node_server.url, timeout=0.5)
    got = 0
    with pytest.raises(GrpcError) as info:
        for _ in loki.stream_script_execution("count", {"n": 50, "delay": 100}):
            got += 1
    assert info.value.code == StatusCode.DEADLINE_EXCEEDED and got >= 2


def test_pb_messages_match_google_protobuf(gen):
    """Our request bytes parse with Google's protobuf (what the servers use)."""
    _, st = gen
    ours = pb.ExecuteScriptRequest(script_id="x", parameters={"a": "1"}).encode()
    theirs = st.loki_pb2.ExecuteScriptRequest.FromString(ours)
    assert theirs.script_id == "x" and dict(theirs.parameters) == {"a": "1"}
