# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The reference Loki driven by our own LokiClient (the device's way in): every RPC, the
dynamic Script_<name> calls, Lua errors, a runaway script stopped by its limit and a
script reaching for the host's files refused."""

import pytest

from jotunheim.grpc.status import GrpcError
from jotunheim.loki.client import LokiClient, ScriptFailed
from jotunheim_host.loki import Limits, LokiServer


@pytest.fixture(scope="module")
def loki(tmp_path_factory):
    scripts = tmp_path_factory.mktemp("scripts")
    limits = Limits(max_instructions=2_000_000, max_seconds=5)
    with LokiServer(str(scripts), host="127.0.0.1", port=0, limits=limits) as srv:
        client = LokiClient(srv.url, timeout=15)
        try:
            yield client, scripts
        finally:
            client.close()


def test_register_list_capabilities_and_execute(loki):
    client, scripts = loki
    reg = client.register_script(
        "double",
        inline_script="return tonumber(params.x) * 2",
        description="Double a number",
        parameters=[{"name": "x", "type": "Number", "required": True, "description": "input"}],
        return_type="Number",
    )
    assert reg.success and reg.script_name == "double"
    assert (scripts / "double.lua").exists()
    listed = client.list_scripts("dou")
    assert [s.name for s in listed] == ["double"]
    assert listed[0].parameters[0].name == "x" and listed[0].has_inline_script
    caps = client.get_capabilities()
    assert "double" in [c.script_name for c in caps.capabilities]
    result = client.execute_script("double", {"x": "21"})
    assert result.success and result.output == "42"
    assert client.scripts.double(x=4) == "8"
    assert "double" in dir(client.scripts)


def test_children_status_reports_the_three_children(loki):
    client, _ = loki
    names = {c.name: c for c in client.get_children_status().children}
    assert {"Fenrir", "Hel"} <= set(names) and len(names) == 3
    assert all(c.last_check_timestamp > 0 and c.status_message for c in names.values())


def test_streamed_execution_yields_chunks_then_the_result(loki):
    client, _ = loki
    client.register_script(
        "count", inline_script='for i = 1, 3 do emit("n" .. i) end return "done"'
    )
    chunks = list(client.stream_script_execution("count", {}))
    outputs = [
        c.output.data for c in chunks if c.which_oneof("chunk_type") == "output" and c.output.data
    ]
    assert outputs == ["n1", "n2", "n3"]
    final = chunks[-1]
    assert final.which_oneof("chunk_type") == "result" and final.result.success
    assert final.result.output == "done"


def test_lua_error_comes_back_as_a_failed_result(loki):
    client, _ = loki
    result = client.execute_script("", script_content='error("sensor offline")', script_type="lua")
    assert not result.success and "sensor offline" in result.error
    client.register_script("broken", inline_script='error("nope")')
    with pytest.raises(ScriptFailed, match="nope"):
        client.scripts.broken()


def test_runaway_script_is_stopped_by_its_limit(loki):
    client, _ = loki
    result = client.execute_script("", script_content="while true do end", script_type="lua")
    assert not result.success
    assert "limit" in result.error.lower() or "instruction" in result.error.lower()


@pytest.mark.parametrize(
    "code",
    [
        'return io.open("/etc/passwd"):read("*a")',
        'return os.execute("id")',
        'return require("os")',
        'return dofile("/etc/passwd")',
    ],
)
def test_host_files_and_os_are_out_of_reach(loki, code):
    client, _ = loki
    result = client.execute_script("", script_content=code, script_type="lua")
    assert not result.success
    assert "root:" not in result.output


def test_unknown_script_and_bad_registration(loki):
    client, _ = loki
    result = client.execute_script("no_such_script", {})
    assert not result.success and "no_such_script" in result.error
    reg = client.register_script("../escape", inline_script="return 1")
    assert not reg.success and reg.error_message
    reg = client.register_script("python_script", inline_script="print(1)", language="python")
    assert not reg.success and "lua" in reg.error_message.lower()


def test_a_dead_loki_is_unavailable(tmp_path):
    with LokiServer(str(tmp_path), host="127.0.0.1", port=0) as srv:
        url = srv.url
    client = LokiClient(url, timeout=2)
    try:
        with pytest.raises(GrpcError) as err:
            client.get_capabilities()
        assert err.value.code == 14  # UNAVAILABLE
    finally:
        client.close()
