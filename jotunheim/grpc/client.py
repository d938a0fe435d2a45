# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""gRPC-Web client (binary mode, HTTP/1.1) on the platform's socket pool.

Unary and server-streaming calls. Each request is written in one ``send`` (head and body
together: ``adafruit_requests`` writes a POST in many small sends, and Nagle's algorithm
plus the peer's delayed ACK then cost ~40 ms per call). The client keeps one idle
keep-alive connection for its next call (a stale one is replaced transparently) and reads
responses with ``recv_into`` into reusable buffers, frame by frame; the body reader
understands ``Content-Length``, chunked transfer (hex sizes in either case, extensions,
trailers) and read-until-close, and enforces the call's deadline on every receive. For
``http://`` nothing but the socket pool is needed (a board does not load
``adafruit_connection_manager`` for it); ``https://`` wraps each socket with the SSL
context (:func:`jotunheim.net.session.get_ssl_context`: the connection manager's on a
board, with a custom CA if one is given).

Errors are :class:`jotunheim.grpc.status.GrpcError`: network failures are UNAVAILABLE, an
expired deadline DEADLINE_EXCEEDED, malformed responses INTERNAL, a response message over
``max_message_size`` RESOURCE_EXHAUSTED. Calls marked ``idempotent`` are retried on
UNAVAILABLE with exponential backoff and jitter (:class:`jotunheim.grpc.retry.RetryPolicy`,
loaded on the first retry).
"""

import struct

from jotunheim.compat import monotonic_ms, sleep_ms
from jotunheim.grpc.status import GrpcError, StatusCode
from jotunheim.net.url import parse_url

# Rare paths (grpc.status_decode, grpc.retry) are imported by module, on first use: only
# their short names are interned until then. The frame header (a flag byte, 0x80 for the
# trailer frame, and a 4-byte big-endian length; jotunheim.grpc.framing) is packed and
# checked here with struct: a client does not load the framing module the server uses.
# Every request's fixed headers (Accept: sonora echoes it as the response type).
_HEADERS = (
    "\r\nContent-Type: application/grpc-web+proto\r\nAccept: application/grpc-web+proto"
    "\r\nX-Grpc-Web: 1\r\nUser-Agent: jotunheim-grpc-web/1\r\nContent-Length: "
)
_DEFAULT = object()


def _close(sock) -> None:
    try:
        sock.close()
    except OSError:
        pass


def parse_trailers(data) -> dict:
    """Parse ``data``, a trailer-frame payload (or a response head's header lines), into a
    dict with lower-case names; a repeated name joins its values with a comma, as HTTP says.

    Blank lines are skipped (some servers end with one); a line without ``:`` or bytes
    that are not UTF-8 raise ``GrpcError(INTERNAL)``. ``grpc-message`` is kept raw:
    :func:`trailer_status` decodes it."""
    try:
        text = str(data, "utf-8")
    except UnicodeError:
        raise GrpcError(StatusCode.INTERNAL, "header not UTF-8") from None
    fields = {}
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        i = line.find(":")
        if i <= 0:
            raise GrpcError(StatusCode.INTERNAL, "bad header line " + repr(line[:40]))
        name = line[:i].strip().lower()
        value = line[i + 1 :].strip()
        if name in fields:
            value = fields[name] + "," + value
        fields[name] = value
    return fields


def trailer_status(trailers: dict):
    """``(code, message)`` from parsed trailers (or trailers-only headers); raises
    ``GrpcError(INTERNAL)`` if ``grpc-status`` is missing or not a number (1 to 3 digits)."""
    text = trailers.get("grpc-status", "").strip()
    if not 0 < len(text) <= 3 or text.strip("0123456789"):
        raise GrpcError(StatusCode.INTERNAL, "bad grpc-status " + repr(text[:20]), trailers)
    message = trailers.get("grpc-message", "")
    if "%" in message:  # percent-encoded: the rare error text with escapes
        from jotunheim.grpc import status_decode  # noqa: PLC0415

        message = status_decode.percent_decode(message)
    return int(text), message


class ServerStream:
    """One call's HTTP/1.1 exchange, and the iterator over its response messages.

    The client makes it and calls :meth:`open`; iterating yields decoded messages and ends
    at the trailer frame (raises :class:`GrpcError` for a non-OK status). ``close()`` (or
    leaving a ``with`` block, or an error) abandons the call and closes its socket.
    ``headers`` and ``trailers`` hold the response metadata; ``sent``/``received`` count
    the bytes moved. Malformed responses raise ``GrpcError(INTERNAL)``, network failures
    UNAVAILABLE, an expired deadline DEADLINE_EXCEEDED.
    """

    def __init__(self, client, sock, deadline, timeout, decode) -> None:
        self.client = client
        self.sock = sock  # None: open() connects; None again once the exchange has ended
        self.deadline = deadline  # a compat.monotonic_ms() time, or None for none
        self.timeout = timeout  # the seconds it came from, for the error message
        self.decode = decode
        self.buf = bytearray(512)  # the head and body bytes received, unread: buf[start:end]
        self.start = 0
        self.end = 0
        self.frame = bytearray(128)  # the frame buffer, grown to the largest frame
        self.sent = 0
        self.received = 0
        self.status = 0
        self.headers = {}
        self.trailers = None
        self.keep_alive = False
        self.done = False  # the HTTP body has ended
        # Body bytes left: of the Content-Length, or of the current chunk (0 between
        # chunks); None for a body that ends when the server closes.
        self.left = None
        self.chunks = 0  # 0 not chunked; 1 chunked, before the first chunk; 2 after one

    def __iter__(self):
        return self

    __enter__ = __iter__  # a ``with`` block holds the stream itself

    def __exit__(self, *exc):
        self.close()

    def close(self, keep: bool = False) -> None:
        """Abandon the stream and close its socket (nothing once it has ended); ``keep``
        (a response read to its end) keeps the socket for the client's next call."""
        sock = self.sock
        if sock is None:
            return
        self.sock = None
        client = self.client
        if client.meter is not None:  # once per exchange: the bytes it moved
            client.meter.count(client.endpoint, self.sent, self.received)
        if (
            keep
            and client._idle is None
            and self.done
            and self.keep_alive
            and self.start == self.end
        ):
            client._idle = sock
        else:
            _close(sock)

    def wait(self):
        """The longest a socket operation may wait: seconds left until the deadline (None
        without one); raises DEADLINE_EXCEEDED once it has passed."""
        if self.deadline is None:
            return None
        left = (self.deadline - monotonic_ms()) / 1000
        if left <= 0:
            raise self.error()
        return left

    def error(self, exc=None, what: str = "", host=None) -> GrpcError:
        """The :class:`GrpcError` for socket exception ``exc`` in step ``what`` (``host``:
        a failed connect), DEADLINE_EXCEEDED without one: see
        :func:`jotunheim.grpc.status_decode.network_error`."""
        from jotunheim.grpc import status_decode  # noqa: PLC0415

        return status_decode.network_error(exc, what, self.deadline, self.timeout, host)

    def open(self, data) -> None:
        """Connect (unless the client's kept-alive socket was given), send the request
        ``data``, read the response head; raises for a gRPC error in it."""
        client = self.client
        host = client.host
        if self.sock is None:
            left = self.wait()
            pool = client.pool
            try:
                info = pool.getaddrinfo(host, client.port, 0, pool.SOCK_STREAM)[0]
                # held at once: whatever fails from here, the caller's close() closes it
                sock = self.sock = pool.socket(info[0], info[1])
                # The request goes out in one write anyway; this spares the ACK wait on the
                # rare split write (as jotunheim.net.session.set_nodelay, without loading it).
                value = getattr(pool, "TCP_NODELAY", None)
                if value is not None:
                    try:
                        sock.setsockopt(getattr(pool, "IPPROTO_TCP", 6), value, 1)
                    except (OSError, AttributeError, NotImplementedError, ValueError):
                        pass
                info = info[-1]
                if client.ssl_context is not None:
                    sock = self.sock = client.ssl_context.wrap_socket(sock, server_hostname=host)
                    info = (host, client.port)
                sock.settimeout(30.0 if left is None else left)
                sock.connect(info)
            except (OSError, MemoryError, RuntimeError, ValueError) as exc:
                raise self.error(exc, "connect to %s:%d" % (host, client.port), host) from None
        view = memoryview(data)
        while self.sent < len(view):  # one send in the common case
            self.sock.settimeout(self.wait())
            try:
                n = self.sock.send(view[self.sent :])
            except OSError as exc:
                if exc.args and exc.args[0] == 11:  # EAGAIN: the deadline is checked above
                    continue
                raise self.error(exc, "send") from None
            if n is None:  # some CircuitPython sockets return None for "all of it"
                n = len(view) - self.sent
            if not n:
                raise GrpcError(StatusCode.UNAVAILABLE, "closed while sending")
            self.sent += n
        while True:  # the status line and headers; 1xx interim responses are skipped
            data = self.line()
            parts = data.split(b" ", 2)
            try:
                if not parts[0].startswith(b"HTTP/1."):
                    raise ValueError
                self.status = int(parts[1])
            except (ValueError, IndexError):
                raise GrpcError(StatusCode.INTERNAL, "not HTTP/1.x: %r" % data[:40]) from None
            headers = self.headers = self.fields()
            if not 100 <= self.status < 200:
                break
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
            value = headers["content-length"]
            if not value.isdigit():  # digits only (no sign, no "1,2" of two headers)
                raise GrpcError(StatusCode.INTERNAL, "bad content-length")
            self.left = int(value)
        else:
            self.keep_alive = False  # the body ends when the server closes
        self.done = self.left == 0 and not self.chunks
        # The status from trailers-only headers, the HTTP status or content type.
        if "grpc-status" in headers:  # trailers-only: the body is empty
            self.trailers = headers
            code, value = trailer_status(headers)
            self.close(True)
            if code != StatusCode.OK:
                raise GrpcError(code, value, headers)
        elif self.status != 200:
            from jotunheim.grpc import status_decode  # noqa: PLC0415

            code = status_decode.code_from_http_status(self.status)
            raise GrpcError(code, "HTTP status %d" % self.status, headers)
        else:
            value = headers.get("content-type", "")
            if value.split(";", 1)[0].strip().lower() not in (
                "application/grpc-web+proto",
                "application/grpc-web",
            ):
                raise GrpcError(
                    StatusCode.INTERNAL, "bad content-type " + repr(value[:60]), headers
                )

    def fill(self) -> int:
        """Receive more bytes into the buffer (compacted first); returns how many."""
        buf = self.buf
        if self.start:
            buf[: self.end - self.start] = buf[self.start : self.end]
            self.end -= self.start
            self.start = 0
        if self.end == len(buf):  # a long head: grow the buffer, up to 8 KB
            if len(buf) >= 8192:
                raise GrpcError(StatusCode.INTERNAL, "head over 8 KB")
            self.buf = bytearray(min(len(buf) * 2, 8192))
            self.buf[: self.end] = buf[: self.end]
        while True:
            self.sock.settimeout(self.wait())
            try:
                n = self.sock.recv_into(memoryview(self.buf)[self.end :])
                break
            except OSError as exc:
                # EAGAIN without a deadline: a socket with no timeout had nothing yet.
                if (
                    exc.args
                    and exc.args[0] == 11
                    and self.deadline is None
                    and type(exc).__name__ not in ("timeout", "TimeoutError")
                ):
                    continue
                raise self.error(exc, "read") from None
        self.end += n
        self.received += n
        return n

    def line(self) -> bytes:
        """The next CRLF-terminated line of the response (without the CRLF)."""
        while True:
            i = self.buf.find(b"\r\n", self.start, self.end)
            if i >= 0:
                data = bytes(self.buf[self.start : i])
                self.start = i + 2
                return data
            if not self.fill():
                if not self.received:
                    raise GrpcError(StatusCode.UNAVAILABLE, "closed before a response")
                raise GrpcError(StatusCode.INTERNAL, "closed inside the response")

    def fields(self) -> dict:
        """Header lines up to a blank line, as a dict with lower-case names."""
        parts = []
        while True:
            data = self.line()
            if not data:
                return parse_trailers(b"\n".join(parts))
            parts.append(data)

    def readinto(self, view) -> int:
        """Fill ``view`` with HTTP body bytes; returns how many (fewer when the body
        ends first, 0 once it has ended)."""
        n = 0
        while n < len(view) and not self.done:
            if self.chunks and not self.left:  # between chunks: by module, on first use
                from jotunheim.grpc import chunked  # noqa: PLC0415

                if chunked.read(self):  # the next chunk's head; True: the body ended
                    break
            if self.start == self.end:
                self.start = self.end = 0
                if not self.fill():
                    if self.left is None:
                        self.done = True  # a read-until-close body ended normally
                        break
                    raise GrpcError(StatusCode.INTERNAL, "closed inside the response")
            size = min(self.end - self.start, len(view) - n)
            if self.left is not None:
                size = min(size, self.left)
                self.left -= size
                self.done = not (self.left or self.chunks)
            view[n : n + size] = memoryview(self.buf)[self.start : self.start + size]
            self.start += size
            n += size
        return n

    def __next__(self):
        if self.sock is None:  # ended (or abandoned)
            raise StopIteration
        try:
            # The next frame, read into the frame buffer (grown for a bigger one); the
            # payload is a view into it, valid until the next frame.
            buf = self.frame
            n = self.readinto(memoryview(buf)[:5])
            if n < 5:
                raise GrpcError(
                    StatusCode.INTERNAL,
                    "truncated frame" if n else "no trailer frame",
                )
            flag, size = struct.unpack_from(">BI", buf)
            if flag not in (0, 0x80):  # 0x01: compressed, which we never agree to
                raise GrpcError(StatusCode.INTERNAL, "bad frame flag 0x%02x" % flag)
            # a trailer frame up to 16 KB; a message up to max_message_size
            value = 16384 if flag else self.client.max_message_size
            if size > value:
                raise GrpcError(
                    StatusCode.INTERNAL if flag else StatusCode.RESOURCE_EXHAUSTED,
                    "%d-byte frame over the limit %d" % (size, value),
                )
            if size > len(buf):  # no memory for it: RESOURCE_EXHAUSTED, below
                buf = self.frame = bytearray(size)
            view = memoryview(buf)[:size]
            if self.readinto(view) < size:
                raise GrpcError(StatusCode.INTERNAL, "truncated frame")
            if not flag:
                if self.decode is None:
                    return bytes(view)
                try:
                    return self.decode(view, self.client.max_message_size)
                except (ValueError, TypeError, IndexError, KeyError) as exc:
                    raise GrpcError(StatusCode.INTERNAL, "bad message: " + str(exc)) from None
            trailers = self.trailers = parse_trailers(view)
            code, value = trailer_status(trailers)
            # Read the end of the body (the chunked terminator) so the connection can be
            # reused; bytes after the trailer frame are a protocol error.
            n = 0
            if self.left is not None:  # a read-until-close body: nothing to keep
                n = self.readinto(memoryview(buf)[:1])
            self.close(self.left is not None and not n)
            if n:
                raise GrpcError(StatusCode.INTERNAL, "data after the trailers")
            if code != StatusCode.OK:
                raise GrpcError(code, value, trailers)
        except MemoryError:
            self.close()
            raise GrpcError(StatusCode.RESOURCE_EXHAUSTED, "out of memory") from None
        except BaseException:
            self.close()
            raise
        raise StopIteration


class GrpcWebClient:
    """gRPC-Web client for one server.

    ``url`` is ``http(s)://host[:port][/path-prefix]``. Sockets come from ``socket_pool``
    (default: :func:`jotunheim.net.session.get_pool`, without loading the connection
    manager for ``http://``); ``https://`` wraps them with ``ssl_context`` (default:
    :func:`jotunheim.net.session.get_ssl_context`). ``ca_cert`` (PEM text) is added to
    the SSL context's trusted roots, for a local server with a self-signed certificate.
    ``timeout`` is the default deadline in seconds (``None``: no deadline), ``metadata``
    default request headers. ``retry_policy``: a :class:`jotunheim.grpc.retry.RetryPolicy`
    for calls marked idempotent (default ``RetryPolicy()``, made on the first retry).
    ``meter`` (a :class:`jotunheim.resources.monitor.Bandwidth`, or anything with
    ``count(endpoint, sent, received)``) is told the bytes of each exchange under
    ``endpoint``; both may be set after construction. ``signer`` (optional) is called as
    ``signer(path, body)`` for every request sent and returns more headers (a request
    signature: ``jotunheim_host.signing.client_signer``).
    """

    def __init__(
        self,
        url: str,
        *,
        socket_pool=None,
        ssl_context=None,
        ca_cert=None,
        timeout=10.0,
        metadata=None,
        max_message_size: int = 4194304,  # 4 MB: framing.DEFAULT_MAX_MESSAGE_SIZE
        retry_policy=None,
        meter=None,
        endpoint: str = "grpc",
        signer=None,
    ) -> None:
        self.meter = meter
        self.endpoint = endpoint
        scheme, self.host, self.port, path = parse_url(url)
        self.prefix = path.rstrip("/")
        tls = scheme == "https"
        self.ssl_context = None
        if socket_pool is None or tls:
            from jotunheim.net import session  # noqa: PLC0415

            if socket_pool is None:
                socket_pool = session.get_pool(manager=tls)
            if tls:
                self.ssl_context = session.get_ssl_context(ca_cert, context=ssl_context)
        self.pool = socket_pool
        self.timeout = timeout
        self.metadata = dict(metadata) if metadata else {}
        self.signer = signer
        self.max_message_size = max_message_size
        self.retry_policy = retry_policy
        host = self.host if ":" not in self.host else "[" + self.host + "]"
        if self.port != (443 if tls else 80):
            host += ":" + str(self.port)
        self.address = host  # what the Host header names
        self._idle = None  # the kept-alive socket of the last call, for the next one

    def unary(
        self,
        method: str,
        request,
        *,
        decode=None,
        timeout=_DEFAULT,
        metadata=None,
        idempotent: bool = False,
    ):
        """Call ``method`` (``"/pkg.Service/Method"``) with one request message
        (bytes, or an object with ``encode()``); returns ``decode(payload,
        max_message_size)``, e.g. a message class's ``decode`` (bytes if ``decode`` is
        None)."""
        stream = self.server_stream(
            method, request, decode=decode, timeout=timeout, metadata=metadata,
            idempotent=idempotent,
        )  # fmt: skip
        reply = _DEFAULT
        for message in stream:
            if reply is not _DEFAULT:
                stream.close()
                raise GrpcError(StatusCode.INTERNAL, "unary call: more than one message")
            reply = message
        if reply is _DEFAULT:
            raise GrpcError(StatusCode.INTERNAL, "unary call: no message", stream.trailers)
        return reply

    def server_stream(
        self,
        method: str,
        request,
        *,
        decode=None,
        timeout=_DEFAULT,
        metadata=None,
        idempotent: bool = False,
    ) -> ServerStream:
        """Start a server-streaming call; returns a :class:`ServerStream`.

        The stream runs on its own connection so unary calls can be made while it is
        open. Errors before the first message (including a trailers-only error
        response) raise here; later ones while iterating. A stale keep-alive socket is
        replaced once, transparently; a call marked ``idempotent`` is retried on
        UNAVAILABLE (``retry_policy``)."""
        if timeout is _DEFAULT:
            timeout = self.timeout
        deadline = None if timeout is None else monotonic_ms() + int(timeout * 1000)
        if not isinstance(request, (bytes, bytearray, memoryview)):
            request = request.encode()
        body = struct.pack(">BI", 0, len(request)) + bytes(request)
        path = self.prefix + ("" if method.startswith("/") else "/") + method
        count = 1  # attempts made
        while True:
            parts = [
                "POST %s HTTP/1.1\r\nHost: %s" % (path, self.address),
                _HEADERS,
                str(len(body)),
            ]
            if deadline is not None:
                # grpc-timeout: at most 8 digits and a unit (ms, else s: 99999999 S is
                # over 3 years).
                value = max(1, deadline - monotonic_ms())
                if value < 100000000:
                    value = str(value) + "m"
                else:
                    value = str(min(value // 1000, 99999999)) + "S"
                parts += ("\r\ngrpc-timeout: ", value)
            # Signed anew for every request: a nonce works once.
            signed = None if self.signer is None else self.signer(path, body)
            for source in (self.metadata, metadata, signed):
                for name, value in source.items() if source else ():
                    if "\r" in name + value or "\n" in name + value:
                        raise ValueError("line break in metadata: " + repr(name))
                    parts += ("\r\n", name.lower(), ": ", value)
            parts.append("\r\n\r\n")
            sock = self._idle
            self._idle = None
            stream = ServerStream(self, sock, deadline, timeout, decode)
            try:
                stream.open("".join(parts).encode("utf-8") + body)
                return stream
            except BaseException as exc:
                stream.close()
                if not isinstance(exc, GrpcError) or exc.code != StatusCode.UNAVAILABLE:
                    raise
                if sock is not None and not stream.received:
                    # A stale keep-alive socket: once more on a new connection (the idle
                    # slot is empty now), as if nothing had happened.
                    continue
                if not idempotent:
                    raise
                if self.retry_policy is None:
                    from jotunheim.grpc import retry  # noqa: PLC0415

                    self.retry_policy = retry.RetryPolicy()
                value = self.retry_policy.delay(count)  # None: no attempt left
                if value is None or (
                    deadline is not None and (deadline - monotonic_ms()) / 1000 <= value
                ):
                    raise
                sleep_ms(int(value * 1000))
                count += 1

    def close(self) -> None:
        """Close the idle keep-alive socket this client holds."""
        sock = self._idle
        self._idle = None
        if sock is not None:
            _close(sock)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
