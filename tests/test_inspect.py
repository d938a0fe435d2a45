# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""``jotunheim inspect URL``: status and capabilities of a (simulated) device, tools as a table."""

import json
import socket

import pytest

from jotunheim_host import cli
from jotunheim_host.commands.inspect import table
from jotunheim_host.simulate import SimulatedDevice


@pytest.fixture
def sim(tmp_path):
    with SimulatedDevice(str(tmp_path / "root"), token="tok", owner_token="own") as dev:
        yield dev


def test_inspect_prints_status_and_a_tool_table(sim, capsys):
    assert cli.main(["inspect", sim.url, "--token", "tok"]) == 0
    out = capsys.readouterr().out
    assert "simulated-device (%s)" % sim.device.device_id in out
    assert "status     ok" in out
    lines = out.splitlines()
    header = [i for i, line in enumerate(lines) if line.startswith("TOOL")][0]
    rows = lines[header + 2 :]
    names = [row.split()[0] for row in rows]
    assert names == [tool.name for tool in sim.device.registry.tools()]
    led = [row for row in rows if row.startswith("set_led_sim ")][0]
    assert "on:Boolean" in led and "[brightness:Number 0..1]" in led
    temp = [row for row in rows if row.startswith("read_dht22_sim_temperature ")][0]
    assert "Number C" in temp


def test_inspect_json(sim, capsys):
    assert cli.main(["inspect", sim.url, "--token", "own", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"] == "ok" and doc["device_name"] == "simulated-device"
    assert "set_relay_sim" in [t["name"] for t in doc["tools"]]
    assert doc["runtime"]["network"]["status"] == "connected"


def test_inspect_errors_say_what_to_do(sim, capsys):
    assert cli.main(["inspect", sim.url]) == 1
    assert "UNAUTHENTICATED" in capsys.readouterr().err
    assert cli.main(["inspect", sim.url, "--token", "nope"]) == 1
    assert "pass --token" in capsys.readouterr().err
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    assert cli.main(["inspect", "http://127.0.0.1:%d" % port, "--timeout", "2"]) == 1
    assert "is the device running" in capsys.readouterr().err
    assert cli.main(["inspect", "ftp://x"]) == 1


def test_table_aligns_columns():
    text = table(("A", "BB"), [("x", "y"), ("long", "z")])
    assert text.splitlines() == ["A     BB", "----  --", "x     y", "long  z"]


def test_inspect_shows_the_resource_monitor(sim, capsys):
    import socket as _socket

    from jotunheim.grpc.client import GrpcWebClient
    from jotunheim_host.signing import client_signer
    from tests.test_device import call_tool

    c = GrpcWebClient(sim.url, socket_pool=_socket, timeout=10, signer=client_signer("tok"))
    for _ in range(3):
        assert call_tool(c, "read_dht22_sim_temperature").success
    assert cli.main(["inspect", sim.url, "--token", "tok"]) == 0
    out = capsys.readouterr().out
    heap = [line for line in out.splitlines() if line.startswith("heap ")][0]
    assert "KB free" in heap and "(ok; warning below 16.0 KB, refused below 8.0 KB" in heap
    assert [line for line in out.splitlines() if line.startswith("cpu ") and "sample" in line]
    assert "buffers    2 x 512 B" in out
    assert "no budget per 60 s; 0 deferred" in out
    client_line = [line for line in out.splitlines() if "client:127.0.0.1" in line][0]
    assert "sent" in client_line and "received" in client_line
    assert "flash      " in out
