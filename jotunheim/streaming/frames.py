# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Stream frames on the wire (a leaf module; docs/streaming.md is the specification).

A frame is a 5-byte prefix (flag byte ``0x00``, then the message length as 4 bytes big
endian) followed by a protobuf ``jotunheim.stream.StreamChunk``. On an HTTP/1.1 chunked
body the device sends one frame per HTTP chunk. The encoder writes the header in front of a
payload that already sits in the send buffer (the producer filled it in place), so a frame
costs no copy of its payload; the decoder is incremental and hands each payload to the
caller as a memoryview into one reusable buffer.

Field numbers (proto/jotunheim_stream.proto): 1 stream_id, 2 sequence, 3 timestamp_ms,
4 payload, 5 end_of_stream, 6 kind, 7 sample_format, 8 rate. The encoder writes payload
last (protobuf parsers accept fields in any order) so it can stay where the producer put it.
"""

PREFIX_SIZE = 5
# Bytes reserved in front of a payload for the chunk-size line, the prefix and every other
# field: 10 (chunk line) + 5 + 34 (id) + 11 + 11 + 2 + 18 (kind) + 42 (format) + 6 + 6.
HEAD_ROOM = 160
MAX_ID = 32  # bytes of a stream id
MAX_KIND = 16
MAX_FORMAT = 40
MAX_FRAME = 65536  # largest message a decoder accepts unless told otherwise

_HEX = b"0123456789abcdef"


def varint_size(value: int) -> int:
    """Bytes the protobuf varint of ``value`` (>= 0) takes."""
    n = 1
    while value >= 0x80:
        value >>= 7
        n += 1
    return n


def put_varint(buf, i: int, value: int) -> int:
    """Write ``value`` as a varint at ``buf[i]``; returns the index after it."""
    while value >= 0x80:
        buf[i] = (value & 0x7F) | 0x80
        value >>= 7
        i += 1
    buf[i] = value
    return i + 1


def check_meta(stream_id, kind, sample_format) -> None:
    """Raise ValueError naming the field when a stream's names do not fit a frame."""
    for name, value, limit in (
        ("stream id", stream_id, MAX_ID),
        ("kind", kind, MAX_KIND),
        ("sample format", sample_format, MAX_FORMAT),
    ):
        if isinstance(value, str):
            value = value.encode("utf-8")
        if len(value) > limit:
            raise ValueError("%s %r is longer than %d bytes" % (name, str(value, "utf-8"), limit))
    if not stream_id:
        raise ValueError("a stream needs an id")


def _put_bytes(buf, i, tag, data) -> int:
    buf[i] = tag
    i = put_varint(buf, i + 1, len(data))
    buf[i : i + len(data)] = data
    return i + len(data)


def header_size(stream_id, seq, ts, size, end, meta) -> int:
    """Bytes of the message fields other than the payload bytes themselves."""
    n = 1 + varint_size(len(stream_id)) + len(stream_id)
    if seq:
        n += 1 + varint_size(seq)
    if ts:
        n += 1 + varint_size(ts)
    if end:
        n += 2
    if meta is not None:
        kind, fmt, rate = meta
        if kind:
            n += 1 + varint_size(len(kind)) + len(kind)
        if fmt:
            n += 1 + varint_size(len(fmt)) + len(fmt)
        if rate:
            n += 1 + varint_size(rate)
    if size:
        n += 1 + varint_size(size)
    return n


