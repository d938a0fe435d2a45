# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""CircuitPython's ``mdns`` API over python-zeroconf, so the device's discovery code runs
unchanged on the host (the simulator, tests).

Hand the module to the Device (``Device(mdns=jotunheim_host.mdns_adapter)``); the device
calls ``mdns.Server(radio)``, ``.advertise_service(...)`` and ``.find(...)`` as on a
board. Like CircuitPython's ``RemoteService`` each answer has ``hostname``,
``instance_name``, ``service_type``, ``protocol``, ``port`` and ``ipv4_address``; it also
has ``txt_records`` (a dict), which CircuitPython's does not.

Multicast stays on loopback: every Server binds python-zeroconf to ``127.0.0.1`` only
(``interfaces`` must be loopback addresses; anything else is refused), so nothing is
sent on the machine's real interfaces. Two processes on one host (or inside one network
namespace) find each other over ``lo``.
"""

import socket
import threading
import time

from zeroconf import DNSQuestionType, IPVersion, ServiceBrowser, ServiceInfo, Zeroconf

LOOPBACK = ("127.0.0.1",)
DOMAIN = ".local."
# Ask for multicast answers: several responders share port 5353 on one host, and a
# unicast answer (python-zeroconf's first query asks for one) reaches only one of them.
QUESTION = DNSQuestionType.QM


def _check_interfaces(interfaces) -> list:
    chosen = list(interfaces)
    for address in chosen:
        if not str(address).startswith("127."):
            raise ValueError(
                "mdns_adapter binds to loopback only (127.x.x.x), not %r: multicast must "
                "never reach a real network from here" % (address,)
            )
    return chosen


class RemoteService:
    """One answer of :meth:`Server.find` (CircuitPython's ``mdns.RemoteService``)."""

    def __init__(self, info: ServiceInfo, service_type: str, protocol: str):
        self.service_type = service_type
        self.protocol = protocol
        suffix = "." + service_type + "." + protocol + DOMAIN
        name = info.name
        self.instance_name = name[: -len(suffix)] if name.endswith(suffix) else name
        self.hostname = (info.server or "").rstrip(".").replace(".local", "")
        self.port = info.port or 0
        addresses = info.parsed_addresses(IPVersion.V4Only)
        self.ipv4_address = addresses[0] if addresses else None
        self.txt_records = {
            k.decode("utf-8", "replace"): (v or b"").decode("utf-8", "replace")
            for k, v in (info.properties or {}).items()
        }

    def __repr__(self):
        return "<RemoteService %s %s:%s>" % (self.instance_name, self.ipv4_address, self.port)

    def deinit(self) -> None:
        """Nothing to free (CircuitPython's frees the answer)."""


class _Collector:
    """ServiceBrowser listener: the names seen (and not removed) so far."""

    def __init__(self):
        self.names = []
        self.lock = threading.Lock()

    def add_service(self, zc, type_, name):
        with self.lock:
            if name not in self.names:
                self.names.append(name)

    def update_service(self, zc, type_, name):
        self.add_service(zc, type_, name)

    def remove_service(self, zc, type_, name):
        with self.lock:
            if name in self.names:
                self.names.remove(name)


class Server:
    """``mdns.Server``: advertise services and find others, over python-zeroconf.

    :param network_interface: ``wifi.radio`` on a board; ignored here
    :param interfaces: loopback addresses to bind to (default ``127.0.0.1``)
    :param str address: the address advertised for our services (default the first
        interface)
    """

    def __init__(self, network_interface=None, *, interfaces=LOOPBACK, address=None):
        self.interfaces = _check_interfaces(interfaces)
        self.address = address or self.interfaces[0]
        self.zeroconf = Zeroconf(interfaces=self.interfaces, ip_version=IPVersion.V4Only)
        self.hostname = "jotunheim-" + socket.gethostname().split(".")[0].lower()
        self.instance_name = ""
        self.advertised = {}  # service type -> ServiceInfo

    def _type(self, service_type: str, protocol: str) -> str:
        return service_type + "." + protocol + DOMAIN

    def advertise_service(self, *, service_type: str, protocol: str, port: int, txt_records=()):
        """Advertise (or re-advertise) ``service_type.protocol`` on ``port`` with TXT
        records ``["key=value", ...]``."""
        type_ = self._type(service_type, protocol)
        properties = {}
        for item in txt_records or ():
            key, _, value = str(item).partition("=")
            properties[key] = value
        name = (self.instance_name or self.hostname) + "." + type_
        info = ServiceInfo(
            type_,
            name,
            addresses=[socket.inet_aton(self.address)],
            port=port,
            properties=properties,
            server=self.hostname + DOMAIN,
        )
        old = self.advertised.get(type_)
        if old is not None:
            self.zeroconf.unregister_service(old)
        self.zeroconf.register_service(info, allow_name_change=True)
        self.advertised[type_] = info

    def find(self, service_type: str, protocol: str, *, timeout: float = 1):
        """The services of that type answering within ``timeout`` seconds, resolved
        (a tuple of :class:`RemoteService`)."""
        type_ = self._type(service_type, protocol)
        collector = _Collector()
        browser = ServiceBrowser(self.zeroconf, type_, collector, question_type=QUESTION)
        try:
            time.sleep(max(0.0, timeout))
        finally:
            browser.cancel()
        found = []
        with collector.lock:
            names = list(collector.names)
        for name in names:
            info = self.zeroconf.get_service_info(
                type_, name, timeout=int(timeout * 1000) or 1, question_type=QUESTION
            )
            if info is not None:
                found.append(RemoteService(info, service_type, protocol))
        return tuple(found)

    def deinit(self) -> None:
        """Withdraw everything advertised and close the zeroconf instance."""
        try:
            self.zeroconf.unregister_all_services()
        finally:
            self.advertised = {}
            self.zeroconf.close()


def advertise(service_type, port, txt, *, instance_name, interfaces=LOOPBACK, address=None):
    """A Server advertising one service (``service_type`` like ``_loki``, protocol
    ``_tcp``) under ``instance_name``; call ``deinit()`` on it to withdraw. Used by
    ``jotunheim loki --advertise`` and ``jotunheim simulate --advertise``."""
    server = Server(interfaces=interfaces, address=address)
    server.instance_name = instance_name
    server.advertise_service(
        service_type=service_type,
        protocol="_tcp",
        port=port,
        txt_records=["%s=%s" % (k, v) for k, v in sorted(txt.items())],
    )
    return server
