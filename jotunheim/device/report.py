# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""What a Device says about itself in GetDeviceStatus and Einherjar's GetCapabilities
(loaded on the first such call), and when it cannot listen."""


def listen_error(exc, host, port) -> OSError:
    """The OSError to raise when the server cannot listen on ``host:port`` (``exc``, what
    the socket raised): what went wrong and the settings that choose another port."""
    import errno

    code = exc.args[0] if exc.args else 0
    text = "port %d is already in use" % port if code == errno.EADDRINUSE else str(exc)
    return OSError(
        code,
        "cannot listen on %s:%d: %s; set remote.listen_port (and remote.host) in "
        "jotunheim.json" % (host, port, text),
    )


def status(device) -> str:
    """``ok``, ``degraded`` (something needs a look) or ``offline-loki``."""
    if device.loki_state == "offline":
        return "offline-loki"
    if device.loader is not None and device.loader.last_error:
        return "degraded"
    link = device.loki_link
    if link is not None and link.last_negotiation is not None and link.last_negotiation.failed:
        return "degraded"
    if device.resources.memory.level() != "ok":
        return "degraded"  # under the heap's warning line (resources.heap_warning)
    return "ok"


def status_info(device) -> dict:
    """Everything GetDeviceStatus reports besides the capabilities."""
    from jotunheim import log
    from jotunheim.net.report import network_status
    from jotunheim.settings.report import loader_status

    figures = device.resources.figures
    if figures[4] == figures[0]:  # no sample yet: one now
        device.sample_resources()
    loki = {"url": "", "state": "none", "error": None}
    if device.loki_link is not None:
        from jotunheim.loki import report  # the link's own status (its figures)

        loki = report.status(device.loki_link)
    ring = log.error_ring()
    from jotunheim.resources.report import monitor_report

    resources = monitor_report(device.resources)
    resources["cpu"] = cpu_report(device, resources.get("cpu_load"))
    info = {
        "status": status(device),
        "address": device.address,
        "uptime_s": int(device.clock() - device.started_at),
        "reboots": device.reboots,
        "network": network_status(device.network) if device.network is not None else None,
        "loki": loki,
        "resources": resources,
        "settings": loader_status(device.loader) if device.loader is not None else None,
        "errors": ring.entries()[-5:] if ring is not None else [],
    }
    if device.server is not None:
        http = device.server
        info["server"] = {
            "requests": http.requests,
            "refused": http.refused,
            "dropped": http.dropped,
            "busy": http.busy,
            "reclaimed": http.reclaimed,
            "connections": len(http.slots),
            "out_of_memory": http.out_of_memory_answers,
        }
    if device.ota is not None and device.ota.last is not None:
        info["ota"] = device.ota.last
    _add_optional_parts(device, info)
    return info


def _add_optional_parts(device, info) -> None:
    # Streams, discovery and the power profile exist only once configured or used.
    if device.stream_handler is not None:
        info["streams"] = device.stream_handler.status()
    if device.discovery is not None:
        info["discovery"] = device.discovery.status_dict()
    if device.power is not None:
        power = {"profile": device.settings.get("power.profile")}
        state = getattr(device.power, "state", None)
        if state is not None:
            power["state"] = state.as_dict()
        info["power"] = power


def einherjar(device):
    """The Einherjar ``CapabilityResponse`` of ``device``'s tools."""
    from jotunheim.capability.export import einherjar_answer

    return einherjar_answer(device.capabilities(), device.registry.tools())


def scheduler_report(scheduler) -> dict:
    """Overall load, steps, errors and per task: load, runs, overruns, next due."""
    from jotunheim.compat import monotonic_ms

    wall = monotonic_ms() - scheduler.started_ms
    busy = round(min(1.0, scheduler.busy_ms / wall), 4) if wall > 0 else 0.0
    wall = max(1, wall)
    now = scheduler.clock()
    tasks = {}
    for task in scheduler.tasks:  # the layout: jotunheim.device.scheduler
        tasks[task[3]] = {
            "priority": task[4],
            "load": round(task[5] / wall, 4),
            "runs": task[6],
            "overruns": task[7],
            "due_in_s": round(max(0.0, task[0] - now), 3),
        }
    return {
        "load": busy,  # share of wall time spent in tasks since the scheduler started
        "steps": scheduler.steps,
        "errors": scheduler.errors,
        "queued": len(scheduler.tasks),
        "max_queued": scheduler.max_queued,
        "tasks": tasks,
    }


def cpu_report(device, load=None) -> dict:
    """The scheduler's figures plus the Device's whole-step ``load`` (its share of the
    time between the last two samples)."""
    report = scheduler_report(device.scheduler)
    report["device_load"] = load
    return report
