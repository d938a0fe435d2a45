# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The reference Loki through a third-party gRPC-Web client (connect-python).

Every RPC, Lua errors, limits (runaway loop, memory bomb, output flood), the sandbox
(no host files, no OS, no bytecode), streaming while the script runs, device.call to a
fake device served by connect-python's own WSGI app, OTA files with Range, persistence.
"""

import http.client
import json
import os
import threading
import time

import pytest
from cheroot import wsgi
from connectrpc.code import Code
from connectrpc.errors import ConnectError
from connectrpc.protocol import ProtocolType

from jotunheim.remote.handler import constant_time_equal
from jotunheim.remote.signing import SignatureCheck
from jotunheim_host.loki import Limits, LokiServer
from jotunheim_host.loki.access import AccessPolicy, DeviceEntry
from jotunheim_host.signing import grpc_web_body
from tests.interop import stubs as stubgen


@pytest.fixture(scope="module")
def st(tmp_path_factory):
    return stubgen.load(str(tmp_path_factory.mktemp("loki_server_stubs")))


@pytest.fixture
def loki(tmp_path):
    limits = Limits(max_instructions=20_000_000, max_seconds=3.0, max_memory=8 * 1024 * 1024)
    (tmp_path / "ota").mkdir()
    with LokiServer(
        str(tmp_path / "scripts"),
        port=0,
        limits=limits,
        ota_dir=str(tmp_path / "ota"),
    ) as srv:
        yield srv


ADMIN = {"authorization": "Bearer admin-token"}
DEV1 = {"authorization": "Bearer dev-1-loki-token"}
DEV2 = {"authorization": "Bearer dev-2-loki-token"}


@pytest.fixture
def tloki(tmp_path):
    """A Loki in token mode: an admin and two devices, dev-1 with its own call token."""
    policy = AccessPolicy(
        admin_token="admin-token",
        devices=[
            DeviceEntry("dev-1", "dev-1-loki-token", device_token="sekrit"),
            DeviceEntry("dev-2", "dev-2-loki-token"),
        ],
        device_token="default-call-token",
    )
    limits = Limits(max_instructions=20_000_000, max_seconds=3.0, max_memory=8 * 1024 * 1024)
    with LokiServer(str(tmp_path / "tscripts"), port=0, limits=limits, policy=policy) as srv:
        yield srv


@pytest.fixture
def tclient(st, tloki):
    with st.loki_connect.LokiServiceClientSync(
        tloki.url, protocol=ProtocolType.GRPC_WEB, timeout_ms=20_000
    ) as c:
        yield c


@pytest.fixture
def client(st, loki):
    with st.loki_connect.LokiServiceClientSync(
        loki.url, protocol=ProtocolType.GRPC_WEB, timeout_ms=20_000
    ) as c:
        yield c


def register(st, client, name, code, params=(), headers=None, **kw):
    req = st.loki_pb2.RegisterScriptRequest(
        name=name, language="lua", inline_script=code, parameters=list(params), **kw
    )
    return client.register_script(req, headers=headers)


def execute(st, client, script_id="", content="", headers=None, **params):
    req = st.loki_pb2.ExecuteScriptRequest(
        script_id=script_id,
        script_content=content,
        script_type="lua" if content else "",
        parameters=params,
    )
    return client.execute_script(req, headers=headers)


def stream(st, client, name, **params):
    req = st.loki_pb2.StreamScriptExecutionRequest(
        script_name=name, input=st.loki_pb2.ScriptInput(parameters=params)
    )
    return list(client.stream_script_execution(req))


# -- the six RPCs -----------------------------------------------------------------------


def test_register_list_and_capabilities(st, client, loki):
    pd = st.loki_pb2.ParameterDefinition
    reg = register(
        st,
        client,
        "temperature_monitor",
        "return params.threshold * 2",
        [pd(name="threshold", type="Number", required=True, description="°C")],
        description="doubles a threshold",
        return_type="Number",
    )
    assert reg.success and reg.script_name == "temperature_monitor", reg.error_message
    assert register(st, client, "other", "return 1").success
    # Persisted as files in the scripts folder.
    root = loki.service.store.root
    assert open(os.path.join(root, "temperature_monitor.lua")).read() == (
        "return params.threshold * 2"
    )
    meta = json.load(open(os.path.join(root, "temperature_monitor.json")))
    assert meta["parameters"][0] == {
        "name": "threshold",
        "type": "Number",
        "required": True,
        "description": "°C",
    }
    listed = client.list_scripts(st.loki_pb2.ListScriptsRequest())
    assert [s.name for s in listed.scripts] == ["other", "temperature_monitor"]
    info = listed.scripts[1]
    assert info.has_inline_script and info.language == "lua" and info.return_type == "Number"
    assert info.parameters[0].required and info.parameters[0].type == "Number"
    # Glob and substring patterns.
    assert [
        s.name
        for s in client.list_scripts(st.loki_pb2.ListScriptsRequest(name_pattern="temp*")).scripts
    ] == ["temperature_monitor"]
    assert [
        s.name
        for s in client.list_scripts(st.loki_pb2.ListScriptsRequest(name_pattern="MONITOR")).scripts
    ] == ["temperature_monitor"]
    assert (
        list(client.list_scripts(st.loki_pb2.ListScriptsRequest(name_pattern="zzz")).scripts) == []
    )
    caps = client.get_capabilities(st.loki_pb2.GetCapabilitiesRequest())
    assert caps.service_name == "loki"
    by_name = {c.script_name: c for c in caps.capabilities}
    assert set(by_name) == {"other", "temperature_monitor"}
    assert by_name["temperature_monitor"].supports_streaming
    assert by_name["temperature_monitor"].description == "doubles a threshold"
    assert [c.name for c in caps.children] == ["Fenrir", "Jörmungandr", "Hel"]
    assert all(c.enabled for c in caps.children)


def test_empty_responses_still_carry_a_message(st, client):
    # sonora drops falsy replies; an empty ListScriptsResponse must still arrive.
    assert list(client.list_scripts(st.loki_pb2.ListScriptsRequest()).scripts) == []


def test_children_status_runs_real_checks(st, client, loki):
    before = int(time.time() * 1000)
    resp = client.get_children_status(st.loki_pb2.GetChildrenStatusRequest())
    kids = {c.name: c for c in resp.children}
    assert set(kids) == {"Fenrir", "Jörmungandr", "Hel"}
    for child in kids.values():
        assert child.last_check_timestamp >= before - 1000
        assert child.status_message
    assert kids["Hel"].available and "MiB free" in kids["Hel"].status_message
    assert kids["Jörmungandr"].available
    # Hel notices a scripts folder it can no longer write to.
    if os.geteuid() != 0:  # root writes anywhere
        os.chmod(loki.service.store.root, 0o500)
        try:
            resp = client.get_children_status(st.loki_pb2.GetChildrenStatusRequest())
            hel = next(c for c in resp.children if c.name == "Hel")
            assert not hel.available and "not writable" in hel.status_message
        finally:
            os.chmod(loki.service.store.root, 0o700)


def test_execute_registered_adhoc_and_script_prefix(st, client):
    assert register(
        st, client, "hello", "print('hi') return {greeting = 'hello ' .. params.who}"
    ).success
    r = execute(st, client, "hello", who="world")
    assert r.success, r.error
    assert json.loads(r.output) == {"greeting": "hello world"}
    r = execute(st, client, "Script_hello", who="prefix")
    assert r.success and json.loads(r.output)["greeting"] == "hello prefix"
    r = execute(st, client, content="local t = {} for i = 1, 3 do t[i] = i * i end return t")
    assert r.success and json.loads(r.output) == [1, 4, 9]
    # No return value: the output is what the script printed.
    r = execute(st, client, content="print('a', 1) print('b')")
    assert r.success and r.output == "a\t1\nb"
    r = execute(st, client, "nope")
    assert not r.success and "not registered" in r.error
    r = client.execute_script(
        st.loki_pb2.ExecuteScriptRequest(script_content="return 1", script_type="python")
    )
    assert not r.success and "script_type" in r.error


def test_typed_parameters(st, client):
    pd = st.loki_pb2.ParameterDefinition
    params = [
        pd(name="n", type="Number", required=True),
        pd(name="i", type="integer"),
        pd(name="flag", type="Boolean"),
        pd(name="cfg", type="Object"),
    ]
    code = (
        "return {n = n_type(), i = math.type(params.i), flag = type(params.flag),"
        " cfg = params.cfg.k, raw = raw_params.n, extra = params.extra}"
    ).replace("n_type()", "math.type(params.n) .. ':' .. tostring(params.n + 1)")
    assert register(st, client, "typed", code, params).success
    r = execute(st, client, "typed", n="1.5", i="7", flag="yes", cfg='{"k": [1]}', extra="x")
    assert r.success, r.error
    assert json.loads(r.output) == {
        "n": "float:2.5",
        "i": "integer",
        "flag": "boolean",
        "cfg": [1],
        "raw": "1.5",
        "extra": "x",
    }
    r = execute(st, client, "typed", i="7")
    assert not r.success and "missing required parameter 'n'" in r.error
    r = execute(st, client, "typed", n="lots")
    assert not r.success and "'n' must be number" in r.error


def test_register_refuses_bad_input(st, client, loki, tmp_path):
    bad = [
        ("../escape", "return 1", "invalid script name"),
        ("a/b", "return 1", "invalid script name"),
        ("", "return 1", "invalid script name"),
        ("x" * 65, "return 1", "invalid script name"),
        ("broken", "return (", "syntax error"),
    ]
    for name, code, why in bad:
        r = register(st, client, name, code)
        assert not r.success and why in r.error_message, (name, r.error_message)
    r = client.register_script(
        st.loki_pb2.RegisterScriptRequest(name="py", language="python", inline_script="1")
    )
    assert not r.success and "unsupported language" in r.error_message
    r = client.register_script(st.loki_pb2.RegisterScriptRequest(name="nosrc", language="lua"))
    assert not r.success
    # By path: must resolve inside the scripts folder.
    secret = tmp_path / "secret.lua"
    secret.write_text("return 'outside'")
    for path in (str(secret), "../secret.lua", "/etc/passwd", "missing.lua"):
        r = client.register_script(
            st.loki_pb2.RegisterScriptRequest(name="bypath", language="lua", script_path=path)
        )
        assert not r.success, path
    # A symlink inside that points outside is refused too.
    os.symlink(str(secret), os.path.join(loki.service.store.root, "link.lua"))
    r = client.register_script(
        st.loki_pb2.RegisterScriptRequest(name="linked", language="lua", script_path="link.lua")
    )
    assert not r.success and "outside" in r.error_message
    assert [s.name for s in client.list_scripts(st.loki_pb2.ListScriptsRequest()).scripts] == []


def test_register_by_path(st, client, loki):
    tools = os.path.join(loki.service.store.root, "lib")
    os.makedirs(tools)
    with open(os.path.join(tools, "adder.lua"), "w") as handle:
        handle.write("return tonumber(params.a) + tonumber(params.b)")
    r = client.register_script(
        st.loki_pb2.RegisterScriptRequest(
            name="adder", language="lua", script_path="lib/adder.lua", description="adds"
        )
    )
    assert r.success, r.error_message
    info = client.list_scripts(st.loki_pb2.ListScriptsRequest(name_pattern="adder")).scripts[0]
    assert not info.has_inline_script and info.script_path == os.path.join("lib", "adder.lua")
    assert execute(st, client, "adder", a="2", b="40").output == "42"


def test_scripts_survive_a_restart(st, tmp_path):
    scripts = str(tmp_path / "persist")
    with LokiServer(scripts, port=0) as first:
        with st.loki_connect.LokiServiceClientSync(first.url, protocol=ProtocolType.GRPC_WEB) as c:
            assert register(st, c, "kept", "return 'still here'").success
    with open(os.path.join(scripts, "handmade.lua"), "w") as handle:
        handle.write("return 'dropped in'")
    with LokiServer(scripts, port=0) as second:
        with st.loki_connect.LokiServiceClientSync(second.url, protocol=ProtocolType.GRPC_WEB) as c:
            names = [s.name for s in c.list_scripts(st.loki_pb2.ListScriptsRequest()).scripts]
            assert names == ["handmade", "kept"]
            assert execute(st, c, "kept").output == "still here"
            assert execute(st, c, "handmade").output == "dropped in"


# -- Lua errors and limits --------------------------------------------------------------


def test_lua_errors_come_back_with_position(st, client):
    r = execute(st, client, content="local x = nil\nreturn x.field")
    assert not r.success and r.error.startswith("script:2:") and "nil value" in r.error
    r = execute(st, client, content="error('custom failure')")
    assert not r.success and "custom failure" in r.error
    r = execute(st, client, content="error({code = 7})")
    assert not r.success and '"code":7' in r.error
    r = execute(st, client, content="return (")
    assert not r.success and "near <eof>" in r.error


def test_runaway_script_is_stopped(st, client, loki):
    """Each runaway is stopped by the instruction limit (20,000,000), well before the
    3 s wall-time limit would stop it; pcall and coroutines cannot keep it alive."""
    for code in (
        "while true do end",
        # pcall cannot swallow the stop.
        "while true do pcall(function() while true do end end) end",
        # Neither can a coroutine (hooks are per Lua thread).
        "coroutine.wrap(function() while true do end end)()",
    ):
        started = time.monotonic()
        r = execute(st, client, content=code)
        took = time.monotonic() - started
        assert not r.success and "instruction limit exceeded (20000000" in r.error, (code, r.error)
        assert took < loki.service.limits.max_seconds, (code, took)
    # The server is still responsive afterwards, with no worker killed for it.
    assert execute(st, client, content="return 'alive'").output == "alive"
    assert loki.service.pool.stats()["killed"] == 0


def test_wall_time_limit(st, tmp_path):
    limits = Limits(max_instructions=10**15, max_seconds=0.5)
    with LokiServer(str(tmp_path / "s"), port=0, limits=limits) as srv:
        with st.loki_connect.LokiServiceClientSync(srv.url, protocol=ProtocolType.GRPC_WEB) as c:
            r = execute(st, c, content="while true do end")
            assert not r.success and "time limit exceeded (0.5 s)" in r.error
            # A client deadline (grpc-timeout) shortens the limit further.
            assert register(st, c, "spin", "while true do end").success
            chunks = list(
                c.stream_script_execution(
                    st.loki_pb2.StreamScriptExecutionRequest(script_name="spin"), timeout_ms=5000
                )
            )
            assert chunks[-1].error.error_type == "timeout"


def test_memory_bomb_is_stopped(st, client):
    for bomb in (
        "local t = {} for i = 1, 1e9 do t[i] = i end",
        "local s = 'x' while true do s = s .. s end",
        "return string.rep('x', 1e9)",
        # Tables built on the Python side (json.decode) count against the same cap.
        "local s = '[' .. string.rep('1,', 1000000) .. '1]' return #json.decode(s)",
        "local s = '[' .. string.rep('1,', 1000000) .. '1]' pcall(json.decode, s) return 1",
    ):
        r = execute(st, client, content=bomb)
        assert not r.success and "memory limit exceeded" in r.error, (bomb, r.error)
    assert execute(st, client, content="return 'alive'").output == "alive"


def test_output_flood_is_stopped(st, client):
    r = execute(st, client, content="while true do print(string.rep('y', 1000)) end")
    assert not r.success and "output limit exceeded" in r.error


# -- the sandbox ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, why",
    [
        ("return io.open('/etc/passwd'):read('a')", "global 'io'"),
        ("return os.execute('id')", "field 'execute'"),
        ("return os.getenv('HOME')", "field 'getenv'"),
        ("return os.remove('x')", "field 'remove'"),
        ("return require('os')", "global 'require'"),
        ("return dofile('/etc/passwd')", "global 'dofile'"),
        ("return loadfile('/etc/passwd')", "global 'loadfile'"),
        ("return package.loadlib('libc.so.6', 'system')", "global 'package'"),
        ("return debug.getregistry()", "global 'debug'"),
        ("return collectgarbage('count')", "global 'collectgarbage'"),
        ("return python.eval('1')", "global 'python'"),
        ("return string.dump(print)", "field 'dump'"),
        ("return getmetatable('').__index.dump(print)", "field 'dump'"),
        ("return assert(load('\\27Lua', 'x', 'b'))", "only text chunks"),
        ("return assert(load('\\27LuaT\\0'))", "binary chunk"),
        ("setmetatable({}, {__gc = function() while true do end end})", "__gc"),
    ],
)
def test_sandbox_refuses_host_access(st, client, code, why):
    r = execute(st, client, content=code)
    assert not r.success, r.output
    assert why in r.error, r.error


def test_host_file_contents_never_leak(st, client):
    r = execute(
        st,
        client,
        content="local ok, f = pcall(function() return io.open('/etc/passwd') end) return tostring(f)",
    )
    assert r.success and "root:" not in r.output and "nil value" in r.output


def test_sandbox_keeps_what_scripts_need(st, client):
    code = (
        "local f = load('return 1 + ...') "
        "local co = coroutine.wrap(function(a) local b = coroutine.yield(a + 1) return b * 2 end) "
        "return {f(41), co(1), co(10), string.format('%05.1f', math.pi),"
        " os.time() > 0, type(os.clock()), json.decode(json.encode({a = {1, 2}})).a[2]}"
    )
    r = execute(st, client, content=code)
    assert r.success, r.error
    assert json.loads(r.output) == [42, 2, 20, "003.1", True, "number", 2]


def test_each_run_starts_clean(st, client):
    assert execute(st, client, content="leaked = 'x' string.upper = nil return 1").success
    r = execute(st, client, content="return tostring(leaked) .. string.upper('ok')")
    assert r.success and r.output == "nilOK"


# -- streaming --------------------------------------------------------------------------


def test_stream_outputs_arrive_while_the_script_runs(st, client):
    code = (
        "for i = 1, 3 do "
        "  emit({step = i}) "
        "  local t = os.clock() while os.clock() - t < 0.2 do end "
        "end print('done') return 'finished'"
    )
    assert register(st, client, "slow", code).success
    req = st.loki_pb2.StreamScriptExecutionRequest(script_name="Script_slow")
    arrivals = []
    chunks = []
    started = time.monotonic()
    for chunk in client.stream_script_execution(req):
        arrivals.append(time.monotonic() - started)
        chunks.append(chunk)
    kinds = [c.WhichOneof("chunk_type") for c in chunks]
    assert kinds == ["output"] * 5 + ["result"]
    assert [json.loads(c.output.data) for c in chunks[:3]] == [{"step": i} for i in (1, 2, 3)]
    assert chunks[3].output.data == "done" and not chunks[3].output.is_final
    assert chunks[4].output.is_final and chunks[4].output.data == ""
    result = chunks[5].result
    assert result.success and result.output == "finished"
    assert result.metadata["script"] == "slow" and int(result.metadata["output_lines"]) == 4
    assert all(c.timestamp > 0 for c in chunks)
    # The first output came well before the end: it was streamed, not buffered.
    assert arrivals[0] < arrivals[-1] - 0.3


def test_stream_errors_are_chunks(st, client):
    assert register(st, client, "fails", "print('before') error('broke')").success
    chunks = stream(st, client, "fails")
    assert chunks[0].output.data == "before"
    assert chunks[-1].error.error_type == "lua_error" and "broke" in chunks[-1].error.error_message
    assert register(st, client, "spin", "while true do end").success
    assert stream(st, client, "spin")[-1].error.error_type == "instruction_limit"
    assert register(st, client, "bomb", "local s = 'x' while true do s = s .. s end").success
    assert stream(st, client, "bomb")[-1].error.error_type == "memory"
    missing = stream(st, client, "ghost")
    assert len(missing) == 1 and missing[0].error.error_type == "not_found"
    pd = st.loki_pb2.ParameterDefinition
    assert register(st, client, "needs", "return 1", [pd(name="x", required=True)]).success
    assert stream(st, client, "needs")[0].error.error_type == "invalid_params"


def test_stream_client_going_away_stops_the_script(st, loki, client):
    assert register(st, client, "chatty", "local i = 0 while true do i = i + 1 emit(i) end").success
    req = st.loki_pb2.StreamScriptExecutionRequest(script_name="chatty")
    before = threading.active_count()
    iterator = client.stream_script_execution(req)
    for n, chunk in enumerate(iterator):
        assert chunk.output.data == str(n + 1)
        if n == 20:
            break
    iterator.close()
    # The script stops at its next check once the queue backs up; its threads end.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any(
        t.name.startswith("loki-stream-chatty") for t in threading.enumerate()
    ):
        time.sleep(0.01)
    while time.monotonic() < deadline and any(
        t.name.startswith(("loki-stream-chatty", "loki-script-chatty"))
        for t in threading.enumerate()
    ):
        time.sleep(0.05)
    assert not any(t.name.startswith("loki-script-chatty") for t in threading.enumerate())
    assert threading.active_count() <= before + 2


# -- device.call ------------------------------------------------------------------------


class FakeDevice:
    """JotunheimService.CallTool served by connect-python's WSGI app (gRPC-Web)."""

    def __init__(self, st):
        self.st = st
        self.calls = []
        self.relay = False

    def call_tool(self, request, ctx):
        self.calls.append(
            (
                request.device_id,
                request.tool_name,
                json.loads(request.parameters or "{}"),
                ctx.request_headers().get("authorization"),
                request.SerializeToString(),
            )
        )
        pb = self.st.jotunheim_pb2
        if request.tool_name == "read_temperature":
            return pb.ToolCallResponse(success=True, result=b"21.5")
        if request.tool_name == "set_relay":
            self.relay = bool(json.loads(request.parameters)["on"])
            return pb.ToolCallResponse(success=True, result=json.dumps({"on": self.relay}).encode())
        if request.tool_name == "describe":
            return pb.ToolCallResponse(success=True, result=b"plain text, not JSON")
        if request.tool_name == "crash":
            raise ConnectError(Code.INTERNAL, "sensor bus stuck")
        return pb.ToolCallResponse(success=False, error_message=f"unknown tool {request.tool_name}")

    def _unimplemented(self, request, ctx):
        raise ConnectError(Code.UNIMPLEMENTED, "not part of this fake device")

    send_device_command = get_device_status = get_capabilities = _unimplemented


