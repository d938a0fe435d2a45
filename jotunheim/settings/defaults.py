# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Every setting's default, as the lines of a stamped file (generated from the
schema table by ``python scripts/settings_defaults.py``; tests/test_settings_stamp.py
keeps it in step). A stamped file holds only what differs from these; the device
reads a default from here when a section is not in the file, and forgets this
module again (jotunheim.compat.run_and_forget): its bytes stay on flash."""

TEXT = (
    b'\n  "capabilities": {"device_name":"jotunheim","device_id":"","device_type":"circ'
    b'uitpython","announce_interval":300,"features":{"streaming":true,"compression":fa'
    b'lse,"encryption":false},"stream_plugins":""},\n  "discovery": {"enabled":false},\n'
    b'  "logging": {"level":"WARNING","ring_size":16},\n  "network": {"loki_url":"","ca'
    b'_cert_file":"","hostname":"","connect_timeout":15,"request_timeout":10,"probe_in'
    b'terval":30,"wifi_networks":[],"resilience":{"retries":3,"base_delay":0.5,"max_de'
    b'lay":30,"jitter":true,"breaker_threshold":5,"breaker_cooldown":30}},\n  "ota": {"'
    b'enabled":false,"manifest_url":"","check_interval":3600,"key_id":"","trial_boots"'
    b':3,"confirm_window":120,"allow_boot_py":false},\n  "power": {"profile":"always-on'
    b'","cycle_seconds":300,"wake_pin":"","battery_pin":"","low_battery_volts":0,"low_'
    b'battery_cycle_seconds":3600,"report_script":""},\n  "remote": {"enabled":true,"li'
    b'sten_port":8080,"host":"","rate_limit_per_minute":60,"max_request_bytes":4096,"a'
    b'llowed_gpio_pins":[],"max_connections":4,"cors_origin":"","open":false,"auth_mod'
    b'e":"signed","signature_window":300,"clock_tolerance":30,"max_nonces":64,"seal_re'
    b'sults":false},\n  "resources": {"max_memory_kb":0,"max_cpu_percent":0,"max_concur'
    b'rent_tools":2,"bandwidth_limit_kbps":0,"heap_warning":16384,"heap_exhausted":819'
    b'2,"buffer_size":512,"buffer_count":2,"bandwidth_budget":0,"bandwidth_window":60}'
    b',\n  "scheduler": {"max_queued":16,"step_budget_ms":50,"max_wait":5},\n  "version"'
    b': 1'
)


def text() -> bytes:
    """The lines (``TEXT``)."""
    return TEXT
