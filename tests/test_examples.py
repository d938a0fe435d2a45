# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Every example in ``examples/`` runs for real on the host (CPython + Blinka's desktop
stand-in board) on its own 127.0.0.1 port (``JOTUNHEIM_LISTEN``), in a temporary folder
playing CIRCUITPY, and answers real calls over gRPC-Web; each process is then stopped."""

import json
import os
import socket
import subprocess
import sys
import time

import pytest

from jotunheim.grpc.client import GrpcWebClient
from jotunheim.grpc.retry import RetryPolicy
from jotunheim.pb import jotunheim as jpb

try:  # devices sign-check calls where the library has request signing (remote.auth_mode)
    from jotunheim_host.signing import client_signer
except ImportError:  # a library with bearer tokens only
    client_signer = None

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(REPO, "examples")
TOKEN = "example-token"
OWNER = "example-owner"
START_DEADLINE_S = 30


def free_port():
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def host_env(root, listen=None):
    """The environment an example runs in: the worktree's library, Blinka's desktop board,
    ``root`` as CIRCUITPY; none of the caller's JOTUNHEIM_* settings leak in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOTUNHEIM_")}
    env.update(
        PYTHONPATH=REPO,
        BLINKA_OS_AGNOSTIC="1",
        PYTHONUNBUFFERED="1",
        JOTUNHEIM_ROOT=str(root),
    )
    if listen:
        env["JOTUNHEIM_LISTEN"] = listen
    return env


def make_root(tmp_path, settings=None, extra_toml=""):
    """A folder playing CIRCUITPY with a settings.toml (tokens) and optional jotunheim.json."""
    root = tmp_path / "CIRCUITPY"
    root.mkdir()
    toml = 'JOTUNHEIM_TOKEN = "%s"\nJOTUNHEIM_OWNER_TOKEN = "%s"\n' % (TOKEN, OWNER)
    (root / "settings.toml").write_text(toml + extra_toml)
    if settings is not None:
        (root / "jotunheim.json").write_text(json.dumps(settings))
    return root


