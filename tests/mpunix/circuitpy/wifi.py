# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""CircuitPython's ``wifi`` on the MicroPython Unix port: a radio that "joins" any network
and then has the host's loopback address.

The class is named ``Radio`` as on a board, so ``adafruit_connection_manager`` takes the
onboard-WiFi branch and builds its pool from ``socketpool.SocketPool(radio)``.
"""


class Network:
    """What ``radio.ap_info`` returns while connected."""

    def __init__(self, ssid):
        self.ssid = ssid
        self.rssi = -40
        self.channel = 6
        self.bssid = b"\x02\x00\x00\x00\x00\x01"
        self.country = "US"
        self.authmode = ()


class Radio:
    """``wifi.radio``: ``connect`` always succeeds; the address is 127.0.0.1."""

    def __init__(self):
        self.enabled = True
        self.hostname = "mpunix-jotunheim"
        self.mac_address = b"\x02\x4a\x6f\x74\x75\x6e"
        self.tx_power = 20.0
        self.connect_calls = 0
        self._ssid = None

    @property
    def connected(self):
        return self._ssid is not None

    @property
    def ipv4_address(self):
        return "127.0.0.1" if self._ssid is not None else None

    @property
    def ipv4_gateway(self):
        return self.ipv4_address

    @property
    def ipv4_dns(self):
        return self.ipv4_address

    @property
    def ap_info(self):
        return Network(self._ssid) if self._ssid is not None else None

    def connect(self, ssid, password="", *, channel=0, bssid=None, timeout=None):
        if not self.enabled:
            raise RuntimeError("Wifi is not enabled")
        if isinstance(ssid, (bytes, bytearray)):
            ssid = ssid.decode()
        self.connect_calls += 1
        self._ssid = ssid

    def stop_station(self):
        self._ssid = None

    def ping(self, ip, *, timeout=0.5):
        return 0.001 if self.connected else None


radio = Radio()
