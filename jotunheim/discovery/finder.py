# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Discovery: the device's mDNS side (advertise itself, find its upstream, fail over).

Handed the ``mdns`` module (CircuitPython's, or ``jotunheim_host.mdns_adapter``) and the
radio; it never imports the Device. The upstream list is the leader order of
:mod:`jotunheim.discovery.records`: the configured ``network.loki_url`` first, then
controllers (``_edda-controller._tcp``) by ``created_at``, then Loki services
(``_loki._tcp``). :meth:`next_after` is what the Loki link asks when its upstream is lost.
"""

from jotunheim.discovery import CONTROLLER, DEVICE, LOKI, PROTOCOL
from jotunheim.discovery.records import (
    RANK_CONFIGURED,
    RANK_CONTROLLER,
    RANK_LOKI,
    endpoint,
    ordered,
    txt_list,
    url_of,
)
from jotunheim.net.url import parse_url

FIND_TIMEOUT = 1.0  # seconds one mDNS query waits for answers (per service type)


class Discovery:
    """mDNS for one device.

    :param mdns: a module with ``Server(radio)`` (CircuitPython's ``mdns`` API)
    :param radio: the network interface (``wifi.radio``)
    :param configured: the configured upstream URL ("" = none)
    :param logger: a jotunheim.log logger
    """

    def __init__(self, mdns, radio, configured: str = "", logger=None) -> None:
        self.mdns = mdns
        self.radio = radio
        self.configured = configured
        self.logger = logger
        self.server = None
        self.endpoints = []
        self.advertised = None
        self.finds = 0
        self.failovers = 0
        self.error = None

    def _server(self):
        if self.server is None:
            self.server = self.mdns.Server(self.radio)
        return self.server

    def advertise(self, name: str, port: int, txt: dict) -> bool:
        """Advertise this device as ``_jotunheim._tcp`` on ``port`` (once per port)."""
        if self.advertised == port:
            return True
        try:
            server = self._server()
            server.instance_name = name
            server.advertise_service(
                service_type=DEVICE, protocol=PROTOCOL, port=port, txt_records=txt_list(txt)
            )
        except (OSError, RuntimeError, ValueError) as exc:
            self._failed("advertise", exc)
            return False
        self.advertised = port
        return True

    def find(self) -> list:
        """Ask the network for controllers and Loki services; returns the upstream
        URLs in leader order (the configured one first)."""
        items = []
        timeout = FIND_TIMEOUT
        try:
            server = self._server()
            for rank, kind in ((RANK_CONTROLLER, CONTROLLER), (RANK_LOKI, LOKI)):
                for service in server.find(service_type=kind, protocol=PROTOCOL, timeout=timeout):
                    items.append(endpoint(rank, service))
        except (OSError, RuntimeError, ValueError) as exc:
            self._failed("find", exc)
        self.finds += 1
        if self.configured:
            _, host, port, _ = parse_url(self.configured)
            items.append((RANK_CONFIGURED, 0, "configured", host, port))
        self.endpoints = ordered(items)
        return self.urls()

    def urls(self) -> list:
        """The known upstream URLs in leader order (the configured one as written)."""
        return [self.configured if e[0] == RANK_CONFIGURED else url_of(e) for e in self.endpoints]

    def leader(self) -> str:
        """The upstream to use ("" when none is known)."""
        urls = self.urls() or self.find()
        return urls[0] if urls else ""

    def next_after(self, lost: str) -> str:
        """The upstream after ``lost`` in leader order; past the end, the list is asked
        for again and starts over. "" when there is none."""
        urls = self.urls()
        if lost in urls and urls.index(lost) + 1 < len(urls):
            self.failovers += 1
            return urls[urls.index(lost) + 1]
        urls = self.find()
        others = [u for u in urls if u != lost]
        if others:
            self.failovers += 1
            return others[0]
        return lost

    def _failed(self, what: str, exc) -> None:
        self.error = "%s: %s: %s" % (what, type(exc).__name__, exc)
        if self.logger is not None:
            self.logger.warning("discovery " + self.error)

    def status_dict(self) -> dict:
        """What GetDeviceStatus may show about discovery."""
        return {
            "upstreams": self.urls(),
            "advertised_port": self.advertised,
            "finds": self.finds,
            "failovers": self.failovers,
            "error": self.error,
        }

    def close(self) -> None:
        """Stop advertising (``deinit`` the mDNS server)."""
        server, self.server = self.server, None
        self.advertised = None
        if server is not None:
            try:
                server.deinit()
            except (OSError, RuntimeError, AttributeError):
                pass