def write_frame(buf, at, size, stream_id, seq, ts, end=False, meta=None, chunked=True) -> int:
    """Write a frame's head in front of the ``size`` payload bytes at ``buf[at:]``.

    ``stream_id`` is bytes; ``meta`` is ``(kind, sample_format, rate)`` (bytes, bytes, int)
    or None. With ``chunked`` the HTTP chunk-size line goes in front and CRLF after the
    payload. Returns ``start``: the bytes to send are ``buf[start:at + size (+ 2)]``.
    ``at`` must be at least :data:`HEAD_ROOM`.
    """
    body = header_size(stream_id, seq, ts, size, end, meta) + size
    head = PREFIX_SIZE + body - size
    start = at - head
    if chunked:
        digits = 1
        while (PREFIX_SIZE + body) >> (4 * digits):
            digits += 1
        start -= digits + 2
    if start < 0:
        raise ValueError("a frame head needs %d bytes in front of the payload" % (at - start))
    i = start
    if chunked:
        frame = PREFIX_SIZE + body
        for k in range(digits - 1, -1, -1):
            buf[i] = _HEX[(frame >> (4 * k)) & 15]
            i += 1
        buf[i] = 13
        buf[i + 1] = 10
        i += 2
        buf[at + size] = 13
        buf[at + size + 1] = 10
    buf[i] = 0
    buf[i + 1] = (body >> 24) & 255
    buf[i + 2] = (body >> 16) & 255
    buf[i + 3] = (body >> 8) & 255
    buf[i + 4] = body & 255
    i = _put_bytes(buf, i + 5, 0x0A, stream_id)
    if seq:
        buf[i] = 0x10
        i = put_varint(buf, i + 1, seq)
    if ts:
        buf[i] = 0x18
        i = put_varint(buf, i + 1, ts)
    if end:
        buf[i] = 0x28
        buf[i + 1] = 1
        i += 2
    if meta is not None:
        i = _write_meta(buf, i, meta)
    if size:
        buf[i] = 0x22
        i = put_varint(buf, i + 1, size)
    if i != at:  # the size arithmetic above and the writes must agree
        raise ValueError("frame head ends at %d, payload starts at %d" % (i, at))
    return start


def _write_meta(buf, i, meta) -> int:
    kind, fmt, rate = meta
    if kind:
        i = _put_bytes(buf, i, 0x32, kind)
    if fmt:
        i = _put_bytes(buf, i, 0x3A, fmt)
    if rate:
        buf[i] = 0x40
        i = put_varint(buf, i + 1, rate)
    return i


def encode_frame(stream_id, seq, payload=b"", ts=0, end=False, meta=None) -> bytes:
    """One frame (prefix + StreamChunk, no chunk line) as bytes; for tests and host tools."""
    sid = stream_id.encode("utf-8") if isinstance(stream_id, str) else stream_id
    if meta is not None:
        meta = (_b(meta[0]), _b(meta[1]), int(meta[2] or 0))
    buf = bytearray(HEAD_ROOM + len(payload))
    buf[HEAD_ROOM:] = payload
    start = write_frame(buf, HEAD_ROOM, len(payload), sid, seq, ts, end, meta, chunked=False)
    return bytes(buf[start:])


def _b(text):
    return text.encode("utf-8") if isinstance(text, str) else bytes(text or b"")


class Frame:
    """One decoded StreamChunk. ``payload`` is a memoryview valid until the next frame."""

    def __init__(self) -> None:
        self.stream_id = ""
        self.sequence = 0
        self.timestamp_ms = 0
        self.payload = memoryview(b"")
        self.end_of_stream = False
        self.kind = ""
        self.sample_format = ""
        self.rate = 0

    def clear(self) -> None:
        """Back to the proto3 defaults (a decoder reuses one Frame)."""
        self.__init__()


