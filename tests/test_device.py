# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The Device facade on CPython: step()/run() loop, device commands, settings hot reload,
status figures, and Loki negotiation against a third-party LokiService stand-in
(connect-python's WSGI app), including Loki being down and coming back."""

import json
import os
import socket
import threading
import time

import pytest

from jotunheim.capability.drivers.simulated import SimulatedClimateSensor, SimulatedRelay
from jotunheim.capability.schema import NUMBER, Field
from jotunheim.device.core import MAX_REQUESTS, Device
from jotunheim.grpc.client import GrpcWebClient
from jotunheim.grpc.retry import RetryPolicy
from jotunheim.grpc.status import GrpcError, StatusCode
from jotunheim.net.wifi import HostNetwork
from jotunheim.pb import jotunheim as jpb
from tests.interop import loki_standins, stubs

SERVICE = "/jotunheim.JotunheimService/"


def make_device(root, **kwargs):
    kwargs.setdefault("host", "127.0.0.1")
    kwargs.setdefault("port", 0)
    kwargs.setdefault("pool", socket)
    kwargs.setdefault("network", HostNetwork(probe_interval=0))
    kwargs.setdefault("token", "")
    kwargs.setdefault("owner_token", "boss")
    kwargs.setdefault("open_access", True)  # no token: these tests call it open
    kwargs.setdefault("auth_mode", "bearer")  # and send the owner token as a bearer token
    kwargs.setdefault("loki_url", "")
    os.makedirs(root, exist_ok=True)
    return Device("bench", root=root, **kwargs)


class Loop:
    """Runs device.step() in a thread, as SimulatedDevice does."""

    def __init__(self, device):
        self.device = device
        self.stop_flag = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.errors = []

    def _run(self):
        while not self.stop_flag.is_set():
            try:
                if not self.device.step():
                    time.sleep(0.002)
            except Exception as exc:  # noqa: BLE001
                self.errors.append(exc)
                time.sleep(0.01)

    def __enter__(self):
        self.device.start()
        self.thread.start()
        return self.device

    def __exit__(self, *exc):
        self.stop_flag.set()
        self.thread.join(10)
        self.device.stop()
        assert not self.errors, self.errors


def client(device, token=None):
    metadata = {"authorization": "Bearer " + token} if token else {}
    return GrpcWebClient(
        device.url, socket_pool=socket, timeout=10, metadata=metadata, retry_policy=RetryPolicy(1)
    )


def command(c, name, params=""):
    return c.unary(
        SERVICE + "SendDeviceCommand",
        jpb.DeviceCommandRequest(command=name, parameters=params),
        decode=jpb.DeviceCommandResponse.decode,
    )


def call_tool(c, name, params=""):
    return c.unary(
        SERVICE + "CallTool",
        jpb.ToolCallRequest(tool_name=name, parameters=params),
        decode=jpb.ToolCallResponse.decode,
    )


def status(c):
    r = c.unary(
        SERVICE + "GetDeviceStatus",
        jpb.DeviceStatusRequest(),
        decode=jpb.DeviceStatusResponse.decode,
    )
    return r, json.loads(r.capabilities)


def wait_for(predicate, timeout=15.0, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


# ---------------------------------------------------------------- the loop


def test_user_code_keeps_running_while_requests_are_served(tmp_path):
    """The user drives the loop: step() serves at most MAX_REQUESTS per call and returns,
    so the user's own work runs between steps even under a stream of requests."""
    # Settings as a plain dict (validated like jotunheim.json); no rate limit here.
    device = make_device(str(tmp_path / "root"), settings={"remote": {"rate_limit_per_minute": 0}})
    counter = {"n": 0}
    device.add_tool("bump", lambda: counter.__setitem__("n", counter["n"] + 1) or counter["n"])
    device.start()
    results = []

    def hammer(i):
        # One client per thread: each keeps its own connection.
        c = GrpcWebClient(
            device.url,
            socket_pool=socket,
            timeout=10,
            retry_policy=RetryPolicy(1),
        )
        for _ in range(30):
            results.append(call_tool(c, "bump").success)

    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    user_iterations = 0
    served_per_step = []
    try:
        while any(t.is_alive() for t in threads):
            served_per_step.append(device.step())
            user_iterations += 1  # "the user's own code"
    finally:
        for t in threads:
            t.join(30)
        device.stop()
    assert results == [True] * 90 and counter["n"] == 90
    assert max(served_per_step) <= MAX_REQUESTS
    assert user_iterations >= 90 / MAX_REQUESTS
    assert sum(served_per_step) == 90


def test_run_calls_user_code_and_survives_a_failing_step(tmp_path):
    device = make_device(str(tmp_path / "root"))
    ticks = []
    real_step = device.step
    state = {"n": 0}

    def flaky_step():
        state["n"] += 1
        if state["n"] == 3:
            raise OSError(113, "no route (simulated)")
        return real_step()

    device.step = flaky_step

    def user_code():
        ticks.append(state["n"])
        if len(ticks) >= 5:
            device.stop()

    device.run(every=user_code, interval=0.01, idle_ms=1)
    assert len(ticks) == 5 and state["n"] > 3
    assert device.server is None  # stop() closed it


def test_reboot_is_deferred_until_the_answer_was_sent(tmp_path):
    answered = threading.Event()  # set by the client once it holds the whole answer
    seen = {}

    def reboot():
        # Runs on the device's loop. Had the device rebooted before sending, no answer could
        # reach the client while this waits, and the wait would run out.
        seen["client_had_answer"] = answered.wait(5)

    device = make_device(str(tmp_path / "root"), reboot=reboot)
    with Loop(device):
        r = command(client(device, "boss"), "reboot")
        answered.set()
        assert r.success and json.loads(r.result) == {"rebooting": True, "after": "this answer"}
        wait_for(lambda: "client_had_answer" in seen, what="reboot")
    assert device.reboots == 1
    assert seen["client_had_answer"], "reboot() ran before the client had the answer"


def test_soft_restart_on_cpython_keeps_the_port_and_serves_again(tmp_path):
    device = make_device(str(tmp_path / "root"))
    device.add_actuator("pump", SimulatedRelay())
    with Loop(device):
        port = device.port
        assert command(client(device, "boss"), "reboot").success
        wait_for(lambda: device.reboots == 1 and device.server is not None, what="restart")
        assert device.port == port
        assert call_tool(client(device), "set_relay_sim", '{"on": true}').success


# ---------------------------------------------------------------- settings


def test_reload_settings_command_and_hot_reload(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "jotunheim.json").write_text(json.dumps({"remote": {"rate_limit_per_minute": 60}}))
    device = make_device(str(root))
    with Loop(device):
        c = client(device)
        (root / "jotunheim.json").write_text(json.dumps({"remote": {"rate_limit_per_minute": 7}}))
        r = command(c, "reload_settings")
        # The loop's own once-a-second hot reload may have seen the file first; then the
        # command finds nothing left to change. Either way the new value is in effect.
        assert r.success
        assert json.loads(r.result) in (
            {"changed": ["remote"], "source": "file"},
            {"changed": [], "source": "file"},
        )
        assert device.handler.per_minute == 7
        # A broken file is refused and the settings in effect stay.
        (root / "jotunheim.json").write_text('{"remote": {"rate_limit_per_minute": ')
        r = command(c, "reload_settings")
        assert not r.success and "not valid JSON" in r.error_message
        assert "keeping the previous settings" in r.error_message
        assert device.handler.per_minute == 7
        _, doc = status(c)
        assert doc["runtime"]["settings"]["settings_error"]
        st, _ = status(c)
        assert st.status == "degraded"
        # Hot reload: the loop notices a changed file by itself (mtime/size, once a second).
        (root / "jotunheim.json").write_text(
            json.dumps({"remote": {"rate_limit_per_minute": 9}, "logging": {"level": "INFO"}})
        )
        wait_for(lambda: device.handler.per_minute == 9, what="hot reload")
        assert status(c)[0].status == "ok"


def test_tokens_come_from_settings_toml_and_are_never_shown(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "settings.toml").write_text(
        'JOTUNHEIM_TOKEN = "toml-token-xyz"\nJOTUNHEIM_OWNER_TOKEN = "toml-owner-abc"\n'
    )
    (root / "jotunheim.json").write_text(json.dumps({"remote": {"listen_port": 1}}))
    device = Device.from_settings(
        str(root),
        host="127.0.0.1",
        port=0,
        pool=socket,
        network=HostNetwork(probe_interval=0),
        error_ring=False,
        auth_mode="bearer",
    )
    assert device.settings.get("remote.listen_port") == 1
    with Loop(device):
        with pytest.raises(GrpcError) as info:
            status(client(device))
        assert info.value.code == StatusCode.UNAUTHENTICATED
        st, doc = status(client(device, "toml-token-xyz"))
        text = st.capabilities
        assert "toml-token-xyz" not in text and "toml-owner-abc" not in text
        assert doc["runtime"]["settings"]["settings_toml"]["JOTUNHEIM_TOKEN"] == "set"
        # The owner token from settings.toml unlocks owner commands.
        r = command(client(device, "toml-owner-abc"), "ota_check")
        assert not r.success and "ota.manifest_url" in r.error_message


def test_status_reports_resources_and_bandwidth(tmp_path):
    device = make_device(str(tmp_path / "root"))
    device.add_sensor("air", SimulatedClimateSensor(seed=3))
    with Loop(device):
        c = client(device)
        for _ in range(10):
            assert call_tool(c, "read_dht22_sim_temperature").success
        device.sample_resources()
        st, doc = status(c)
    res = doc["runtime"]["resources"]
    assert res["rx_bytes"] > 10 * 100 and res["tx_bytes"] > 10 * 50
    assert 0.0 <= res["cpu_load"] <= 1.0
    assert "free_heap" in res and res["host_rss_bytes"] > 0
    assert doc["runtime"]["remote"]["tool_calls"] == 10
    assert doc["runtime"]["network"]["status"] == "connected"
    assert doc["runtime"]["loki"]["state"] == "none"
    assert st.last_seen.endswith("Z") and st.status == "ok"


def test_ota_check_command_is_owner_only_and_uses_the_injected_checker(tmp_path):
    calls = []

    def checker(params):
        calls.append(params)
        return {"update": False, "installed": 4}

    device = make_device(str(tmp_path / "root"), ota_check=checker)
    with Loop(device):
        with pytest.raises(GrpcError) as info:
            command(client(device), "ota_check")
        assert info.value.code == StatusCode.PERMISSION_DENIED
        r = command(client(device, "boss"), "ota_check", '{"install": false}')
        assert r.success and json.loads(r.result) == {"update": False, "installed": 4}
    assert calls == [{"install": False}]


def test_default_ota_check_says_what_is_missing(tmp_path):
    device = make_device(str(tmp_path / "root"))
    with Loop(device):
        r = command(client(device, "boss"), "ota_check")
    assert not r.success and "ota.manifest_url" in r.error_message


# ---------------------------------------------------------------- Loki


@pytest.fixture
def loki_stubs(tmp_path):
    return stubs.load(str(tmp_path / "stubs"))


def _fast_resilience(root):
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, "jotunheim.json"), "w") as f:
        json.dump({"network": {"resilience": {"base_delay": 0.05, "max_delay": 0.2}}}, f)