@pytest.fixture
def device(st):
    fake = FakeDevice(st)
    app = st.jotunheim_connect.JotunheimServiceWSGIApplication(fake)
    server = wsgi.Server(("127.0.0.1", 0), app, numthreads=4)
    server.prepare()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    fake.address = f"127.0.0.1:{server.bind_addr[1]}"
    try:
        yield fake
    finally:
        server.stop()
        thread.join(5)


def test_device_call_reaches_a_device(st, tclient, device):
    # dev-1 registers (with its own token) the forwarding stub naming where it is.
    stub = f'return device.call("{device.address}", "read_temperature", params, "dev-1")'
    assert register(st, tclient, "dev1_read", stub, headers=DEV1).success
    # An operator's script reaches dev-1 by id, or at the address dev-1 declared.
    code = (
        "local t = device.call('dev-1', 'read_temperature', {}) "
        f"local r = device.call('{device.address}', 'set_relay', {{on = true}}, 'dev-1') "
        f"local d = device.call('{device.address}', 'describe') "
        "return {temperature = t, relay = r, text = d}"
    )
    assert register(st, tclient, "water", code, headers=ADMIN).success
    r = execute(st, tclient, "water", headers=ADMIN)
    assert r.success, r.error
    assert json.loads(r.output) == {
        "temperature": 21.5,
        "relay": {"on": True},
        "text": "plain text, not JSON",
    }
    assert device.relay is True
    # Each call was signed with dev-1's own credential, never the default one (and the
    # token itself never went on the wire).
    check = SignatureCheck({"user": "sekrit"}, constant_time_equal)
    path = "/jotunheim.JotunheimService/CallTool"
    for call in device.calls:
        assert check.verify("POST", path, grpc_web_body(call[4]), call[3]) == "user"
        assert "sekrit" not in call[3]
    assert device.calls[0][:3] == ("dev-1", "read_temperature", {})
    assert device.calls[1][1:3] == ("set_relay", {"on": True})
    # The stub itself, run by its script name.
    assert execute(st, tclient, "Script_dev1_read", headers=DEV1).output == "21.5"
    # Fenrir now knows a device answered; Jörmungandr probes it.
    kids = {
        c.name: c
        for c in tclient.get_children_status(
            st.loki_pb2.GetChildrenStatusRequest(), headers=ADMIN
        ).children
    }
    assert kids["Fenrir"].available and "1 device(s) answered" in kids["Fenrir"].status_message
    assert "1/1 known device(s) accept TCP" in kids["Jörmungandr"].status_message


