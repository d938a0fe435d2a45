"""The settings schema: one row per key, so validation, defaults and docs share one table.

Row: ``(path, type, default, low, high, choices)``

- types: ``bool``; ``int``; ``num`` (int or float); ``str`` (low/high bound its length);
  ``url`` (empty, or ``http://`` / ``https://`` with a host); ``ints`` (list of int, low/high
  bound each item, ``choices`` is the longest list allowed); ``wifi`` (list of
  ``{"ssid": ..., "password_setting": ...}``, ``choices`` is the longest list allowed).
- ``choices`` for ``str``: the allowed values.
"""

SCHEMA = (
    ("version", "int", 1, 1, 1, None),
    ("capabilities.device_name", "str", "jotunheim", 1, 64, None),
    ("capabilities.device_id", "str", "", 0, 64, None),
    ("capabilities.device_type", "str", "circuitpython", 1, 32, None),
    ("capabilities.announce_interval", "int", 300, 10, 86400, None),
    ("capabilities.features.streaming", "bool", True, None, None, None),
    ("capabilities.features.compression", "bool", False, None, None, None),
    ("capabilities.features.encryption", "bool", False, None, None, None),
    ("network.loki_url", "url", "", 0, 200, None),
    ("network.ca_cert_file", "str", "", 0, 64, None),
    ("network.hostname", "str", "", 0, 32, None),
    ("network.connect_timeout", "num", 15, 1, 120, None),
    ("network.request_timeout", "num", 10, 0.5, 300, None),
    ("network.probe_interval", "num", 30, 0, 3600, None),
    ("network.wifi_networks", "wifi", [], None, None, 8),
    ("network.resilience.retries", "int", 3, 0, 10, None),
    ("network.resilience.base_delay", "num", 0.5, 0.01, 60, None),
    ("network.resilience.max_delay", "num", 30, 0.1, 3600, None),
    ("network.resilience.jitter", "bool", True, None, None, None),
    ("network.resilience.breaker_threshold", "int", 5, 1, 100, None),
    ("network.resilience.breaker_cooldown", "num", 30, 1, 3600, None),
    ("resources.max_memory_kb", "int", 0, 0, 65536, None),
    ("resources.max_cpu_percent", "int", 0, 0, 100, None),
    ("resources.max_concurrent_tools", "int", 2, 1, 16, None),
    ("resources.bandwidth_limit_kbps", "int", 0, 0, 100000, None),
    ("ota.enabled", "bool", False, None, None, None),
    ("ota.manifest_url", "url", "", 0, 200, None),
    ("ota.check_interval", "int", 3600, 60, 604800, None),
    ("ota.key_id", "str", "", 0, 64, None),
    ("ota.trial_boots", "int", 3, 1, 10, None),
    ("ota.confirm_window", "int", 120, 10, 3600, None),
    ("remote.enabled", "bool", True, None, None, None),
    ("remote.listen_port", "int", 8080, 1, 65535, None),
    ("remote.rate_limit_per_minute", "int", 60, 0, 10000, None),
    ("remote.max_request_bytes", "int", 4096, 256, 65536, None),
    ("remote.allowed_gpio_pins", "ints", [], 0, 255, 64),
    ("logging.level", "str", "WARNING", None, None, ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
    ("logging.ring_size", "int", 16, 0, 64, None),
)  # fmt: skip

# Keys of one wifi_networks entry: name -> (type, low, high).
WIFI_ENTRY = {"ssid": ("str", 1, 32), "password_setting": ("str", 1, 64)}

SECTIONS = ("capabilities", "network", "resources", "ota", "remote", "logging")

# Key names that hold secrets: refused in the JSON, redacted in status output.
SECRET_NAMES = (
    "password", "passwd", "pass", "psk", "token", "secret", "key", "apikey", "api_key",
    "private_key", "bearer", "credentials", "auth",
)  # fmt: skip
SECRET_SUFFIXES = ("_password", "_passwd", "_psk", "_token", "_secret", "_key", "_apikey")

# settings.toml keys Jotunheim reads (documented in docs/settings.md).
TOML_KEYS = (
    "CIRCUITPY_WIFI_SSID",
    "CIRCUITPY_WIFI_PASSWORD",
    "JOTUNHEIM_TOKEN",
    "JOTUNHEIM_OWNER_TOKEN",
    "JOTUNHEIM_LOKI_TOKEN",
    "JOTUNHEIM_CA_CERT",
)
TOML_SECRET_KEYS = (
    "CIRCUITPY_WIFI_PASSWORD",
    "JOTUNHEIM_TOKEN",
    "JOTUNHEIM_OWNER_TOKEN",
    "JOTUNHEIM_LOKI_TOKEN",
)


def is_secret_name(name: str) -> bool:
    """True for key names such as ``password``, ``token``, ``wifi_password``, ``api_key``."""
    low = name.lower()
    if low in SECRET_NAMES:
        return True
    for suffix in SECRET_SUFFIXES:
        if low.endswith(suffix):
            return True
    return False


def defaults() -> dict:
    """A fresh nested dict with every default (lists copied, so callers may change it)."""
    data = {}
    for row in SCHEMA:
        value = row[2]
        if isinstance(value, list):
            value = list(value)
        set_path(data, row[0], value)
    return data


def get_path(data: dict, path: str, default=None):
    node = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


def set_path(data: dict, path: str, value) -> None:
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = value


def row(path: str):
    """The schema row of ``path`` or None."""
    for entry in SCHEMA:
        if entry[0] == path:
            return entry
    return None
