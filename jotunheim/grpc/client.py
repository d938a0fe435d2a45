# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""gRPC-Web client (binary mode, HTTP/1.1) on the platform's socket pool.

Unary and server-streaming calls. Each request is written in one ``send``; the client
keeps one idle keep-alive connection for its next call (a stale one is replaced
transparently) and reads responses frame by frame into reusable buffers. For ``http://``
nothing but the socket pool is needed (a board does not load
``adafruit_connection_manager`` for it); ``https://`` wraps each socket with the SSL
context (:func:`jotunheim.net.session.get_ssl_context`: the connection manager's on a
board, with a custom CA if one is given).

Errors are :class:`jotunheim.grpc.GrpcError`: network failures are UNAVAILABLE, an
expired deadline DEADLINE_EXCEEDED, malformed responses INTERNAL, a response message over
``max_message_size`` RESOURCE_EXHAUSTED. Calls marked ``idempotent`` are retried on
UNAVAILABLE with exponential backoff and jitter.
"""

from jotunheim.compat import monotonic_ms, sleep_ms
from jotunheim.grpc.framing import (
    DEFAULT_MAX_MESSAGE_SIZE,
    FLAG_TRAILERS,
    check_header,
    frame_header,
)
from jotunheim.grpc.status import GrpcError, StatusCode
from jotunheim.grpc.status_decode import (
    code_from_http_status,
    parse_trailers,
    percent_decode,
    trailer_status,
)
from jotunheim.http.client import HttpResponse, deadline_error, network_error, seconds_left
from jotunheim.net.url import parse_url

CONTENT_TYPE = "application/grpc-web+proto"
USER_AGENT = "jotunheim-grpc-web/1"
# Every request's fixed headers (Accept: sonora echoes it as the response type).
_HEADERS = (
    "\r\nContent-Type: application/grpc-web+proto\r\nAccept: application/grpc-web+proto"
    "\r\nX-Grpc-Web: 1\r\nUser-Agent: " + USER_AGENT + "\r\nContent-Length: "
)
_DEFAULT = object()


class RetryPolicy:
    """Retries for UNAVAILABLE on calls marked idempotent (never for other codes).

    Waits come from :class:`jotunheim.resilience.backoff.Backoff` (exponential from
    ``initial_backoff``, capped at ``max_backoff``, "equal" jitter so every wait is at
    least half its ceiling). A retry never sleeps past the call's deadline."""

    def __init__(
        self,
        max_attempts: int = 3,
        initial_backoff: float = 0.1,
        max_backoff: float = 2.0,
        multiplier: float = 2.0,
        rand=None,
    ) -> None:
        from jotunheim.resilience.backoff import EQUAL, Backoff  # noqa: PLC0415

        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.max_attempts = max_attempts
        self.backoff = Backoff(
            initial_backoff, max_backoff, factor=multiplier, jitter=EQUAL, rand=rand
        )

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        return self.backoff.delay(attempt - 1)


NO_RETRY = RetryPolicy(max_attempts=1)


def _close(sock) -> None:
    try:
        sock.close()
    except OSError:
        pass


