# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""JotunheimService on the simulated device: third-party gRPC-Web clients (connect-python,
connect-node) call it; every rejection path leaves every actuator as it was."""

import json
import os
import socket
import struct
import subprocess

import pytest

from jotunheim.capability.schema import NUMBER, STRING, Field
from jotunheim.grpc.client import GrpcWebClient
from jotunheim.grpc.retry import RetryPolicy
from jotunheim.grpc.status import GrpcError, StatusCode
from jotunheim.pb import einherjar as epb
from jotunheim.pb import jotunheim as jpb
from jotunheim.pb import jotunheim_capability as cap
from jotunheim_host.simulate import SimulatedDevice
from tests.interop import node_peer, stubs

SERVICE = "/jotunheim.JotunheimService/"
TOKEN = "user-token-123"
OWNER = "owner-token-456"


class Parts:
    """A simulated device plus a custom actuator-like tool with an enum and a user-only
    tool, so every kind of schema check has something that could change."""

    def __init__(self, root, **kwargs):
        # These cases send bearer tokens (third-party clients, raw sockets); signed requests
        # are tests/test_security.py's.
        kwargs.setdefault("auth_mode", "bearer")
        self.sim = SimulatedDevice(root, token=TOKEN, owner_token=OWNER, loki_url="", **kwargs)
        self.mode = {"mode": "auto", "level": 0}

        def set_mode(mode, level=0):
            self.mode = {"mode": mode, "level": level}
            return self.mode

        def force_relay(on):
            return self.sim.relay.set(on=on)

        device = self.sim.device
        device.add_tool(
            "set_mode",
            set_mode,
            "Operating mode",
            (
                Field("mode", STRING, enum=("auto", "manual", "off"), required=True),
                Field("level", NUMBER, minimum=0, maximum=10),
            ),
        )
        device.add_tool(
            "force_relay",
            force_relay,
            "Switch the pump relay, bypassing automation",
            (Field("on", "Boolean", required=True),),
            True,
        )

    def snapshot(self):
        s = self.sim
        return (
            s.led.state(),
            s.relay.state(),
            len(s.led.pin.__dict__),
            s.led.pin.duty_cycle,
            list(s.relay.pin.history),
            dict(self.mode),
        )


@pytest.fixture
def parts(tmp_path):
    p = Parts(str(tmp_path / "root"))
    with p.sim:
        yield p


def client(url, token=TOKEN, retry=None):
    metadata = {"authorization": "Bearer " + token} if token else {}
    return GrpcWebClient(
        url,
        socket_pool=socket,
        timeout=5,
        metadata=metadata,
        retry_policy=retry or RetryPolicy(1),
    )


def call_tool(c, name, params="", device_id=""):
    return c.unary(
        SERVICE + "CallTool",
        jpb.ToolCallRequest(device_id=device_id, tool_name=name, parameters=params),
        decode=jpb.ToolCallResponse.decode,
    )


def command(c, name, params="", device_id=""):
    return c.unary(
        SERVICE + "SendDeviceCommand",
        jpb.DeviceCommandRequest(device_id=device_id, command=name, parameters=params),
        decode=jpb.DeviceCommandResponse.decode,
    )


# ---------------------------------------------------------------- third-party clients


def test_connect_python_client_status_capabilities_read_set_and_read_back(parts, tmp_path):
    from connectrpc.protocol import ProtocolType

    st = stubs.load(str(tmp_path / "stubs"))
    device = st.jotunheim_connect.JotunheimServiceClientSync(
        parts.sim.url, protocol=ProtocolType.GRPC_WEB, send_compression=None, accept_compression=()
    )
    auth = {"authorization": "Bearer " + TOKEN}
    status = device.get_device_status(st.jotunheim_pb2.DeviceStatusRequest(), headers=auth)
    assert status.status == "ok"
    assert status.device_id == parts.sim.device.device_id
    doc = json.loads(status.capabilities)
    assert "set_led_sim" in [t["name"] for t in doc["tools"]]
    assert doc["runtime"]["settings"]["settings_toml"]["JOTUNHEIM_TOKEN"] in ("set", "unset")
    assert "cpu_load" in doc["runtime"]["resources"]

    caps = device.get_capabilities(st.jotunheim_capability_pb2.CapabilityRequest(), headers=auth)
    names = [t.name for t in caps.capabilities.tools]
    assert "read_dht22_sim_temperature" in names and "set_relay_sim" in names
    force = [t for t in caps.capabilities.tools if t.name == "force_relay"][0]
    assert force.user_only
    brightness = [
        p for t in caps.capabilities.tools if t.name == "set_led_sim" for p in t.parameters
    ]
    assert [(p.name, p.HasField("maximum") and p.maximum) for p in brightness] == [
        ("on", False),
        ("brightness", 1.0),
    ]

    req = st.jotunheim_pb2.ToolCallRequest
    temp = device.call_tool(req(tool_name="read_dht22_sim_temperature"), headers=auth)
    assert temp.success
    assert 17.0 <= json.loads(temp.result) <= 25.0

    set_led = device.call_tool(
        req(tool_name="set_led_sim", parameters='{"on": true, "brightness": 0.25}'), headers=auth
    )
    assert set_led.success and json.loads(set_led.result) == {"on": True, "brightness": 0.25}
    back = device.call_tool(req(tool_name="get_led_sim_state"), headers=auth)
    assert json.loads(back.result) == {"on": True, "brightness": 0.25}
    # ... and the part really changed (the PWM duty cycle of the simulated pin):
    assert parts.sim.led.pin.duty_cycle == int(0.25 * 65535 + 0.5)


def test_connect_python_client_sees_grpc_statuses(parts, tmp_path):
    from connectrpc.errors import ConnectError
    from connectrpc.protocol import ProtocolType

    st = stubs.load(str(tmp_path / "stubs"))
    device = st.jotunheim_connect.JotunheimServiceClientSync(
        parts.sim.url, protocol=ProtocolType.GRPC_WEB, send_compression=None, accept_compression=()
    )
    before = parts.snapshot()
    with pytest.raises(ConnectError) as info:
        device.call_tool(st.jotunheim_pb2.ToolCallRequest(tool_name="set_relay_sim"))
    assert info.value.code.name == "UNAUTHENTICATED"
    assert "JOTUNHEIM_TOKEN" in str(info.value.message)
    with pytest.raises(ConnectError) as info:
        device.call_tool(
            st.jotunheim_pb2.ToolCallRequest(tool_name="set_relay_sim", parameters='{"on": 2}'),
            headers={"authorization": "Bearer " + TOKEN},
        )
    assert info.value.code.name == "INVALID_ARGUMENT"
    assert "set_relay_sim" in str(info.value.message) and "'on'" in str(info.value.message)
    assert parts.snapshot() == before


def test_connect_node_client_calls_the_device(parts, tmp_path):
    """The connect-es (Node) gRPC-Web client: GetDeviceStatus and CallTool."""
    node_peer.require("the connect-es client calls the device")
    script = tmp_path / "call.mjs"
    node_dir = os.path.dirname(node_peer.__file__) + "/node"
    descriptor = node_peer.descriptor_set(str(tmp_path))
    script.write_text(NODE_CLIENT)
    out = subprocess.run(
        ["node", str(script), descriptor, parts.sim.url, TOKEN, node_dir],
        check=False,
        cwd=node_dir,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout)
    assert results["status"] == "ok"
    assert results["set"]["success"] is True
    assert json.loads(bytes(results["set"]["result"]).decode()) == {"on": True}
    assert results["denied"] == 16  # Code.Unauthenticated
    assert parts.sim.relay.state() == {"on": True}


NODE_CLIENT = r"""
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