class FrameDecoder:
    """Incremental frame decoder: :meth:`feed` any bytes; ``on_frame(frame)`` is called for
    each complete frame. Frames longer than ``max_frame`` bytes, a non-zero flag byte or a
    malformed message raise ``ValueError`` naming what is wrong.

    :param on_frame: called with a :class:`Frame` (reused: copy what you keep)
    :param int max_frame: largest message accepted
    :param buffer: a bytearray to collect messages in (default: one of ``max_frame`` bytes)
    """

    def __init__(self, on_frame, max_frame: int = MAX_FRAME, buffer=None) -> None:
        self.on_frame = on_frame
        self.max_frame = max_frame
        self.buf = buffer if buffer is not None else bytearray(max_frame)
        if len(self.buf) < max_frame:
            self.max_frame = len(self.buf)
        self.prefix = bytearray(PREFIX_SIZE)
        self.have = 0  # bytes of the prefix or of the message collected
        self.need = -1  # message length once the prefix is read, else -1
        self.frame = Frame()
        self.frames = 0

    @property
    def idle(self) -> bool:
        """True between frames (nothing of a next frame read yet)."""
        return self.need < 0 and self.have == 0

    def feed(self, view) -> int:
        """Consume all of ``view`` (memoryview or bytes); returns its length."""
        if not isinstance(view, memoryview):
            view = memoryview(view)
        pos = 0
        end = len(view)
        while pos < end:
            if self.need < 0:
                take = min(PREFIX_SIZE - self.have, end - pos)
                self.prefix[self.have : self.have + take] = view[pos : pos + take]
                self.have += take
                pos += take
                if self.have == PREFIX_SIZE:
                    self._start_message()
            else:
                take = min(self.need - self.have, end - pos)
                self.buf[self.have : self.have + take] = view[pos : pos + take]
                self.have += take
                pos += take
            if self.need >= 0 and self.have == self.need:
                self._finish()
        return end

    def _start_message(self) -> None:
        p = self.prefix
        if p[0] != 0:
            raise ValueError("frame flag 0x%02x: only 0x00 (uncompressed data) is defined" % p[0])
        size = (p[1] << 24) | (p[2] << 16) | (p[3] << 8) | p[4]
        if size > self.max_frame:
            raise ValueError("frame of %d bytes is over the %d allowed" % (size, self.max_frame))
        self.need = size
        self.have = 0

    def _finish(self) -> None:
        size = self.need
        self.need = -1
        self.have = 0
        parse_chunk(memoryview(self.buf)[:size], self.frame)
        self.frames += 1
        self.on_frame(self.frame)


def read_varint(view, i, end):
    """``(value, next index)`` of the varint at ``view[i]``; ValueError if cut short."""
    value = 0
    shift = 0
    while True:
        if i >= end or shift > 63:
            raise ValueError("StreamChunk: varint cut short or too long")
        b = view[i]
        i += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, i
        shift += 7


def parse_chunk(view, frame) -> None:
    """Decode a StreamChunk message into ``frame``; unknown fields are skipped."""
    frame.clear()
    i = 0
    end = len(view)
    while i < end:
        key, i = read_varint(view, i, end)
        number = key >> 3
        wire = key & 7
        if wire == 0:
            value, i = read_varint(view, i, end)
            if number == 2:
                frame.sequence = value
            elif number == 3:
                frame.timestamp_ms = value
            elif number == 5:
                frame.end_of_stream = bool(value)
            elif number == 8:
                frame.rate = value
        elif wire == 2:
            size, i = read_varint(view, i, end)
            if i + size > end:
                raise ValueError("StreamChunk: field %d runs past the message" % number)
            _set_bytes(frame, number, view[i : i + size])
            i += size
        elif wire == 1 or wire == 5:
            i += 8 if wire == 1 else 4
            if i > end:
                raise ValueError("StreamChunk: field %d runs past the message" % number)
        else:
            raise ValueError("StreamChunk: wire type %d of field %d is not valid" % (wire, number))


def _set_bytes(frame, number, data) -> None:
    if number == 4:
        frame.payload = data
    elif number in (1, 6, 7):
        try:
            text = str(bytes(data), "utf-8")
        except UnicodeError:
            raise ValueError("StreamChunk: field %d is not UTF-8" % number) from None
        if number == 1:
            frame.stream_id = text
        elif number == 6:
            frame.kind = text
        else:
            frame.sample_format = text
