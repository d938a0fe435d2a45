# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""A tool that runs a Loki script: what ``Device.add_loki_tool`` adds (loaded by its first
call, so neither a device without Loki tools nor its Loki link holds it)."""


def add_loki_tool(device, name, script, description="", params=(), **kwargs):
    """Add to ``device`` (its ``registry`` and ``loki_link``) a tool that runs Loki script
    ``script`` with its parameters, through the device's Loki link of the moment."""

    def run_script(**values):
        if device.loki_link is None:
            raise RuntimeError("no Loki: set network.loki_url")
        return device.loki_link.loki().run_script(script, values)

    return device.registry.add_tool(name, run_script, description, params, **kwargs)