// This script lives in a temporary folder: load the pinned peer's packages from there.
const [descPath, url, token, nodeDir] = process.argv.slice(2);
const require = createRequire(nodeDir + "/package.json");
const { createClient } = require("@connectrpc/connect");
const { createGrpcWebTransport } = require("@connectrpc/connect-node");
const { createFileRegistry, fromBinary } = require("@bufbuild/protobuf");
const { FileDescriptorSetSchema } = require("@bufbuild/protobuf/wkt");

const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(descPath)));
const service = registry.getService("jotunheim.JotunheimService");
const transport = createGrpcWebTransport({ baseUrl: url, httpVersion: "1.1" });
const client = createClient(service, transport);
const headers = { authorization: "Bearer " + token };
const out = {};
const status = await client.getDeviceStatus({ deviceId: "" }, { headers });
out.status = status.status;
const set = await client.callTool({ toolName: "set_relay_sim", parameters: '{"on": true}' },
                                  { headers });
out.set = { success: set.success, result: Array.from(set.result) };
try {
  await client.callTool({ toolName: "set_relay_sim", parameters: '{"on": false}' });
} catch (e) {
  out.denied = e.code;
}
console.log(JSON.stringify(out));
"""


# ---------------------------------------------------------------- rejections


def _raw_post(port, path, body, token=TOKEN):
    head = (
        "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/grpc-web+proto\r\n"
        "Authorization: Bearer %s\r\nContent-Length: %d\r\n\r\n" % (path, token, len(body))
    )
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(head.encode() + body)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, _ = data.partition(b"\r\n\r\n")
    headers = {}
    for line in head.decode().split("\r\n")[1:]:
        k, v = line.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    return headers


REJECTIONS = [
    # (name, token, tool, params, device_id, code, words in the message)
    ("no token", "", "set_relay_sim", '{"on": true}', "", "UNAUTHENTICATED", "needs a token"),
    ("wrong token", "nope", "set_relay_sim", '{"on": true}', "", "UNAUTHENTICATED", "wrong"),
    ("almost token", TOKEN[:-1], "set_led_sim", '{"on": true}', "", "UNAUTHENTICATED", "wrong"),
    ("user-only tool", TOKEN, "force_relay", '{"on": true}', "", "PERMISSION_DENIED", "owner"),
    ("malformed JSON", TOKEN, "set_relay_sim", '{"on": tru', "", "INVALID_ARGUMENT", "JSON"),
    ("JSON array", TOKEN, "set_relay_sim", "[true]", "", "INVALID_ARGUMENT", "JSON object"),
    ("unknown tool", TOKEN, "set_toaster", '{"on": true}', "", "NOT_FOUND", "set_toaster"),
    ("empty tool name", TOKEN, "", "{}", "", "INVALID_ARGUMENT", "tool_name"),
    ("wrong device", TOKEN, "set_relay_sim", '{"on": true}', "dev-x", "NOT_FOUND", "dev-x"),
    ("wrong type", TOKEN, "set_relay_sim", '{"on": "maybe"}', "", "INVALID_ARGUMENT", "Boolean"),
    ("missing required", TOKEN, "set_relay_sim", "{}", "", "INVALID_ARGUMENT", "required"),
    ("unknown parameter", TOKEN, "set_relay_sim", '{"on": 1, "x": 2}', "", "INVALID_ARGUMENT", "x"),
    ("above maximum", TOKEN, "set_led_sim", '{"on": true, "brightness": 1.5}', "",
     "INVALID_ARGUMENT", "0..1"),
    ("below minimum", TOKEN, "set_led_sim", '{"on": true, "brightness": -0.1}', "",
     "INVALID_ARGUMENT", "0..1"),
    ("NaN", TOKEN, "set_led_sim", '{"on": true, "brightness": NaN}', "", "INVALID_ARGUMENT",
     "brightness"),
    ("not in enum", TOKEN, "set_mode", '{"mode": "turbo"}', "", "INVALID_ARGUMENT", "auto"),
    ("enum ok, level out of range", TOKEN, "set_mode", '{"mode": "off", "level": 11}', "",
     "INVALID_ARGUMENT", "0..10"),
]  # fmt: skip


@pytest.mark.parametrize("case", REJECTIONS, ids=[c[0] for c in REJECTIONS])
def test_rejections_change_nothing(parts, case):
    _, token, tool, params, device_id, code, words = case
    before = parts.snapshot()
    with pytest.raises(GrpcError) as info:
        call_tool(client(parts.sim.url, token), tool, params, device_id)
    assert StatusCode.name(info.value.code) == code, info.value.message
    assert words in info.value.message, info.value.message
    assert parts.snapshot() == before
    # The device keeps serving: a good call still works afterwards.
    assert call_tool(client(parts.sim.url), "get_relay_sim_state").success


def test_oversized_request_is_refused_and_changes_nothing(parts):
    before = parts.snapshot()
    params = json.dumps({"on": True, "pad": "x" * 5000})
    body = jpb.ToolCallRequest(tool_name="set_relay_sim", parameters=params).encode()
    frame = struct.pack(">BI", 0, len(body)) + body
    headers = _raw_post(parts.sim.port, SERVICE + "CallTool", frame)
    assert headers["grpc-status"] == str(StatusCode.RESOURCE_EXHAUSTED)
    assert "4096" in headers["grpc-message"]
    assert parts.snapshot() == before


def test_rate_limit_protects_actuators_but_not_reads(tmp_path):
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "jotunheim.json").write_text(
        json.dumps({"remote": {"rate_limit_per_minute": 3}})
    )
    p = Parts(str(tmp_path / "root"))
    with p.sim:
        c = client(p.sim.url)
        flips = [call_tool(c, "set_relay_sim", '{"on": %s}' % v) for v in ("true", "false")]
        assert all(r.success for r in flips)
        assert call_tool(c, "set_relay_sim", '{"on": true}').success  # burst of 3
        before = p.snapshot()
        with pytest.raises(GrpcError) as info:
            call_tool(c, "set_relay_sim", '{"on": false}')
        assert info.value.code == StatusCode.RESOURCE_EXHAUSTED
        assert "3 state-changing calls per minute" in info.value.message
        assert "retry in" in info.value.message
        assert p.snapshot() == before
        # Reads are never limited.
        for _ in range(5):
            assert call_tool(c, "get_relay_sim_state").success
            assert call_tool(c, "read_dht22_sim_humidity").success
        assert p.sim.device.handler.rate_limited == 1


def test_owner_token_unlocks_user_only_tools_and_owner_commands(parts):
    owner = client(parts.sim.url, OWNER)
    assert parts.sim.relay.state() == {"on": False}
    r = call_tool(owner, "force_relay", '{"on": true}')
    assert r.success and json.loads(r.result) == {"on": True}
    assert parts.sim.relay.state() == {"on": True}
    # the owner token also works for ordinary tools
    assert call_tool(owner, "get_led_sim_state").success
    with pytest.raises(GrpcError) as info:
        command(client(parts.sim.url), "reboot")
    assert info.value.code == StatusCode.PERMISSION_DENIED
    assert parts.sim.device.reboots == 0


def test_unknown_command_and_bad_command_params(parts):
    c = client(parts.sim.url)
    with pytest.raises(GrpcError) as info:
        command(c, "self_destruct")
    assert info.value.code == StatusCode.INVALID_ARGUMENT
    assert "ping" in info.value.message and "reboot" in info.value.message
    with pytest.raises(GrpcError) as info:
        command(c, "ping", "{nope")
    assert info.value.code == StatusCode.INVALID_ARGUMENT
    with pytest.raises(GrpcError) as info:
        command(c, "ping", device_id="other")
    assert info.value.code == StatusCode.NOT_FOUND
    pong = command(c, "ping")
    assert pong.success and json.loads(pong.result)["pong"] is True


def test_tool_that_fails_at_run_time_answers_success_false(parts):
    def broken():
        from jotunheim.capability.drivers.base import DriverError

        raise DriverError("DHT22: no answer on D4 (check the wiring)")

    parts.sim.device.add_tool("read_broken", broken, "always fails")
    r = call_tool(client(parts.sim.url), "read_broken")
    assert not r.success and r.result == b""
    assert r.error_message == "read_broken failed: DHT22: no answer on D4 (check the wiring)"


def test_status_capabilities_and_einherjar_need_the_token(parts):
    anon = client(parts.sim.url, "")
    for path, req in (
        ("GetDeviceStatus", jpb.DeviceStatusRequest()),
        ("GetCapabilities", cap.CapabilityRequest()),
    ):
        with pytest.raises(GrpcError) as info:
            anon.unary(SERVICE + path, req)
        assert info.value.code == StatusCode.UNAUTHENTICATED
    with pytest.raises(GrpcError) as info:
        anon.unary("/einherjar.EinherjarProtocol/GetCapabilities", epb.CapabilityRequest())
    assert info.value.code == StatusCode.UNAUTHENTICATED
    ein = client(parts.sim.url).unary(
        "/einherjar.EinherjarProtocol/GetCapabilities",
        epb.CapabilityRequest(),
        decode=epb.CapabilityResponse.decode,
    )
    names = [f.name for f in ein.functions]
    assert "set_led_sim" in names and "force_relay" not in names  # user-only stays private
    assert ein.god_name == "simulated-device"


def test_einherjar_answer_decodes_with_google_protobuf(parts, tmp_path):
    """Einherjar's ParameterDefinition swaps description/required: check with protoc's
    own classes that the enum and the flags land in the right fields."""
    out = tmp_path / "ein"
    out.mkdir()
    subprocess.run(
        [
            os.sys.executable,
            "-m",
            "grpc_tools.protoc",
            "-I" + stubs.PROTO_DIR,
            "--python_out=" + str(out),
            "einherjar.proto",
        ],
        check=True,
    )
    import importlib.util

    spec = importlib.util.spec_from_file_location("einherjar_pb2", str(out / "einherjar_pb2.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    raw = client(parts.sim.url).unary(
        "/einherjar.EinherjarProtocol/GetCapabilities", epb.CapabilityRequest()
    )
    msg = module.CapabilityResponse.FromString(raw)
    mode = [f for f in msg.functions if f.name == "set_mode"][0]
    first = mode.parameters[0]
    assert (first.name, first.type, first.required) == ("mode", "string", True)
    assert list(first.enum_values) == ["auto", "manual", "off"]
