# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Attacks on the device's settings: hostile ``jotunheim.json`` files at cold start and
on a hot reload of a device serving on 127.0.0.1, and hostile numbers from any source.

Every case checks that the device keeps its last good settings (or the defaults at a cold
start), that ``GetDeviceStatus`` says it is degraded with a ``settings_error`` naming the
file and the problem, and that it keeps answering. Issue 16 items 9 (invalid UTF-8),
10 (deep JSON), 11 (NaN/Infinity), and the corruption classes that already held.
"""

import json
import os
import socket
import threading
import time

import pytest

from jotunheim.device import Device
from jotunheim.grpc.client import GrpcWebClient
from jotunheim.grpc.retry import RetryPolicy
from jotunheim.net.wifi import HostNetwork
from jotunheim.pb import jotunheim as jpb
from jotunheim.settings.loader import MAX_FILE_BYTES, SettingsLoader
from jotunheim.settings.schema import rows, set_path
from jotunheim.settings.secrets import Secrets
from jotunheim.settings.validator import validate
from jotunheim_host.signing import client_signer

SERVICE = "/jotunheim.JotunheimService/"
TOKEN, OWNER = "reader-token", "owner-token"
GOOD = {"network": {"resilience": {"base_delay": 2, "max_delay": 20}},
        "logging": {"level": "INFO"}}  # fmt: skip

# (name, file bytes, words the error must contain)
HOSTILE = [
    ("invalid_utf8", b'{"logging": {"level": "\xff\xfeINFO"}}', "not valid UTF-8"),
    ("latin1_name", b'{"capabilities": {"device_name": "K\xf6ln"}}', "not valid UTF-8"),
    ("deep_8000", b"[" * 8000 + b"]" * 8000, "nested deeper than"),
    ("deep_in_value", b'{"network": ' + b'{"a": ' * 2000 + b"1" + b"}" * 2001, "nested deeper"),
    ("nan", b'{"network": {"resilience": {"base_delay": NaN}}}', "NaN or Infinity"),
    ("infinity", b'{"network": {"connect_timeout": Infinity}}', "NaN or Infinity"),
    ("overflow_inf", b'{"network": {"resilience": {"max_delay": 1e999}}}', "NaN or Infinity"),
    ("minus_inf", b'{"network": {"request_timeout": -1e400}}', "NaN or Infinity"),
    ("truncated", json.dumps(GOOD).encode()[:-7], "not valid JSON"),
    ("empty", b"", "not valid JSON"),
    ("nul_bytes", b"\x00" * 64, "not valid JSON"),
    ("huge", b'{"logging": {"level": "INFO"}, "x": "' + b"a" * MAX_FILE_BYTES + b'"}', "allowed"),
    ("top_level_array", b"[1, 2, 3]", "a JSON object"),
    ("top_level_string", b'"settings"', "a JSON object"),
    ("wrong_types", b'{"network": {"resilience": {"retries": "3"}}, "remote": []}', "expected"),
    ("unknown_key", b'{"netwrok": {}}', "did you mean 'network'"),
    ("secret_in_json", b'{"network": {"token": "t"}}', "secrets are not allowed"),
    ("huge_int", b'{"resources": {"max_memory_kb": ' + b"9" * 5000 + b"}}", "jotunheim.json"),
    ("out_of_range", b'{"network": {"resilience": {"base_delay": 1e308}}}', "0.01..60"),
]


def _write(root, data):
    path = os.path.join(root, "jotunheim.json")
    with open(path, "wb") as f:
        f.write(data)
    st = os.stat(path)  # make every write visible to the size/mtime check
    bump = getattr(_write, "bump", 0) + 1
    _write.bump = bump
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + bump * 1_000_000))
    return path


def _root(tmp_path):
    root = tmp_path / "CIRCUITPY"
    root.mkdir(exist_ok=True)
    (root / "settings.toml").write_text(
        'JOTUNHEIM_TOKEN = "%s"\nJOTUNHEIM_OWNER_TOKEN = "%s"\n' % (TOKEN, OWNER)
    )
    return str(root)


def _device(root):
    return Device.from_settings(
        root, host="127.0.0.1", port=0, pool=socket,
        network=HostNetwork(probe_interval=0), error_ring=False, loki_url="",
    )  # fmt: skip


class _Loop:
    """Runs device.step() in a thread (as the simulator does) until stopped."""

    def __init__(self, device):
        self.device = device
        self.stop = threading.Event()
        self.errors = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self.stop.is_set():
            try:
                if not self.device.step():
                    time.sleep(0.002)
            except Exception as exc:  # noqa: BLE001 - recorded, the test fails on it
                self.errors.append(exc)
                time.sleep(0.01)


def _client(device, token):
    return GrpcWebClient(device.url, socket_pool=socket, timeout=10,
                         signer=client_signer(token),
                         retry_policy=RetryPolicy(1))  # fmt: skip


def _status(device):
    r = _client(device, TOKEN).unary(
        SERVICE + "GetDeviceStatus", jpb.DeviceStatusRequest(),
        decode=jpb.DeviceStatusResponse.decode,
    )  # fmt: skip
    return r.status, json.loads(r.capabilities)["runtime"]["settings"]


def _reload(device):
    return _client(device, OWNER).unary(
        SERVICE + "SendDeviceCommand", jpb.DeviceCommandRequest(command="reload_settings"),
        decode=jpb.DeviceCommandResponse.decode,
    )  # fmt: skip


@pytest.fixture(scope="module")
def serving(tmp_path_factory):
    """One device on 127.0.0.1 started with GOOD settings, stepping in a thread."""
    root = _root(tmp_path_factory.mktemp("settings_attack"))
    _write(root, json.dumps(GOOD).encode())
    device = _device(root)
    assert device.loader.last_error is None
    loop = _Loop(device)
    device.start()
    loop.thread.start()
    try:
        yield device, root
    finally:
        loop.stop.set()
        loop.thread.join(10)
        device.stop()
    assert not loop.errors, loop.errors


@pytest.mark.parametrize("name,data,words", HOSTILE, ids=[c[0] for c in HOSTILE])
def test_cold_start_runs_on_defaults_and_says_why(tmp_path, name, data, words):
    root = _root(tmp_path)
    path = _write(root, data)
    device = _device(root)  # must not raise
    error = device.loader.last_error
    assert error and path in error and words in error, error
    assert device.status() == "degraded"
    assert device.settings.get("network.resilience.base_delay") == 0.5  # the default
    assert device.status_info()["settings"]["settings_error"] == error


@pytest.mark.parametrize("name,data,words", HOSTILE, ids=[c[0] for c in HOSTILE])
def test_hot_reload_keeps_last_good_and_status_says_why(serving, name, data, words):
    device, root = serving
    path = _write(root, data)
    answer = _reload(device)
    assert not answer.success and path in answer.error_message
    status, settings = _status(device)  # still answering
    assert status == "degraded"
    assert path in settings["settings_error"] and words in settings["settings_error"]
    assert settings["network"]["resilience"]["base_delay"] == 2  # the last good value
    assert device.settings.get("logging.level") == "INFO"
    _write(root, json.dumps(GOOD).encode())
    assert _reload(device).success
    status, settings = _status(device)
    assert status == "ok" and settings["settings_error"] is None


def test_hot_reload_by_polling_sets_the_error_too(serving):
    # The file watcher (not the command) finds the broken file on its own.
    device, root = serving
    path = _write(root, b'{"logging": {"level": "\xff"}}')
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not device.loader.last_error:
        time.sleep(0.05)
    status, settings = _status(device)
    assert status == "degraded" and path in settings["settings_error"]
    assert "not valid UTF-8" in settings["settings_error"]
    _write(root, json.dumps(GOOD).encode())
    assert _reload(device).success


def test_a_file_growing_past_the_limit_after_the_stat_is_still_bounded(tmp_path):
    root = _root(tmp_path)
    _write(root, json.dumps(GOOD).encode())
    loader = SettingsLoader(root=root, secrets=Secrets(root, environ={}))
    loader.load()
    # The stat saw a small file; what is read is bounded anyway (read(MAX + 1)).
    loader.stat = lambda: (10, 1.0)  # simulate the race window
    _write(root, b'{"x": "' + b"a" * (4 * MAX_FILE_BYTES) + b'"}')
    loader.load()
    assert "allowed" in loader.last_error
    assert loader.settings.get("network.resilience.base_delay") == 2


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_numbers_refused_from_any_source(bad):
    for row in rows():
        if row[1] != "num":
            continue
        raw = {}
        set_path(raw, row[0], bad)
        _, errors = validate(raw)
        assert [e.path for e in errors] == [row[0]], (row[0], errors)
        assert "a finite number" in errors[0].message
    with pytest.raises(ValueError) as info:  # Device(settings=dict) validates too
        Device("x", settings={"network": {"resilience": {"base_delay": bad}}},
               host="127.0.0.1", port=0, pool=socket, network=HostNetwork(probe_interval=0))  # fmt: skip
    assert "network.resilience.base_delay" in str(info.value)


def test_settings_toml_line_that_is_not_utf8_is_dropped_not_fatal(tmp_path):
    # Where os.getenv does not read settings.toml itself (CPython, the simulators), a bad
    # byte used to raise UnicodeDecodeError out of every secrets lookup, at boot.
    root = tmp_path / "CIRCUITPY"
    root.mkdir()
    (root / "settings.toml").write_bytes(
        b'JOTUNHEIM_OWNER_TOKEN = "%s"\nJOTUNHEIM_TOKEN = "t\xff"\n' % OWNER.encode()
    )
    _write(str(root), json.dumps(GOOD).encode())
    secrets = Secrets(str(root), environ={})
    assert secrets.get("JOTUNHEIM_OWNER_TOKEN") == OWNER
    assert secrets.get("JOTUNHEIM_TOKEN") is None
    assert secrets.errors == ["%s line 2: not valid UTF-8; line ignored" % secrets.path]
    device = _device(str(root))  # must not raise
    assert device.loader.last_error is None