class ServerStream:
    """Iterator over the messages of a server-streaming call.

    Yields decoded messages; ends at the trailer frame (raises :class:`GrpcError` for a
    non-OK status). ``close()`` (or leaving a ``with`` block, or an error) abandons the
    call and closes its socket. ``headers`` and ``trailers`` hold the response metadata.
    """

    def __init__(self, client, response, decode) -> None:
        self._client = client
        self._response = response
        self._decode = decode
        self._buf = bytearray(128)  # the frame buffer, grown to the largest frame
        self.headers = response.headers
        self.trailers = None
        # A trailers-only response (the status in the headers) has already ended.
        self.finished = "grpc-status" in self.headers
        if self.finished:
            self.trailers = self.headers

    def __iter__(self):
        return self

    __enter__ = __iter__  # a ``with`` block holds the stream itself

    def __exit__(self, exc_type, exc, tb):
        self.close()

    def close(self) -> None:
        """Abandon the stream (closes the socket unless the stream has ended)."""
        if not self.finished:
            self.finished = True
            self._client._release(self._response, False)

    def __next__(self):
        if self.finished:
            raise StopIteration
        response = self._response
        try:
            # The next frame, read into the frame buffer (grown for a bigger one); the
            # payload is a view into it, valid until the next frame.
            buf = self._buf
            view = memoryview(buf)
            got = 0
            while got < 5:
                n = response.readinto(view[got:5])
                if not n:
                    raise GrpcError(
                        StatusCode.INTERNAL,
                        "body ends inside a frame header"
                        if got
                        else "response ended without a trailer frame",
                    )
                got += n
            flag = buf[0]
            size = (buf[1] << 24) | (buf[2] << 16) | (buf[3] << 8) | buf[4]
            check_header(flag, size, self._client.max_message_size)
            if size > len(buf):
                try:
                    buf = self._buf = bytearray(size)
                except MemoryError:
                    raise GrpcError(
                        StatusCode.RESOURCE_EXHAUSTED, "no memory for a %d-byte message" % size
                    ) from None
            payload = memoryview(buf)[:size]
            got = 0
            while got < size:
                n = response.readinto(payload[got:])
                if not n:
                    raise GrpcError(
                        StatusCode.INTERNAL, "body ends after %d of %d frame bytes" % (got, size)
                    )
                got += n
            if flag != FLAG_TRAILERS:
                if self._decode is None:
                    return bytes(payload)
                try:
                    return self._decode(payload)
                except (ValueError, TypeError, IndexError, KeyError) as exc:
                    raise GrpcError(
                        StatusCode.INTERNAL, "malformed response message: " + str(exc)
                    ) from None
            trailers = self.trailers = parse_trailers(payload)
            code, message = trailer_status(trailers)
            # Read the end of the body (the chunked terminator) so the connection can be
            # reused; bytes after the trailer frame are a protocol error.
            extra = 0
            if response.left is not None:  # a read-until-close body: nothing to keep
                extra = response.readinto(memoryview(self._buf)[:1])
            self.finished = True
            self._client._release(response, response.left is not None and not extra)
            if extra:
                raise GrpcError(StatusCode.INTERNAL, "data after the trailer frame")
            if code != StatusCode.OK:
                raise GrpcError(code, message, trailers)
        except MemoryError:
            self.close()
            raise GrpcError(
                StatusCode.RESOURCE_EXHAUSTED, "out of memory reading a response"
            ) from None
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
    ``session_id`` changes nothing: every client keeps its own connection anyway.
    ``timeout`` is the default deadline in seconds (``None``: no deadline), ``metadata``
    default request headers. ``meter`` (a :class:`jotunheim.resources.bandwidth.Bandwidth`,
    or anything with ``count(endpoint, sent, received)``) is told the bytes of each
    exchange under ``endpoint``; both may be set after construction. ``signer``
    (optional) is called as ``signer(path, body)`` for every request sent and returns more
    headers (a request signature: ``jotunheim_host.signing.client_signer``).
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
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
        retry_policy=None,
        send_timeout_header: bool = True,
        session_id=None,
        meter=None,
        endpoint: str = "grpc",
        signer=None,
    ) -> None:
        self.meter = meter
        self.endpoint = endpoint
        scheme, self.host, self.port, path = parse_url(url)
        self.prefix = path.rstrip("/")
        https = scheme == "https"
        if isinstance(ca_cert, (bytes, bytearray)):
            ca_cert = str(ca_cert, "ascii")
        if socket_pool is None or (https and ssl_context is None):
            from jotunheim.net import session  # noqa: PLC0415

            if socket_pool is None:
                socket_pool = session.get_pool(manager=https)
            if https and ssl_context is None:
                ssl_context = session.get_ssl_context(ca_cert)
                ca_cert = None
        if https and ca_cert:
            ssl_context.load_verify_locations(cadata=ca_cert)  # a context the caller gave
        self.pool = socket_pool
        self.ssl_context = ssl_context if https else None
        self.timeout = timeout
        self.metadata = dict(metadata) if metadata else {}
        self.signer = signer
        self.max_message_size = max_message_size
        self.retry_policy = retry_policy  # None: RetryPolicy(), made on the first retry
        self.send_timeout_header = send_timeout_header
        host = self.host if ":" not in self.host else "[" + self.host + "]"
        if self.port != (443 if https else 80):
            host += ":" + str(self.port)
        self._host = host
        self._idle = None  # the kept-alive socket of the last call, for the next one

    # -- public API ------------------------------------------------------------------

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
        (bytes, or an object with ``encode()``); returns ``decode(payload)`` (bytes if
        ``decode`` is None)."""
        stream = self.server_stream(
            method, request, decode=decode, timeout=timeout, metadata=metadata,
            idempotent=idempotent,
        )  # fmt: skip
        got = []
        for message in stream:
            if got:
                stream.close()
                raise GrpcError(StatusCode.INTERNAL, "unary response with more than one message")
            got.append(message)
        if not got:
            raise GrpcError(
                StatusCode.INTERNAL, "unary response without a message", stream.trailers
            )
        return got[0]

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
        at = None if timeout is None else monotonic_ms() + int(timeout * 1000)
        if not isinstance(request, (bytes, bytearray, memoryview)):
            request = request.encode()
        body = frame_header(len(request)) + bytes(request)
        path = self.prefix + ("" if method.startswith("/") else "/") + method
        attempt = 1
        while True:
            parts = ["POST ", path, " HTTP/1.1\r\nHost: ", self._host, _HEADERS, str(len(body))]
            if at is not None and self.send_timeout_header:
                # grpc-timeout: at most 8 digits and a unit.
                value = max(1, at - monotonic_ms())
                if value < 100000000:
                    value = str(value) + "m"
                elif value // 1000 < 100000000:
                    value = str(value // 1000) + "S"
                else:
                    value = str(min(value // 3600000, 99999999)) + "H"
                parts += ("\r\ngrpc-timeout: ", value)
            # Signed anew for every request: a nonce works once.
            signed = None if self.signer is None else self.signer(path, body)
            for source in (self.metadata, metadata, signed):
                for name, value in source.items() if source else ():
                    if "\r" in name + value or "\n" in name + value:
                        raise ValueError("metadata must not contain line breaks: " + repr(name))
                    parts += ("\r\n", name.lower(), ": ", value)
            parts.append("\r\n\r\n")
            sock = self._idle
            self._idle = None
            response = None
            try:
                response = HttpResponse(
                    sock or self._connect(at, timeout), at, timeout, bytearray(512)
                )
                response.send("".join(parts).encode("utf-8") + body)
                response.read_head()
                # The status from trailers-only headers, the HTTP status or content type.
                headers = response.headers
                if "grpc-status" in headers:  # trailers-only: the body is empty
                    code, message = trailer_status(headers, "headers")
                    self._release(response, True)
                    if code != StatusCode.OK:
                        raise GrpcError(code, message, headers)
                elif response.status != 200:
                    code = code_from_http_status(response.status)
                    raise GrpcError(code, "HTTP status %d" % response.status, headers)
                else:
                    kind = headers.get("content-type", "")
                    if kind.split(";", 1)[0].strip().lower() not in (
                        CONTENT_TYPE,
                        "application/grpc-web",
                    ):
                        raise GrpcError(
                            StatusCode.INTERNAL,
                            "unexpected content-type " + repr(kind[:60]),
                            headers,
                        )
                return ServerStream(self, response, decode)
            except GrpcError as err:
                if response is not None:
                    self._release(response, False)
                    if sock is not None and not response.received:
                        # A stale keep-alive socket: once more on a new connection (the
                        # idle slot is empty now), as if nothing had happened.
                        if err.code == StatusCode.UNAVAILABLE:
                            continue
                if not idempotent or err.code != StatusCode.UNAVAILABLE:
                    raise
                if self.retry_policy is None:
                    self.retry_policy = RetryPolicy()
                if attempt >= self.retry_policy.max_attempts:
                    raise
                wait = self.retry_policy.delay(attempt)
                left = seconds_left(at)
                if left is not None and left <= wait:
                    raise
                sleep_ms(int(wait * 1000))
                attempt += 1
            except BaseException:
                if response is not None:
                    self._release(response, False)
                raise

    def close(self) -> None:
        """Close the idle keep-alive socket this client holds."""
        sock = self._idle
        self._idle = None
        if sock is not None:
            _close(sock)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()

    # -- internals -------------------------------------------------------------------

    def _connect(self, at, timeout):
        left = seconds_left(at)
        if left is not None and left <= 0:
            raise deadline_error(timeout)
        pool = self.pool
        sock = None
        try:
            info = pool.getaddrinfo(self.host, self.port, 0, pool.SOCK_STREAM)[0]
            sock = pool.socket(info[0], info[1])
            # The request goes out in one write anyway; this spares the ACK wait on the
            # rare split write (as jotunheim.net.session.set_nodelay, without loading it).
            nodelay = getattr(pool, "TCP_NODELAY", None)
            if nodelay is not None:
                try:
                    sock.setsockopt(getattr(pool, "IPPROTO_TCP", 6), nodelay, 1)
                except (OSError, AttributeError, NotImplementedError, ValueError):
                    pass
            address = info[-1]
            if self.ssl_context is not None:
                sock = self.ssl_context.wrap_socket(sock, server_hostname=self.host)
                address = (self.host, self.port)
            sock.settimeout(30.0 if left is None else left)
            sock.connect(address)
            return sock
        except BaseException as exc:
            if sock is not None:
                _close(sock)
            if not isinstance(exc, (OSError, MemoryError, RuntimeError, ValueError)):
                raise
            if at is not None and monotonic_ms() >= at:
                raise deadline_error(timeout) from None
            from jotunheim.net.tls import tls_problem  # noqa: PLC0415

            problem = tls_problem(exc, self.host)
            if problem is not None:
                raise GrpcError(StatusCode.UNAVAILABLE, problem) from None
            raise network_error(
                exc, at, timeout, "connect to %s:%d" % (self.host, self.port)
            ) from None

    def _release(self, response, reuse: bool) -> None:
        """Done with the exchange: keep its socket for the next call, or close it."""
        sock = response.sock
        if sock is None:
            return
        response.sock = None
        if self.meter is not None:  # once per exchange: the bytes it moved
            self.meter.count(self.endpoint, response.sent, response.received)
        if (
            reuse
            and self._idle is None
            and response.done
            and response.keep_alive
            and response.start == response.end
        ):
            self._idle = sock
        else:
            _close(sock)


__all__ = [
    "GrpcWebClient",
    "ServerStream",
    "RetryPolicy",
    "NO_RETRY",
    "percent_decode",
    "StatusCode",
]