def test_negotiates_with_loki_and_re_registers_after_changes(tmp_path, loki_stubs):
    behaviour = loki_standins.LokiBehaviour(loki_stubs.loki_pb2)
    root = str(tmp_path / "root")
    _fast_resilience(root)
    with loki_standins.WsgiServer(loki_standins.connect_app(loki_stubs, behaviour)) as loki:
        device = make_device(root, loki_url=loki.url, script_prefix="bench_")
        device.add_actuator("pump", SimulatedRelay())
        with Loop(device):
            wait_for(lambda: device.loki_state == "ok", what="negotiation")
            assert "bench_set_relay_sim" in behaviour.scripts
            info = behaviour.scripts["bench_set_relay_sim"]
            assert info.language == "lua" and info.has_inline_script
            c = client(device)
            st, doc = status(c)
            assert st.status == "ok" and doc["runtime"]["loki"]["registered"] == 2
            # A new sensor is a capability change: its tools reach Loki without a restart.
            device.add_sensor("air", SimulatedClimateSensor())
            wait_for(lambda: "bench_read_dht22_sim_humidity" in behaviour.scripts, what="update")
            # Loki restarted and lost our scripts: the heartbeat notices and registers again.
            with behaviour.lock:
                behaviour.scripts.clear()
            device.loki_link.next_heartbeat = 0.0
            wait_for(lambda: "bench_set_relay_sim" in behaviour.scripts, what="heartbeat")
            r = command(c, "announce")
            body = json.loads(r.result)
            assert r.success and body["announced"] is True
            assert "bench_read_dht22_sim_temperature" in body["registered"]


