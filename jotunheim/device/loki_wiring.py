# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The Device's Loki wiring: its LokiLink, the task that steps it and Loki-script tools
(loaded only when a Loki is configured or a Loki tool is added)."""

from jotunheim.resources import LOW, SYSTEM


def use_loki(device, url=None, client=None):
    """Give ``device`` (public attributes only) a new LokiLink to ``url`` (default its
    ``loki_url``), or through ``client``, a LokiClient; the first one also gets the task
    that steps it every 0.5 s while the device serves and its network is up.
    Announcements and heartbeats are optional work: they wait while heap is under the
    warning line, and while the bandwidth budget of this window is spent."""
    from jotunheim.loki.link import LokiLink

    loader = device.loader
    resources = device.resources
    first = device.loki_link is None
    link = LokiLink(
        device.registry,
        device.builder_build,
        lambda: device.address,
        device.settings,
        url=url or device.loki_url,
        token=lambda: device.token("loki", "JOTUNHEIM_LOKI_TOKEN"),
        ca_pem=loader.read_ca_pem if loader is not None else None,
        client=client,
        script_prefix=device.script_prefix,
        on_online=device.confirm_health,
        logger=device.logger,
        clock=device.clock,
        device_id=device.device_id_now,  # so the link never builds capabilities to learn it
    )
    link.defer = lambda: resources.memory.shed() or not resources.bandwidth.allow("loki", 0, LOW)
    device.loki_link = link
    if not first:
        return

    def step():
        link = device.loki_link  # soft_restart() makes a new one
        if device.server is None or not device.network.connected:
            return False
        if link.socket_pool is None:  # the server's pool: no second pool, no session module
            link.socket_pool = device.pool or device.network.socket_pool()
        client = link.client  # made by the link on first use, again when the URL changes
        if client is not None and client.grpc.meter is None:
            client.grpc.meter = resources.bandwidth  # Loki's bytes, per call
            client.grpc.endpoint = "loki"
        return link.step()

    device.scheduler.every("loki", 0.5, step, priority=SYSTEM)


def add_loki_tool(device, name, script, description="", params=(), **kwargs):
    """Add to ``device`` a tool that runs Loki script ``script`` with its parameters."""

    def run_script(**values):
        if device.loki_link is None:
            raise RuntimeError("no Loki configured: set network.loki_url in jotunheim.json")
        return device.loki_link.run_script(script, values)

    return device.registry.add_tool(name, run_script, description, params, **kwargs)
