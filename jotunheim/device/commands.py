# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""DeviceCommands: what SendDeviceCommand can ask of a Device (loaded on the first command)."""


class DeviceCommands:
    """The Device's own commands: ``reboot``, ``reload_settings``, ``announce``, ``ota_check``,
    ``stream_start``, ``stream_stop``, ``stream_status``.

    :param device: the :class:`jotunheim.device.core.Device` they act on (public API only)
    """

    def __init__(self, device) -> None:
        self.device = device

    def table(self) -> list:
        """``(name, fn(params, context), owner_only, description)`` per command."""
        return [
            ("reboot", self.reboot, True, "Restart after answering"),
            ("reload_settings", self.reload_settings, False, "Re-read jotunheim.json"),
            ("announce", self.announce, False, "Re-send capabilities"),
            ("ota_check", self.ota_check, True, "Look for an update"),
            ("stream_start", self.stream_start, True, "Start a stream: plugin, url, options"),
            ("stream_stop", self.stream_stop, True, "Stop a stream (id, or all)"),
            ("stream_status", self.stream_status, True, "Streams and stream plugins"),
        ]

    def reboot(self, params, context):
        """Restart once this answer is out."""
        from jotunheim.device import reboot

        reboot.reboot_later(self.device)
        return {"rebooting": True, "after": "this answer"}

    def reload_settings(self, params, context):
        """Re-read jotunheim.json now."""
        loader = self.device.loader
        if loader is None:
            raise ValueError("this device was given fixed settings; nothing to reload")
        changed = loader.reload()
        self.device.refresh_tokens()
        if loader.last_error:
            raise ValueError(loader.last_error)
        return {"changed": changed, "source": loader.source}

    def announce(self, params, context):
        """Re-send capabilities to Loki."""
        link = self.device.loki_link
        if link is None:
            return {"announced": False, "reason": "no Loki configured (network.loki_url)"}
        from jotunheim.loki import report

        return report.announce(link)

    def ota_check(self, params, context):
        """Look for an update (and install it with ``{"install": true}``)."""
        from jotunheim.device import ota_wiring

        return ota_wiring.ota_check(self.device, params)

    def stream_start(self, params, context):
        """Start a stream: ``{"plugin": "signal", "url": "http://...", "id": "s1",
        "options": {...}}`` (docs/streaming.md); answers the stream's status."""
        plugin = params.get("plugin")
        url = params.get("url")
        if not plugin or not url:
            raise ValueError("stream_start needs plugin and url")
        options = params.get("options") or {}
        if not isinstance(options, dict):
            raise ValueError("stream_start: options must be an object")
        stream = self.device.streams.start(plugin, url, options, params.get("id"))
        return stream.status()

    def stream_stop(self, params, context):
        """Stop stream ``{"id": ...}`` (every stream without an id)."""
        return {"stopped": self.device.streams.stop(params.get("id"))}

    def stream_status(self, params, context):
        """Every stream's figures and the registered plugins (or one: ``{"id": ...}``)."""
        return self.device.streams.status(params.get("id"))


def table(device) -> list:
    """The rows of ``DeviceCommands(device).table()``, for the Device's ``commands()``
    (so the Device's module names no class of this one)."""
    return DeviceCommands(device).table()
