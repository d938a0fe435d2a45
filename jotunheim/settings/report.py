# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""What ``GetDeviceStatus`` shows of the settings: secret-looking values redacted, the
``settings.toml`` keys as set/unset. Loaded on the first status call (the validator never
needs it).
"""

from jotunheim.settings.secrecy import TOML_KEYS, redacted


def status(data: dict, secrets=None) -> dict:
    """Settings ``data`` for status output: secret-looking values redacted and, with
    ``secrets`` (a :class:`~jotunheim.settings.secrets.Secrets`), the settings.toml keys
    listed as set/unset (the WiFi network name as it is: not a secret).

    :param dict data: the settings
    :param secrets: where the settings.toml values are read, or None
    """
    out = redacted(data)
    if secrets is not None:
        toml = {}
        names = list(TOML_KEYS)
        for entry in data.get("network", {}).get("wifi_networks") or ():
            key = entry.get("password_setting")
            if key and key not in names:
                names.append(key)
        for key in names:
            value = secrets.get(key)
            if key != "CIRCUITPY_WIFI_SSID":
                value = "unset" if value is None or value == "" else "set"
            toml[key] = value
        out["settings_toml"] = toml
    return out


def loader_status(loader) -> dict:
    """What ``GetDeviceStatus`` shows of a
    :class:`~jotunheim.settings.loader.SettingsLoader`: :func:`status` of the settings in
    effect, plus where they came from (``settings_source``) and why the last load failed
    (``settings_error``, None when it did not)."""
    settings = loader.settings
    if settings is None:  # nothing loaded yet: the defaults are in effect
        from jotunheim.settings.loader import Settings

        settings = Settings()
    data = settings.data
    if data is None:  # a stamped file's bytes (Settings.text): the whole dict, for this answer
        import json

        from jotunheim.compat import run_and_forget

        data = json.loads(b"{" + run_and_forget("jotunheim.settings.defaults", "text") + b"}")
        data.update(json.loads(settings.text))
    out = status(data, loader.secrets)
    out["settings_source"] = loader.source
    out["settings_error"] = loader.last_error
    return out
