# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""``jotunheim simulate``: the simulated device in-process (SimulatedDevice) and as a CLI
process called over HTTP; --root plays CIRCUITPY."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from jotunheim.grpc.client import GrpcWebClient
from jotunheim.grpc.retry import RetryPolicy
from jotunheim.pb import jotunheim as jpb
from jotunheim_host import cli
from jotunheim_host.signing import client_signer
from jotunheim_host.simulate import SimulatedDevice

ROOT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def call(url, tool, params="", token=None):
    c = GrpcWebClient(url, socket_pool=socket, timeout=5, signer=client_signer(token),
                      retry_policy=RetryPolicy(1))  # fmt: skip
    return c.unary(
        "/jotunheim.JotunheimService/CallTool",
        jpb.ToolCallRequest(tool_name=tool, parameters=params),
        decode=jpb.ToolCallResponse.decode,
    )


def test_simulated_parts_behave_plausibly(tmp_path):
    with SimulatedDevice(str(tmp_path / "root"), token="", open_access=True) as sim:
        temps = set()
        for _ in range(30):
            sim.climate.step()
            temps.add(sim.climate._t)
        assert len(temps) > 10 and all(17.0 <= t <= 25.0 for t in temps)
        hum = json.loads(call(sim.url, "read_dht22_sim_humidity").result)
        assert 30.0 <= hum <= 60.0
        assert json.loads(call(sim.url, "read_button_sim_pressed").result) is False
        sim.button.press()
        assert json.loads(call(sim.url, "read_button_sim_pressed").result) is True
        r = call(sim.url, "set_relay_sim", '{"on": true}')
        assert r.success and sim.relay.pin.history[-1] is True


def test_root_plays_circuitpy(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "jotunheim.json").write_text(
        json.dumps({"capabilities": {"device_name": "greenhouse"}})
    )
    (root / "settings.toml").write_text('JOTUNHEIM_TOKEN = "from-toml"\n')
    with SimulatedDevice(str(root), name=None) as sim:
        assert sim.device.builder.device_name() == "greenhouse"
        with pytest.raises(Exception) as info:
            call(sim.url, "get_led_sim_state")
        assert "JOTUNHEIM_TOKEN" in str(info.value)

        def broken():
            raise OSError(5, "I2C bus error")

        sim.device.add_tool("read_broken", broken)
        assert not call(sim.url, "read_broken", token="from-toml").success
        from jotunheim import log

        log.error_ring().flush()
    ring = json.loads((root / ".jotunheim_errors.json").read_text())
    assert "I2C bus error" in json.dumps(ring)


def test_cli_simulate_serves_until_interrupted(tmp_path):
    port = free_port()
    root = tmp_path / "circuitpy"
    env = dict(os.environ, BLINKA_OS_AGNOSTIC="1", PYTHONPATH=ROOT_DIR)
    proc = subprocess.Popen(
        [sys.executable, "-m", "jotunheim_host.cli", "simulate", "--listen",
         "127.0.0.1:%d" % port, "--token", "cli-tok", "--root", str(root), "--name", "bench-sim"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("Ctrl-C"):
                break
        text = "".join(lines)
        assert "http://127.0.0.1:%d" % port in text, text + proc.stderr.read()
        assert "set_led_sim" in text and str(root) in text
        r = call("http://127.0.0.1:%d" % port, "set_led_sim", '{"on": true}', "cli-tok")
        assert r.success and json.loads(r.result)["on"] is True
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--listen", "nohost"], "--listen must be HOST:PORT"),
        (["--listen", "127.0.0.1:99999"], "--listen must be HOST:PORT"),
        (["--settings", "/nonexistent/jotunheim.json"], "does not exist"),
    ],
)
def test_cli_simulate_errors(tmp_path, capsys, argv, message):
    rc = cli.main(["simulate", "--root", str(tmp_path), *argv])
    assert rc == 1
    assert message in capsys.readouterr().err


def test_cli_simulate_bad_settings_and_busy_port(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"remote": {"listen_port": 0}}')
    assert cli.main(["simulate", "--root", str(tmp_path), "--settings", str(bad)]) == 1
    assert "remote.listen_port" in capsys.readouterr().err
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    try:
        port = busy.getsockname()[1]
        assert (
            cli.main(["simulate", "--root", str(tmp_path), "--listen", "127.0.0.1:%d" % port]) == 1
        )
        assert "cannot listen" in capsys.readouterr().err
    finally:
        busy.close()


# ------------------------------------------------------------ logging, listen address


def _command(url, name, params=None, token=None):
    from jotunheim_host.signing import client_signer

    c = GrpcWebClient(url, socket_pool=socket, timeout=30, signer=client_signer(token),
                      retry_policy=RetryPolicy(1))  # fmt: skip
    try:
        return c.unary(
            "/jotunheim.JotunheimService/SendDeviceCommand",
            jpb.DeviceCommandRequest(command=name, parameters=json.dumps(params or {})),
            decode=jpb.DeviceCommandResponse.decode,
        )
    finally:
        c.close()


