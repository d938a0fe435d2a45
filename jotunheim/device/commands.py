"""DeviceCommands: what SendDeviceCommand can ask of a Device (loaded on the first command)."""


class DeviceCommands:
    """The Device's own commands: ``reboot``, ``reload_settings``, ``announce``, ``ota_check``.

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
        ]

    def reboot(self, params, context):
        """Restart once this answer is out."""
        device = self.device
        device.handler.defer(device.reboot)
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
        return link.announce()

    def ota_check(self, params, context):
        """Look for an update (and install it with ``{"install": true}``)."""
        return self.device.ota_check(params)
