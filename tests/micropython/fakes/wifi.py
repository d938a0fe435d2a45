# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Fake of CircuitPython's ``wifi`` module: ``wifi.radio`` with scriptable access points.

Tests declare the networks in range and decide how connects go::

    import wifi
    wifi.radio.add_network("edda", "secret", rssi=-52)
    wifi.radio.fail_next_connects(2)          # the next two connects raise ConnectionError
    wifi.radio.connect("edda", "secret")      # then this one succeeds
    wifi.radio.drop()                         # simulate losing the access point

Every connect attempt is recorded in ``radio.connect_calls`` as (ssid, password).
``ConnectionError`` is CircuitPython's built-in (the runner adds it to builtins).
"""


class IPv4Address:
    def __init__(self, text):
        self._text = text

    def __str__(self):
        return self._text

    def __repr__(self):
        return "IPv4Address('%s')" % self._text

    def __eq__(self, other):
        return str(other) == self._text

    def __hash__(self):
        return hash(self._text)


class Network:
    """What ``radio.ap_info`` returns while connected."""

    def __init__(self, ssid, rssi, channel):
        self.ssid = ssid
        self.rssi = rssi
        self.channel = channel
        self.bssid = b"\x02\x00\x00\x00\x00\x01"
        self.country = "US"
        self.authmode = ()


class Radio:
    def __init__(self):
        self.enabled = True
        self.hostname = "cpy-jotunheim"
        self.mac_address = b"\x02\x4a\x6f\x74\x75\x6e"
        self.tx_power = 20.0
        self.access_points = {}  # ssid -> (password, rssi, channel)
        self.connect_calls = []
        self._failures = []
        self._connected_to = None
        self._next_ip = 23
        self.ipv4_address = None
        self.ipv4_gateway = None
        self.ipv4_dns = None

    def add_network(self, ssid, password="", rssi=-60, channel=6):
        self.access_points[ssid] = (password, rssi, channel)

    def fail_next_connects(self, count=1, message="Unknown failure"):
        """Make the next ``count`` connects raise ConnectionError(message)."""
        for _ in range(count):
            self._failures.append(message)

    @property
    def connected(self):
        return self._connected_to is not None

    @property
    def ap_info(self):
        if self._connected_to is None:
            return None
        _, rssi, channel = self.access_points[self._connected_to]
        return Network(self._connected_to, rssi, channel)

    def connect(self, ssid, password="", *, channel=0, bssid=None, timeout=None):
        if isinstance(ssid, (bytes, bytearray)):
            ssid = ssid.decode()
        if isinstance(password, (bytes, bytearray)):
            password = password.decode()
        self.connect_calls.append((ssid, password))
        if not self.enabled:
            raise RuntimeError("Wifi is not enabled")
        if self._failures:
            raise ConnectionError(self._failures.pop(0))
        if ssid not in self.access_points:
            raise ConnectionError("No network with that ssid")
        if self.access_points[ssid][0] != password:
            raise ConnectionError("Authentication failure")
        self._connected_to = ssid
        self.ipv4_address = IPv4Address("192.168.4.%d" % self._next_ip)
        self.ipv4_gateway = IPv4Address("192.168.4.1")
        self.ipv4_dns = IPv4Address("192.168.4.1")

    def drop(self):
        """Test helper: the access point went away."""
        self._connected_to = None
        self.ipv4_address = None

    def stop_station(self):
        self.drop()

    def ping(self, ip, *, timeout=0.5):
        return 0.004 if self.connected else None

    def start_scanning_networks(self, *, start_channel=1, stop_channel=11):
        return iter(
            [Network(ssid, ap[1], ap[2]) for ssid, ap in sorted(self.access_points.items())]
        )

    def stop_scanning_networks(self):
        return None


radio = Radio()


def _reset():
    global radio
    radio = Radio()
