# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""MemoryMonitor: free heap against a warning line and an exhaustion line.

On CircuitPython and MicroPython the figures are the interpreter's own: ``gc.mem_free()``
and ``gc.mem_alloc()``. CPython has no fixed heap, so there the monitor measures a
:class:`jotunheim.resources.host.HostHeap`: bytes in use are tracemalloc's traced total while tracemalloc is
tracing, else the growth of the resident set (``/proc/self/statm``) since the monitor
was made; the heap's size is a simulated ``limit`` (1 GiB unless given) that a test or a
simulator lowers to squeeze the device for real: the same lines, refusals and shedding
as on a board, driven by real allocations.

A line is bytes, or a percentage of the whole heap when it is 100 or less (``10`` = 10 %);
0 switches it off.
"""

import gc

from jotunheim.resources import ResourceExhausted

OK = "ok"
WARNING = "warning"
EXHAUSTED = "exhausted"


class MemoryMonitor:
    """Free heap against two lines.

    Below ``warning``, :meth:`level` collects garbage and says ``"warning"``, and
    :meth:`shed` is True: optional work (announcements, telemetry, log persistence, OTA
    checks) waits. Below ``exhausted``, :meth:`require` refuses new work with
    :class:`~jotunheim.resources.ResourceExhausted`.

    :param warning: the warning line (bytes, or percent of the heap when <= 100)
    :param exhausted: the exhaustion line (same units)
    :param heap: an object with ``free()`` and ``used()`` (default: ``gc`` on a board,
        a :class:`jotunheim.resources.host.HostHeap` on CPython)

    Example::

        memory = MemoryMonitor(warning=16384, exhausted=8192)
        memory.require("CallTool")  # raises ResourceExhausted below 8 KB free
    """

    def __init__(self, warning=16384, exhausted=8192, heap=None) -> None:
        if heap is None and not hasattr(gc, "mem_free"):
            from jotunheim.resources.host import HostHeap  # CPython only

            heap = HostHeap()
        self.heap = heap
        self.warning = warning
        self.exhausted = exhausted
        self.warnings = 0  # times the warning line was crossed downwards
        self.refused = 0  # work refused below the exhaustion line
        self.lowest = None  # lowest free figure seen by level()/require()
        self.state = OK

    def free(self, line=0) -> int:
        """Free heap in bytes; below ``line`` (bytes) garbage is collected first (garbage
        counts as used until collected: collect only when the figure is low), and the
        lowest figure seen is kept."""
        heap = self.heap
        free = heap.free() if heap is not None else gc.mem_free()
        if line:
            if free < line:
                gc.collect()
                free = heap.free() if heap is not None else gc.mem_free()
            if self.lowest is None or free < self.lowest:
                self.lowest = free
        return free

    def used(self) -> int:
        """Heap in use in bytes."""
        if self.heap is not None:
            return self.heap.used()
        return gc.mem_alloc()

    def line(self, value) -> int:
        """A line in bytes (``value`` <= 100 is a percentage of the whole heap)."""
        if value and value <= 100:
            return int((self.free() + self.used()) * value / 100)
        return int(value or 0)

    def level(self) -> str:
        """``"ok"``, ``"warning"`` or ``"exhausted"`` (garbage collected first when low)."""
        warning = self.line(self.warning)
        free = self.free(warning or -1)
        if free >= warning:
            state = OK
        elif free >= self.line(self.exhausted):
            state = WARNING
        else:
            state = EXHAUSTED
        if state != OK and self.state == OK:
            self.warnings += 1
        self.state = state
        return state

    def shed(self) -> bool:
        """True while optional work must wait (free heap under the warning line)."""
        return self.level() != OK

    def require(self, what: str) -> None:
        """Raise ResourceExhausted if free heap is below the exhaustion line (after a
        ``gc.collect()``); ``what`` names the refused work in the message."""
        line = self.line(self.exhausted)
        free = self.free(line or -1)
        if free >= line:
            return
        self.refused += 1
        self.state = EXHAUSTED
        raise ResourceExhausted(
            "heap: %d KB free, below the %d KB exhaustion line; %s refused"
            % (free // 1024, line // 1024, what)
        )
