# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Non-blocking HTTP/1.1 connections for streams (the device's socket pool, TLS on https).

Sockets come from ``adafruit_connection_manager`` on the pool and SSL context of
:mod:`jotunheim.net.session` (the gRPC client's sockets come from the same place), each
stream under its own session id so it never takes a socket another client holds. After the
connect (bounded by a timeout) the socket is switched to non-blocking: a send or receive
that cannot go on now returns, and the stream tries again on the device's next step.
"""

import errno

from jotunheim.http.wire import ChunkedDecoder, would_block
from jotunheim.net.url import parse_url

MAX_ANSWER = 2048  # head + body of a receiver's answer (a short JSON document)
_WANT = ("SSLWantReadError", "SSLWantWriteError")


def blocked(exc) -> bool:
    """True when a non-blocking socket call (plain or TLS) could not proceed right now."""
    return would_block(exc) or type(exc).__name__ in _WANT


class Connection:
    """One HTTP connection of a stream.

    :param pool: socket pool (``jotunheim.net.session.get_pool()`` by default)
    :param ssl_context: SSL context for https URLs (default: the session's)
    :param str session_id: connection-manager session id, e.g. ``"stream:mic"``
    """

    def __init__(self, pool=None, ssl_context=None, session_id="stream") -> None:
        self.pool = pool
        self.ssl_context = ssl_context
        self.session_id = session_id
        self.sock = None
        self.manager = None

    def open(self, url: str, timeout: float = 5.0):
        """Connect to ``url``'s host; returns ``(host, path)``. Raises OSError (or
        ValueError for a bad URL) with the socket closed."""
        import adafruit_connection_manager as acm  # noqa: PLC0415

        from jotunheim.net import session  # noqa: PLC0415

        self.close()
        scheme, host, port, path = parse_url(url)
        if self.pool is None:
            self.pool = session.get_pool()
        context = None
        if scheme == "https":
            if self.ssl_context is None:
                self.ssl_context = session.get_ssl_context()
            context = self.ssl_context
        self.manager = acm.get_connection_manager(self.pool)
        try:
            sock = self.manager.get_socket(
                host,
                port,
                scheme + ":",
                session_id=self.session_id,
                timeout=timeout,
                ssl_context=context,
            )
        except RuntimeError as exc:  # the connection manager's "cannot connect"
            raise OSError(getattr(errno, "ECONNREFUSED", 111), str(exc)) from None
        self.sock = sock
        sock.settimeout(0)
        hostport = host if port in (80, 443) else "%s:%d" % (host, port)
        return hostport, path

    def send_some(self, view) -> int:
        """Send what the socket takes now of ``view``; 0 when it takes nothing yet."""
        try:
            n = self.sock.send(view)
        except OSError as exc:
            if blocked(exc):
                return 0
            raise
        if n is None:  # some CircuitPython sockets return None for "all of it"
            return len(view)
        if n == 0 and len(view):
            raise OSError(getattr(errno, "ECONNRESET", 104), "connection closed while sending")
        return n

    def recv_some(self, view) -> int:
        """Receive into ``view``: bytes read, 0 when the peer closed, -1 when nothing yet."""
        try:
            return self.sock.recv_into(view, len(view))
        except OSError as exc:
            if blocked(exc):
                return -1
            if exc.args and exc.args[0] == getattr(errno, "ENOTCONN", 107):
                return 0  # CircuitPython's non-blocking EOF
            raise

    def close(self) -> None:
        """Close the socket (never raises)."""
        sock, self.sock = self.sock, None
        if sock is None:
            return
        try:
            self.manager.close_socket(sock)
        except (RuntimeError, OSError, AttributeError):
            try:
                sock.close()
            except OSError:
                pass


def request_head(method, hostport, path, headers) -> bytes:
    """An HTTP/1.1 request head (``jotunheim.http.client.build_request_head``)."""
    from jotunheim.http.client import build_request_head  # noqa: PLC0415

    return build_request_head(method, hostport, path, headers)


class Answer:
    """Reads an HTTP response without blocking: :meth:`poll` on every step.

    With ``head_only`` it stops after the head (the body bytes already read are in
    :meth:`rest`); otherwise it reads a short body too (Content-Length, chunked, or until
    the close), at most :data:`MAX_ANSWER` bytes in all.
    """

    def __init__(self, head_only=False) -> None:
        self.head_only = head_only
        self.buf = bytearray(MAX_ANSWER)
        self.end = 0
        self.head_end = -1
        self.status = 0
        self.headers = {}
        self.body = bytearray()
        self.decoder = None
        self.length = None
        self.done = False

    def poll(self, conn) -> bool:
        """Read what has arrived; True once the answer is complete. Raises ValueError
        for a malformed or oversized answer, OSError if the connection fails."""
        while not self.done:
            if self.end == len(self.buf):
                raise ValueError("answer longer than %d bytes" % MAX_ANSWER)
            view = memoryview(self.buf)[self.end :]
            n = conn.recv_some(view)
            if n < 0:
                return False
            if n == 0:
                self._closed()
                break
            start = self.end
            self.end += n
            if self.head_end < 0:
                self._find_head()
                if self.head_end >= 0 and not self.head_only:
                    self._body(memoryview(self.buf)[self.head_end : self.end])
            elif not self.head_only:
                self._body(memoryview(self.buf)[start : self.end])
        return self.done

    def _closed(self) -> None:
        if self.head_end < 0:
            raise OSError(getattr(errno, "ECONNRESET", 104), "connection closed before an answer")
        if self.decoder is not None or (self.length is not None and len(self.body) < self.length):
            raise OSError(getattr(errno, "ECONNRESET", 104), "connection closed inside the answer")
        self.done = True

    def _find_head(self) -> None:
        i = self.buf.find(b"\r\n\r\n", 0, self.end)
        if i < 0:
            return
        lines = bytes(self.buf[:i]).split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
            raise ValueError("not an HTTP/1.x answer: %r" % lines[0][:40])
        try:
            self.status = int(parts[1])
        except ValueError:
            raise ValueError("bad HTTP status %r" % parts[1][:10]) from None
        for line in lines[1:]:
            colon = line.find(b":")
            if colon > 0:
                name = str(line[:colon], "ascii").strip().lower()
                self.headers[name] = str(line[colon + 1 :], "utf-8").strip()
        self.head_end = i + 4
        if self.head_only:
            self.done = True
            return
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            self.decoder = ChunkedDecoder(self.body.extend)
        elif "content-length" in self.headers:
            self.length = int(self.headers["content-length"])
            if self.length > MAX_ANSWER:
                raise ValueError("answer body of %d bytes is too long" % self.length)
        if self.status in (204, 304) or self.length == 0:
            self.done = True

    def _body(self, view) -> None:
        if self.decoder is not None:
            self.decoder.feed(view)
            if self.decoder.done:
                self.decoder = None
                self.done = True
            return
        self.body.extend(view)
        if self.length is not None and len(self.body) >= self.length:
            self.done = True

    def rest(self):
        """The body bytes read with the head (``head_only``)."""
        return memoryview(self.buf)[self.head_end : self.end]

    def json(self) -> dict:
        """The body parsed as a JSON object; ValueError naming what is wrong."""
        import json  # noqa: PLC0415

        try:
            data = json.loads(str(bytes(self.body), "utf-8"))
        except (ValueError, UnicodeError):
            raise ValueError("answer is not JSON: %r" % bytes(self.body[:60])) from None
        if not isinstance(data, dict):
            raise ValueError("answer is not a JSON object")
        return data
