"""What a Device says about itself in GetDeviceStatus (loaded on the first status call)."""

from jotunheim.compat import IS_CPYTHON

LOW_MEMORY = 8192  # free heap below this marks the device degraded


def status(device) -> str:
    """``ok``, ``degraded`` (something needs a look) or ``offline-loki``."""
    if device.loki_state == "offline":
        return "offline-loki"
    if device.loader is not None and device.loader.last_error:
        return "degraded"
    link = device.loki_link
    if link is not None and link.last_negotiation is not None and link.last_negotiation.failed:
        return "degraded"
    free = device.resources.get("free_heap")
    if free is not None and not IS_CPYTHON and free < LOW_MEMORY:
        return "degraded"
    return "ok"


def status_info(device) -> dict:
    """Everything GetDeviceStatus reports besides the capabilities."""
    from jotunheim import log

    if "rx_bytes" not in device.resources:
        device.sample_resources()
    if device.loki_link is not None:
        loki = device.loki_link.status_dict()
    else:
        loki = {"url": "", "state": "none", "error": None}
    ring = log.error_ring()
    resources = {}
    for name, value in device.resources.items():
        if not name.startswith("window_"):
            resources[name] = value
    info = {
        "status": status(device),
        "address": device.address,
        "uptime_s": int(device.clock() - device.started_at),
        "reboots": device.reboots,
        "network": device.network.status_dict() if device.network is not None else None,
        "loki": loki,
        "resources": resources,
        "settings": device.loader.as_dict() if device.loader is not None else None,
        "errors": ring.entries()[-5:] if ring is not None else [],
    }
    if device.server is not None:
        http = device.server.http
        info["server"] = {
            "requests": http.requests,
            "refused": http.refused,
            "dropped": http.dropped,
            "busy": http.busy,
            "reclaimed": http.reclaimed,
            "connections": len(http.slots),
        }
    if device.ota is not None and device.ota.last is not None:
        info["ota"] = device.ota.last
    return info
