# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The settings of a Device: settings given as a Settings or a dict (which never reload:
on a board Device.from_settings gives a SettingsLoader), and a change applied to a
running Device (the loader's hot reload). The Device runs this module when one of those
happens and then forgets it (:func:`jotunheim.compat.run_and_forget`): on a board its
code goes back to the heap until the next reload. It defines no classes and keeps no
state (see :func:`jotunheim.compat.forget`)."""

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


def apply_settings(device, sections, settings):
    """Apply the changed ``sections`` of ``settings`` (the loader's hot reload) to
    ``device`` (public attributes only)."""
    device.settings = settings
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
