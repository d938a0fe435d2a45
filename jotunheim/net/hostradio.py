# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""``wifi.radio`` for CPython: the host's own network, for
:class:`~jotunheim.net.wifi.HostNetwork`.

A module of its own so a board, which has a real radio, never loads it.
"""


class HostRadio:
    """Plays ``wifi.radio`` on CPython: the host's network, always associated once
    "connected"; the dead-link probe is what tells whether the server is reachable."""

    is_host_radio = True

    def __init__(self) -> None:
        self.enabled = True
        self.connected = False
        self.hostname = "jotunheim-host"
        self.ap_info = None
        self._address = None

    @property
    def ipv4_address(self):
        """The host's address once "connected" (``127.0.0.1`` if it cannot be found),
        else None."""
        if not self.connected:
            return None
        if self._address is None:
            import socket  # noqa: PLC0415

            try:
                self._address = socket.gethostbyname(socket.gethostname())
            except OSError:
                self._address = "127.0.0.1"
        return self._address

    def connect(self, ssid=None, password=None, *, timeout=None) -> None:
        """Mark the radio connected; the arguments are ignored."""
        self.connected = True

    def stop_station(self) -> None:
        """Mark the radio disconnected."""
        self.connected = False
