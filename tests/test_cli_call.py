# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""`jotunheim call` and `jotunheim command` against a simulated device over real gRPC-Web:
output as text and JSON, tokens from options and the environment, and the exit codes
docs/cli.md promises (0 ok, 1 failed with a status, 2 usage, 3 unreachable)."""

import json
import os
import socket
import subprocess
import sys

import pytest

from jotunheim_host import cli, device_rpc
from jotunheim_host.simulate import SimulatedDevice

ROOT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOKEN = "call-token"
OWNER = "owner-token"


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    root = tmp_path_factory.mktemp("CIRCUITPY")
    with SimulatedDevice(str(root), token=TOKEN, owner_token=OWNER) as device:
        yield device


@pytest.fixture(autouse=True)
def no_token_env(monkeypatch):
    monkeypatch.delenv("JOTUNHEIM_TOKEN", raising=False)
    monkeypatch.delenv("JOTUNHEIM_OWNER_TOKEN", raising=False)


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_call_prints_value_and_unit(sim, capsys):
    code = cli.main(["call", sim.url, "read_dht22_sim_temperature", "--token", TOKEN])
    out = capsys.readouterr().out.strip()
    value, unit = out.split()
    assert code == 0
    assert 10.0 <= float(value) <= 35.0
    tool = sim.device.registry.get("read_dht22_sim_temperature")
    assert unit == tool.unit and unit


def test_call_key_values_are_json_when_they_parse(sim, capsys):
    code = cli.main(["call", sim.url, "set_led_sim", "on=true", "brightness=0.25",
                     "--token", TOKEN])  # fmt: skip
    assert code == 0
    assert sim.led.state() == {"on": True, "brightness": 0.25}
    assert capsys.readouterr().out.splitlines() == ["on: true", "brightness: 0.25"]


def test_call_json_params_and_json_output(sim, capsys):
    code = cli.main(["call", sim.url, "set_relay_sim", "--json-params", '{"on": true}',
                     "--token", TOKEN, "--json"])  # fmt: skip
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["ok"] is True and doc["tool"] == "set_relay_sim"
    assert doc["result"] == {"on": True}
    assert sim.relay.state() == {"on": True}


def test_call_without_token_fails_with_the_status_name(sim, capsys):
    code = cli.main(["call", sim.url, "read_dht22_sim_temperature"])
    err = capsys.readouterr().err
    assert code == device_rpc.FAILED == 1
    assert err.startswith("error: UNAUTHENTICATED: this device needs a token")


def test_call_token_from_the_environment(sim, capsys, monkeypatch):
    monkeypatch.setenv("JOTUNHEIM_TOKEN", TOKEN)
    assert cli.main(["call", sim.url, "read_button_sim_pressed"]) == 0
    assert capsys.readouterr().out.strip() in ("true", "false")


def test_call_bad_parameter_is_invalid_argument_as_json(sim, capsys):
    code = cli.main(
        ["call", sim.url, "set_led_sim", "on=true", "brightness=7", "--token", TOKEN, "--json"]
    )
    doc = json.loads(capsys.readouterr().out)
    assert code == 1 and doc["ok"] is False and doc["code"] == "INVALID_ARGUMENT"
    assert "brightness" in doc["message"] and doc["unreachable"] is False


def test_call_unknown_tool_is_not_found(sim, capsys):
    assert cli.main(["call", sim.url, "no_such_tool", "--token", TOKEN]) == 1
    assert capsys.readouterr().err.startswith("error: NOT_FOUND: no tool named 'no_such_tool'")


def test_command_needs_the_owner_token(sim, capsys):
    code = cli.main(["command", sim.url, "ota_check", "--token", TOKEN])
    assert code == 1
    assert capsys.readouterr().err.startswith("error: PERMISSION_DENIED: ota_check needs")
    code = cli.main(["command", sim.url, "ota_check", "--owner-token", OWNER, "--json"])
    doc = json.loads(capsys.readouterr().out)
    # The owner may ask; this device has no OTA configured, so the command itself fails.
    assert code == 1 and doc["ok"] is False and doc["code"] == "FAILED"
    assert "ota.manifest_url" in doc["message"], doc


def test_command_ping_prints_each_field(sim, capsys):
    assert cli.main(["command", sim.url, "ping", "--token", TOKEN]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "pong: true" in lines
    assert "device_id: %s" % sim.device.device_id in lines


def test_command_unknown_name_lists_the_known_ones(sim, capsys):
    assert cli.main(["command", sim.url, "status", "--owner-token", OWNER]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: INVALID_ARGUMENT: unknown command 'status'")
    assert "ping" in err and "reboot" in err


def test_unreachable_device_exits_3(capsys):
    url = "http://127.0.0.1:%d" % closed_port()
    assert cli.main(["call", url, "read_x", "--timeout", "2"]) == device_rpc.UNREACHABLE == 3
    err = capsys.readouterr().err
    assert err.startswith("error: UNAVAILABLE: ") and "is the device running at %s?" % url in err
    assert cli.main(["command", url, "ping", "--json", "--timeout", "2"]) == 3
    doc = json.loads(capsys.readouterr().out)
    assert doc["unreachable"] is True and doc["code"] == "UNAVAILABLE"


def test_a_device_that_never_answers_exits_3(capsys):
    # A listening socket nobody accepts from: connect succeeds, no answer comes.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    try:
        url = "http://127.0.0.1:%d" % silent.getsockname()[1]
        assert cli.main(["call", url, "read_x", "--timeout", "0.5"]) == 3
        assert capsys.readouterr().err.startswith("error: DEADLINE_EXCEEDED")
    finally:
        silent.close()


def test_usage_errors_exit_2(sim, capsys):
    assert cli.main(["call", sim.url, "set_led_sim", "on"]) == 2
    assert "'on' is not key=value" in capsys.readouterr().err
    assert cli.main(["call", sim.url, "t", "--json-params", "[1]"]) == 2
    assert "must be a JSON object" in capsys.readouterr().err
    assert cli.main(["call", "ftp://x", "t"]) == 2
    assert "http://" in capsys.readouterr().err
    with pytest.raises(SystemExit) as done:
        cli.main(["call", sim.url])  # TOOL missing: argparse's own usage error
    assert done.value.code == 2


def test_parse_params_rules():
    params = device_rpc.parse_params(
        ["n=3", "x=0.5", "on=false", "name=lab 1", "list=[1,2]", "empty="],
        '{"n": 1, "keep": "yes"}',
    )
    assert params == {"n": 3, "x": 0.5, "on": False, "name": "lab 1", "list": [1, 2],
                      "empty": "", "keep": "yes"}  # fmt: skip


def test_calls_are_signed_by_default_and_bearer_on_request():
    from jotunheim_host.signing import Signer

    signed = device_rpc.request_signer("abc")
    assert isinstance(signed, Signer)
    assert signed("/p", b"x")["authorization"].startswith("JH-HMAC ")
    bearer = device_rpc.request_signer("abc", "bearer")
    assert bearer("/p", b"x") == {"authorization": "Bearer abc"}
    assert device_rpc.request_signer("") is None and device_rpc.request_signer(None) is None


def test_call_as_a_process_with_env_token(sim):
    env = dict(os.environ, PYTHONPATH=ROOT_DIR, JOTUNHEIM_OWNER_TOKEN=OWNER)
    proc = subprocess.run(
        [sys.executable, "-m", "jotunheim_host.cli", "command", sim.url, "ping", "--json"],
        capture_output=True, text=True, timeout=60, env=env, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["result"]["pong"] is True


def test_no_response_prints_as_an_object_repr(sim, capsys):
    runs = [
        ["call", sim.url, "get_led_sim_state", "--token", TOKEN],
        ["call", sim.url, "read_dht22_sim_humidity", "--token", TOKEN, "--json"],
        ["call", sim.url, "no_such_tool", "--token", TOKEN],
        ["command", sim.url, "announce", "--token", TOKEN],
        ["command", sim.url, "ping", "--token", TOKEN, "--json"],
        ["inspect", sim.url, "--token", TOKEN],
    ]
    for argv in runs:
        cli.main(argv)
        captured = capsys.readouterr()
        text = captured.out + captured.err
        assert text.strip() and "object at 0x" not in text and "<jotunheim." not in text, argv
