# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""What the resources say in GetDeviceStatus and ``jotunheim inspect`` (loaded on the
first status call, so the base path does not hold it)."""

# An endpoint's entry: [sent, received, deferred] (jotunheim.resources.monitor.Bandwidth)
SENT = 0
RECEIVED = 1
DEFERRED = 2


def memory_report(memory) -> dict:
    """Free/used heap, the lines in bytes, the level and the counters of a MemoryMonitor."""
    level = memory.level()
    return {
        "free": memory.free(),
        "used": memory.used(),
        "level": level,
        "warning_line": memory.line(memory.warning),
        "exhausted_line": memory.line(memory.exhausted),
        "largest_free": None,  # neither CircuitPython nor MicroPython's gc says it
        "lowest_free": memory.lowest,
        "warnings": memory.warnings,
        "refused": memory.refused,
    }


def pool_report(pool) -> dict:
    """Size and use counters of a BufferPool."""
    return {
        "size": pool.size,
        "count": pool.count,
        "free": pool.count - len(pool.pooled) + len(pool.free),  # unallocated ones are free
        "least_free": pool.least_free,
        "acquired": pool.acquired,
        "misses": pool.misses,
        "degraded": pool.degraded,
    }


def totals(bandwidth) -> tuple:
    """``(sent, received)`` of a Bandwidth over every endpoint."""
    sent = received = 0
    for entry in bandwidth.endpoints.values():
        sent += entry[SENT]
        received += entry[RECEIVED]
    return sent, received


def bandwidth_report(bandwidth) -> dict:
    """The budget, this window's bytes, deferrals and the figures per endpoint."""
    bandwidth.roll()
    endpoints = {}
    for name, entry in bandwidth.endpoints.items():
        endpoints[name] = {"sent": entry[SENT], "received": entry[RECEIVED]}
        if entry[DEFERRED]:
            endpoints[name]["deferred"] = entry[DEFERRED]
    return {
        "budget": bandwidth.budget,
        "window_s": bandwidth.window,
        "window_bytes": bandwidth.window_bytes,
        "last_window_bytes": bandwidth.last_window_bytes,
        "deferred": bandwidth.deferred,
        "endpoints": endpoints,
    }


def flash(root) -> dict:
    """Free and total bytes of the filesystem at ``root`` (None where unknown)."""
    import os

    try:
        st = os.statvfs(root)
    except (OSError, AttributeError):
        return {"free": None, "total": None}
    return {"free": st[1] * st[4], "total": st[1] * st[2]}


def sampled(figures) -> dict:
    """What the Device's last two samples (``ResourceMonitor.figures``) say: ``free_heap``
    (on CPython, which has no fixed heap, ``host_rss_bytes`` instead), ``cpu_load`` (the
    share of the time between them spent in steps), ``rx_bytes``/``tx_bytes`` of the
    server and their rates per second, ``sampled_ms`` (the time between them)."""
    ms = figures[4] - figures[0]
    out = {
        "free_heap": figures[8],
        "rx_bytes": figures[6],
        "tx_bytes": figures[7],
        "sampled_ms": ms,
    }
    if figures[8] is None:
        from jotunheim.compat import IS_CPYTHON

        if IS_CPYTHON:
            from jotunheim.resources import host

            out["host_rss_bytes"] = host.peak_rss()
    if ms > 0:
        out["cpu_load"] = round(min(1.0, (figures[5] - figures[1]) / ms), 3)
        out["rx_bytes_per_s"] = round((figures[6] - figures[2]) * 1000.0 / ms, 1)
        out["tx_bytes_per_s"] = round((figures[7] - figures[3]) * 1000.0 / ms, 1)
    return out


def monitor_report(monitor) -> dict:
    """A ResourceMonitor's sampled figures (:func:`sampled`) plus heap, buffers, CPU,
    bandwidth and flash."""
    out = sampled(monitor.figures)
    out["heap"] = memory_report(monitor.memory)
    out["buffers"] = pool_report(monitor.buffers)
    out["bandwidth"] = bandwidth_report(monitor.bandwidth)
    out["flash"] = flash(monitor.root)
    if monitor.cpu is not None:
        out["cpu"] = monitor.cpu()
    return out
