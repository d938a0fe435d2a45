# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Streams end to end on 127.0.0.1: a Device in-process (commanded over SendDeviceCommand)
and the host tools run as the CLI (``jotunheim stream receive`` / ``stream send --serve``)
in subprocesses, which the tests kill with SIGKILL midway and start again. 600 KB each
way, verified by SHA-256; the receiver's state proves no frame was lost or stored twice."""

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.test_device import Loop, client, command, make_device, wait_for

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIZE = 600 * 1024
CHUNK = 4096


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(*args):
    env = dict(os.environ, PYTHONPATH=ROOT, BLINKA_OS_AGNOSTIC="1")
    return subprocess.Popen(
        [sys.executable, "-m", "jotunheim_host.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
    )


def wait_listening(port, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("nothing listens on %d" % port)


def kill(proc):
    proc.send_signal(signal.SIGKILL)
    out = proc.communicate(timeout=10)[0]
    return out


def stop(proc):
    proc.terminate()
    return proc.communicate(timeout=10)[0]


def sha(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def state_of(folder):
    try:
        with open(os.path.join(folder, "state.json")) as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return {"bytes": 0, "last_sequence": -1, "complete": False}


@pytest.fixture
def payload(tmp_path):
    data = os.urandom(SIZE)
    path = tmp_path / "payload.bin"
    path.write_bytes(data)
    return str(path)


def start_stream(c, params):
    r = command(c, "stream_start", json.dumps(params))
    assert r.success, r.error_message
    return json.loads(r.result)


def stream_status(c, sid):
    r = command(c, "stream_status", json.dumps({"id": sid}))
    assert r.success, r.error_message
    return json.loads(r.result)


def test_uplink_600kb_survives_the_receiver_killed_midway(tmp_path, payload):
    port = free_port()
    out = tmp_path / "received"
    device = make_device(str(tmp_path / "dev"))
    receiver = cli("stream", "receive", "--listen", "127.0.0.1:%d" % port, "--out", str(out))
    try:
        wait_listening(port)
        with Loop(device):
            c = client(device, "boss")
            started = start_stream(
                c,
                {
                    "plugin": "file",
                    "url": "http://127.0.0.1:%d/up1" % port,
                    "id": "up1",
                    "options": {"path": payload, "chunk_size": CHUNK, "rate": 120},
                },
            )
            assert started["state"] in ("resume", "send", "answer", "post")
            folder = str(out / "up1")
            wait_for(lambda: state_of(folder)["bytes"] > SIZE // 4, 30, "a quarter stored")
            # The device keeps serving calls while it streams.
            t0 = time.monotonic()
            assert command(c, "ping").success
            assert time.monotonic() - t0 < 2.0
            first = kill(receiver)
            stored_at_kill = state_of(folder)
            assert 0 < stored_at_kill["bytes"] < SIZE, stored_at_kill
            time.sleep(0.6)  # the device's sends fail, connects are refused meanwhile
            receiver = cli(
                "stream", "receive", "--listen", "127.0.0.1:%d" % port, "--out", str(out)
            )
            wait_for(lambda: state_of(folder).get("complete"), 60, "the stream to complete")
            wait_for(lambda: stream_status(c, "up1")["state"] == "done", 10, "device done")
            status = stream_status(c, "up1")
            counted = device.resources.bandwidth.endpoints["stream:up1"]
        text = stop(receiver)
    finally:
        if receiver.poll() is None:
            kill(receiver)
    final = state_of(folder)
    frames = -(-SIZE // CHUNK)
    assert final["last_sequence"] == frames  # data frames 0..frames-1, then the end frame
    assert final["bytes"] == SIZE
    assert sha(os.path.join(folder, "data")) == sha(payload)
    assert status["reconnects"] >= 1, status
    assert status["last_stored"] == frames
    assert counted[0] > SIZE  # the bandwidth budget counted payloads, frame heads, HTTP
    assert "up1:" in first and "complete" in text


def test_downlink_600kb_survives_the_sender_killed_midway(tmp_path, payload):
    port = free_port()
    target = str(tmp_path / "device-copy.bin")
    device = make_device(str(tmp_path / "dev"))
    args = ("stream", "send", "--serve", "127.0.0.1:%d" % port, payload, "--rate", "150")
    sender = cli(*args)
    try:
        wait_listening(port)
        with Loop(device):
            c = client(device, "boss")
            start_stream(
                c,
                {
                    "plugin": "file_out",
                    "url": "http://127.0.0.1:%d/down1" % port,
                    "id": "down1",
                    "options": {"path": target, "chunk_size": CHUNK},
                },
            )
            wait_for(lambda: stream_status(c, "down1")["bytes"] > SIZE // 4, 30, "a quarter")
            kill(sender)
            got_at_kill = stream_status(c, "down1")["sequence"]
            assert 0 < got_at_kill < SIZE // CHUNK
            time.sleep(0.6)
            sender = cli(*args)
            wait_for(lambda: stream_status(c, "down1")["state"] == "done", 60, "downlink done")
            status = stream_status(c, "down1")
            counted = device.resources.bandwidth.endpoints["stream:down1"]
        text = stop(sender)
    finally:
        if sender.poll() is None:
            kill(sender)
    assert status["reconnects"] >= 1, status
    assert status["bytes"] == SIZE and counted[1] > SIZE
    assert sha(target) == sha(payload)
    resumed = [
        int(line.split("from frame ")[1].split()[0])
        for line in text.splitlines()
        if "from frame" in line
    ]
    assert resumed and resumed[0] >= got_at_kill, text


def test_stream_commands_need_the_owner_token(tmp_path):
    sys.modules.pop("jotunheim.streaming.plugins.pdm_mic", None)  # another test imported it
    device = make_device(str(tmp_path / "dev"), token="user")
    with Loop(device):
        c = client(device, "user")
        for name in ("stream_start", "stream_stop", "stream_status"):
            with pytest.raises(Exception) as err:
                command(c, name, "{}")
            assert "owner token" in str(err.value)
        owner = client(device, "boss")
        r = command(owner, "stream_start", json.dumps({"plugin": "nope", "url": "http://x/y"}))
        assert not r.success and "no stream plugin 'nope'" in r.error_message
        r = command(owner, "stream_status", "{}")
        listed = {p["name"]: p for p in json.loads(r.result)["plugins"]}
        assert listed["signal"]["kind"] == "sensor" and listed["mic"]["direction"] == "up"
    assert "jotunheim.streaming.plugins.pdm_mic" not in sys.modules


def test_cli_send_uplinks_a_file_to_a_receiver(tmp_path, payload):
    from jotunheim_host.streams import StreamReceiver

    with StreamReceiver(str(tmp_path / "rx")) as rx:
        proc = cli("stream", "send", rx.url("copy"), payload, "--chunk-size", "8192")
        out = proc.communicate(timeout=60)[0]
        assert proc.returncode == 0, out
        stored = rx.stream("copy")
        assert stored.state["complete"] and stored.sha256() == sha(payload)
    assert "done" in out
    bad = cli("stream", "send", "--serve", "127.0.0.1:1", str(tmp_path / "missing.bin"))
    assert bad.wait(30) != 0 and "no such file" in bad.communicate()[0]


def test_the_demo_sensor_stream_from_a_running_device(tmp_path):
    from jotunheim_host.streams import sensor_stream_demo

    lines = []
    device = make_device(str(tmp_path / "dev"))
    with Loop(device):
        result = sensor_stream_demo(
            str(tmp_path / "demo"), device, frames_count=12, rate=40, printer=lines.append
        )
    tone = device.streams.registry.load("signal").open({"frames": 12})
    expected = bytearray()
    for seq in range(12):
        buf = bytearray(512)
        expected += buf[: tone.read_into(memoryview(buf), seq)]
    assert result["state"] == "done" and result["bytes"] == 12 * 512
    assert result["sha256"] == hashlib.sha256(bytes(expected)).hexdigest()
    assert any("sensor: 13 frames" in line and "complete" in line for line in lines), lines