def _wait(predicate, seconds=20.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_simulator_logs_listening_loki_ota_and_reboots_at_info(tmp_path, caplog):
    import logging

    from jotunheim_host import ota_tools
    from jotunheim_host.loki import LokiServer
    from jotunheim_host.loki.access import AccessPolicy
    from jotunheim_host.simulate import LOGGER_NAME

    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    key = tmp_path / "k.pem"
    pub = ota_tools.generate_key(key)
    src = tmp_path / "src"
    src.mkdir()
    (src / "code.py").write_text("print('v2')\n")
    ota_dir = tmp_path / "ota"
    ota_tools.build(src, ota_dir, 2, key, package="app")
    root = tmp_path / "root"
    with LokiServer(str(tmp_path / "scripts"), host="127.0.0.1", port=0, ota_dir=str(ota_dir),
                    policy=AccessPolicy.open()) as loki:  # fmt: skip
        root.mkdir()
        manifest = loki.url + "/ota/manifest.json"
        (root / "jotunheim.json").write_text(json.dumps({"ota": {"manifest_url": manifest}}))
        with SimulatedDevice(str(root), loki_url=loki.url, token="", owner_token="own",
                             ota_keys=[pub]) as sim:  # fmt: skip
            text = lambda: "\n".join(r.getMessage() for r in caplog.records)  # noqa: E731
            assert _wait(lambda: "registered with Loki" in text()), text()
            assert "serving JotunheimService on %s" % sim.address in text()
            assert "registered with Loki at %s: 7 tool(s)" % loki.url in text()
            assert _command(sim.url, "ota_check", {}, "own").success
            assert "OTA check of %s" % manifest in text()
            assert "OTA: v2 available (no update installed yet)" in text()
            sim.ota_keys = [bytes(32)]  # a key that did not sign it: refused
            refused = _command(sim.url, "ota_check", {"install": True}, "own")
            assert not refused.success and "UnknownKey" in refused.error_message
            assert (
                "OTA update refused: UnknownKey: manifest is not signed by a trusted key" in text()
            )
            sim.ota_keys = [pub]
            reboots = sim.device.reboots
            acquired = sim.device.resources.buffers.acquired
            assert _command(sim.url, "ota_check", {"install": True}, "own").success
            # the download used the device's buffer pool and was counted under "ota"
            assert sim.device.resources.bandwidth.endpoints["ota"][1] > 0
            assert sim.device.resources.buffers.acquired > acquired
            assert _wait(lambda: "rebooted: serving at" in text()), text()
            assert sim.device.reboots == reboots + 1
            assert "OTA: installed v2, rebooting into its trial boot" in text()
            assert "rebooting (reboot %d)" % (reboots + 1) in text()
    assert all(r.levelname in ("INFO", "WARNING", "ERROR") for r in caplog.records)


def test_bind_failure_is_one_line_naming_the_port_and_setting(tmp_path):
    with SimulatedDevice(str(tmp_path / "a"), token="") as first:
        second = SimulatedDevice(str(tmp_path / "b"), token="", port=first.port)
        with pytest.raises(OSError) as failed:
            second.start()
        second.stop()
    message = failed.value.args[1]
    assert message == (
        "cannot listen on 127.0.0.1:%d: port %d is already in use; set remote.listen_port "
        "(and remote.host) in jotunheim.json" % (first.port, first.port)
    )


def test_simulate_cli_bind_failure_names_listen(tmp_path):
    with SimulatedDevice(str(tmp_path / "a"), token="") as first:
        proc = subprocess.run(
            [sys.executable, "-m", "jotunheim_host.cli", "simulate", "--listen",
             "127.0.0.1:%d" % first.port, "--root", str(tmp_path / "b")],  # fmt: skip
            capture_output=True, text=True, timeout=60, check=False,
            env=dict(os.environ, PYTHONPATH=ROOT_DIR, BLINKA_OS_AGNOSTIC="1"),
        )  # fmt: skip
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last == (
        "jotunheim simulate: error: cannot listen on 127.0.0.1:%d: port %d is already in use; "
        "set remote.listen_port (and remote.host) in jotunheim.json (or pick another with "
        "--listen HOST:PORT)" % (first.port, first.port)
    )


def test_remote_host_setting_is_the_listen_host(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    port = free_port()
    (root / "jotunheim.json").write_text(
        json.dumps({"remote": {"host": "127.0.0.1", "listen_port": port, "open": True}})
    )
    with SimulatedDevice(str(root), token="", host=None, port=None) as sim:
        assert sim.address == "127.0.0.1:%d" % port
        assert call(sim.url, "read_button_sim_pressed").success
