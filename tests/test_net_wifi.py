# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""WiFiManager with a fake radio that drops and comes back; HostNetwork against a real
local server; credentials from settings.toml."""

import socket
import threading

from jotunheim.net import deadlink
from jotunheim.net.configure import get_network, networks_from_settings
from jotunheim.net.report import network_status
from jotunheim.net.wifi import (
    CONNECTED,
    CONNECTING,
    DISCONNECTED,
    HostNetwork,
    WiFiManager,
)
from jotunheim.resilience.backoff import Backoff
from jotunheim.settings.secrets import Secrets


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class ApInfo:
    def __init__(self, ssid, rssi):
        self.ssid = ssid
        self.rssi = rssi


class FakeRadio:
    """Plays wifi.radio: ``connect`` works only for the SSIDs in ``reachable`` with the
    right password; ``drop()`` loses the association like a router reboot does."""

    def __init__(self, reachable=None):
        self.reachable = dict(reachable or {})
        self.connected = False
        self.ipv4_address = None
        self.ap_info = None
        self.enabled = True
        self.hostname = "cpy"
        self.attempts = []
        self.toggles = 0

    def connect(self, ssid, password=None, *, timeout=None):
        self.attempts.append((ssid, password, timeout))
        if ssid not in self.reachable:
            raise ConnectionError("No network with that ssid")
        if self.reachable[ssid] != password:
            raise ConnectionError("Authentication failure")
        self.connected = True
        self.ipv4_address = "192.168.1.%d" % (10 + len(self.attempts))
        self.ap_info = ApInfo(ssid, -52)

    def drop(self):
        self.connected = False
        self.ipv4_address = None
        self.ap_info = None

    def __setattr__(self, name, value):
        if name == "enabled" and value is False and getattr(self, "connected", False):
            object.__setattr__(self, "connected", False)
            object.__setattr__(self, "toggles", self.toggles + 1)
        object.__setattr__(self, name, value)


class SocketBook:
    """Stands in for the pool: counts teardowns."""

    def __init__(self):
        self.closed = 0


def make(radio, networks, clock, **kw):
    mgr = WiFiManager(
        radio,
        networks,
        clock=clock,
        backoff=Backoff(base=1.0, cap=8.0, jitter="none"),
        **kw,
    )
    mgr.torn_down = 0
    original = mgr.teardown_sockets

    def counting():
        mgr.torn_down += 1
        return original()

    mgr.teardown_sockets = counting
    return mgr


def test_connects_and_reports_status():
    radio = FakeRadio({"home": "pw"})
    clock = Clock()
    mgr = make(radio, [("home", "pw")], clock, probe_interval=0)
    seen = []
    mgr.on_change(lambda status, m: seen.append(status))
    assert mgr.status == DISCONNECTED
    assert mgr.ensure_connected() is True
    assert seen == [CONNECTING, CONNECTED]
    st = network_status(mgr)
    assert st["status"] == "connected" and st["ssid"] == "home"
    assert st["rssi"] == -52 and st["ip"].startswith("192.168.1.")
    assert radio.attempts == [("home", "pw", 15.0)]
    assert mgr.torn_down == 1  # sockets from any previous link are dropped on (re)join


def test_wifi_drops_and_comes_back_with_visible_backoff():
    radio = FakeRadio({"home": "pw"})
    clock = Clock()
    mgr = make(radio, [("home", "pw")], clock, probe_interval=0)
    assert mgr.ensure_connected()
    # the access point goes away entirely
    radio.drop()
    del radio.reachable["home"]
    assert mgr.poll() == DISCONNECTED
    assert mgr.last_error.startswith("home: No network")
    delays = []
    for _ in range(5):
        delays.append(mgr.next_attempt_at - clock.now)
        clock.now = mgr.next_attempt_at - 0.01
        assert mgr.poll() == DISCONNECTED  # not yet: backing off, no attempt made
        attempts = len(radio.attempts)
        clock.now = mgr.next_attempt_at
        mgr.poll()
        assert len(radio.attempts) == attempts + 1
    assert delays == [1.0, 2.0, 4.0, 8.0, 8.0]
    # the AP comes back
    radio.reachable["home"] = "pw"
    clock.now = mgr.next_attempt_at
    assert mgr.poll() == CONNECTED
    assert mgr.connects == 2 and mgr.torn_down >= 3
    # after a success the backoff starts from the beginning again
    radio.drop()
    del radio.reachable["home"]
    mgr.poll()
    assert mgr.next_attempt_at - clock.now == 1.0


def test_rotates_through_networks():
    radio = FakeRadio({"office": "o-pw"})
    clock = Clock()
    mgr = make(radio, [("home", "pw"), ("office", "o-pw")], clock, probe_interval=0)
    assert not mgr.ensure_connected()
    clock.now = mgr.next_attempt_at
    assert mgr.ensure_connected()
    assert mgr.ssid == "office"
    assert [a[0] for a in radio.attempts] == ["home", "office"]


def test_wrong_password_is_reported_and_retried_with_backoff():
    radio = FakeRadio({"home": "right"})
    clock = Clock()
    mgr = make(radio, [("home", "wrong")], clock, probe_interval=0)
    assert not mgr.ensure_connected()
    assert "Authentication failure" in mgr.last_error
    assert not mgr.ensure_connected()  # still in backoff: no new attempt
    assert len(radio.attempts) == 1


def test_dead_link_detected_by_probe_and_reconnected():
    radio = FakeRadio({"home": "pw"})
    clock = Clock()
    route = {"ok": True}
    probes = []

    def probe():
        probes.append(clock.now)
        if not route["ok"]:
            raise OSError(-2, "getaddrinfo failed")
        return True

    mgr = make(radio, [("home", "pw")], clock, probe=probe, probe_interval=30, dead_after=2)
    assert mgr.ensure_connected()
    clock.now = 29
    mgr.poll()
    assert probes == []  # not due yet
    clock.now = 30
    mgr.poll()
    assert probes == [30]
    route["ok"] = False  # radio still associated, but no route
    clock.now = 60
    assert mgr.poll() == CONNECTED  # one failed probe is not enough
    clock.now = 61
    assert mgr.poll() == CONNECTED  # re-probe is sooner than the interval ...
    clock.now = 62
    status = mgr.poll()  # ... and the second failure declares the link dead
    assert mgr.dead_links == 1
    assert radio.toggles == 1  # radio reset
    assert status == DISCONNECTED
    assert mgr.poll() == CONNECTED  # the next poll re-joins at once (first retry: no wait)
    assert mgr.connects == 2
    route["ok"] = True
    clock.now = 62 + 30
    assert mgr.poll() == CONNECTED and mgr.dead_links == 1


def test_probe_soon_triggers_an_early_probe():
    radio = FakeRadio({"home": "pw"})
    clock = Clock()
    calls = []
    mgr = make(radio, [("home", "pw")], clock, probe=lambda: calls.append(1) or True)
    mgr.ensure_connected()
    mgr.poll()
    assert calls == []
    deadlink.probe_soon(mgr)
    mgr.poll()
    assert calls == [1]


def test_adopts_a_connection_made_at_boot():
    radio = FakeRadio({"home": "pw"})
    radio.connect("home", "pw")  # CircuitPython 8+ joins from settings.toml before code.py
    mgr = make(radio, [("home", "pw")], Clock(), probe_interval=0)
    assert mgr.ensure_connected() and mgr.ssid == "home"
    assert len(radio.attempts) == 1


def test_no_credentials_gives_a_clear_error():
    mgr = make(FakeRadio(), [], Clock(), probe_interval=0)
    assert not mgr.ensure_connected()
    assert "CIRCUITPY_WIFI_SSID" in mgr.last_error


def test_networks_from_settings_toml_and_json(tmp_path):
    (tmp_path / "settings.toml").write_text(
        'CIRCUITPY_WIFI_SSID = "home"\n'
        'CIRCUITPY_WIFI_PASSWORD = "p\\u00e4ss"  # comment\n'
        'OFFICE_PW = "office-secret"\n'
    )
    secrets = Secrets(str(tmp_path), environ={})
    section = {
        "wifi_networks": [
            {"ssid": "office", "password_setting": "OFFICE_PW"},
            {"ssid": "cafe"},
            {"ssid": "home", "password_setting": "OFFICE_PW"},  # duplicate: ignored
        ]
    }
    assert networks_from_settings(section, secrets.get) == [
        ("home", "päss"),
        ("office", "office-secret"),
        ("cafe", None),
    ]


class LookupBook:
    """Stands in for the pool: records DNS lookups, finds no host."""

    SOCK_STREAM = 1

    def __init__(self):
        self.lookups = []

    def getaddrinfo(self, host, port, *args):
        self.lookups.append((host, port))
        raise OSError(-2, "Name or service not known")


def test_network_from_settings_probes_the_loki_host():
    pool = LookupBook()
    mgr = get_network(
        {"loki_url": "https://loki.local:8443/x", "probe_interval": 12, "connect_timeout": 5},
        getenv={"CIRCUITPY_WIFI_SSID": "n", "CIRCUITPY_WIFI_PASSWORD": "p"}.get,
        radio=FakeRadio(),
        pool=pool,
    )
    assert type(mgr) is WiFiManager
    assert mgr.probe == "https://loki.local:8443/x" and mgr.probe_interval == 12
    assert mgr.networks == [("n", "p")] and mgr.connect_timeout == 5
    # The probe looks the Loki host up (and would connect to its port).
    assert deadlink.run(mgr) is False and pool.lookups == [("loki.local", 8443)]
    assert mgr.last_error.startswith("probe: ")


# -- HostNetwork: the same interface on CPython, against a real local server -------------
def test_host_network_probe_against_real_server():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    stop = threading.Event()

    def accept_loop():
        listener.settimeout(0.05)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                conn.close()
            except OSError:
                continue

    t = threading.Thread(target=accept_loop, daemon=True)
    t.start()
    clock = Clock()
    net = HostNetwork(probe="http://127.0.0.1:%d/" % port, probe_interval=10, clock=clock,
                      dead_after=1, backoff=Backoff(base=1, cap=4, jitter="none"))  # fmt: skip
    try:
        assert net.ensure_connected() and net.status == CONNECTED
        assert net.ip
        clock.now = 10
        assert net.poll() == CONNECTED and deadlink.run(net)
    finally:
        stop.set()
        t.join(2)
        listener.close()
    changes = []
    net.on_change(lambda status, _mgr: changes.append(status))
    # the server is gone: the probe fails, the link is declared dead at once (dead_after=1)
    clock.now = 20
    assert net.poll() == DISCONNECTED
    assert net.dead_links == 1 and net.failures == 1
    assert net.last_error.startswith("dead link: radio connected but probe failed")
    status = network_status(net)
    assert (status["status"], status["ip"], status["dead_links"]) == (DISCONNECTED, None, 1)
    # the next poll rejoins at once (the first reconnect is not backed off)
    assert net.poll() == CONNECTED and net.connects == 2
    assert changes == [DISCONNECTED, CONNECTED]


def test_get_network_on_cpython_is_host_network():
    net = get_network({"loki_url": "http://127.0.0.1:9/"})
    assert isinstance(net, HostNetwork)
    assert net.probe == "http://127.0.0.1:9/"


def test_teardown_closes_managed_sockets():
    """On reconnect the connection manager's sockets are really closed."""
    from jotunheim.net.session import new_session, open_socket_count

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    conns = []

    def serve():
        conn, _ = listener.accept()
        conns.append(conn)
        data = b""
        while b"\r\n\r\n" not in data:
            data += conn.recv(4096)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    session = new_session(session_id="teardown")
    resp = session.get("http://127.0.0.1:%d/" % port, timeout=2)
    assert resp.text == "ok"
    resp.close()
    t.join(2)
    assert open_socket_count() >= 1  # kept alive for reuse
    net = HostNetwork(probe_interval=0)
    net.ensure_connected()  # joining tears down whatever the old link left open
    assert open_socket_count() == 0 and net.sockets_closed >= 1
    for c in conns:
        c.close()
    listener.close()


def test_radio_without_connected_attribute():
    """CircuitPython 7 radios have no .connected: the IP address tells instead."""

    class OldRadio:
        def __init__(self):
            self.ipv4_address = None

        def connect(self, ssid, password=None, *, timeout=None):
            self.ipv4_address = "10.0.0.2"

    radio = OldRadio()
    mgr = WiFiManager(radio, [("x", "y")], clock=Clock(), probe_interval=0)
    assert mgr.ensure_connected()
    radio.ipv4_address = None
    assert mgr.poll() == CONNECTED  # loss seen through the address, re-joined at once
    assert mgr.failures == 1 and mgr.connects == 2
