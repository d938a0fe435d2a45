# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Joining WiFi for a :class:`~jotunheim.net.wifi.WiFiManager`: one attempt at the next
network, then what a new link starts from. It runs at start and after a lost link, so the
manager forgets it once done (:func:`jotunheim.compat.run_and_forget`): on a board its code
goes back to the heap. It defines no classes and keeps no state."""

from jotunheim.net.wifi import CONNECTED, CONNECTING, DISCONNECTED


def join(manager) -> bool:
    """:meth:`WiFiManager.ensure_connected <jotunheim.net.wifi.WiFiManager.ensure_connected>`
    of ``manager`` when it is not connected (or does not know it is yet)."""
    radio = manager.radio
    if manager.linked():
        if manager.connected:
            return True
        # CircuitPython 8+ may already have joined from settings.toml at boot.
        name = getattr(getattr(radio, "ap_info", None), "ssid", None)
    else:
        if manager.clock() < manager.next_attempt_at:
            return False
        networks = manager.networks
        name = None  # no network to try
        error = None
        if networks:
            name, password = networks[manager.index % len(networks)]
            manager.set_status(CONNECTING)
            try:
                if password:
                    radio.connect(name, password, timeout=manager.connect_timeout)
                else:
                    radio.connect(name, timeout=manager.connect_timeout)
            except Exception as exc:  # noqa: BLE001 - ConnectionError, OSError, RuntimeError...
                error = exc
        if name is None or error is not None:
            # A failed join loads what backs off: a board that joins at once never does.
            from jotunheim.net import rejoin  # noqa: PLC0415

            rejoin.failed(manager, name, error)
            if name is not None:
                manager.set_status(DISCONNECTED)
            return False
    # Joined. Sockets from the previous link are dead: free them before anyone reuses
    # them. (A lost link already reset what a new one starts from: rejoin.lost.)
    manager.teardown_sockets()
    manager.ssid = name
    manager.connects += 1
    if manager.backoff is not None:
        manager.backoff.reset()
    manager.next_probe_at = manager.clock() + manager.probe_interval
    manager.set_status(CONNECTED)
    if manager.logger is not None:
        manager.logger.info("wifi connected to {} ip {}".format(name, manager.ip))
    return True
