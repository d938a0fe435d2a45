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


def monitor_report(monitor) -> dict:
    """A ResourceMonitor's sampled figures plus heap, buffers, CPU, bandwidth and flash."""
    out = {}
    for name, value in monitor.figures.items():
        if name != "window":  # the Device's sampling bookkeeping
            out[name] = value
    out["heap"] = memory_report(monitor.memory)
    out["buffers"] = pool_report(monitor.buffers)
    out["bandwidth"] = bandwidth_report(monitor.bandwidth)
    out["flash"] = flash(monitor.root)
    if monitor.cpu is not None:
        out["cpu"] = monitor.cpu()
    return out
