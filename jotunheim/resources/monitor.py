# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""ResourceMonitor: the device's one view of heap, buffers, CPU time, bandwidth and flash,
and its parts: MemoryMonitor (heap lines), BufferPool (I/O buffers), Bandwidth (bytes per
endpoint, a budget per window). One module: a board holds all of them for the whole run.

Built by the Device at its wiring point (``device.resources``) from the ``resources``
settings; its parts make decisions; what GetDeviceStatus and ``jotunheim inspect`` show
of it is :func:`jotunheim.resources.report.monitor_report` (loaded on a status call).

Heap (MemoryMonitor). On CircuitPython and MicroPython the figures are the interpreter's
own: ``gc.mem_free()`` and ``gc.mem_alloc()``. CPython has no fixed heap, so there the
monitor measures a :class:`jotunheim.resources.host.HostHeap`: bytes in use are
tracemalloc's traced total while tracemalloc is tracing, else the growth of the resident
set (``/proc/self/statm``) since the monitor was made; the heap's size is a simulated
``limit`` (1 GiB unless given) that a test or a simulator lowers to squeeze the device for
real: the same lines, refusals and shedding as on a board, driven by real allocations.
A line is bytes, or a percentage of the whole heap when it is 100 or less (``10`` = 10 %);
0 switches it off.

Buffers (BufferPool). The HTTP server's receive buffer, request bodies, the gRPC client's
reads and the OTA fetcher's download chunks come from here, so a device in steady state
does not allocate a buffer per call. All pooled buffers have one size
(``resources.buffer_size``); there are at most ``resources.buffer_count``, each allocated
when first needed and then held for the whole run (a device that never has two buffers in
use at once holds one). A buffer comes back as it was left (never zeroed: callers use only
the bytes they wrote). What :meth:`BufferPool.acquire` does when no pooled buffer fits:

- asked for more than the pooled size with a ``minimum`` the pooled size meets: a free
  pooled buffer, smaller than asked (the caller works in ``len(buf)`` pieces;
  counted in ``degraded``);
- otherwise (every pooled buffer in use, or a size beyond them): a fresh
  ``bytearray(size)`` when the heap is above its exhaustion line (counted in
  ``misses``; :meth:`BufferPool.release` lets it go to the garbage collector);
- and when the heap is below that line: :class:`ResourceExhausted` naming the pool
  and the heap. It never waits: the device is single-threaded and cooperative.

