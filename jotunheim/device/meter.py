# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Resource figures of a running Device: free heap, CPU share and bandwidth."""

from jotunheim.compat import IS_CPYTHON, free_memory, monotonic_ms


def sample(out: dict, busy_ms: int, server) -> dict:
    """Update ``out`` with figures since its last sample and return it.

    :param out: the Device's resources dict (it keeps the sampling window's start)
    :param busy_ms: milliseconds the Device has spent working since it started
    :param server: the GrpcWebServer, whose HTTP server counts bytes in and out, or None
    """
    now = monotonic_ms()
    start = out.get("window_start_ms", now)
    elapsed = now - start
    http = server.http if server is not None else None
    rx = http.rx_bytes if http is not None else out.get("rx_bytes", 0)
    tx = http.tx_bytes if http is not None else out.get("tx_bytes", 0)
    out["free_heap"] = free_memory()  # None on CPython: no fixed heap there
    if IS_CPYTHON:
        out["host_rss_bytes"] = host_rss()
    if elapsed > 0:
        busy = busy_ms - out.get("window_busy_ms", 0)
        out["cpu_load"] = round(min(1.0, busy / elapsed), 3)
        out["rx_bytes_per_s"] = round((rx - out.get("rx_bytes", 0)) * 1000.0 / elapsed, 1)
        out["tx_bytes_per_s"] = round((tx - out.get("tx_bytes", 0)) * 1000.0 / elapsed, 1)
    out["rx_bytes"] = rx
    out["tx_bytes"] = tx
    out["sampled_ms"] = elapsed
    out["window_start_ms"] = now
    out["window_busy_ms"] = busy_ms
    return out


def host_rss():
    """The simulator's peak memory (CPython has no heap figure like ``gc.mem_free()``)."""
    try:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    except (ImportError, AttributeError):
        return None