class Running:
    """An example started as its own process; ``url`` once its port answers."""

    def __init__(self, example, root, port):
        self.port = port
        self.url = "http://127.0.0.1:%d" % port
        self.log = open(os.path.join(str(root), "..", "example.log"), "w+")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(EXAMPLES, example)],
            cwd=str(root),
            env=host_env(root, "127.0.0.1:%d" % port),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.wait_ready()

    def output(self):
        """Everything the example printed so far."""
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def wait_ready(self):
        deadline = time.monotonic() + START_DEADLINE_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.stop()
                pytest.fail("example exited with %s:\n%s" % (self.proc.returncode, self.output()))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        pytest.fail("example did not listen within %d s:\n%s" % (START_DEADLINE_S, self.output()))

    def stop(self):
        """Stop the process (SIGTERM, then SIGKILL) and close its log."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.fixture
def run_example(tmp_path):
    started = []

    def start(example, root):
        running = Running(example, root, free_port())
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()
        running.log.close()


def client(url, token=TOKEN, keyid="user"):
    """A gRPC-Web client presenting ``token``: signed where the library signs, else bearer."""
    if client_signer is not None:
        return GrpcWebClient(url, socket_pool=socket, timeout=10, retry_policy=RetryPolicy(1),
                             signer=client_signer(token, keyid=keyid))  # fmt: skip
    metadata = {"authorization": "Bearer " + token} if token else {}
    return GrpcWebClient(
        url, socket_pool=socket, timeout=10, metadata=metadata, retry_policy=RetryPolicy(1)
    )


def call(url, tool, token=TOKEN, **params):
    """CallTool over gRPC-Web; the ToolCallResponse."""
    return client(url, token, "owner" if token == OWNER else "user").unary(
        "/jotunheim.JotunheimService/CallTool",
        jpb.ToolCallRequest(tool_name=tool, parameters=json.dumps(params) if params else ""),
        decode=jpb.ToolCallResponse.decode,
    )


def result(url, tool, **params):
    """The decoded JSON result of a successful call of ``tool``."""
    response = call(url, tool, **params)
    assert response.success, "%s: %s" % (tool, response.error_message)
    return json.loads(response.result)


def command(url, name, token=OWNER, **params):
    """SendDeviceCommand over gRPC-Web; the DeviceCommandResponse."""
    return client(url, token, "owner" if token == OWNER else "user").unary(
        "/jotunheim.JotunheimService/SendDeviceCommand",
        jpb.DeviceCommandRequest(command=name, parameters=json.dumps(params) if params else ""),
        decode=jpb.DeviceCommandResponse.decode,
    )


def test_simpletest_serves_its_tool_and_led(tmp_path, run_example):
    device = run_example("jotunheim_simpletest.py", make_root(tmp_path))
    assert result(device.url, "add_numbers", a=2, b=3.5) == 5.5
    assert result(device.url, "set_led", on=True) == {"on": True}
    assert result(device.url, "get_led_state") == {"on": True}
    with pytest.raises(Exception) as refused:
        call(device.url, "add_numbers", token="wrong", a=1, b=1)
    assert "token" in str(refused.value).lower() or "unauth" in str(refused.value).lower()
    assert device.url in device.output()


def test_simpletest_says_which_port_is_taken(tmp_path):
    root = make_root(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run(  # noqa: PLW1510 - the return code is asserted
            [sys.executable, os.path.join(EXAMPLES, "jotunheim_simpletest.py")],
            cwd=str(root),
            env=host_env(root, "127.0.0.1:%d" % port),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert "port %d is in use" % port in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "example, set_tool, get_tool",
    [
        ("pico_w/led.py", "set_led_lamp", "get_led_state_lamp"),
        ("feather_esp32/led.py", "set_led", "get_led_state"),
    ],
)
def test_led_examples_set_brightness(tmp_path, run_example, example, set_tool, get_tool):
    device = run_example(example, make_root(tmp_path))
    assert result(device.url, set_tool, on=True, brightness=0.25) == {
        "on": True,
        "brightness": 0.25,
    }
    assert result(device.url, get_tool) == {"on": True, "brightness": 0.25}
    with pytest.raises(Exception) as refused:
        call(device.url, set_tool, on=True, brightness=2)
    assert "INVALID_ARGUMENT" in str(refused.value) and "brightness" in str(refused.value)


@pytest.mark.parametrize("board", ["pico_w", "feather_esp32"])
def test_sensor_examples_read_real_pins(tmp_path, run_example, board):
    device = run_example(board + "/sensor.py", make_root(tmp_path))
    # Blinka's stand-in analog pin reads a fixed 31415 (pi); the pulled-up button is released.
    assert result(device.url, "read_photoresistor_value") == 31415
    volts = result(device.url, "read_photoresistor_voltage")
    assert abs(volts - 31415 * 3.3 / 65535) < 0.01
    assert result(device.url, "read_button_pressed") is False


@pytest.mark.parametrize(
    "board, climate_tool, switch_tool",
    [
        ("pico_w", "read_dht22_sim_humidity", "set_relay"),
        ("feather_esp32", "read_dht22_sim_temperature", "set_relay"),
    ],
)
def test_board_nodes_serve(tmp_path, run_example, board, climate_tool, switch_tool):
    device = run_example(board + "/code.py", make_root(tmp_path))
    value = result(device.url, climate_tool)
    assert isinstance(value, float) and 0 < value < 100
    assert result(device.url, switch_tool, on=True) == {"on": True}


def test_feather_esp32_owner_tool_needs_the_owner_token(tmp_path, run_example):
    device = run_example("feather_esp32/code.py", make_root(tmp_path))
    denied = None
    try:
        denied = call(device.url, "calibrate_temperature", offset=1.5)
    except Exception as exc:  # noqa: BLE001 - refused as a gRPC status or as a failed call
        denied = exc
    assert not getattr(denied, "success", False)
    allowed = call(device.url, "calibrate_temperature", token=OWNER, offset=1.5)
    assert allowed.success and json.loads(allowed.result) == {"offset": 1.5}


def test_remote_control_drives_a_device(tmp_path, run_example):
    device = run_example("jotunheim_simpletest.py", make_root(tmp_path))
    done = subprocess.run(  # noqa: PLW1510 - the return code is asserted
        [sys.executable, os.path.join(EXAMPLES, "jotunheim_remote_control.py"), device.url],
        env=dict(host_env(tmp_path), JOTUNHEIM_TOKEN=TOKEN),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "tools: set_led, get_led_state, add_numbers" in done.stdout
    assert "get_led_state -> {'on': True}" in done.stdout
    assert result(device.url, "get_led_state") == {"on": False}  # it switched it off again


def cli(*args, cwd):
    """``jotunheim ARGS`` of this worktree, checked."""
    done = subprocess.run(  # noqa: PLW1510 - the return code is asserted
        [sys.executable, "-m", "jotunheim_host.cli"] + list(args),
        cwd=str(cwd),
        env=host_env(cwd),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_ota_example_finds_a_signed_update(tmp_path, run_example):
    (tmp_path / "keys").mkdir()
    cli("ota", "keygen", "--out", "keys/release.pem", cwd=tmp_path)
    pubkey = (tmp_path / "keys" / "release.pem.pub").read_text().strip()
    app = tmp_path / "app"
    app.mkdir()
    (app / "code.py").write_text("print('version 2')\n")
    cli("ota", "build", "app", "--version", "2", "--key", "keys/release.pem", "--out", "dist",
        cwd=tmp_path)  # fmt: skip
    port = free_port()
    serve = subprocess.Popen(
        [sys.executable, "-m", "jotunheim_host.cli", "ota", "serve", "dist",
         "--listen", "127.0.0.1:%d" % port],
        cwd=str(tmp_path), env=host_env(tmp_path),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        settings = json.load(open(os.path.join(EXAMPLES, "ota", "jotunheim.json")))
        settings["ota"]["manifest_url"] = "http://127.0.0.1:%d/manifest.json" % port
        root = make_root(tmp_path, settings, 'JOTUNHEIM_OTA_PUBKEY = "%s"\n' % pubkey)
        device = run_example("ota/code.py", root)
        deadline = time.monotonic() + 20
        while True:  # the update server may still be starting
            answer = command(device.url, "ota_check")
            if answer.success or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert answer.success, answer.error_message
        assert json.loads(answer.result) == {"update": True, "installed": None, "available": 2}
        with pytest.raises(Exception, match="PERMISSION_DENIED"):
            command(device.url, "ota_check", token=TOKEN)  # the caller token is not enough
    finally:
        serve.terminate()
        serve.wait(timeout=10)


def test_ota_example_refuses_to_start_without_a_key(tmp_path):
    root = make_root(tmp_path)
    done = subprocess.run(  # noqa: PLW1510 - the return code is asserted
        [sys.executable, os.path.join(EXAMPLES, "ota", "code.py")],
        cwd=str(root),
        env=host_env(root, "127.0.0.1:%d" % free_port()),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and "JOTUNHEIM_OTA_PUBKEY" in done.stderr


BOOT_ON_FOLDER = """
import functools, runpy, sys
import jotunheim.ota.boot
# The example works on a board's "/": point its one call at the folder playing CIRCUITPY.
jotunheim.ota.boot.run = functools.partial(jotunheim.ota.boot.run, root=sys.argv[1])
runpy.run_path(sys.argv[2], run_name="__main__")
"""


def test_ota_boot_example_rolls_back_an_unconfirmed_update(tmp_path):
    (tmp_path / "keys").mkdir()
    cli("ota", "keygen", "--out", "keys/release.pem", cwd=tmp_path)
    app = tmp_path / "app"
    app.mkdir()
    (app / "code.py").write_text("print('version 2')\n")
    cli("ota", "build", "app", "--version", "2", "--key", "keys/release.pem", "--out", "dist",
        cwd=tmp_path)  # fmt: skip
    root = make_root(tmp_path)
    (root / "code.py").write_text("print('version 1')\n")
    port = free_port()
    serve = subprocess.Popen(
        [sys.executable, "-m", "jotunheim_host.cli", "ota", "serve", "dist",
         "--listen", "127.0.0.1:%d" % port],
        cwd=str(tmp_path), env=host_env(tmp_path),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "ota serve did not start"
                time.sleep(0.1)
        cli("ota", "apply", "--root", "CIRCUITPY", "--manifest-url",
            "http://127.0.0.1:%d/manifest.json" % port, "--pubkey", "keys/release.pem.pub",
            cwd=tmp_path)  # fmt: skip
    finally:
        serve.terminate()
        serve.wait(timeout=10)
    assert (root / "code.py").read_text() == "print('version 2')\n"
    boot = os.path.join(EXAMPLES, "ota", "boot.py")
    for _ in range(4):  # max_trial_boots=3 in the example: the 4th boot rolls back
        done = subprocess.run(  # noqa: PLW1510 - the return code is asserted
            [sys.executable, "-c", BOOT_ON_FOLDER, str(root), boot],
            env=host_env(root), capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    assert (root / "code.py").read_text() == "print('version 1')\n"
