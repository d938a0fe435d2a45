# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The dead-link probe of a :class:`~jotunheim.net.wifi.WiFiManager`: the radio can stay
associated while nothing gets through (a router that lost its uplink, a stale DHCP lease),
so while joined the manager asks now and then whether the link really works.

The probe is the manager's ``probe``: a URL (by default the Loki URL: a DNS lookup of its
host and a TCP connect to its port), or a callable. Loaded by the manager's first due
probe: a board without a probe target (no Loki URL) never loads it.
"""

PROBE_TIMEOUT = 2.0  # seconds the probe's TCP connect may take


def run(manager) -> bool:
    """Run ``manager``'s probe once; True when the link works (no probe = True). A failure
    is written to ``manager.last_error``."""
    probe = manager.probe
    if probe is None:
        return True
    try:
        if callable(probe):
            if probe():
                return True
            manager.last_error = "probe failed"
            return False
        # The default: a DNS lookup, and a TCP connect to the URL's host and port.
        from jotunheim.net import tcp  # noqa: PLC0415
        from jotunheim.net.url import parse_url  # noqa: PLC0415

        _, host, port, _ = parse_url(probe)
        pool = manager.socket_pool()
        pool.getaddrinfo(host, port, 0, pool.SOCK_STREAM)
        with tcp.TCPClient(pool, timeout=PROBE_TIMEOUT, nodelay=False) as client:
            client.connect(host, port)
    except Exception as exc:  # noqa: BLE001 - any failure means "no route"
        manager.last_error = "probe: {}".format(exc)
        return False
    return True


def probe_soon(manager) -> None:
    """A caller saw a network error: ``manager`` probes at its next poll instead of
    waiting for the probe interval."""
    manager.next_probe_at = 0.0


def check(manager, now) -> None:
    """The probe that came due at ``now``: a failure counts in ``manager.probe_failures``
    and brings the next probe closer; ``manager.dead_after`` failures in a row declare the
    link dead: it is dropped (:func:`jotunheim.net.rejoin.lost`, counted in ``manager.dead_links``) and the
    radio reset, so that the next poll joins afresh."""
    interval = manager.probe_interval
    if run(manager):
        manager.probe_failures = 0
        manager.next_probe_at = now + interval
        return
    manager.probe_failures += 1
    # Re-probe soon: one lost packet should not cost a reconnect, two should.
    manager.next_probe_at = now + min(interval, 2.0)
    if manager.probe_failures < manager.dead_after:
        return
    manager.dead_links += 1
    from jotunheim.net import rejoin  # noqa: PLC0415

    rejoin.lost(manager, "dead link: radio connected but probe failed")
    # Toggling `enabled` is the documented way to reset the ESP32 WiFi stack.
    radio = manager.radio
    try:
        radio.enabled = False
        radio.enabled = True
    except (AttributeError, OSError, RuntimeError, NotImplementedError):
        pass
