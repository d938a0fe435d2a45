"""gRPC-Web frames: encoding, an incremental parser and trailer parsing.

A frame is one flag byte, a 4-byte big-endian length and the payload. Flag ``0x00``
is a message, ``0x80`` the trailer frame (``name: value\\r\\n`` lines, always last);
bit ``0x01`` marks a compressed payload, which we never agree to.

:class:`FrameParser` is fed whatever the network gives (a few bytes or many frames
at a time) and holds at most one frame, in a buffer it reuses, so a long stream never
sits in RAM.
"""

from jotunheim.grpc.status import GrpcError, StatusCode

FLAG_MESSAGE = 0x00
FLAG_COMPRESSED = 0x01
FLAG_TRAILERS = 0x80

DEFAULT_MAX_MESSAGE_SIZE = 4 * 1024 * 1024
MAX_TRAILERS_SIZE = 16 * 1024


def frame_header(length: int, flag: int = FLAG_MESSAGE) -> bytes:
    """The 5-byte header of a frame."""
    return bytes(
        (flag, (length >> 24) & 0xFF, (length >> 16) & 0xFF, (length >> 8) & 0xFF, length & 0xFF)
    )


def encode_frame(payload, flag: int = FLAG_MESSAGE) -> bytes:
    """One frame holding ``payload`` (bytes-like)."""
    return frame_header(len(payload), flag) + bytes(payload)


def encode_trailers(trailers) -> bytes:
    """The payload of a trailer frame from a dict or a list of (name, value) pairs.

    Names are lower-cased; values must already be header-safe (percent-encode
    ``grpc-message`` with :func:`jotunheim.grpc.status.percent_encode`)."""
    items = trailers.items() if hasattr(trailers, "items") else trailers
    out = []
    for name, value in items:
        out.append(str(name).lower() + ": " + str(value) + "\r\n")
    return "".join(out).encode("utf-8")


def encode_trailer_frame(trailers) -> bytes:
    """A complete trailer frame."""
    return encode_frame(encode_trailers(trailers), FLAG_TRAILERS)


def __getattr__(name):
    # Reading trailers is client-side only: parse_trailers and trailer_status live in
    # status_decode (loaded on first use); importing them from here still works.
    if name in ("parse_trailers", "trailer_status"):
        module = __import__("jotunheim.grpc.status_decode", None, None, (name,))
        return getattr(module, name)
    raise AttributeError(name)


class FrameParser:
    """Incremental frame parser.

    Call :meth:`feed` with the bytes you have; it consumes bytes up to the end of the
    current frame and returns how many it took. When :attr:`ready` is true,
    :attr:`flag` and :attr:`payload` (a memoryview, valid until the next :meth:`feed`)
    describe one complete frame; call :meth:`next` before feeding more. At end of input
    call :meth:`finish`, which raises if a frame was cut short.
    """

    def __init__(self, max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE, buffer=None) -> None:
        self.max_message_size = max_message_size
        self._header = bytearray(5)
        self._have_header = 0
        self._buffer = buffer if buffer is not None else bytearray(256)
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
            self._buffer[self._filled : self._filled + take] = mv[pos : pos + take]
            self._filled += take
            pos += take
        if self._filled == self._length:
            self.ready = True
            self.frames += 1
            self.payload = memoryview(self._buffer)[: self._length]
        return pos

    def _start_frame(self) -> None:
        h = self._header
        flag = h[0]
        length = (h[1] << 24) | (h[2] << 16) | (h[3] << 8) | h[4]
        if flag & FLAG_COMPRESSED:
            raise GrpcError(StatusCode.INTERNAL, "compressed frame, but no compression agreed")
        if flag not in (FLAG_MESSAGE, FLAG_TRAILERS):
            raise GrpcError(StatusCode.INTERNAL, "unknown frame flag 0x%02x" % flag)
        if flag == FLAG_TRAILERS:
            self.seen_trailers = True
            if length > MAX_TRAILERS_SIZE:
                raise GrpcError(
                    StatusCode.INTERNAL, "trailer frame of %d bytes is too large" % length
                )
        elif length > self.max_message_size:
            raise GrpcError(
                StatusCode.RESOURCE_EXHAUSTED,
                "response message of %d bytes exceeds the limit of %d"
                % (length, self.max_message_size),
            )
        if length > len(self._buffer):
            # Grow once to the size needed; the buffer is kept for the next frames.
            try:
                self._buffer = bytearray(length)
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
