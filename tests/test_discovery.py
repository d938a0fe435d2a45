# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Discovery: mDNS/DNS-SD over python-zeroconf, only inside a network namespace.

The outer test re-runs this file under ``unshare --net`` (a namespace with nothing but
``lo``, multicast on, a multicast route); the ``test_netns_*`` tests run only there, and
each first checks that it really is in a namespace of its own, so no multicast ever
reaches the machine's real interfaces (python-zeroconf is bound to 127.0.0.1 as well).
The leader-order tests need no network at all.
"""

import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from jotunheim.discovery.records import (
    UNKNOWN_AGE,
    created_at,
    endpoint,
    ordered,
    parse_txt,
    txt_list,
    url_of,
)
from tests.tools import in_ci, require_tool

ROOT = Path(__file__).resolve().parent.parent
IN_NETNS = os.environ.get("JOTUNHEIM_IN_NETNS") == "1"
NETNS_SETUP = (
    "ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && "
)
ANNOUNCE = 10  # capabilities.announce_interval: the heartbeat, the smallest allowed


# -- leader order (no network) -------------------------------------------------------------


class Answer:
    """What an mdns.RemoteService carries."""

    def __init__(self, name, port, txt=None, address="127.0.0.1"):
        self.instance_name = name
        self.hostname = name
        self.port = port
        self.ipv4_address = address
        if txt is not None:
            self.txt_records = txt


def test_leader_order_is_configured_then_controllers_then_loki_oldest_first():
    items = [
        endpoint(2, Answer("loki", 9000, {"created_at": "100"})),
        endpoint(1, Answer("young", 9001, {"created_at": "2000"})),
        endpoint(1, Answer("old", 9002, {"created_at": "1000"})),
        endpoint(1, Answer("undated", 9003, {})),
        endpoint(1, Answer("no-address", 9004, {}, address=None)),
        (0, 0, "configured", "10.0.0.9", 8080),
        endpoint(2, Answer("loki-again", 9000, {"created_at": "50"})),  # same address
    ]
    names = [item[2] for item in ordered(items)]
    assert names == ["configured", "old", "young", "undated", "loki-again"]
    assert url_of(ordered(items)[1]) == "http://127.0.0.1:9002"


def test_created_at_comes_from_txt_else_from_the_instance_name():
    assert created_at({"created_at": "1733000000"}) == 1733000000
    # CircuitPython's RemoteService has no TXT records: "<name>@<created_at>" carries it.
    assert created_at({}, "asgard@1733000000") == 1733000000
    assert created_at({"created_at": "soon"}) == UNKNOWN_AGE
    assert created_at({"created_at": "-5"}) == UNKNOWN_AGE
    assert parse_txt([b"a=1", "b=x=y", "flag"]) == {"a": "1", "b": "x=y", "flag": ""}
    assert parse_txt({b"k": b"v", "n": None}) == {"k": "v", "n": ""}
    assert txt_list({"b": 2, "a": "x"}) == ["a=x", "b=2"]


# -- the namespace ----------------------------------------------------------------------------


def test_discovery_scenarios_run_inside_a_network_namespace():
    if IN_NETNS:
        pytest.skip("this is the namespace run itself")
    require_tool("unshare", "makes the network namespace the mDNS tests run in")
    require_tool("ip", "brings lo up inside the namespace")
    probe = subprocess.run(
        ["unshare", "--net", "true"], check=False, capture_output=True, text=True
    )
    if probe.returncode != 0:
        why = "cannot make a network namespace: %s" % probe.stderr.strip()
        if in_ci():
            pytest.fail(why + " (CI must be able to: it runs as root)", pytrace=False)
        pytest.skip(why)
    inner = "%s -m pytest -q -o addopts= -p no:cacheprovider -k netns %s" % (
        sys.executable,
        Path(__file__).relative_to(ROOT),
    )
    env = dict(os.environ, JOTUNHEIM_IN_NETNS="1", PYTHONPATH=str(ROOT))
    env["BLINKA_OS_AGNOSTIC"] = "1"
    done = subprocess.run(
        ["unshare", "--net", "sh", "-c", NETNS_SETUP + "exec " + inner],
        check=False,
        cwd=str(ROOT),
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    assert re.search(r"^3 passed", output, re.M), output[-3000:]


@pytest.fixture
def netns():
    """Refuse to run anywhere but inside our own namespace (only ``lo`` exists)."""
    if not IN_NETNS:
        pytest.skip("runs only inside the network namespace of the test above")
    # The kernel's view for this process (sysfs would show the mount's namespace).
    interfaces = sorted(name for _, name in socket.if_nameindex())
    assert interfaces == ["lo"], "not an empty network namespace: %s" % interfaces


class Upstream:
    """A reference Loki advertised on mDNS (as a controller or as a Loki)."""

    def __init__(self, root, name, service_type, created):
        from jotunheim_host.loki.server import LokiServer

        self.name = name
        self.server = LokiServer(str(root / name), host="127.0.0.1", port=0).start()
        self.url = self.server.url
        self.store = self.server.service.store
        self.service_type = service_type
        self.created = created
        self.mdns = None

    def advertise(self):
        from jotunheim_host import mdns_adapter

        txt = {"version": "1", "created_at": str(self.created)}
        self.mdns = mdns_adapter.advertise(
            self.service_type, self.server.port, txt, instance_name=self.name
        )

    def scripts(self):
        return [r.name for r in self.store.list()]

    def go_away(self):
        if self.mdns is not None:
            self.mdns.deinit()  # goodbye packets
            self.mdns = None
        if self.server is not None:
            self.server.stop()
            self.server = None


class Clock:
    """Real time plus a jump the test makes (to bring the heartbeat due at once)."""

    def __init__(self):
        self.offset = 0.0

    def __call__(self):
        return time.monotonic() + self.offset


class Runner:
    """A device with simulated parts, stepped in a thread."""

    def __init__(self, root, loki_url="", name="sim"):
        from jotunheim.capability.drivers.simulated import SimulatedClimateSensor
        from jotunheim.device import Device
        from jotunheim.net.wifi import HostNetwork
        from jotunheim_host import mdns_adapter

        self.clock = Clock()
        config = {
            "capabilities": {"device_id": name, "announce_interval": ANNOUNCE},
            "network": {"loki_url": loki_url, "request_timeout": 2},
            "discovery": {"enabled": True},
        }
        os.makedirs(str(root), exist_ok=True)
        self.device = Device(
            name,
            settings=config,
            root=str(root),
            host="127.0.0.1",
            port=0,
            pool=socket,
            network=HostNetwork(probe_interval=0),
            mdns=mdns_adapter,
            clock=self.clock,
            script_prefix=name + "_",
            open_access=True,  # no token: open, so its TXT record says "token": "none"
        )
        self.device.add_sensor("climate", SimulatedClimateSensor(seed=1))
        self.stopping = threading.Event()
        self.thread = None

    def start(self):
        self.device.start()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()
        return self

    def loop(self):
        while not self.stopping.is_set():
            self.device.step()
            time.sleep(0.005)

    def stop(self):
        self.stopping.set()
        self.thread.join(10)
        self.device.stop()


def wait_for(what, check, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def test_netns_device_picks_the_oldest_controller_fails_over_and_prefers_a_configured_address(
    netns, tmp_path
):
    old = Upstream(tmp_path, "asgard-old", "_edda-controller", 1700000000)
    young = Upstream(tmp_path, "asgard-young", "_edda-controller", 1750000000)
    loki = Upstream(tmp_path, "ref-loki", "_loki", 1720000000)
    configured = Upstream(tmp_path, "configured-loki", "_loki", 0)  # not advertised
    upstreams = (old, young, loki)
    threads = [threading.Thread(target=u.advertise) for u in upstreams]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    runner = Runner(tmp_path / "dev", name="sim")
    pinned = None
    try:
        runner.start()
        device = runner.device
        assert device.discovery.urls() == [old.url, young.url, loki.url]
        wait_for(
            "scripts at the oldest controller",
            lambda: (
                device.loki_link.state == "ok" and "sim_read_dht22_sim_temperature" in old.scripts()
            ),
        )
        assert device.loki_link.url == old.url
        assert young.scripts() == [] and loki.scripts() == []

        # The leader goes away; the next heartbeat finds it gone and the device fails
        # over to the next controller before another heartbeat is due.
        old.go_away()
        runner.clock.offset += ANNOUNCE
        heartbeat_due = device.loki_link.next_heartbeat
        wait_for(
            "scripts at the next controller",
            lambda: (
                device.loki_link.state == "ok"
                and "sim_read_dht22_sim_temperature" in young.scripts()
            ),
        )
        assert device.loki_link.url == young.url and device.loki_link.state == "ok"
        assert runner.clock() < heartbeat_due + ANNOUNCE
        assert device.discovery.failovers == 1

        # A configured address always wins over everything discovered.
        pinned = Runner(tmp_path / "dev2", loki_url=configured.url, name="pinned").start()
        assert pinned.device.discovery.urls() == [configured.url, young.url, loki.url]
        wait_for(
            "scripts at the configured Loki",
            lambda: (
                pinned.device.loki_link.state == "ok"
                and "pinned_read_dht22_sim_temperature" in configured.scripts()
            ),
        )
        assert pinned.device.loki_link.url == configured.url
        assert not any(n.startswith("pinned_") for n in young.scripts() + loki.scripts())
    finally:
        runner.stop()
        if pinned is not None:
            pinned.stop()
        for upstream in (old, young, loki, configured):
            upstream.go_away()


def test_netns_python_zeroconfs_own_browser_sees_the_device(netns, tmp_path):
    from zeroconf import IPVersion, ServiceBrowser, Zeroconf

    runner = Runner(tmp_path / "dev", name="seen")
    runner.start()
    zc = Zeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
    found = []

    class Listener:
        def add_service(self, zc, type_, name):
            found.append(name)

        def update_service(self, zc, type_, name):
            pass

        def remove_service(self, zc, type_, name):
            pass

    browser = ServiceBrowser(zc, "_jotunheim._tcp.local.", Listener())
    try:
        wait_for("the device's _jotunheim._tcp service", lambda: found, seconds=10)
        info = zc.get_service_info("_jotunheim._tcp.local.", found[0], timeout=3000)
        assert info is not None and info.port == runner.device.port
        assert info.parsed_addresses() == ["127.0.0.1"]
        txt = {k.decode(): v.decode() for k, v in info.properties.items()}
        assert txt["device_id"] == "seen"
        assert txt["token"] == "none" and txt["firmware"] and txt["board"]
        assert found[0].startswith("seen.")
    finally:
        browser.cancel()
        zc.close()
        runner.stop()


def test_netns_jotunheim_loki_and_simulate_advertise_when_asked(netns, tmp_path):
    from jotunheim_host import mdns_adapter

    cli = [sys.executable, "-m", "jotunheim_host.cli"]
    loki = subprocess.Popen(
        cli + ["loki", "--open", "--listen", "127.0.0.1:0", "--scripts", str(tmp_path / "s")]
        + ["--advertise", "controller", "--created-at", "1700000123"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    sim = subprocess.Popen(
        cli + ["simulate", "--listen", "127.0.0.1:0", "--name", "sim-cli", "--advertise"]
        + ["--root", str(tmp_path / "root")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    browser = mdns_adapter.Server()
    try:
        found = {}

        def look():
            for kind in ("_edda-controller", "_jotunheim"):
                for service in browser.find(service_type=kind, protocol="_tcp", timeout=1):
                    found[kind] = service
            return len(found) == 2

        wait_for("both advertisements", look, seconds=30)
        controller = found["_edda-controller"]
        assert controller.txt_records["created_at"] == "1700000123"
        assert controller.instance_name.endswith("@1700000123")
        assert created_at({}, controller.instance_name) == 1700000123
        device = found["_jotunheim"]
        assert device.instance_name == "sim-cli" and device.txt_records["device_id"]
        assert device.ipv4_address == "127.0.0.1" and device.port > 0
    finally:
        browser.deinit()
        for proc in (loki, sim):
            proc.terminate()
            proc.wait(10)
