# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Discovery's wiring into a Device: called by ``Device.start()`` only with
``discovery.enabled``, so the Device's own module carries none of this."""

RETRY = 30.0  # seconds between mDNS queries while no upstream answered


def discover(device) -> None:
    """Advertise the device, find its upstream (or the fallbacks behind a configured
    one), and hand the Loki link its failover.

    :param device: the Device (public API only)
    """
    discovery = device.discovery
    if discovery is None:
        discovery = _make(device)
        if discovery is None:
            return
    if device.server is not None:
        from jotunheim.discovery.records import device_txt

        discovery.advertise(device.builder.device_name(), device.port, device_txt(device))
    use_upstream(device)
    if device.loki_link is None and discovery.finds == 1:
        # Nothing answered yet: ask again now and then until something does.
        from jotunheim.resources import LOW

        device.scheduler.every("discovery", RETRY, lambda: use_upstream(device), RETRY, LOW)


def _make(device):
    from jotunheim.discovery.finder import Discovery

    mdns = device.mdns
    if mdns is None:
        try:
            import mdns  # CircuitPython; the host hands in jotunheim_host.mdns_adapter
        except ImportError:
            device.logger.error("discovery.enabled, but this port has no mdns module")
            return None
    device.discovery = Discovery(mdns, device.network.radio, device.loki_url, device.logger)
    return device.discovery


def use_upstream(device) -> bool:
    """Use the leading upstream once one is known; True when it asked the network."""
    discovery = device.discovery
    if device.loki_link is None:
        urls = discovery.find()
        if not urls:
            return True
        from jotunheim.loki import link

        link.use_loki(device, urls[0])
    elif discovery.finds:
        device.loki_link.on_lost = discovery.next_after
        return False
    else:
        discovery.find()  # the fallbacks behind the configured upstream
    device.loki_link.on_lost = discovery.next_after
    return True
