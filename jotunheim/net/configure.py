# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Which networks to join and a :class:`~jotunheim.net.wifi.WiFiManager` made from the
``network`` settings. It runs when a Device starts (and when a manager is made without a
network list), so it is forgotten once used (:func:`jotunheim.compat.run_and_forget`): on
a board its code goes back to the heap. It defines no classes and keeps no state."""


def networks_from_settings(section=None, getenv=None) -> list:
    """The ``(ssid, password)`` pairs to try, in order.

    First ``CIRCUITPY_WIFI_SSID`` / ``CIRCUITPY_WIFI_PASSWORD``, then every entry of the
    settings' ``network.wifi_networks`` (``{"ssid": ..., "password_setting": KEY}``, the
    password read from ``settings.toml`` key ``KEY``; no key = open network).

    :param dict section: the ``network`` settings section
    :param getenv: ``getenv(key)`` -> the settings.toml value (default: a
        :class:`~jotunheim.settings.secrets.Secrets`)
    """
    if getenv is None:
        from jotunheim.settings import secrets  # noqa: PLC0415

        getenv = secrets.Secrets().get
    found = []
    name = getenv("CIRCUITPY_WIFI_SSID")
    if name:
        found.append((name, getenv("CIRCUITPY_WIFI_PASSWORD") or None))
    for entry in (section or {}).get("wifi_networks") or ():
        name = entry.get("ssid")
        for value in found:
            if value[0] == name:
                name = None  # listed already
        if name:
            key = entry.get("password_setting")
            found.append((name, (getenv(key) or None) if key else None))
    return found


def build(manager, radio, networks, probe, probe_interval, dead_after, backoff,
          connect_timeout, pool, clock, hostname, logger, delays):  # fmt: skip
    """Set up ``manager`` from :class:`~jotunheim.net.wifi.WiFiManager`'s arguments."""
    if radio is None:
        import wifi  # noqa: PLC0415

        radio = wifi.radio
    manager.radio = radio
    manager.networks = list(networks if networks is not None else networks_from_settings())
    manager.probe = probe
    manager.probe_interval = probe_interval
    manager.dead_after = dead_after
    manager.backoff = backoff
    manager.delays = delays
    manager.connect_timeout = connect_timeout
    manager.pool = pool
    if clock is None:
        from jotunheim.compat import monotonic as clock
    manager.clock = clock
    manager.logger = logger
    if hostname:
        try:
            radio.hostname = hostname
        except (AttributeError, ValueError, OSError):
            pass


def get_network(section=None, getenv=None, radio=None, **kwargs):
    """A :class:`WiFiManager` on a board with ``wifi``, a :class:`HostNetwork` on CPython.

    :param dict section: the ``network`` settings section (networks, probe interval and
        target, the Loki URL, join timeout, hostname, reconnect delays); None: the
        defaults and the settings.toml networks
    :param getenv: ``getenv(key)`` for the settings.toml secrets (the WiFi passwords)
    :param radio: the radio (default: ``wifi.radio``, or the host's network on CPython)

    Other keyword arguments go to the manager and win over the section.
    """
    from jotunheim.net.wifi import WiFiManager

    cls = WiFiManager
    if radio is None:
        try:
            import wifi  # noqa: PLC0415

            radio = wifi.radio
        except ImportError:
            from jotunheim.net.wifi import HostNetwork

            cls = HostNetwork
            if getenv is None:
                getenv = {}.get  # the host has no settings.toml secrets of a board
    section = section or {}
    kwargs.setdefault("probe", section.get("loki_url") or None)
    for key in ("probe_interval", "connect_timeout", "hostname"):
        if key in section:
            kwargs.setdefault(key, section[key])
    resilience = section.get("resilience")
    if resilience:
        value = (resilience.get("base_delay", 1.0), resilience.get("max_delay", 60.0))
        kwargs.setdefault("delays", value)
    return cls(radio, networks_from_settings(section, getenv), **kwargs)
