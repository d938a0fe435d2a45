# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Fake of CircuitPython's ``mdns`` module: an in-memory network of advertisements.

``Server(radio)`` has ``hostname``, ``instance_name``, ``advertise_service(service_type=,
protocol=, port=, txt_records=)`` (recorded in ``advertised``), ``find(service_type,
protocol, timeout=)`` (the services put on the network with :func:`announce`, as
``RemoteService`` objects *without* TXT records, like CircuitPython's) and ``deinit()``.
:func:`announce` / :func:`withdraw` play other hosts; ``finds`` records each query.
"""

advertised = []  # (instance_name, service_type, protocol, port, txt_records)
network = []  # (instance_name, service_type, protocol, address, port)
finds = []


class RemoteService:
    """One answer of ``find`` (no TXT records: CircuitPython's has none)."""

    def __init__(self, instance_name, service_type, protocol, address, port):
        self.instance_name = instance_name
        self.hostname = instance_name.split("@")[0]
        self.service_type = service_type
        self.protocol = protocol
        self.ipv4_address = address
        self.port = port


class Server:
    """``mdns.Server(network_interface)``."""

    def __init__(self, network_interface):
        self.network_interface = network_interface
        self.hostname = "cpy-fake"
        self.instance_name = ""
        self.live = True

    def advertise_service(self, *, service_type, protocol, port, txt_records=()):
        if not self.live:
            raise RuntimeError("mdns server deinitialized")
        advertised.append(
            (self.instance_name or self.hostname, service_type, protocol, port, list(txt_records))
        )

    def find(self, service_type, protocol, *, timeout=1):
        if not self.live:
            raise RuntimeError("mdns server deinitialized")
        finds.append((service_type, protocol, timeout))
        return tuple(
            RemoteService(name, kind, proto, address, port)
            for name, kind, proto, address, port in network
            if kind == service_type and proto == protocol
        )

    def deinit(self):
        self.live = False


def announce(instance_name, service_type, address, port, protocol="_tcp"):
    """Another host advertises a service."""
    network.append((instance_name, service_type, protocol, address, port))


def withdraw(instance_name):
    """That host's services go away."""
    network[:] = [item for item in network if item[0] != instance_name]


def _reset():
    del advertised[:]
    del network[:]
    del finds[:]
