# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The settings schema: one row per key, so validation, defaults and docs share one table.

:func:`rows` yields ``(path, type, default, low, high, choices)`` per key:

- types: ``bool``; ``int``; ``num`` (int or float); ``str`` (low/high bound its length);
  ``url`` (empty, or ``http://`` / ``https://`` with a host); ``ints`` (list of int, low/high
  bound each item, ``choices`` is the longest list allowed); ``wifi`` (list of
  ``{"ssid": ..., "password_setting": ...}``, ``choices`` is the longest list allowed).
- ``choices`` for ``str``: the allowed values.
"""

# The settings.toml keys Jotunheim reads live with the secret names, so that status output
# lists them without loading this table.
from jotunheim.settings.secrecy import TOML_KEYS  # noqa: F401

# The table is text parsed on demand: a tuple of 49 tuples built at import would hold
# several KB of a board's heap for the whole run; this string costs its length.
# One key per line: path type default [low high [choices]]; "-" = none, "" = empty string,
# [] = empty list, choices of a str are comma-separated.
TABLE = """\
version int 1 1 1
capabilities.device_name str jotunheim 1 64
capabilities.device_id str "" 0 64
capabilities.device_type str circuitpython 1 32
capabilities.announce_interval int 300 10 86400
capabilities.features.streaming bool true
capabilities.features.compression bool false
capabilities.features.encryption bool false
capabilities.stream_plugins str "" 0 512
network.loki_url url "" 0 200
network.ca_cert_file str "" 0 64
network.hostname str "" 0 32
network.connect_timeout num 15 1 120
network.request_timeout num 10 0.5 300
network.probe_interval num 30 0 3600
network.wifi_networks wifi [] - - 8
network.resilience.retries int 3 0 10
network.resilience.base_delay num 0.5 0.01 60
network.resilience.max_delay num 30 0.1 3600
network.resilience.jitter bool true
network.resilience.breaker_threshold int 5 1 100
network.resilience.breaker_cooldown num 30 1 3600
resources.max_memory_kb int 0 0 65536
resources.max_cpu_percent int 0 0 100
resources.max_concurrent_tools int 2 1 16
resources.bandwidth_limit_kbps int 0 0 100000
resources.heap_warning num 16384 0 16777216
resources.heap_exhausted num 8192 0 16777216
resources.buffer_size int 512 128 16384
resources.buffer_count int 2 1 8
resources.bandwidth_budget int 0 0 1000000000
resources.bandwidth_window num 60 1 86400
scheduler.max_queued int 16 4 64
scheduler.step_budget_ms int 50 1 1000
scheduler.max_wait num 5 0.1 3600
ota.enabled bool false
ota.manifest_url url "" 0 200
ota.check_interval int 3600 60 604800
ota.key_id str "" 0 64
ota.trial_boots int 3 1 10
ota.confirm_window int 120 10 3600
ota.allow_boot_py bool false
remote.enabled bool true
remote.listen_port int 8080 1 65535
remote.host str "" 0 64
remote.rate_limit_per_minute int 60 0 10000
remote.max_request_bytes int 4096 256 65536
remote.allowed_gpio_pins ints [] 0 255 64
remote.max_connections int 4 1 16
remote.cors_origin str "" 0 200
remote.open bool false
remote.auth_mode str signed - - signed,bearer,either
remote.signature_window int 300 10 86400
remote.clock_tolerance int 30 0 3600
remote.max_nonces int 64 4 1024
remote.seal_results bool false
logging.level str WARNING - - DEBUG,INFO,WARNING,ERROR,CRITICAL
logging.ring_size int 16 0 64
discovery.enabled bool false
power.profile str always-on - - always-on,light-sleep,deep-sleep
power.cycle_seconds int 300 5 86400
power.wake_pin str "" 0 16
power.battery_pin str "" 0 24
power.low_battery_volts num 0 0 20
power.low_battery_cycle_seconds int 3600 5 604800
power.report_script str "" 0 64
"""


def _number(text):
    if text == "-":
        return None
    return float(text) if "." in text else int(text)


def _row(line: str) -> tuple:
    parts = line.split()
    parts += ["-"] * (6 - len(parts))
    path, kind, default, low, high, choices = parts
    if kind == "bool":
        default = default == "true"
    elif kind in ("int", "num"):
        default = _number(default)
    elif kind in ("ints", "wifi"):
        default = []
    elif default == '""':
        default = ""
    if choices == "-":
        choices = None
    elif kind == "str":
        choices = tuple(choices.split(","))
    else:
        choices = int(choices)
    return (path, kind, default, _number(low), _number(high), choices)


def rows():
    """Every schema row, ``(path, type, default, low, high, choices)``, in table order
    (fresh objects each time, so callers may change the lists)."""
    for line in TABLE.split("\n"):
        if line:
            yield _row(line)


def defaults() -> dict:
    """A fresh nested dict with every default (lists copied, so callers may change it)."""
    data = {}
    for entry in rows():
        set_path(data, entry[0], entry[2])
    return data


def get_path(data: dict, path: str, default=None):
    """The value at dotted ``path`` in nested ``data``, or ``default``."""
    node = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


def set_path(data: dict, path: str, value) -> None:
    """Set the value at dotted ``path`` in nested ``data``, creating dicts on the way."""
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
    for entry in rows():
        if entry[0] == path:
            return entry
    return None


def paths() -> list:
    """Every key path in the schema, in table order (docs and tests use it)."""
    names = []
    for entry in rows():
        names.append(entry[0])
    return names
