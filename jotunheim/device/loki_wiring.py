# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The Device's Loki wiring: its LokiLink, the task that steps it and Loki-script tools
(loaded only when a Loki is configured or a Loki tool is added)."""

from jotunheim.resources import SYSTEM


def use_loki(device, url=None, client=None):
    """Give ``device`` (public attributes only) a new LokiLink to ``url`` (default its
    ``loki_url``), or through ``client``, a LokiClient; the first one also gets the task
    that steps it every 0.5 s (:meth:`~jotunheim.loki.link.LokiLink.step`)."""
    from jotunheim.loki.link import LokiLink

    first = device.loki_link is None
    device.loki_link = LokiLink(device, url or device.loki_url, client)
    if first:  # soft_restart() makes a new link: the task steps the current one
        task = lambda: device.loki_link.step()  # noqa: E731, PLW0108 - the link of now
        device.scheduler.every("loki", 0.5, task, priority=SYSTEM)


def add_loki_tool(device, name, script, description="", params=(), **kwargs):
    """Add to ``device`` a tool that runs Loki script ``script`` with its parameters."""

    def run_script(**values):
        if device.loki_link is None:
            raise RuntimeError("no Loki: set network.loki_url")
        return device.loki_link.loki().run_script(script, values)

    return device.registry.add_tool(name, run_script, description, params, **kwargs)