def test_loki_down_then_up_reconnects(tmp_path, loki_stubs):
    behaviour = loki_standins.LokiBehaviour(loki_stubs.loki_pb2)
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    root = str(tmp_path / "root")
    _fast_resilience(root)
    device = make_device(root, loki_url="http://127.0.0.1:%d" % port)
    device.add_actuator("pump", SimulatedRelay())
    with Loop(device):
        wait_for(lambda: device.loki_state == "offline", what="offline")
        c = client(device)
        st, doc = status(c)
        assert st.status == "offline-loki"
        assert doc["runtime"]["loki"]["endpoint"]["failures"] >= 1
        # The device still serves its tools while Loki is away.
        assert call_tool(c, "set_relay_sim", '{"on": true}').success
        httpd = loki_standins._ThreadingWSGIServer(("127.0.0.1", port), loki_standins._QuietHandler)
        httpd.set_app(
            loki_standins.terminated_input(loki_standins.connect_app(loki_stubs, behaviour))
        )
        t = threading.Thread(target=httpd.serve_forever, daemon=True)
        t.start()
        try:
            # The breaker may be open for its cooldown; let it retry now.
            device.loki_link.forget()
            wait_for(lambda: device.loki_state == "ok", timeout=20, what="reconnect")
            assert "set_relay_sim" in behaviour.scripts
            assert status(c)[0].status == "ok"
        finally:
            httpd.shutdown()
            httpd.server_close()


