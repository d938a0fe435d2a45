# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""RemoteCommandHandler under MicroPython: GrpcWebServer on the fake socket pool, scripted
gRPC-Web clients (fake_net.accept_from), simulated parts; refusals change nothing."""

import json

import fake_net
import socketpool
import wifi

from jotunheim.capability import export
from jotunheim.capability.drivers.simulated import SimulatedClimateSensor, SimulatedLed
from jotunheim.capability.registry import ToolRegistry
from jotunheim.capability.schema import NUMBER, Field
from jotunheim.grpc.server import GrpcWebServer
from jotunheim.pb import jotunheim as jpb
from jotunheim.pb import jotunheim_capability as cap
from jotunheim.remote.handler import RemoteCommandHandler, constant_time_equal

PORT = 8080


def _frame(payload):
    n = len(payload)
    return bytes([0, (n >> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255]) + payload


def _request(path, message, token=None):
    body = _frame(message.encode())
    head = "POST %s HTTP/1.1\r\nHost: board\r\nContent-Type: application/grpc-web+proto\r\n" % path
    if token:
        head += "Authorization: Bearer %s\r\n" % token
    head += "Content-Length: %d\r\n\r\n" % len(body)
    return head.encode() + body


def _parse(reply):
    head, _, body = reply.partition(b"\r\n\r\n")
    headers = {}
    for line in head.decode().split("\r\n")[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    message = None
    trailers = {}
    pos = 0
    while pos + 5 <= len(body):
        flag = body[pos]
        n = (body[pos + 1] << 24) | (body[pos + 2] << 16) | (body[pos + 3] << 8) | body[pos + 4]
        payload = body[pos + 5 : pos + 5 + n]
        pos += 5 + n
        if flag == 0:
            message = payload
        else:
            for line in payload.decode().split("\r\n"):
                if line:
                    name, _, value = line.partition(":")
                    trailers[name.strip()] = value.strip()
    if not trailers:
        trailers = headers  # trailers-only answer
    return message, int(trailers["grpc-status"]), trailers.get("grpc-message", "")


class Rig:
    def __init__(self, **kwargs):
        wifi.radio.add_network("home", "pw")
        wifi.radio.connect("home", "pw")
        self.registry = ToolRegistry()
        self.led = SimulatedLed(pwm=True)
        self.registry.add_actuator("status", self.led)
        self.registry.add_sensor("air", SimulatedClimateSensor(seed=2))
        self.registry.add_tool(
            "set_level",
            self._set_level,
            "Level",
            (Field("level", NUMBER, minimum=0, maximum=10, required=True),),
        )
        self.level = 0
        self.ran = []
        self.registry.add_tool("reset_all", lambda: "reset", "Owner only", (), True)
        self.handler = RemoteCommandHandler(
            self.registry,
            self,  # the rig stands in for the Device: device_id_now() and capabilities()
            token=kwargs.get("token", "tok"),
            owner_token="own",
            auth_mode="bearer",  # these cases send bearer tokens; test_signing.py signs
            rate_limit_per_minute=kwargs.get("rate", 60),
        )
        self.server = GrpcWebServer(socketpool.SocketPool(wifi.radio), max_request_size=1024)
        self.handler.register(self.server)
        self.server.start("0.0.0.0", PORT)

    def _set_level(self, level):
        self.level = level
        return level

    def device_id_now(self):
        return "pico-1"

    def commands(self):
        # The Device's command rows, asked on the first SendDeviceCommand: "restart"
        # defers its work until the answer was sent.
        return [("restart", lambda p, c: self.handler.defer(lambda: self.ran.append(1)), False, "")]

    def capabilities(self):
        return cap.JotunheimCapabilities(
            device_id="pico-1",
            device_name="pico",
            tools=export.capability_tools(self.registry.tools()),
        )

    def call(self, method, message, token="tok"):
        fake_net.accept_from(
            PORT, _request("/jotunheim.JotunheimService/" + method, message, token)
        )
        result = self.server.poll()
        assert result == 1, result
        self.handler.run_deferred()
        return _parse(bytes(fake_net.connections[-1].sent))

    def tool(self, name, params="", token="tok", device_id=""):
        msg, code, text = self.call(
            "CallTool",
            jpb.ToolCallRequest(device_id=device_id, tool_name=name, parameters=params),
            token,
        )
        return (jpb.ToolCallResponse.decode(msg) if msg is not None else None), code, text

    def snapshot(self):
        return (self.led.state(), self.led.pin.duty_cycle, self.level)

    def close(self):
        self.server.stop()


def test_call_tool_sets_and_reads_back():
    rig = Rig()
    resp, code, _ = rig.tool("set_led_sim", '{"on": true, "brightness": 0.5}')
    assert code == 0 and resp.success
    assert json.loads(resp.result) == {"on": True, "brightness": 0.5}
    resp, code, _ = rig.tool("get_led_sim_state")
    assert json.loads(resp.result) == {"on": True, "brightness": 0.5}
    resp, code, _ = rig.tool("read_dht22_sim_temperature")
    assert 15 < json.loads(resp.result) < 27
    rig.close()
    fake_net.assert_no_leaks()


def test_every_refusal_changes_nothing():
    rig = Rig()
    before = rig.snapshot()
    cases = (
        ("set_level", '{"level": 3}', "", "", 16),
        ("set_level", '{"level": 3}', "tok2", "", 16),
        ("reset_all", "", "tok", "", 7),
        ("set_level", '{"level": 3', "tok", "", 3),
        ("set_level", "[3]", "tok", "", 3),
        ("set_level", '{"level": 11}', "tok", "", 3),
        ("set_level", '{"level": "high"}', "tok", "", 3),
        ("set_level", "{}", "tok", "", 3),
        ("set_led_sim", '{"on": true, "brightness": 2}', "tok", "", 3),
        ("set_toaster", "{}", "tok", "", 5),
        ("set_level", '{"level": 3}', "tok", "pico-2", 5),
    )
    for name, params, token, device_id, want in cases:
        resp, code, text = rig.tool(name, params, token, device_id)
        assert code == want, (name, params, code, text)
        assert resp is None and text
        assert rig.snapshot() == before, name
    rig.close()


def test_rate_limit_and_owner_tools():
    rig = Rig(rate=2)
    resp, code, _ = rig.tool("reset_all", "", "own")
    assert code == 0 and json.loads(resp.result) == "reset"
    rig.handler.limit(2)  # a fresh bucket
    assert rig.tool("set_level", '{"level": 1}')[1] == 0
    assert rig.tool("set_level", '{"level": 2}')[1] == 0
    resp, code, text = rig.tool("set_level", '{"level": 3}')
    assert code == 8 and "retry in" in text and rig.level == 2, (code, text, rig.level)
    assert rig.tool("read_dht22_sim_humidity")[1] == 0  # reads are not limited
    rig.close()


def test_status_capabilities_and_commands():
    rig = Rig()
    msg, code, _ = rig.call("GetDeviceStatus", jpb.DeviceStatusRequest(device_id="pico-1"))
    status = jpb.DeviceStatusResponse.decode(msg)
    assert code == 0 and status.status == "ok" and status.device_id == "pico-1"
    doc = json.loads(status.capabilities)
    assert "set_level" in [t["name"] for t in doc["tools"]]
    assert doc["runtime"]["remote"]["calls"] == 1
    msg, code, _ = rig.call("GetCapabilities", cap.CapabilityRequest())
    caps = cap.CapabilityResponse.decode(msg).capabilities
    assert code == 0 and caps.device_id == "pico-1"
    msg, code, _ = rig.call("SendDeviceCommand", jpb.DeviceCommandRequest(command="restart"))
    assert code == 0 and rig.ran == [1]  # ran after the answer was sent (run_deferred)
    msg, code, _ = rig.call("SendDeviceCommand", jpb.DeviceCommandRequest(command="ping"))
    assert json.loads(jpb.DeviceCommandResponse.decode(msg).result)["pong"] is True
    msg, code, text = rig.call("SendDeviceCommand", jpb.DeviceCommandRequest(command="nope"))
    assert code == 3 and "ping" in text
    rig.close()


def test_constant_time_compare_and_bucket():
    assert constant_time_equal("abc", "abc")
    assert not constant_time_equal("abc", "abd")
    assert not constant_time_equal("ab", "abc")
    assert not constant_time_equal("", "abc")
    now = [0.0]
    limiter = RemoteCommandHandler(
        ToolRegistry(), rate_limit_per_minute=6, burst=2, clock=lambda: now[0]
    )
    limiter.max_clients = 2
    assert limiter.throttle("a") == 0 and limiter.throttle("a") == 0
    assert limiter.throttle("a") > 0
    now[0] = 10.0  # one call per 10 s
    assert limiter.throttle("a") == 0
    limiter.throttle("b")
    now[0] = 11.0
    limiter.throttle("c")  # forgets the least recently seen client
    assert sorted(limiter.buckets) == ["b", "c"]


def _chunked(request, sizes):
    # The same request with its body sent chunked, as connect clients send it.
    head, _, body = request.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"content-length")]
    out = b"\r\n".join(lines) + b"\r\nTransfer-Encoding: chunked\r\n\r\n"
    pos = 0
    for size in sizes:
        piece = body[pos : pos + size]
        pos += size
        if piece:
            out += b"%x\r\n" % len(piece) + piece + b"\r\n"
    return out + b"%x\r\n" % (len(body) - pos) + body[pos:] + b"\r\n0\r\n\r\n"


def test_chunked_request_bodies_are_served():
    # Regression: bytearray slice deletion (CPython only) made every chunked body fail here.
    rig = Rig()
    message = jpb.ToolCallRequest(tool_name="set_led_sim", parameters='{"on": true}')
    request = _request("/jotunheim.JotunheimService/CallTool", message, "tok")
    fake_net.accept_from(PORT, _chunked(request, [3, 7, 1]), chunks=5)
    served = 0
    for _ in range(200):  # 5 bytes per read, one read per poll
        served += rig.server.poll()
        if served:
            break
    assert served == 1, bytes(fake_net.connections[-1].sent)[:200]
    msg, code, _ = _parse(bytes(fake_net.connections[-1].sent))
    assert code == 0 and jpb.ToolCallResponse.decode(msg).success
    assert rig.led.state()["on"] is True
    rig.close()
    fake_net.assert_no_leaks()
