# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""End to end: a script registered in the reference Loki (real Lua via lupa) calls a device
tool through the forwarding stub the device registered, and the result comes back to the
caller: LokiClient.execute_script -> Loki Lua -> device.call -> device CallTool -> back."""

import json
import time

import pytest

from jotunheim.loki.client import LokiClient
from jotunheim_host.loki import LokiServer
from jotunheim_host.simulate import SimulatedDevice


def wait_for(predicate, timeout=20.0, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


@pytest.fixture
def stack(tmp_path):
    with LokiServer(scripts_dir=str(tmp_path / "scripts"), host="127.0.0.1", port=0) as loki:
        with SimulatedDevice(
            str(tmp_path / "root"),
            loki_url=loki.url,
            token="",
            script_prefix="e2e_",
            open_access=True,  # an open Loki calls an open device (local demo setup)
        ) as sim:
            wait_for(lambda: sim.device.loki_state == "ok", what="negotiation with Loki")
            client = LokiClient(loki.url, timeout=20)
            try:
                yield loki, sim, client
            finally:
                client.close()


def test_forwarding_stubs_reach_the_device_and_results_come_back(stack):
    _, sim, loki = stack
    names = [s.name for s in loki.list_scripts("e2e_")]
    assert "e2e_read_dht22_sim_temperature" in names and "e2e_set_led_sim" in names
    r = loki.execute_script("e2e_read_dht22_sim_temperature", {})
    assert r.success, r.error
    assert 15.0 <= float(r.output) <= 27.0
    r = loki.execute_script("e2e_set_led_sim", {"on": True, "brightness": 0.5})
    assert r.success, r.error
    assert sim.led.state() == {"on": True, "brightness": 0.5}
    r = loki.execute_script("e2e_get_led_sim_state", {})
    assert r.success and json.loads(r.output) == {"on": True, "brightness": 0.5}


def test_a_user_script_calls_a_device_tool(stack):
    _, sim, loki = stack
    address = sim.address
    script = (
        'local state = device.call("%s", "set_relay_sim", {on = true})\n'
        'local t = device.call("%s", "read_dht22_sim_temperature", {})\n'
        "return {relay = state, temperature = t}" % (address, address)
    )
    reg = loki.register_script("e2e_water", inline_script=script, language="lua")
    assert reg.success, reg.error_message
    r = loki.execute_script("e2e_water", {})
    assert r.success, r.error
    out = json.loads(r.output)
    assert out["relay"] == {"on": True} and 15.0 <= out["temperature"] <= 27.0
    assert sim.relay.state() == {"on": True}


def test_a_refusal_travels_back_and_changes_nothing(stack):
    _, sim, loki = stack
    before = sim.led.state()
    r = loki.execute_script("e2e_set_led_sim", {"on": True, "brightness": 7})
    assert not r.success
    assert "brightness" in r.error and "0..1" in r.error
    assert sim.led.state() == before
