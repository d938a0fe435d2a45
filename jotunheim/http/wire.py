# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""HTTP/1.1 wire helpers shared by the client and the server (a leaf module).

One chunk-size parser serves both sides, so a chunked body is held to the same rules
whichever way it travels: the size is 1 to 8 hex digits (either case), extensions after
``;`` are ignored, and chunk data must be followed by CRLF.
"""

import errno

MAX_CHUNK_LINE = 64  # a chunk-size line longer than this is refused


def chunk_size(line) -> int:
    """The size on a chunk-size line (bytes without CRLF); ValueError if malformed."""
    text = bytes(line).split(b";", 1)[0].strip()
    if not text or len(text) > 8:
        raise ValueError("bad chunk size %r" % bytes(line[:20]))
    size = 0
    for ch in text:
        if 48 <= ch <= 57:
            digit = ch - 48
        elif 65 <= ch <= 70:
            digit = ch - 55
        elif 97 <= ch <= 102:
            digit = ch - 87
        else:
            raise ValueError("bad chunk size %r" % bytes(line[:20]))
        size = size * 16 + digit
    return size


def would_block(exc) -> bool:
    """True for "nothing ready yet" on a non-blocking socket (EAGAIN / EWOULDBLOCK)."""
    return isinstance(exc, OSError) and bool(exc.args) and exc.args[0] == errno.EAGAIN


class ChunkedDecoder:
    """Decodes a chunked body incrementally: :meth:`feed` whatever arrives.

    Data bytes go to ``sink(memoryview)`` as they are decoded; only a chunk-size or
    trailer line is buffered (at most :data:`MAX_CHUNK_LINE` / ``max_trailers`` bytes),
    so a long body never sits here. Malformed input raises ``ValueError`` naming it.

    :param sink: called with each piece of chunk data
    :param int max_trailers: bytes of trailer lines accepted after the last chunk
    """

    def __init__(self, sink, max_trailers: int = 1024) -> None:
        self.sink = sink
        self.max_trailers = max_trailers
        self.done = False
        self._line = bytearray()
        self._left = 0  # data bytes left in the current chunk
        self._state = 0  # 0 size line, 1 data, 2 CRLF after data, 3 trailer lines
        self._trailer_bytes = 0

    def feed(self, view) -> int:
        """Consume bytes of ``view`` (a memoryview); returns how many were used. Stops
        at the end of the body (``done``), leaving what follows (a next request)."""
        pos = 0
        end = len(view)
        while pos < end and not self.done:
            if self._state == 1:
                n = min(self._left, end - pos)
                self.sink(view[pos : pos + n])
                pos += n
                self._left -= n
                if not self._left:
                    self._state = 2
            else:
                pos = self._take_line(view, pos, end)
        return pos

    def _take_line(self, view, pos, end) -> int:
        # Collect bytes up to LF into the line buffer, then act on the line.
        line = self._line
        limit = self.max_trailers if self._state == 3 else MAX_CHUNK_LINE
        while pos < end:
            ch = view[pos]
            pos += 1
            if ch == 10:
                self._line_done(line)
                return pos
            line.append(ch)
            if len(line) > limit:
                raise ValueError("chunk line longer than %d bytes" % limit)
        return pos

    def _line_done(self, line) -> None:
        if not line or line[-1] != 13:
            raise ValueError("chunk line not ended by CRLF")
        text = bytes(line[:-1])
        self._line = bytearray()
        if self._state == 2:
            if text:
                raise ValueError("chunk data not followed by CRLF")
            self._state = 0
        elif self._state == 0:
            self._left = chunk_size(text)
            self._state = 1 if self._left else 3
        elif not text:
            self.done = True  # the blank line after the last chunk (and any trailers)
        else:
            self._trailer_bytes += len(text)
            if self._trailer_bytes > self.max_trailers:
                raise ValueError("chunked trailers longer than %d bytes" % self.max_trailers)


def feed_request_body(request, view, max_body, drain_limit) -> int:
    """The server's side of a chunked request body (a
    :class:`jotunheim.http.server.Request` in state ``chunked``): ``view`` goes to
    ``request.stream``, a :class:`ChunkedDecoder` made at the first call whose data lands
    in ``request.body``, measured after each piece: past ``max_body`` the request is too
    large and the rest is decoded only to find its end, read and dropped up to
    ``drain_limit`` bytes (413 beyond). Returns the bytes of ``view`` used."""
    if request.stream is None:
        request.body = bytearray()
        request.stream = ChunkedDecoder(request.body.extend)  # until the body is done
    n = request.stream.feed(view)
    if request.too_large:
        request.drop_left -= n  # read and dropped, up to drain_limit
        if -request.drop_left > drain_limit:
            raise ValueError(413, "chunked body over %d bytes" % drain_limit)
    elif len(request.body) > max_body:
        request.too_large = True
        request.body = b""
        request.stream.sink = len  # a sink that keeps nothing
    return n
