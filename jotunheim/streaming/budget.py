# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""StreamBudget: what a stream asks of the device's resource monitor, in one place.

``device.resources`` (``jotunheim.resources.monitor.ResourceMonitor``) has ``memory``
(``require(what)``, ``shed()``), ``buffers`` (``acquire(size)``, ``release(buf)``) and
``bandwidth`` (``count(endpoint, sent, received)``, ``allow(endpoint, nbytes, priority)``).
Without a monitor (a bare StreamingHandler, tests, the host tools) a stream allocates its
own buffer and nothing is counted or deferred.
"""

USER = 2  # jotunheim.resources.USER: streams defer to system and high-priority work


class StreamBudget:
    """:param resources: a ResourceMonitor, or None"""

    def __init__(self, resources=None) -> None:
        self.memory = getattr(resources, "memory", None)
        self.buffers = getattr(resources, "buffers", None)
        self.bandwidth = getattr(resources, "bandwidth", None)

    def require(self) -> None:
        """Raise ResourceExhausted when the heap is below the exhaustion line."""
        if self.memory is not None:
            self.memory.require("stream")

    def shed(self) -> bool:
        """True while optional work should wait (the heap crossed the warning line)."""
        return self.memory is not None and bool(self.memory.shed())

    def acquire(self, size: int):
        """A buffer of ``size`` bytes, pooled when there is a pool (it may be smaller)."""
        if self.buffers is not None:
            return self.buffers.acquire(size)
        return bytearray(size)

    def release(self, buf) -> None:
        """Give a buffer from :meth:`acquire` back."""
        if self.buffers is not None and buf is not None:
            self.buffers.release(buf)

    def allow(self, endpoint: str, nbytes: int, priority: int = USER) -> bool:
        """False while the bandwidth budget defers this stream's next ``nbytes``."""
        if self.bandwidth is None:
            return True
        return bool(self.bandwidth.allow(endpoint, nbytes, priority))

    def count(self, endpoint: str, sent: int = 0, received: int = 0) -> None:
        """Count bytes that went out or came in under ``endpoint``."""
        if self.bandwidth is not None:
            self.bandwidth.count(endpoint, sent, received)