Bandwidth. Transports count where they already know how many bytes moved (the HTTP server
once per answered request and per closed connection, the gRPC client once per call, the
OTA fetcher once per chunk), never by wrapping every socket. Endpoint names: ``"loki"``,
``"ota"``, ``"client:<ip>"`` (clients of the device's own server), ``"stream:<id>"``.
With a budget (``resources.bandwidth_budget`` bytes per ``resources.bandwidth_window``
seconds; 0 = none), :meth:`Bandwidth.allow` defers traffic of ``USER`` and ``LOW``
priority once the window's bytes would pass the budget; ``HIGH`` and ``SYSTEM`` traffic
(tool calls and their answers, OTA confirm) is never deferred, only counted.
"""

import gc

from jotunheim.compat import run_and_forget
from jotunheim.resources import HIGH, ResourceExhausted

SETUP = "jotunheim.resources.setup"  # building a ResourceMonitor from settings
MAX_ENDPOINTS = 16  # beyond this many names, bytes are counted under "other"
# An endpoint's entry is a list: [sent bytes, received bytes, transfers deferred].


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

    warnings = 0  # times the warning line was crossed downwards
    refused = 0  # work refused below the exhaustion line
    lowest = None  # lowest free figure seen by level()/require()
    state = "ok"

    def __init__(self, warning=16384, exhausted=8192, heap=None) -> None:
        if heap is None and not hasattr(gc, "mem_free"):
            from jotunheim.resources.host import HostHeap  # CPython only

            heap = HostHeap()
        self.heap = heap
        self.warning = warning
        self.exhausted = exhausted

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
        return self.heap.used() if self.heap is not None else gc.mem_alloc()

    def line(self, value) -> int:
        """A line in bytes (``value`` <= 100 is a percentage of the whole heap)."""
        if value and value <= 100:
            return int((self.free() + self.used()) * value / 100)
        return int(value or 0)

    def level(self) -> str:
        """``"ok"``, ``"warning"`` or ``"exhausted"`` (garbage collected first when low)."""
        line = self.line(self.warning)
        free = self.free(line or -1)
        state = "ok"
        if free < line:
            state = "warning" if free >= self.line(self.exhausted) else "exhausted"
            if self.state == "ok":
                self.warnings += 1
        self.state = state
        return state

    def shed(self) -> bool:
        """True while optional work must wait (free heap under the warning line)."""
        return self.level() != "ok"

    def require(self, what: str) -> None:
        """Raise ResourceExhausted if free heap is below the exhaustion line (after a
        ``gc.collect()``); ``what`` names the refused work in the message."""
        line = self.line(self.exhausted)
        free = self.free(line or -1)
        if free >= line:
            return
        self.refused += 1
        self.state = "exhausted"
        raise ResourceExhausted(
            "heap: %d KB free, below the %d KB exhaustion line; %s refused"
            % (free // 1024, line // 1024, what)
        )


class BufferPool:
    """A fixed number of same-size bytearrays (see the module doc).

    :param size: bytes per pooled buffer
    :param count: most pooled buffers (each allocated on first need, then held)
    :param memory: a :class:`MemoryMonitor` asked before a buffer outside the pool is
        allocated (None: always allocate)

    Example::

        buf = pool.acquire(512)
        try:
            n = sock.recv_into(buf, 512)
        finally:
            pool.release(buf)
    """

    acquired = 0
    misses = 0
    degraded = 0

    def __init__(self, size: int = 1024, count: int = 2, memory=None) -> None:
        self.size = size
        self.count = count
        self.memory = memory
        self.pooled = []  # the pool's buffers allocated so far
        self.free = []
        self.least_free = count

    def acquire(self, size: int, minimum: int = 0) -> bytearray:
        """A buffer of at least ``size`` bytes (or of at least ``minimum`` when the pool
        can give only that); see the module doc for what happens when none is free."""
        self.acquired += 1
        free = self.free
        pooled = self.pooled
        if size <= self.size or 0 < minimum <= self.size:
            if not free and len(pooled) < self.count:
                free.append(bytearray(self.size))  # the pool's next buffer, held from now
                pooled.append(free[-1])
            if free:
                if size > self.size:
                    self.degraded += 1
                buf = free.pop()
                self.least_free = min(self.least_free, self.count - len(pooled) + len(free))
                return buf
        if self.memory is not None:
            try:
                self.memory.require("a %d-byte buffer" % size)
            except ResourceExhausted as exc:
                raise ResourceExhausted(
                    "buffers: %d of %d in use; %s" % (len(pooled) - len(free), self.count, exc)
                )
        self.misses += 1
        return bytearray(size)

    def release(self, buf) -> None:
        """Give back a buffer from :meth:`acquire` (one from outside the pool is dropped)."""
        free = self.free
        for pooled in self.pooled:
            if pooled is buf:
                i = len(free)  # by identity, not ==: two buffers may hold equal bytes
                while i:
                    i -= 1
                    if free[i] is buf:
                        return  # released twice: keep one entry
                free.append(buf)
                return


class Bandwidth:
    """Counts bytes per endpoint and decides whether low-priority traffic may go now
    (see the module doc).

    :param budget: bytes per window (0 = no budget: nothing is deferred)
    :param window: seconds per window
    :param clock: seconds, monotonic

    Example::

        if bandwidth.allow("loki", 600, LOW):
            send_announcement()
        bandwidth.count("loki", sent=600, received=40)
    """

    window_bytes = 0
    last_window_bytes = 0
    deferred = 0

    def __init__(self, budget: int = 0, window: float = 60.0, clock=None) -> None:
        if clock is None:
            from jotunheim.compat import monotonic as clock
        self.clock = clock
        self.budget = budget
        self.window = window
        self.endpoints = {}  # name -> [sent, received, deferred]
        self.window_start = clock()

    def roll(self) -> None:
        """Start a new window once the current one is over."""
        now = self.clock()
        if now - self.window_start >= self.window:
            self.last_window_bytes = self.window_bytes
            self.window_bytes = 0
            self.window_start = now

    def count(self, endpoint: str, sent: int = 0, received: int = 0) -> list:
        """Add bytes that moved to and from ``endpoint``; returns its
        ``[sent, received, deferred]`` entry (``"other"``'s beyond MAX_ENDPOINTS names)."""
        endpoints = self.endpoints
        entry = endpoints.get(endpoint)
        if entry is None:
            if len(endpoints) >= MAX_ENDPOINTS:
                endpoint = "other"
                entry = endpoints.get(endpoint)
            if entry is None:
                entry = endpoints[endpoint] = [0, 0, 0]
        entry[0] += sent
        entry[1] += received
        self.roll()
        self.window_bytes += sent + received
        return entry

    def allow(self, endpoint: str, size: int, priority: int) -> bool:
        """False when a transfer of ``size`` bytes at ``priority`` should wait for the next
        window (counted as deferred); always True for ``HIGH`` and ``SYSTEM``."""
        if not self.budget or priority <= HIGH:
            return True
        self.roll()
        if self.window_bytes + size <= self.budget:
            return True
        self.deferred += 1
        self.count(endpoint)[2] += 1
        return False


class ResourceMonitor:
    """``memory`` (:class:`MemoryMonitor`), ``buffers`` (:class:`BufferPool`) and
    ``bandwidth`` (:class:`Bandwidth`), configured from settings.

    :param settings: a Settings (``get(path)``, every key set) or None for the defaults
    :param clock: seconds, monotonic
    :param root: the filesystem whose free space is reported (CIRCUITPY)
    :param cpu: callable returning a dict of CPU figures for its report (the Device adds
        its scheduler's in its status instead)
    :param heap: passed to :class:`MemoryMonitor` (a :class:`HostHeap` to squeeze)
    """

    cpu = None

    def __init__(self, settings=None, clock=None, root="/", cpu=None, heap=None) -> None:
        # Building from settings is in jotunheim.resources.setup, forgotten once done.
        run_and_forget(SETUP, "build", self, settings, clock, root, cpu, heap)
