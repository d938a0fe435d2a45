# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The settings of a Device: a change applied to a running Device (loaded on the first
hot reload that changed something), settings given as a Settings or a dict, which
never reload (loaded only then: on a board Device.from_settings gives a SettingsLoader),
and a reboot (the reboot command, an installed update; a soft restart on CPython)."""

from jotunheim.compat import run_and_forget


def fixed_settings(settings, root):
    """``(Settings, Secrets)`` for settings given as a Settings or a dict (validated;
    ValueError naming every error) and the settings.toml secrets of ``root``."""
    from jotunheim.settings.loader import Settings
    from jotunheim.settings.secrets import Secrets

    if isinstance(settings, dict):
        from jotunheim.settings import validator

        data, errors = validator.validate(settings)
        if errors:
            raise ValueError("settings: " + "; ".join(e.message for e in errors))
        settings = Settings(data)
    elif not isinstance(settings, Settings):
        raise TypeError("settings must be a SettingsLoader, Settings, dict or None")
    return settings, Secrets(root)


def apply_settings(device, sections):
    """Apply the changed ``sections`` of ``device.settings`` to ``device`` (public
    attributes only)."""
    settings = device.settings
    get = settings.get
    handler = device.handler
    if "logging" in sections:
        run_and_forget("jotunheim.logconfig", "apply_settings", settings.section("logging"))
    if "remote" in sections:
        handler.limit(get("remote.rate_limit_per_minute"))
        handler.max_params_bytes = get("remote.max_request_bytes")
        if device.server is not None:
            device.server.max_body = get("remote.max_request_bytes")
        now = handler
        auth = run_and_forget("jotunheim.device.setup", "auth_options", device)
        if (now.mode, now.open_access, now.signing_options) != (
            auth["auth_mode"],
            auth["open_access"],
            auth["signing"],
        ):
            handler.configure(token=now.token, owner_token=now.owner_token, **auth)
            text = handler.warning()
            if text is not None:
                device.logger.warning(text)
    if "network" in sections:
        if device.loki_link is not None:
            device.loki_link.configure(settings, device.loki_url or None)
        elif device.loki_url:
            from jotunheim.loki import link

            link.use_loki(device, device.loki_url)
    if device.ota is not None:
        device.ota.settings = settings
    if "resources" in sections:
        run_and_forget("jotunheim.resources.setup", "configure", device.resources, settings)
    if "scheduler" in sections:
        for key, value in settings.section("scheduler").items():
            setattr(device.scheduler, key, value)  # max_queued, step_budget_ms, max_wait
    if "capabilities" in sections or "resources" in sections:
        device.builder.settings = settings
        if device.loki_link is not None:
            device.loki_link.changed("settings")
    device.refresh_tokens()
    device.logger.info("settings changed: " + ", ".join(sections))


def reboot(device):
    """Restart the board (``device``'s ``reboot`` argument when given; on CPython, restart
    the Device in place with :func:`soft_restart`)."""
    device.reboots += 1
    if device.reboot_fn is not None:
        return device.reboot_fn()
    from jotunheim.compat import IS_CPYTHON

    if IS_CPYTHON:  # Blinka's microcontroller on a PC has no reset
        return soft_restart(device)
    import microcontroller

    microcontroller.reset()
    return None


def reboot_later(device):
    """Reboot ``device`` once the answer being served is out (the handler's deferred work)."""
    device.handler.defer(lambda: reboot(device))


def soft_restart(device):
    """Re-read settings, restart ``device``'s server on the same port, re-announce to Loki
    (a reboot on CPython, where Blinka's microcontroller has no reset)."""
    device.stop_server()
    if device.loader is not None:
        device.loader.reload()
    device.running = False
    device.network_joins = -1
    device.health_checked = False
    if device.loki_link is not None:
        from jotunheim.loki import link

        device.loki_link.close()
        link.use_loki(device, device.loki_link.url)
    device.start()
