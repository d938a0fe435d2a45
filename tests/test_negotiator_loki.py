# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Negotiation over real gRPC-Web on 127.0.0.1: jotunheim.loki.client.LokiClient against a
third-party LokiService stand-in (sonora's grpcWSGI, Google protobuf messages). After
negotiation, ListScripts lists every generated tool with its parameters; a refusal by the
server is reported and the other tools are still registered."""

import pytest

from jotunheim.capability import gpio, system, wording
from jotunheim.capability.builder import DeviceCapabilityBuilder
from jotunheim.capability.drivers.environment import DHT22
from jotunheim.capability.drivers.pwm import Servo
from jotunheim.capability.drivers.simulated import (
    SimulatedButton,
    SimulatedClimateSensor,
    SimulatedLed,
    SimulatedRelay,
)
from jotunheim.capability.negotiator import loki_register_requests, negotiate
from jotunheim.capability.registry import ToolRegistry
from jotunheim.loki.client import LokiClient
from tests.interop import loki_standins, stubs


class Dht:
    temperature, humidity = 20.0, 50.0


class ServoDev:
    angle = None


class RefusingBehaviour(loki_standins.LokiBehaviour):
    """The stand-in's behaviour, refusing one script name as a real Loki might."""

    refused = "set_relay_sim"

    def register(self, request):
        if request.name == self.refused:
            return self.pb.RegisterScriptResponse(
                success=False,
                script_name=request.name,
                error_message="name taken by another device",
            )
        return super().register(request)


@pytest.fixture(scope="module")
def st(tmp_path_factory):
    return stubs.load(str(tmp_path_factory.mktemp("stubs")))


@pytest.fixture
def server(st):
    behaviour = RefusingBehaviour(st.loki_pb2)
    with loki_standins.WsgiServer(loki_standins.sonora_app(st, behaviour)) as srv:
        srv.behaviour = behaviour
        yield srv


def device():
    registry = ToolRegistry()
    registry.add_sensor("kitchen", DHT22(device=Dht()))
    registry.add_sensor("cellar", DHT22(device=Dht()))
    registry.add_sensor("room", SimulatedClimateSensor())
    registry.add_sensor("door", SimulatedButton())
    registry.add_actuator("light", SimulatedLed(pwm=True))
    registry.add_actuator("heater", SimulatedRelay())
    registry.add_actuator("vent", Servo(device=ServoDev()))
    registry.add_provider(gpio.GpioTools({5: "pin5"}, user_only=False))
    registry.add_provider(system.SystemTools(reboot=lambda: None))
    return registry, DeviceCapabilityBuilder(name="cellar-node", device_id="E66138528370")


def requests(registry, builder):
    return loki_register_requests(registry.tools(), "127.0.0.1:9", device_id=builder.device_id())


def test_negotiation_registers_every_tool_and_reports_the_refusal(server):
    registry, builder = device()
    client = LokiClient(server.url, timeout=5)
    try:
        result = negotiate(client.register, requests(registry, builder))
        expected = [t for t in registry.tools() if not t.user_only]
        assert result.failed == [("set_relay_sim", "refused: name taken by another device")]
        assert result.registered == [t.name for t in expected if t.name != "set_relay_sim"]
        listed = {info.name: info for info in client.list_scripts()}
    finally:
        client.close()
    assert "reboot" not in listed and "set_relay_sim" not in listed
    for tool in expected:
        if tool.name == "set_relay_sim":
            continue
        info = listed[tool.name]
        assert info.language == "lua" and info.has_inline_script
        assert info.return_type == tool.return_type
        assert info.description == tool.description
        assert [(p.name, p.type, p.required, p.description) for p in info.parameters] == [
            (f.name, f.type, f.required, wording.summary(f)) for f in tool.params
        ]
    assert "read_dht22_temperature_kitchen" in listed
    assert "read_dht22_humidity_cellar" in listed
    angle = listed["set_servo_angle"].parameters[0]
    assert (angle.name, angle.type, angle.required) == ("angle", "Number", True)
    assert angle.description == "Target angle (Number in 0..180 deg)"
    gpio = listed["gpio_write"].parameters
    assert [p.name for p in gpio] == ["pin", "value"]
    # the server holds the forwarding stub
    stored = server.behaviour.scripts
    assert "set_servo_angle" in stored


def test_unreachable_loki_fails_every_tool_without_raising():
    import socket

    from jotunheim.resilience.retry import RetryManager

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    registry, builder = device()
    sleeps = []
    client = LokiClient("http://127.0.0.1:%d" % port, timeout=2)
    retry = RetryManager(attempts=2, base_delay=0.01, max_delay=0.01, sleep=sleeps.append)
    try:
        result = negotiate(client.register, requests(registry, builder), retry=retry)
    finally:
        client.close()
    assert result.registered == []
    assert len(result.failed) == len([t for t in registry.tools() if not t.user_only])
    assert all("UNAVAILABLE" in reason for _, reason in result.failed)
    assert len(sleeps) == len(result.failed)  # each tool was retried once


def test_registration_against_the_reference_loki_lists_every_tool(tmp_path):
    """The same negotiation against jotunheim's reference Loki (real Lua stubs on disk):
    list_scripts() then lists every generated tool with its parameters."""
    from jotunheim_host.loki import LokiServer

    registry, builder = device()
    expected = [t for t in registry.tools() if not t.user_only]
    with LokiServer(str(tmp_path / "scripts"), host="127.0.0.1", port=0) as loki:
        client = LokiClient(loki.url, timeout=5)
        try:
            result = negotiate(client.register, requests(registry, builder))
            listed = {info.name: info for info in client.list_scripts()}
        finally:
            client.close()
    assert result.failed == []
    assert result.registered == [t.name for t in expected]
    assert set(listed) == {t.name for t in expected}
    for tool in expected:
        info = listed[tool.name]
        assert info.language == "lua"
        assert [(p.name, p.type, p.required) for p in info.parameters] == [
            (f.name, f.type, f.required) for f in tool.params
        ]
    # the stubs are real Lua files in the scripts folder, forwarding to the device
    stub = (tmp_path / "scripts" / "set_servo_angle.lua").read_text()
    assert 'device.call("127.0.0.1:9", "set_servo_angle", params' in stub
