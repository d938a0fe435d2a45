# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""BufferPool: a few I/O buffers, reused call after call.

The HTTP server's receive buffer, request bodies, the gRPC client's reads and the OTA
fetcher's download chunks come from here, so a device in steady state does not allocate
a buffer per call. All pooled buffers have one size (``resources.buffer_size``); there
are at most ``resources.buffer_count``, each allocated when first needed and then held
for the whole run (a device that never has two buffers in use at once holds one). A
buffer comes back as it was left (never zeroed: callers use only the bytes they wrote).

What :meth:`BufferPool.acquire` does when no pooled buffer fits:

- asked for more than the pooled size with a ``minimum`` the pooled size meets: a free
  pooled buffer, smaller than asked (the caller works in ``len(buf)`` pieces;
  counted in ``degraded``);
- otherwise (every pooled buffer in use, or a size beyond them): a fresh
  ``bytearray(size)`` when the heap is above its exhaustion line (counted in
  ``misses``; :meth:`release` lets it go to the garbage collector);
- and when the heap is below that line: :class:`ResourceExhausted` naming the pool
  and the heap. It never waits: the device is single-threaded and cooperative.
"""

from jotunheim.resources import ResourceExhausted


class BufferPool:
    """A fixed number of same-size bytearrays.

    :param size: bytes per pooled buffer
    :param count: most pooled buffers (each allocated on first need, then held)
    :param memory: a :class:`~jotunheim.resources.memory.MemoryMonitor` asked before a
        buffer outside the pool is allocated (None: always allocate)

    Example::

        buf = pool.acquire(512)
        try:
            n = sock.recv_into(buf, 512)
        finally:
            pool.release(buf)
    """

    def __init__(self, size: int = 1024, count: int = 2, memory=None) -> None:
        self.size = size
        self.count = count
        self.memory = memory
        self.pooled = []  # the pool's buffers allocated so far
        self.free = []
        self.acquired = 0
        self.misses = 0
        self.degraded = 0
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
        for pooled in self.pooled:
            if pooled is buf:
                for known in self.free:
                    if known is buf:
                        return  # released twice: keep one entry
                self.free.append(buf)
                return