def test_device_call_failures_are_lua_errors(st, tclient, device):
    stub = f'return device.call("{device.address}", "warp_drive", params, "dev-1")'
    assert register(st, tclient, "dev1_stub", stub, headers=DEV1).success
    assert register(
        st, tclient, "dev2_stub", 'return device.call("127.0.0.1:1", "x", params)', headers=DEV2
    ).success

    def run(code):
        return execute(st, tclient, content=code, headers=ADMIN)

    r = run("return device.call('dev-1', 'warp_drive', {})")
    assert not r.success and "unknown tool warp_drive" in r.error
    r = run("return device.call('dev-1', 'crash', {})")
    assert not r.success and "sensor bus stuck" in r.error and "gRPC 13" in r.error
    # Catchable with pcall, like any Lua error.
    code = (
        "local ok, err = pcall(device.call, 'dev-1', 'warp_drive', {}) return {ok = ok, err = err}"
    )
    out = json.loads(run(code).output)
    assert out["ok"] is False and "warp_drive" in out["err"]
    # dev-2 declared a closed port: a real attempt, and it fails as unreachable.
    r = run("return device.call('dev-2', 'x', {})")
    assert not r.success and "unreachable" in r.error
    # Addresses nobody registered are refused before any connection is made.
    r = run("return device.call('127.0.0.1:2', 'x', {})")
    assert not r.success and "no device registered with this Loki" in r.error
    r = run("return device.call('ghost', 'x', {})")
    assert not r.success and "no device registered" in r.error
    r = run("return device.call('not a host', 'x', {})")
    assert not r.success and "device.call" in r.error
    r = run("return device.call(1, 2)")
    assert not r.success and "must be strings" in r.error
    assert len(device.calls) == 3  # warp_drive, crash, warp_drive (pcall), nothing else


