# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Third-party gRPC-Web clients call a Jotunheim Device running under MicroPython's Unix
port on 127.0.0.1 (tests/mpunix): connect-node (chunked request bodies), connect-python and
sonora (Content-Length bodies), and a raw client that sends exactly the framing it is told
to. Status, capabilities, a sensor read, an actuator set, malformed JSON, a missing token,
50 calls in a row, keep-alive and new-connection modes.

One device per module (starting MicroPython and building capabilities costs seconds).
"""

import base64
import json

import pytest

from tests import hostile_clients as raw
from tests.interop import node_peer, stubs
from tests.mpunix import runner

TOKEN = "mpunix-token"
AUTH = {"authorization": "Bearer " + TOKEN}
UNAUTHENTICATED, INVALID_ARGUMENT = 16, 3  # gRPC codes (connect-node reports them so)


device = runner.device_fixture(token=TOKEN)


@pytest.fixture(scope="module")
def node(device, tmp_path_factory):
    runner.require_node()
    descriptors = node_peer.descriptor_set(str(tmp_path_factory.mktemp("descriptors")))
    with runner.NodeClient(descriptors, device.url) as client:
        yield client


@pytest.fixture(scope="module")
def st(tmp_path_factory):
    return stubs.load(str(tmp_path_factory.mktemp("stubs")))


def result_of(out):
    """The JSON a CallTool answered with (connect-node gives ``result`` as base64)."""
    assert "ok" in out, out
    assert out["ok"].get("success") is True, out
    return json.loads(base64.b64decode(out["ok"]["result"]))


# ------------------------------------------------------------ connect-node


@pytest.mark.parametrize("keep_alive", [True, False], ids=["keep-alive", "new-connection"])
def test_connect_node_status_capabilities_read_and_set(device, node, keep_alive):
    status = node.call("getDeviceStatus", {}, AUTH, keep_alive=keep_alive)
    assert "ok" in status, status
    assert status["ok"]["status"] in ("ok", "degraded"), status
    doc = json.loads(status["ok"]["capabilities"])
    assert "set_led_sim" in [t["name"] for t in doc["tools"]]

    caps = node.call("getCapabilities", {}, AUTH, keep_alive=keep_alive)
    names = [t["name"] for t in caps["ok"]["capabilities"]["tools"]]
    assert "read_dht22_sim_temperature" in names and "set_relay_sim" in names

    temp = result_of(node.call("callTool", {"toolName": "read_dht22_sim_temperature"}, AUTH,
                               keep_alive=keep_alive))  # fmt: skip
    assert 15.0 <= temp <= 27.0
    setting = {"toolName": "set_led_sim", "parameters": '{"on": true, "brightness": 0.25}'}
    assert result_of(node.call("callTool", setting, AUTH, keep_alive=keep_alive)) == {
        "on": True,
        "brightness": 0.25,
    }
    back = node.call("callTool", {"toolName": "get_led_sim_state"}, AUTH, keep_alive=keep_alive)
    assert result_of(back) == {"on": True, "brightness": 0.25}


def test_connect_node_malformed_json_and_missing_token(device, node):
    bad = node.call("callTool", {"toolName": "set_relay_sim", "parameters": '{"on": tru'}, AUTH)
    assert bad.get("code") == INVALID_ARGUMENT, bad
    assert "JSON" in bad["message"]
    denied = node.call("callTool", {"toolName": "set_relay_sim", "parameters": '{"on": true}'})
    assert denied.get("code") == UNAUTHENTICATED, denied
    assert "JOTUNHEIM_TOKEN" in denied["message"]
    # Refused calls changed nothing.
    assert result_of(node.call("callTool", {"toolName": "get_relay_sim_state"}, AUTH)) == {
        "on": False
    }


@pytest.mark.parametrize("keep_alive", [True, False], ids=["keep-alive", "new-connection"])
def test_connect_node_50_calls_in_a_row(device, node, keep_alive):
    for i in range(50):
        out = node.call("callTool", {"toolName": "read_dht22_sim_humidity"}, AUTH,
                        keep_alive=keep_alive, timeout_ms=3000)  # fmt: skip
        assert "ok" in out, "call %d: %r" % (i, out)
        assert 20.0 <= result_of(out) <= 70.0
    assert device.alive()


# ------------------------------------------------------------ connect-python and sonora


def test_connect_python_client(device, st):
    from connectrpc.errors import ConnectError
    from connectrpc.protocol import ProtocolType

    client = st.jotunheim_connect.JotunheimServiceClientSync(
        device.url, protocol=ProtocolType.GRPC_WEB, send_compression=None, accept_compression=()
    )
    status = client.get_device_status(st.jotunheim_pb2.DeviceStatusRequest(), headers=AUTH)
    assert status.status in ("ok", "degraded")
    caps = client.get_capabilities(st.jotunheim_capability_pb2.CapabilityRequest(), headers=AUTH)
    assert "set_relay_sim" in [t.name for t in caps.capabilities.tools]
    req = st.jotunheim_pb2.ToolCallRequest
    temp = client.call_tool(req(tool_name="read_dht22_sim_temperature"), headers=AUTH)
    assert temp.success and 15.0 <= json.loads(temp.result) <= 27.0
    on = client.call_tool(req(tool_name="set_relay_sim", parameters='{"on": true}'), headers=AUTH)
    assert on.success and json.loads(on.result) == {"on": True}
    off = client.call_tool(req(tool_name="set_relay_sim", parameters='{"on": false}'), headers=AUTH)
    assert json.loads(off.result) == {"on": False}
    with pytest.raises(ConnectError) as info:
        client.call_tool(req(tool_name="set_relay_sim", parameters="[1,"), headers=AUTH)
    assert info.value.code.name == "INVALID_ARGUMENT"
    with pytest.raises(ConnectError) as info:
        client.call_tool(req(tool_name="read_dht22_sim_temperature"))
    assert info.value.code.name == "UNAUTHENTICATED"


class SonoraDevice:
    """JotunheimService methods on a sonora channel (its channel takes no
    ``_registered_method``, which grpc_tools' generated stubs now pass)."""

    def __init__(self, channel, pb):
        def method(name, request_cls, response_cls):
            return channel.unary_unary(
                "/jotunheim.JotunheimService/" + name,
                request_serializer=request_cls.SerializeToString,
                response_deserializer=response_cls.FromString,
            )

        self.GetDeviceStatus = method(
            "GetDeviceStatus", pb.DeviceStatusRequest, pb.DeviceStatusResponse
        )
        self.CallTool = method("CallTool", pb.ToolCallRequest, pb.ToolCallResponse)


def test_sonora_client(device, st):
    import grpc
    import sonora.client

    pb = st.jotunheim_pb2
    with sonora.client.insecure_web_channel(device.url) as channel:
        client = SonoraDevice(channel, pb)
        meta = [("authorization", "Bearer " + TOKEN)]
        status = client.GetDeviceStatus(st.jotunheim_pb2.DeviceStatusRequest(), metadata=meta)
        assert status.status in ("ok", "degraded")
        req = st.jotunheim_pb2.ToolCallRequest
        for _ in range(5):
            r = client.CallTool(req(tool_name="read_button_sim_pressed"), metadata=meta)
            assert r.success and json.loads(r.result) in (True, False)
        r = client.CallTool(
            req(tool_name="set_led_sim", parameters='{"on": false, "brightness": 0}'),
            metadata=meta,
        )
        assert json.loads(r.result) == {"on": False, "brightness": 0}
        with pytest.raises(grpc.RpcError) as info:
            client.CallTool(req(tool_name="set_led_sim", parameters="{"), metadata=meta)
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        with pytest.raises(grpc.RpcError) as info:
            client.CallTool(req(tool_name="set_led_sim", parameters='{"on": true}'))
        assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED


# ------------------------------------------------------------ exact framing, raw


def _temperature(result):
    assert result["status"] == 200 and result["grpc_status"] == 0, result
    message = result["messages"][0]
    # ToolCallResponse: field 1 success (varint 1), field 2 result (bytes).
    assert message[:2] == b"\x08\x01", message
    assert message[2] == 0x12
    return json.loads(message[4 : 4 + message[3]])


def test_chunked_request_body_is_answered(device):
    """Regression: connect clients send chunked bodies; ``del buf[:n]`` on a bytearray
    (jotunheim/grpc/server_extra.py receive_chunked) raises TypeError on MicroPython, and
    the client saw a hang-up."""
    out = raw.grpc_call(*device.address, token=TOKEN, chunked=True, calls=1)
    assert len(out["results"]) == 1, out
    assert 15.0 <= _temperature(out["results"][0]) <= 27.0


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_keep_alive_calls_on_one_connection(device, chunked):
    out = raw.grpc_call(*device.address, token=TOKEN, chunked=chunked, keep_alive=True, calls=5)
    assert len(out["results"]) == 5, out
    for result in out["results"]:
        assert 15.0 <= _temperature(result) <= 27.0
    # A server that keeps the connection open must serve the next request on it; one that
    # says "Connection: close" gets a new connection per call.
    closes = out["results"][0]["headers"].get("connection", "").lower() == "close"
    assert out["connections"] == (5 if closes else 1), out


def test_device_heap_does_not_grow_over_calls(device):
    raw.grpc_call(*device.address, token=TOKEN, calls=5)
    before = device.command("mem")["mem_alloc"]
    out = raw.grpc_call(*device.address, token=TOKEN, calls=50)
    assert all(r["grpc_status"] == 0 for r in out["results"]), out
    after = device.command("mem")["mem_alloc"]
    # 64-bit port: a few KB of caches settle; a per-call leak would be >= 50 x 100 bytes.
    assert after - before < 4096, (before, after)


# ------------------------------------------------------------ device commands


def _command(device, name, token, params=""):
    from jotunheim.pb import jotunheim as jpb

    message = jpb.DeviceCommandRequest(command=name, parameters=params).encode()
    out = raw.grpc_call(*device.address, message=message, token=token,
                        path="/jotunheim.JotunheimService/SendDeviceCommand")  # fmt: skip
    result = out["results"][0]
    if result["grpc_status"] != 0:
        return result["grpc_status"], result["headers"].get("grpc-message")
    return 0, jpb.DeviceCommandResponse.decode(result["messages"][0])


def test_commands_and_a_reboot_that_answers_first(tmp_path):
    """reload_settings and announce run under MicroPython; reboot is owner-only, answers,
    and then the board resets (microcontroller.reset(): the process exits with code 3)."""
    runner.require()
    with runner.MpDevice(tmp_path, token=TOKEN, owner_token="owner-secret") as dev:
        code, reply = _command(dev, "reload_settings", TOKEN)
        assert code == 0 and reply.success, reply
        code, reply = _command(dev, "announce", TOKEN)
        assert code == 0 and reply.success, reply
        code, message = _command(dev, "reboot", TOKEN)
        assert code in (7, 16), (code, message)  # PERMISSION_DENIED / UNAUTHENTICATED
        assert dev.alive()
        code, reply = _command(dev, "reboot", "owner-secret")
        assert code == 0 and reply.success and json.loads(reply.result)["rebooting"] is True
        assert dev.wait_exit(10) == 3, dev.stderr()
