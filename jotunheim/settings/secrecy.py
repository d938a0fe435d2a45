# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Which settings key names hold secrets: refused in ``jotunheim.json`` by the validator,
redacted in status output; the ``settings.toml`` keys where secrets go.

Loaded by the validator and by status output only: a device whose settings were validated
at deploy time (:mod:`jotunheim.settings.stamp`) never needs it to boot.
"""

# settings.toml keys Jotunheim reads (documented in docs/settings.md; also
# jotunheim.settings.schema.TOML_KEYS).
TOML_KEYS = (
    "CIRCUITPY_WIFI_SSID",
    "CIRCUITPY_WIFI_PASSWORD",
    "JOTUNHEIM_TOKEN",
    "JOTUNHEIM_OWNER_TOKEN",
    "JOTUNHEIM_LOKI_TOKEN",
    "JOTUNHEIM_CA_CERT",
)

# Key names that hold secrets: refused in the JSON, redacted in status output.
SECRET_NAMES = (
    "password", "passwd", "pass", "psk", "token", "secret", "key", "apikey", "api_key",
    "private_key", "bearer", "credentials", "auth",
)  # fmt: skip
SECRET_SUFFIXES = ("_password", "_passwd", "_psk", "_token", "_secret", "_key", "_apikey")


def is_secret_name(name: str) -> bool:
    """True for key names such as ``password``, ``token``, ``wifi_password``, ``api_key``."""
    low = name.lower()
    if low in SECRET_NAMES:
        return True
    for suffix in SECRET_SUFFIXES:
        if low.endswith(suffix):
            return True
    return False


def redacted(value):
    """A copy of ``value`` (nested dicts and lists) with the value of every secret-looking
    key replaced by ``"***"``.

    :param value: settings data
    """
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            out[key] = "***" if is_secret_name(key) else redacted(item)
        return out
    if isinstance(value, list):
        return [redacted(item) for item in value]
    return value
