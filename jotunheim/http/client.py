# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The small HTTP/1.1 layer under the gRPC-Web client.

Requests go out in one ``send`` (head and body together): ``adafruit_requests`` writes a
POST in many small sends, and Nagle's algorithm plus the peer's delayed ACK then cost
~40 ms per call. Responses are read with ``recv_into`` into one reusable buffer; the body
reader understands ``Content-Length``, chunked transfer (hex sizes in either case,
extensions, trailers) and read-until-close, and enforces the call's deadline on every
receive.

A deadline is a point on the ``compat.monotonic_ms()`` clock, or None for none; the
response object carries it (``at``) with the timeout it came from (``timeout``, seconds,
for the error message).
"""

from jotunheim.compat import monotonic_ms
from jotunheim.grpc.status import GrpcError, StatusCode

MAX_HEAD_SIZE = 8192


def seconds_left(at):
    """Seconds (float, may be <= 0) until the deadline ``at``; None without one."""
    if at is None:
        return None
    return (at - monotonic_ms()) / 1000


def deadline_error(timeout) -> GrpcError:
    """The ``DEADLINE_EXCEEDED`` :class:`GrpcError` for a deadline of ``timeout`` s."""
    return GrpcError(StatusCode.DEADLINE_EXCEEDED, "deadline of %.3f s exceeded" % timeout)


def network_error(exc, at, timeout, what: str) -> GrpcError:
    """A socket exception as DEADLINE_EXCEEDED (a timeout, with a deadline) or UNAVAILABLE.

    A timeout is CPython's ``TimeoutError`` or a board's ``OSError(ETIMEDOUT)`` (110 on
    Linux, 116 on lwIP) or ``OSError(EAGAIN)`` from a socket with a timeout."""
    name = type(exc).__name__
    code = exc.args[0] if isinstance(exc, OSError) and exc.args else None
    if at is not None and (name in ("timeout", "TimeoutError") or code in (11, 110, 116)):
        return deadline_error(timeout)
    if exc.args:
        name += " " + str(exc.args[0])
    return GrpcError(StatusCode.UNAVAILABLE, what + " failed: " + name)


def build_request_head(method: str, host: str, path: str, headers) -> bytes:
    """``POST`` request line plus headers (list of (name, value)), ending in a blank line."""
    parts = [method, " ", path, " HTTP/1.1\r\nHost: ", host, "\r\n"]
    for name, value in headers:
        parts += (name, ": ", value, "\r\n")
    parts.append("\r\n")
    return "".join(parts).encode("utf-8")


class HttpResponse:
    """One HTTP/1.x exchange on ``sock``: :meth:`send` the request, :meth:`read_head`,
    then :meth:`readinto` the body.

    ``buf`` is a reusable bytearray for the head and small reads (grown up to
    :data:`MAX_HEAD_SIZE` for a long head). ``at``/``timeout``: the call's deadline.
    Malformed responses raise ``GrpcError(INTERNAL)``, network failures UNAVAILABLE, an
    expired deadline DEADLINE_EXCEEDED. ``sent``/``received`` count the bytes moved.
    """

    def __init__(self, sock, at, timeout, buf) -> None:
        self.sock = sock
        self.at = at
        self.timeout = timeout
        self.buf = buf
        self.start = 0  # buffered, unread bytes: buf[start:end]
        self.end = 0
        self.sent = 0
        self.received = 0
        self.status = 0
        self.headers = {}
        self.keep_alive = False
        self.done = False
        # Body bytes left: of the Content-Length, or of the current chunk (0 between
        # chunks); None for a body that ends when the server closes.
        self.left = None
        self.chunks = 0  # 0 not chunked; 1 chunked, before the first chunk; 2 after one

    def _timeout(self) -> None:
        left = seconds_left(self.at)
        if left is not None and left <= 0:
            raise deadline_error(self.timeout)
        self.sock.settimeout(left)

    def send(self, data) -> None:
        """Write all of ``data`` (one ``send`` in the common case)."""
        view = memoryview(data)
        while self.sent < len(view):
            self._timeout()
            try:
                n = self.sock.send(view[self.sent :])
            except OSError as exc:
                if exc.args and exc.args[0] == 11:  # EAGAIN: the deadline is checked above
                    continue
                raise network_error(exc, self.at, self.timeout, "send") from None
            if n is None:  # some CircuitPython sockets return None for "all of it"
                n = len(view) - self.sent
            if not n:
                raise GrpcError(StatusCode.UNAVAILABLE, "send failed: connection closed")
            self.sent += n

    def _fill(self) -> int:
        """Read more bytes into the buffer, compacting first; returns bytes read."""
        buf = self.buf
        if self.start:
            buf[: self.end - self.start] = buf[self.start : self.end]
            self.end -= self.start
            self.start = 0
        if self.end == len(buf):
            if len(buf) >= MAX_HEAD_SIZE:
                raise GrpcError(StatusCode.INTERNAL, "response head over %d bytes" % MAX_HEAD_SIZE)
            self.buf = bytearray(min(len(buf) * 2, MAX_HEAD_SIZE))
            self.buf[: self.end] = buf[: self.end]
        while True:
            self._timeout()
            try:
                n = self.sock.recv_into(memoryview(self.buf)[self.end :])
                break
            except OSError as exc:
                # EAGAIN without a deadline: a socket with no timeout had nothing yet.
                if (
                    exc.args
                    and exc.args[0] == 11
                    and self.at is None
                    and type(exc).__name__ not in ("timeout", "TimeoutError")
                ):
                    continue
                raise network_error(exc, self.at, self.timeout, "receive") from None
        self.end += n
        self.received += n
        return n

    def _line(self, what: str) -> bytes:
        """One CRLF-terminated line (without the CRLF)."""
        while True:
            i = self.buf.find(b"\r\n", self.start, self.end)
            if i >= 0:
                line = bytes(self.buf[self.start : i])
                self.start = i + 2
                return line
            if not self._fill():
                if not self.received:
                    raise GrpcError(StatusCode.UNAVAILABLE, "connection closed before a response")
                raise GrpcError(StatusCode.INTERNAL, "connection closed inside the " + what)

    def read_head(self) -> None:
        """Read the status line and headers (1xx interim responses are skipped) and
        learn how the body is framed."""
        while True:
            line = self._line("status line")
            parts = line.split(b" ", 2)
            try:
                if not parts[0].startswith(b"HTTP/1."):
                    raise ValueError
                self.status = int(parts[1])
            except (ValueError, IndexError):
                raise GrpcError(
                    StatusCode.INTERNAL, "not an HTTP/1.x status line: %r" % line[:40]
                ) from None
            self.headers = self._fields("response headers")
            if not 100 <= self.status < 200:
                break
        headers = self.headers
        value = headers.get("connection", "").lower()
        # HTTP/1.1 keeps the connection unless told to close; 1.0 only when asked to.
        self.keep_alive = (
            ("close" not in value) if parts[0] == b"HTTP/1.1" else "keep-alive" in value
        )
        if self.status in (204, 304):
            self.left = 0
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            self.left = 0
            self.chunks = 1
        elif "content-length" in headers:
            try:
                self.left = int(headers["content-length"])
            except ValueError:
                self.left = -1  # refused just below
            if self.left < 0:
                raise GrpcError(StatusCode.INTERNAL, "bad content-length")
        else:
            self.keep_alive = False  # the body ends when the server closes
        self.done = self.left == 0 and not self.chunks

    def _fields(self, what: str) -> dict:
        """Header lines up to a blank line, as a dict with lower-case names."""
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
                value = fields[name] + "," + value
            fields[name] = value

    def readinto(self, view) -> int:
        """Copy body bytes into ``view``; 0 means the body has ended."""
        if self.done:
            return 0
        if self.chunks and not self.left:
            if self.chunks > 1 and self._line("chunk"):
                raise GrpcError(StatusCode.INTERNAL, "chunk data not followed by CRLF")
            self.chunks = 2
            # Loaded by the first chunked body: a peer that sends Content-Length (Loki's
            # usual answer) never costs the server's wire module on a client-only path.
            from jotunheim.http.wire import chunk_size  # noqa: PLC0415

            try:
                self.left = chunk_size(self._line("chunk size"))
            except ValueError as exc:
                raise GrpcError(StatusCode.INTERNAL, str(exc)) from None
            if not self.left:
                for name, value in self._fields("chunked trailers").items():
                    self.headers.setdefault(name, value)
                self.done = True
                return 0
        if self.start == self.end:
            self.start = self.end = 0
            if not self._fill():
                if self.left is None:
                    self.done = True  # a read-until-close body ended normally
                    return 0
                raise GrpcError(StatusCode.INTERNAL, "connection closed inside the response body")
        n = min(self.end - self.start, len(view))
        if self.left is not None:
            n = min(n, self.left)
            self.left -= n
            self.done = not (self.left or self.chunks)
        view[:n] = memoryview(self.buf)[self.start : self.start + n]
        self.start += n
        return n
