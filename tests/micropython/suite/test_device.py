# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""jotunheim.Device under MicroPython with the fake board, wifi and socket pool: joins WiFi
from settings.toml, serves calls in step(), reconnects after the access point drops, hot
reloads settings, and reboots (microcontroller.reset) only after the answer went out."""

import json
import os
import time

import fake_net
import microcontroller
import wifi
from signed_header import header_value

from jotunheim.capability.drivers.simulated import SimulatedClimateSensor, SimulatedRelay
from jotunheim.capability.schema import BOOLEAN, Field
from jotunheim.device import Device
from jotunheim.pb import jotunheim as jpb

ROOT = "/jh_device_test"
PORT = 8080


def _root(name, settings=None, toml=None):
    for d in (ROOT, ROOT + "/" + name):
        try:
            os.mkdir(d)
        except OSError:
            pass
    root = ROOT + "/" + name
    with open(root + "/settings.toml", "w") as f:
        f.write(
            toml
            or 'CIRCUITPY_WIFI_SSID = "home"\nCIRCUITPY_WIFI_PASSWORD = "pw"\n'
            'JOTUNHEIM_TOKEN = "tok"\nJOTUNHEIM_OWNER_TOKEN = "own"\n'
        )
    with open(root + "/jotunheim.json", "w") as f:
        f.write(json.dumps(settings or {}))
    return root


def _frame(payload):
    n = len(payload)
    return bytes([0, (n >> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255]) + payload


_nonces = [0]


def _queue(method, message, token="tok"):
    # Signed, as the device wants by default (remote.auth_mode); "own" is the owner key.
    body = _frame(message.encode())
    path = "/jotunheim.JotunheimService/" + method
    _nonces[0] += 1
    keyid = "owner" if token == "own" else "user"
    ts = int(time.time() * 1000)
    auth = header_value(keyid, token, "POST", path, body, ts, "n%019d" % _nonces[0])
    head = (
        "POST %s HTTP/1.1\r\nHost: b\r\n"
        "Content-Type: application/grpc-web+proto\r\nAuthorization: %s\r\n"
        "Content-Length: %d\r\n\r\n" % (path, auth, len(body))
    )
    fake_net.accept_from(PORT, head.encode() + body)


def _answer(cls):
    reply = bytes(fake_net.connections[-1].sent)
    _, _, body = reply.partition(b"\r\n\r\n")
    if not body:
        return None
    n = (body[1] << 24) | (body[2] << 16) | (body[3] << 8) | body[4]
    return cls.decode(body[5 : 5 + n])


def _device(root):
    wifi.radio.add_network("home", "pw")
    device = Device.from_settings(root, error_ring=False)
    device.add_sensor("air", SimulatedClimateSensor(seed=5))
    relay = device.add_actuator("pump", SimulatedRelay())
    return device, relay


def test_joins_wifi_and_serves_in_step():
    root = _root("serve")
    device, relay = _device(root)
    assert device.step() == 0
    assert wifi.radio.connected and device.server is not None
    assert device.address == "%s:%d" % (wifi.radio.ipv4_address, PORT)
    _queue("CallTool", jpb.ToolCallRequest(tool_name="set_relay_sim", parameters='{"on": true}'))
    _queue("CallTool", jpb.ToolCallRequest(tool_name="get_relay_sim_state"))
    assert device.step() == 2
    assert json.loads(_answer(jpb.ToolCallResponse).result) == {"on": True}
    assert relay.state() == {"on": True}
    _queue("CallTool", jpb.ToolCallRequest(tool_name="set_relay_sim", parameters='{"on": 7}'))
    device.step()
    assert _answer(jpb.ToolCallResponse) is None and relay.state() == {"on": True}
    _queue("GetDeviceStatus", jpb.DeviceStatusRequest())
    device.step()
    status = _answer(jpb.DeviceStatusResponse)
    doc = json.loads(status.capabilities)
    assert status.status == "ok"
    assert doc["runtime"]["resources"]["free_heap"] > 0
    assert doc["runtime"]["settings"]["settings_toml"]["JOTUNHEIM_TOKEN"] == "set"
    assert "tok" not in status.capabilities.replace("tools", "")
    device.stop()


def test_step_is_bounded_and_user_code_runs_between():
    root = _root("bounded")
    device, relay = _device(root)
    device.step()
    for _ in range(10):
        _queue("CallTool", jpb.ToolCallRequest(tool_name="read_dht22_sim_humidity"))
    served = []
    user = 0
    while sum(served) < 10:
        served.append(device.step())
        user += 1
    assert max(served) <= 4 and user >= 3
    device.stop()


def test_reconnects_after_the_access_point_drops():
    root = _root("drop")
    device, relay = _device(root)
    device.step()
    first = device.server
    wifi.radio.drop()
    for _ in range(5):
        device.step()
        if wifi.radio.connected:
            break
    assert wifi.radio.connected and device.network.connects == 2
    assert device.server is not None and device.server is not first  # served anew
    _queue("CallTool", jpb.ToolCallRequest(tool_name="set_relay_sim", parameters='{"on": true}'))
    device.step()
    assert _answer(jpb.ToolCallResponse).success
    device.stop()


def test_reboot_after_answer_and_reload_settings():
    root = _root("reboot")
    device, relay = _device(root)
    device.add_tool("lock", lambda on: on, "owner", (Field("on", BOOLEAN, required=True),), True)
    device.step()
    with open(root + "/jotunheim.json", "w") as f:
        f.write(json.dumps({"remote": {"rate_limit_per_minute": 5}}))
    _queue("SendDeviceCommand", jpb.DeviceCommandRequest(command="reload_settings"))
    device.step()
    answer = _answer(jpb.DeviceCommandResponse)
    assert answer.success and json.loads(answer.result)["changed"] == ["remote"]
    assert device.handler.per_minute == 5
    _queue("SendDeviceCommand", jpb.DeviceCommandRequest(command="reboot"))
    device.step()
    assert _answer(jpb.DeviceCommandResponse) is None  # needs the owner token
    assert microcontroller.resets == []
    _queue("SendDeviceCommand", jpb.DeviceCommandRequest(command="reboot"), token="own")
    try:
        device.step()
        raised = False
    except microcontroller.ResetCalled:
        raised = True
    assert raised and len(microcontroller.resets) == 1
    # The answer was complete before the reset.
    assert _answer(jpb.DeviceCommandResponse).success
    device.stop()


def test_offline_loki_is_reported_and_backed_off():
    root = _root("loki", {"network": {"loki_url": "http://loki.local:8080"}})
    fake_net.add_host("loki.local", "10.0.0.9")
    device, relay = _device(root)
    for _ in range(8):
        device.step()
    assert device.loki_state == "offline"
    attempts = len([c for c in fake_net.connections if c.port == 8080 and c.host != "0.0.0.0"])
    for _ in range(8):
        device.step()  # backoff: no new attempt right away
    again = len([c for c in fake_net.connections if c.port == 8080 and c.host != "0.0.0.0"])
    assert again == attempts
    assert device.status() == "offline-loki"
    device.stop()


# Code that only builds or configures (the Device's setup and reconfiguration, the resource
# monitor's setup, the loggers' configuration, reading and reloading the settings and their
# defaults, making and joining the network) is forgotten after each use so that a board gets
# its heap back; each use brings it back.
BUILD_ONLY = (
    "jotunheim.device.setup",
    "jotunheim.device.reconfigure",
    "jotunheim.resources.setup",
    "jotunheim.logconfig",
    "jotunheim.settings.reading",
    "jotunheim.settings.reload",
    "jotunheim.settings.defaults",
    "jotunheim.net.configure",
    "jotunheim.net.join",
)


def _forgotten():
    import sys

    import jotunheim
    import jotunheim.device
    import jotunheim.resources

    for name in BUILD_ONLY:
        assert name not in sys.modules, name
    assert "logconfig" not in jotunheim.__dict__
    assert "setup" not in jotunheim.device.__dict__
    assert "reconfigure" not in jotunheim.device.__dict__
    assert "setup" not in jotunheim.resources.__dict__
    import jotunheim.net
    import jotunheim.settings

    for name in ("reading", "reload", "defaults"):
        assert name not in jotunheim.settings.__dict__, name
    assert "configure" not in jotunheim.net.__dict__ and "join" not in jotunheim.net.__dict__


def test_build_only_code_is_forgotten_and_comes_back_each_time():
    root = _root("forget")
    device, relay = _device(root)
    _forgotten()  # built
    device.step()
    first = device.server
    assert first is not None
    _forgotten()  # started, served
    wifi.radio.drop()  # a new link: a new server, made by the same code again
    for _ in range(5):
        device.step()
        if wifi.radio.connected:
            break
    assert device.server is not None and device.server is not first
    _forgotten()
    _queue("CallTool", jpb.ToolCallRequest(tool_name="set_relay_sim", parameters='{"on": true}'))
    device.step()
    assert _answer(jpb.ToolCallResponse).success and relay.state() == {"on": True}
    # A reload that changes the resources and logging sections configures the monitor
    # and the loggers again.
    with open(root + "/jotunheim.json", "w") as f:
        f.write(json.dumps({"resources": {"heap_exhausted": 4096}, "logging": {"level": "INFO"}}))
    device.loader.reload()
    assert device.resources.memory.exhausted == 4096 and device.logger.level == 20
    _forgotten()
    with open(root + "/jotunheim.json", "w") as f:  # and once more
        f.write(json.dumps({"resources": {"heap_exhausted": 2048}}))
    assert sorted(device.loader.reload()) == ["logging", "resources"]
    assert device.resources.memory.exhausted == 2048 and device.logger.level == 30
    _forgotten()
    device.stop()
    assert device.server is None and not device.running
    _forgotten()
    device.step()  # starts again
    assert device.running and device.server is not None
    _forgotten()
    device.stop()
    # A second Device is built by the same code, imported again.
    other, _ = _device(_root("forget2"))
    assert other.resources.buffers is not device.resources.buffers
    assert other.logger.level == 30  # its settings: the default level again
    _forgotten()
    other.step()
    assert other.server is not None
    other.stop()
    # Settings given as a dict (validated, never reloaded), twice.
    for limit in (7, 8):
        fixed = Device(settings={"remote": {"rate_limit_per_minute": limit}}, root=root)
        assert fixed.loader is None and fixed.handler.per_minute == limit
        _forgotten()


def test_steps_import_no_build_only_code():
    # Build-only code is imported for building, never by a step that has nothing to
    # build: not while serving, and not when remote.enabled is off (no server to make).
    import builtins

    imported = []
    real = builtins.__import__

    def recording(name, *args):
        if name in BUILD_ONLY:
            imported.append(name)
        return real(name, *args)

    for settings in ({}, {"remote": {"enabled": False}}):
        device, _ = _device(_root("steps%d" % len(settings), settings))
        device.step()
        assert (device.server is None) == bool(settings)
        builtins.__import__ = recording
        try:
            for _ in range(5):
                device.step()
        finally:
            builtins.__import__ = real
        assert imported == [], imported
        device.stop()