# -- transport details ------------------------------------------------------------------


def test_unknown_method_is_unimplemented(st, loki):
    conn = http.client.HTTPConnection("127.0.0.1", loki.port, timeout=10)
    conn.request(
        "POST",
        "/loki.LokiService/DropTables",
        body=b"\x00\x00\x00\x00\x00",
        headers={"content-type": "application/grpc-web+proto"},
    )
    resp = conn.getresponse()
    resp.read()
    # Not routed to sonora (which would 404 without grpc-status).
    assert resp.getheader("grpc-status") == "12"


def test_gzip_compressed_requests_are_accepted(st, loki):
    # connect-python compresses requests with gzip by default.
    from connectrpc.compression.gzip import GzipCompression

    with st.loki_connect.LokiServiceClientSync(
        loki.url, protocol=ProtocolType.GRPC_WEB, send_compression=GzipCompression()
    ) as c:
        r = execute(st, c, content="return '" + "z" * 5000 + "'")
        assert r.success and r.output == "z" * 5000


def test_ota_files_with_range(loki, tmp_path):
    payload = bytes(range(256)) * 40
    (tmp_path / "ota" / "fw").mkdir()
    (tmp_path / "ota" / "fw" / "code.py").write_bytes(payload)

    def get(path, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", loki.port, timeout=10)
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return resp, resp.read()

    resp, body = get("/ota/fw/code.py")
    assert resp.status == 200 and body == payload and resp.getheader("Accept-Ranges") == "bytes"
    resp, body = get("/ota/fw/code.py", {"Range": "bytes=100-199"})
    assert resp.status == 206 and body == payload[100:200]
    assert resp.getheader("Content-Range") == f"bytes 100-199/{len(payload)}"
    resp, body = get("/ota/fw/code.py", {"Range": "bytes=10000-"})
    assert resp.status == 206 and body == payload[10000:]
    resp, body = get("/ota/fw/code.py", {"Range": "bytes=-16"})
    assert resp.status == 206 and body == payload[-16:]
    resp, _ = get("/ota/fw/code.py", {"Range": f"bytes={len(payload)}-"})
    assert resp.status == 416 and resp.getheader("Content-Range") == f"bytes */{len(payload)}"
    etag = resp.getheader("ETag")
    resp, body = get("/ota/fw/code.py", {"Range": "bytes=0-9", "If-Range": '"stale"'})
    assert resp.status == 200 and body == payload  # changed file: sent whole
    resp, body = get("/ota/fw/")
    assert json.loads(body) == {"files": [{"name": "code.py", "size": len(payload)}]}
    for bad in ("/ota/../scripts/x.lua", "/ota/%2e%2e/%2e%2e/etc/passwd", "/ota/nope"):
        resp, body = get(bad)
        assert resp.status == 404 and b"root:" not in body
    assert etag is None or etag.startswith('"')


def test_big_parameters_never_crash_the_server(st, client, tmp_path):
    r = execute(st, client, content="return #params.x", x="y" * 900_000)
    assert r.success and r.output == "900000"
    with LokiServer(str(tmp_path / "small"), port=0, limits=Limits(max_memory=1 << 20)) as srv:
        with st.loki_connect.LokiServiceClientSync(srv.url, protocol=ProtocolType.GRPC_WEB) as c:
            r = execute(st, c, content="return #params.x", x="y" * 600_000)
            assert not r.success and "too large for the memory limit" in r.error
            assert execute(st, c, content="return 'alive'").output == "alive"
    # Over the 1 MiB request cap: refused before any Lua runs.
    with pytest.raises(ConnectError) as info:
        execute(st, client, content="return 1", x="y" * 2_000_000)
    assert info.value.code == Code.RESOURCE_EXHAUSTED
    assert execute(st, client, content="return 'alive'").output == "alive"
