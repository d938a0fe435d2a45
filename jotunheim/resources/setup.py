# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Building a ResourceMonitor: its parts made from the ``resources`` settings, and those
settings applied again on a hot reload. The monitor forgets this module after each use
(:func:`jotunheim.compat.run_and_forget`): on a board its code goes back to the heap for
the rest of the run, and a reload imports it again. It defines no classes and keeps no
state (see :func:`jotunheim.compat.forget`)."""

from jotunheim.compat import monotonic_ms
from jotunheim.resources.monitor import Bandwidth, BufferPool, MemoryMonitor


def build(monitor, settings, clock, root, cpu, heap) -> None:
    """Make ``monitor``'s parts (see :class:`~jotunheim.resources.monitor.ResourceMonitor`)."""
    if settings is None:
        from jotunheim.settings.loader import Settings

        settings = Settings()  # the schema's defaults
    section = settings.section("resources")  # one parse for its keys
    monitor.memory = memory = MemoryMonitor(heap=heap)
    monitor.buffers = BufferPool(section.get("buffer_size"), section.get("buffer_count"), memory)
    monitor.bandwidth = Bandwidth(clock=clock)
    configure(monitor, settings)
    monitor.root = root
    if cpu is not None:
        monitor.cpu = cpu
    # The Device's samples (Device.sample_resources): [ms, busy ms, bytes received,
    # bytes sent] of the sample before, the same of the last one, then the free heap.
    # The first window starts now (with the Device).
    now = monotonic_ms()
    monitor.figures = [now, 0, 0, 0, now, 0, 0, 0, None]


def configure(monitor, settings) -> None:
    """Apply the heap lines and the bandwidth budget of ``settings`` to ``monitor`` (also
    on a settings hot reload; the pool keeps its buffers until the next start)."""
    section = settings.section("resources")  # one parse for its keys
    memory = monitor.memory
    bandwidth = monitor.bandwidth
    memory.warning = section.get("heap_warning")
    memory.exhausted = section.get("heap_exhausted")
    bandwidth.budget = section.get("bandwidth_budget")
    bandwidth.window = section.get("bandwidth_window")
