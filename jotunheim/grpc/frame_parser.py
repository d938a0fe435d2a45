# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""FrameParser: gRPC-Web frames from a stream that arrives in pieces (client side).

It is fed whatever the network gives (a few bytes or many frames at a time) and holds
at most one frame, in a buffer it reuses, so a long stream never sits in RAM. A device
that only serves (requests arrive whole) never loads it.
"""

from jotunheim.grpc.framing import DEFAULT_MAX_MESSAGE_SIZE, FLAG_TRAILERS, check_header
from jotunheim.grpc.status import GrpcError, StatusCode


class FrameParser:
    """Incremental frame parser.

    Call :meth:`feed` with the bytes you have; it consumes bytes up to the end of the
    current frame and returns how many it took. When :attr:`ready` is true,
    :attr:`flag` and :attr:`payload` (a memoryview, valid until the next :meth:`feed`)
    describe one complete frame; call :meth:`next` before feeding more. At end of input
    call :meth:`finish`, which raises if a frame was cut short. ``buffer`` is the frame
    buffer (grown once to the largest frame seen; a caller may reuse it for a next parser).
    """

    def __init__(self, max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE, buffer=None) -> None:
        self.max_message_size = max_message_size
        self._header = bytearray(5)
        self._have_header = 0
        self.buffer = buffer if buffer is not None else bytearray(256)
        self._length = 0
        self._filled = 0
        self.ready = False
        self.flag = 0
        self.payload = memoryview(b"")
        self.seen_trailers = False
        self.frames = 0

    def next(self) -> None:
        """Release the current frame so the next one can be parsed."""
        self.ready = False
        self.payload = memoryview(b"")
        self._have_header = 0
        self._filled = 0

    @property
    def in_frame(self) -> bool:
        """True while a frame has started but is not complete."""
        return not self.ready and self._have_header > 0

    def feed(self, data) -> int:
        """Consume bytes from ``data`` (bytes-like); returns how many were used."""
        if self.ready:
            raise RuntimeError("call next() before feeding more")
        mv = data if isinstance(data, memoryview) else memoryview(data)
        n = len(mv)
        pos = 0
        if self._have_header < 5:
            take = min(5 - self._have_header, n)
            if take and self.seen_trailers:
                raise GrpcError(StatusCode.INTERNAL, "data after the trailer frame")
            self._header[self._have_header : self._have_header + take] = mv[:take]
            self._have_header += take
            pos = take
            if self._have_header < 5:
                return pos
            self._start_frame()
        take = min(self._length - self._filled, n - pos)
        if take:
            self.buffer[self._filled : self._filled + take] = mv[pos : pos + take]
            self._filled += take
            pos += take
        if self._filled == self._length:
            self.ready = True
            self.frames += 1
            self.payload = memoryview(self.buffer)[: self._length]
        return pos

    def _start_frame(self) -> None:
        h = self._header
        flag = h[0]
        length = (h[1] << 24) | (h[2] << 16) | (h[3] << 8) | h[4]
        if flag == FLAG_TRAILERS:
            self.seen_trailers = True
        check_header(flag, length, self.max_message_size)
        if length > len(self.buffer):
            # Grow once to the size needed; the buffer is kept for the next frames.
            try:
                self.buffer = bytearray(length)
            except MemoryError:
                raise GrpcError(
                    StatusCode.RESOURCE_EXHAUSTED,
                    "no memory for a %d-byte message" % length,
                ) from None
        self.flag = flag
        self._length = length
        self._filled = 0

    def finish(self) -> None:
        """Declare end of input; raises ``GrpcError(INTERNAL)`` on a cut-off frame."""
        if self.in_frame:
            if self._have_header < 5:
                raise GrpcError(StatusCode.INTERNAL, "body ends inside a frame header")
            raise GrpcError(
                StatusCode.INTERNAL,
                "body ends after %d of %d frame bytes" % (self._filled, self._length),
            )
