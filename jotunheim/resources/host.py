# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""HostHeap: what a CPython process offers in place of a board's fixed heap (CPython only:
the Device imports it only where ``gc.mem_free`` is missing)."""


class HostHeap:
    """The heap of a CPython process as a board would see it (see the module doc).

    :param limit: simulated heap size in bytes
    """

    def __init__(self, limit: int = 1 << 30) -> None:
        self.limit = limit
        self.base = resident()

    def used(self) -> int:
        """Bytes in use: tracemalloc's current total while tracing, else RSS growth."""
        import tracemalloc

        if tracemalloc.is_tracing():
            return tracemalloc.get_traced_memory()[0]
        return max(0, resident() - self.base)

    def free(self) -> int:
        """Bytes left below :attr:`limit`."""
        return max(0, self.limit - self.used())


def resident() -> int:
    """Resident set size of this process in bytes (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * 4096


def peak_rss():
    """The simulator's peak memory in bytes (the Device's ``host_rss_bytes``: CPython has
    no heap figure like ``gc.mem_free()``), or None where ``resource`` is missing."""
    try:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    except (ImportError, AttributeError):
        return None
