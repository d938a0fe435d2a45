# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""ResourceMonitor: the device's one view of heap, buffers, CPU time, bandwidth and flash.

Built by the Device at its wiring point (``device.resources``) from the ``resources``
settings; its parts make decisions, its :meth:`ResourceMonitor.report` is what
GetDeviceStatus and ``jotunheim inspect`` show.
"""

from jotunheim.resources.bandwidth import Bandwidth
from jotunheim.resources.memory import MemoryMonitor
from jotunheim.resources.pool import BufferPool


def setting(settings, path):
    """``settings.get(path)``, or the schema's default when there are no settings."""
    value = settings.get(path) if settings is not None else None
    if value is None:
        from jotunheim.settings.schema import row

        value = row(path)[2]
    return value


class ResourceMonitor:
    """``memory`` (:class:`MemoryMonitor`), ``buffers`` (:class:`BufferPool`) and
    ``bandwidth`` (:class:`Bandwidth`), configured from settings.

    :param settings: a Settings (``get(path)``) or None for the defaults
    :param clock: seconds, monotonic
    :param root: the filesystem whose free space is reported (CIRCUITPY)
    :param cpu: callable returning a dict of CPU figures (the Device's scheduler load)
    :param heap: passed to :class:`MemoryMonitor` (a :class:`HostHeap` to squeeze)
    """

    def __init__(self, settings=None, clock=None, root="/", cpu=None, heap=None) -> None:
        self.memory = MemoryMonitor(heap=heap)
        self.buffers = BufferPool(
            setting(settings, "resources.buffer_size"),
            setting(settings, "resources.buffer_count"),
            self.memory,
        )
        self.bandwidth = Bandwidth(clock=clock)
        self.configure(settings)
        self.root = root
        self.cpu = cpu
        self.figures = {}  # the sampled figures (Device.sample_resources keeps them here)

    def configure(self, settings) -> None:
        """Apply the heap lines and the bandwidth budget of ``settings`` (also on a
        settings hot reload; the pool keeps its buffers until the next start)."""
        memory = self.memory
        bandwidth = self.bandwidth
        memory.warning = setting(settings, "resources.heap_warning")
        memory.exhausted = setting(settings, "resources.heap_exhausted")
        bandwidth.budget = setting(settings, "resources.bandwidth_budget")
        bandwidth.window = setting(settings, "resources.bandwidth_window")

    def report(self) -> dict:
        """Sampled figures plus heap, buffers, CPU, bandwidth and flash sections (built
        by :mod:`jotunheim.resources.report`, loaded on the first status call)."""
        from jotunheim.resources import report

        return report.monitor_report(self)
