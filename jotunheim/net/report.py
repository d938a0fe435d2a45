# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""What ``GetDeviceStatus`` (and a log) shows of a
:class:`~jotunheim.net.wifi.WiFiManager`. Loaded on the first status call: a board that
only serves never loads it.
"""


def network_status(manager) -> dict:
    """The status of ``manager``'s link: ``status``, ``ssid``, ``ip`` and ``rssi`` (while
    joined), ``connects``, ``failures``, ``dead_links`` and ``last_error``."""
    up = manager.connected
    info = getattr(manager.radio, "ap_info", None) if up else None
    return {
        "status": manager.status,
        "ssid": manager.ssid,
        "ip": manager.ip if up else None,
        "rssi": getattr(info, "rssi", None),
        "connects": manager.connects,
        "failures": manager.failures,
        "dead_links": manager.dead_links,
        "last_error": manager.last_error,
    }