def test_loki_backed_tool_runs_a_script(tmp_path, loki_stubs):
    behaviour = loki_standins.LokiBehaviour(loki_stubs.loki_pb2)
    with loki_standins.WsgiServer(loki_standins.connect_app(loki_stubs, behaviour)) as loki:
        device = make_device(str(tmp_path / "root"), loki_url=loki.url)
        device.add_loki_tool(
            "echo_tool",
            "echo",
            "Echo through Loki",
            (Field("x", NUMBER, required=True, minimum=0, maximum=5),),
        )
        with Loop(device):
            c = client(device)
            r = call_tool(c, "echo_tool", '{"x": 3}')
            assert r.success and json.loads(r.result) == {"x": "3"}
            with pytest.raises(GrpcError) as info:
                call_tool(c, "echo_tool", '{"x": 30}')
            assert info.value.code == StatusCode.INVALID_ARGUMENT


# ---------------------------------------------------------------- examples

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")


def test_simpletest_example_runs_on_blinka(tmp_path, monkeypatch):
    import runpy

    monkeypatch.chdir(tmp_path)
    # No settings.toml here, so no token: the device is locked unless remote.open says so.
    (tmp_path / "jotunheim.json").write_text('{"remote": {"open": true}}')
    results = {}

    monkeypatch.setenv("JOTUNHEIM_LISTEN", "127.0.0.1:0")  # a free port, not the 8080 default

    def run(self, every=None, interval=1.0, idle_ms=5):
        # Instead of forever: serve in a thread and call the example's tools once.
        with Loop(self):
            c = client(self)
            results["add"] = json.loads(call_tool(c, "add_numbers", '{"a": 2, "b": 40}').result)
            results["led"] = json.loads(call_tool(c, "set_led", '{"on": true}').result)

    monkeypatch.setattr(Device, "run", run)
    runpy.run_path(os.path.join(EXAMPLES, "jotunheim_simpletest.py"), run_name="__main__")
    assert results == {"add": 42, "led": {"on": True}}


@pytest.mark.parametrize("name", ["pico_w/code.py", "feather_esp32/code.py"])
def test_board_examples_compile_and_have_settings(name):
    path = os.path.join(EXAMPLES, name)
    with open(path) as f:
        compile(f.read(), path, "exec")
    from jotunheim.settings.tomlreader import parse_toml

    with open(os.path.join(os.path.dirname(path), "settings.toml")) as f:
        values, errors = parse_toml(f.read())
    assert not errors
    assert {"CIRCUITPY_WIFI_SSID", "JOTUNHEIM_TOKEN", "JOTUNHEIM_OWNER_TOKEN"} <= set(values)


def test_a_step_that_runs_out_of_memory_is_survived_by_a_users_own_loop(tmp_path):
    device = make_device(str(tmp_path / "root"))
    device.add_actuator("pump", SimulatedRelay())
    device.start()
    real = device.scheduler.run_due
    calls = {"n": 0}

    def exhausted():
        calls["n"] += 1
        if calls["n"] == 1:
            raise MemoryError("no heap")
        return real()

    device.scheduler.run_due = exhausted
    try:
        assert device.step() == 0  # no exception reaches the caller's loop
        assert calls["n"] == 1
        results = []
        t = threading.Thread(
            target=lambda: results.append(
                call_tool(client(device), "set_relay_sim", '{"on": true}')
            )
        )
        t.start()
        end = time.monotonic() + 5
        while t.is_alive() and time.monotonic() < end:
            device.step()
        t.join(1)
        assert results and results[0].success  # the next steps serve again
    finally:
        device.stop()


def test_status_shows_streams_once_the_streaming_handler_exists(tmp_path):
    device = make_device(str(tmp_path / "root"))
    with Loop(device):
        c = client(device, "boss")
        _, doc = status(c)
        assert "streams" not in doc["runtime"]  # nothing streamed: not even loaded
        device.streams  # noqa: B018 - the handler is built on first use
        _, doc = status(c)
        plugins = {p["name"] for p in doc["runtime"]["streams"]["plugins"]}
        assert "signal" in plugins and doc["runtime"]["streams"]["streams"] == []


def test_the_device_checks_the_ota_state_file_the_installer_writes():
    # The Device names the file itself, so that a board without updates never imports
    # jotunheim.ota: the two must agree.
    from jotunheim import ota
    from jotunheim.device import setup

    assert setup.OTA_STATE_FILE == ota.STATE_FILE
