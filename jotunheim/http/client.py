# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The small HTTP/1.1 layer under the gRPC-Web client.

Requests go out in one ``send`` (head and body together): ``adafruit_requests`` writes a
POST in many small sends, and Nagle's algorithm plus the peer's delayed ACK then cost
~40 ms per call. Responses are read with ``recv_into`` into one reusable buffer; the body
reader understands ``Content-Length``, chunked transfer (hex sizes in either case,
extensions, trailers) and read-until-close, and enforces the call's deadline on every
receive.
"""

from jotunheim.compat import monotonic_ms
from jotunheim.grpc.status import GrpcError, StatusCode
from jotunheim.http.wire import chunk_size

try:
    from typing import Optional  # noqa: F401  (annotations only)
except ImportError:
    pass

_EAGAIN = 11
_ETIMEDOUT = (110, 116)  # Linux, lwIP/CircuitPython
MAX_HEAD_SIZE = 8192


def is_timeout(exc: BaseException) -> bool:
    """True for a socket timeout on CPython (``TimeoutError``) or CircuitPython
    (``OSError(ETIMEDOUT)`` / ``OSError(EAGAIN)`` from a socket with a timeout)."""
    name = type(exc).__name__
    if name in ("timeout", "TimeoutError"):
        return True
    if isinstance(exc, OSError) and exc.args:
        return exc.args[0] in _ETIMEDOUT or exc.args[0] == _EAGAIN
    return False


class Deadline:
    """A point in time (ms on the monotonic clock) or ``None`` for no deadline."""

    def __init__(self, timeout) -> None:
        self.timeout = timeout
        self.at = None if timeout is None else monotonic_ms() + int(timeout * 1000)

    def remaining(self):
        """Seconds left (float, may be <= 0) or None."""
        if self.at is None:
            return None
        return (self.at - monotonic_ms()) / 1000.0

    def expired(self) -> bool:
        """True once the deadline has passed (never without one)."""
        return self.at is not None and monotonic_ms() >= self.at

    def check(self) -> None:
        """Raise a ``DEADLINE_EXCEEDED`` :class:`GrpcError` if the deadline has passed."""
        if self.expired():
            raise deadline_error(self)

    def header_value(self) -> str:
        """``grpc-timeout`` value: at most 8 digits and a unit."""
        ms = max(1, int(self.remaining() * 1000))
        if ms < 100000000:
            return str(ms) + "m"
        seconds = ms // 1000
        if seconds < 100000000:
            return str(seconds) + "S"
        return str(min(seconds // 3600, 99999999)) + "H"


def deadline_error(deadline: Deadline) -> GrpcError:
    """The ``DEADLINE_EXCEEDED`` :class:`GrpcError` for an exceeded ``deadline``."""
    return GrpcError(
        StatusCode.DEADLINE_EXCEEDED,
        "deadline of %.3f s exceeded" % deadline.timeout,
    )


def set_timeout(sock, deadline: Deadline, cap=None) -> None:
    """Give the socket the time left until the deadline (or ``cap`` seconds)."""
    remaining = deadline.remaining()
    if remaining is not None:
        if remaining <= 0:
            raise deadline_error(deadline)
        if cap is not None and cap < remaining:
            remaining = cap
    elif cap is not None:
        remaining = cap
    sock.settimeout(remaining)


def network_error(exc: BaseException, deadline: Deadline, doing: str) -> GrpcError:
    """Map a socket exception to DEADLINE_EXCEEDED or UNAVAILABLE."""
    if is_timeout(exc) and deadline.at is not None:
        return deadline_error(deadline)
    detail = type(exc).__name__
    if exc.args:
        detail += " " + str(exc.args[0])
    return GrpcError(StatusCode.UNAVAILABLE, doing + " failed: " + detail)


def send_all(sock, data, deadline: Deadline) -> None:
    """Write all of ``data`` (one ``send`` in the common case)."""
    view = memoryview(data)
    total = len(view)
    sent = 0
    while sent < total:
        set_timeout(sock, deadline)
        try:
            n = sock.send(view[sent:])
        except OSError as exc:
            if exc.args and exc.args[0] == _EAGAIN and not deadline.expired():
                continue
            raise network_error(exc, deadline, "send") from None
        if n is None:  # some CircuitPython sockets return None for "all of it"
            n = total - sent
        if n == 0:
            raise GrpcError(StatusCode.UNAVAILABLE, "send failed: connection closed")
        sent += n


def build_request_head(method: str, host: str, path: str, headers) -> bytes:
    """``POST`` request line plus headers (list of (name, value)), ending in a blank line."""
    parts = [method, " ", path, " HTTP/1.1\r\nHost: ", host, "\r\n"]
    for name, value in headers:
        parts.append(name)
        parts.append(": ")
        parts.append(value)
        parts.append("\r\n")
    parts.append("\r\n")
    return "".join(parts).encode("utf-8")


class HttpResponse:
    """Reads one HTTP/1.x response from a socket.

    ``buffer`` is a reusable bytearray for the head and small reads; the head may not
    exceed :data:`MAX_HEAD_SIZE`. Malformed responses raise ``GrpcError(INTERNAL)``,
    network failures UNAVAILABLE, an expired deadline DEADLINE_EXCEEDED.
    """

    def __init__(self, sock, deadline: Deadline, buffer=None) -> None:
        self.sock = sock
        self.deadline = deadline
        self._buf = buffer if buffer is not None else bytearray(1024)
        self._start = 0
        self._end = 0
        self.bytes_received = 0
        self.status = 0
        self.version = ""
        self.headers = {}
        self.keep_alive = False
        self.done = False
        self._length = None  # bytes left with Content-Length
        self._chunked = False
        self._chunk_left = 0
        self._chunk_started = False

    # -- receiving -------------------------------------------------------------------

    def _recv(self, view) -> int:
        while True:
            set_timeout(self.sock, self.deadline)
            try:
                n = self.sock.recv_into(view, len(view))
            except OSError as exc:
                if (
                    exc.args
                    and exc.args[0] == _EAGAIN
                    and self.deadline.at is None
                    and type(exc).__name__ not in ("timeout", "TimeoutError")
                ):
                    continue
                raise network_error(exc, self.deadline, "receive") from None
            self.bytes_received += n
            return n

    def _fill(self) -> int:
        """Read more bytes into the buffer, compacting first; returns bytes read."""
        buf = self._buf
        if self._start:
            left = self._end - self._start
            buf[:left] = buf[self._start : self._end]
            self._start = 0
            self._end = left
        if self._end == len(buf):
            if len(buf) >= MAX_HEAD_SIZE:
                raise GrpcError(StatusCode.INTERNAL, "response head larger than %d" % MAX_HEAD_SIZE)
            bigger = bytearray(min(len(buf) * 2, MAX_HEAD_SIZE))
            bigger[: self._end] = buf[: self._end]
            self._buf = buf = bigger
        n = self._recv(memoryview(buf)[self._end :])
        self._end += n
        return n

    def _line(self, what: str) -> bytes:
        """One CRLF-terminated line (without the CRLF)."""
        while True:
            i = self._buf.find(b"\r\n", self._start, self._end)
            if i >= 0:
                line = bytes(self._buf[self._start : i])
                self._start = i + 2
                return line
            if self._fill() == 0:
                if self.bytes_received == 0:
                    raise GrpcError(StatusCode.UNAVAILABLE, "connection closed before a response")
                raise GrpcError(StatusCode.INTERNAL, "connection closed inside the " + what)

    # -- head ------------------------------------------------------------------------

    def read_head(self) -> None:
        """Read the status line and headers; 1xx interim responses are skipped."""
        while True:
            line = self._line("status line")
            parts = line.split(b" ", 2)
            if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
                raise GrpcError(StatusCode.INTERNAL, "not an HTTP/1.x response: %r" % line[:40])
            try:
                self.status = int(parts[1])
            except ValueError:
                raise GrpcError(StatusCode.INTERNAL, "bad HTTP status %r" % parts[1][:10]) from None
            self.version = str(parts[0], "ascii")
            self.headers = self._read_fields("response headers")
            if not 100 <= self.status < 200:
                break
        self._set_framing()

    def _read_fields(self, what: str) -> dict:
        fields = {}
        while True:
            line = self._line(what)
            if not line:
                return fields
            colon = line.find(b":")
            if colon <= 0:
                raise GrpcError(StatusCode.INTERNAL, "malformed header line %r" % line[:40])
            try:
                name = str(line[:colon], "ascii").strip().lower()
                value = str(line[colon + 1 :], "utf-8").strip()
            except UnicodeError:
                raise GrpcError(StatusCode.INTERNAL, "header is not text") from None
            if name in fields:
                fields[name] = fields[name] + "," + value
            else:
                fields[name] = value

    def _set_framing(self) -> None:
        connection = self.headers.get("connection", "").lower()
        http11 = self.version == "HTTP/1.1"
        self.keep_alive = ("keep-alive" in connection) if not http11 else "close" not in connection
        te = self.headers.get("transfer-encoding", "").lower()
        if self.status in (204, 304):
            self._length = 0
        elif "chunked" in te:
            self._chunked = True
        elif "content-length" in self.headers:
            try:
                self._length = int(self.headers["content-length"])
            except ValueError:
                raise GrpcError(StatusCode.INTERNAL, "bad content-length") from None
            if self._length < 0:
                raise GrpcError(StatusCode.INTERNAL, "bad content-length")
        else:
            self.keep_alive = False  # body ends when the server closes
        if self._length == 0:
            self.done = True

    @property
    def framed(self) -> bool:
        """True when the body's end is marked (Content-Length or chunked), not by close."""
        return self._length is not None or self._chunked

    @property
    def reusable(self) -> bool:
        """True when the whole body was read and the connection may carry another call."""
        return self.done and self.keep_alive and self._start == self._end

    # -- body ------------------------------------------------------------------------

    def peek_body(self):
        """A memoryview of the next body bytes (read from the socket if none are
        buffered); empty when the body has ended. Call :meth:`consume` with how many
        of them were used before peeking again."""
        if self.done:
            return memoryview(b"")
        if self._chunked and self._chunk_left == 0 and not self._next_chunk():
            return memoryview(b"")
        if self._start == self._end:
            self._start = self._end = 0
            if self._fill() == 0:
                if self._length is None and not self._chunked:
                    self.done = True  # read-until-close body ended normally
                    return memoryview(b"")
                raise GrpcError(StatusCode.INTERNAL, "connection closed inside the response body")
        n = self._end - self._start
        if self._chunked:
            n = min(n, self._chunk_left)
        elif self._length is not None:
            n = min(n, self._length)
        return memoryview(self._buf)[self._start : self._start + n]

    def consume(self, n: int) -> None:
        """Mark ``n`` peeked body bytes as used."""
        self._start += n
        if self._chunked:
            self._chunk_left -= n
        elif self._length is not None:
            self._length -= n
            if self._length == 0:
                self.done = True

    def readinto(self, view) -> int:
        """Copy body bytes into ``view``; 0 means the body has ended."""
        data = self.peek_body()
        n = min(len(data), len(view))
        view[:n] = data[:n]
        self.consume(n)
        return n

    def _next_chunk(self) -> bool:
        """Parse the next chunk-size line; False at the last chunk."""
        if self._chunk_started:
            if self._line("chunk") != b"":
                raise GrpcError(StatusCode.INTERNAL, "chunk data not followed by CRLF")
        self._chunk_started = True
        line = self._line("chunk size")
        try:
            size = chunk_size(line)
        except ValueError as exc:
            raise GrpcError(StatusCode.INTERNAL, str(exc)) from None
        if size == 0:
            trailers = self._read_fields("chunked trailers")
            for name, value in trailers.items():
                self.headers.setdefault(name, value)
            self.done = True
            return False
        self._chunk_left = size
        return True
