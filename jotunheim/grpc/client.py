# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""gRPC-Web client (binary mode, HTTP/1.1) over ``adafruit_connection_manager`` sockets.

Unary and server-streaming calls. Each request is written in one ``send`` through the
socket that the connection manager hands out (so it is shared with ``adafruit_requests``
sessions on the same pool and freed the same way); responses are parsed frame by frame
with reusable buffers.

Errors are :class:`jotunheim.grpc.GrpcError`: network failures are UNAVAILABLE, an
expired deadline DEADLINE_EXCEEDED, malformed responses INTERNAL, a response message over
``max_message_size`` RESOURCE_EXHAUSTED. Calls marked ``idempotent`` are retried on
UNAVAILABLE with exponential backoff and jitter.
"""

from jotunheim.compat import sleep_ms
from jotunheim.grpc.frame_parser import FrameParser
from jotunheim.grpc.framing import DEFAULT_MAX_MESSAGE_SIZE, FLAG_TRAILERS, frame_header
from jotunheim.grpc.status import GrpcError, StatusCode
from jotunheim.grpc.status_decode import (
    code_from_http_status,
    parse_trailers,
    percent_decode,
    trailer_status,
)
from jotunheim.http.client import (
    Deadline,
    HttpResponse,
    build_request_head,
    deadline_error,
    network_error,
    send_all,
)

try:
    from typing import Optional  # noqa: F401  (annotations only)
except ImportError:
    pass

CONTENT_TYPE = "application/grpc-web+proto"
# Sockets any client freed for keep-alive: the connection manager may hand one to another
# client of the same host, which must still know it is reused (and may have gone stale).
_KEPT = []
_MAX_KEPT = 8
USER_AGENT = "jotunheim-grpc-web/1"
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


def split_url(url: str):
    """``(proto, host, port, prefix)`` for ``http(s)://host[:port][/prefix]``."""
    if url.startswith("http://"):
        proto, rest, port = "http:", url[7:], 80
    elif url.startswith("https://"):
        proto, rest, port = "https:", url[8:], 443
    else:
        raise ValueError("URL must start with http:// or https://: " + repr(url))
    slash = rest.find("/")
    prefix = ""
    if slash >= 0:
        rest, prefix = rest[:slash], rest[slash:].rstrip("/")
    host = rest
    if rest.startswith("["):  # IPv6 literal
        end = rest.find("]")
        host = rest[1:end]
        if rest[end + 1 : end + 2] == ":":
            port = int(rest[end + 2 :])
    elif ":" in rest:
        host, port_text = rest.rsplit(":", 1)
        port = int(port_text)
    if not host:
        raise ValueError("URL has no host: " + repr(url))
    return proto, host, port, prefix


def default_network(need_ssl: bool, ca_cert=None):
    """``(socket_pool, ssl_context)`` for this platform via :mod:`jotunheim.net.session`
    (the board's ``wifi.radio`` pool, or CPython's ``socket``/``ssl``)."""
    from jotunheim.net import session as net_session  # noqa: PLC0415

    pool = net_session.get_pool()
    return pool, (net_session.get_ssl_context(ca_cert) if need_ssl else None)


class _Call:
    """One HTTP exchange: socket, response head, frame parser."""

    def __init__(self, client, sock, response, session_id, sent=0) -> None:
        self.client = client
        self.sock = sock
        self.response = response
        self.session_id = session_id
        self.sent = sent
        self.parser = None
        self.trailers = None

    def release(self, reuse: bool) -> None:
        """Give the socket back for keep-alive, or close it."""
        sock = self.sock
        if sock is None:
            return
        self.sock = None
        meter = self.client.meter
        if meter is not None:  # once per call: the bytes this exchange moved
            meter.count(self.client.endpoint, self.sent, self.response.bytes_received)
        self.client._release(sock, reuse and self.response.reusable)

    def drain_and_release(self) -> None:
        """After the trailer frame: read the end of the body (the chunked terminator)
        so the connection can be reused. Bytes after the trailer frame are a protocol
        error: the socket is closed and ``GrpcError(INTERNAL)`` raised."""
        response = self.response
        if not response.framed:
            self.release(False)  # read-until-close body: nothing to keep alive
            return
        try:
            extra = 0
            while not response.done and extra == 0:
                extra = len(response.peek_body())
        except GrpcError:
            self.release(False)
            raise
        self.release(extra == 0)
        if extra:
            raise GrpcError(StatusCode.INTERNAL, "data after the trailer frame")

    def read_frame(self):
        """Next complete frame from the body: ``(flag, payload)`` or ``None`` at the end.
        The payload view is valid until the next call."""
        parser = self.parser
        if parser.ready:
            parser.next()
        response = self.response
        while True:
            data = response.peek_body()
            if not len(data):
                parser.finish()
                return None
            response.consume(parser.feed(data))
            if parser.ready:
                return parser.flag, parser.payload


class ServerStream:
    """Iterator over the messages of a server-streaming call.

    Yields decoded messages; ends at the trailer frame (raises :class:`GrpcError` for a
    non-OK status). ``close()`` (or leaving a ``with`` block, or an error) abandons the
    call and closes its socket. ``headers`` and ``trailers`` hold the response metadata.
    """

    def __init__(self, call: _Call, decode, deadline: Deadline) -> None:
        self._call = call
        self._decode = decode
        self._deadline = deadline
        self.headers = call.response.headers
        self.trailers = None
        self.finished = False

    def __iter__(self):
        return self

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()

    def close(self) -> None:
        """Abandon the stream (closes the socket unless the stream has ended)."""
        if not self.finished:
            self.finished = True
            self._call.release(False)
            self._call.client._stream_done(self._call.session_id)

    def __next__(self):
        if self.finished:
            raise StopIteration
        call = self._call
        try:
            frame = call.read_frame()
            if frame is None:
                raise GrpcError(StatusCode.INTERNAL, "stream ended without a trailer frame")
            flag, payload = frame
            if flag == FLAG_TRAILERS:
                self.trailers = parse_trailers(payload)
                code, message = trailer_status(self.trailers)
                self.finished = True
                call.drain_and_release()
                call.client._stream_done(call.session_id)
                if code != StatusCode.OK:
                    raise GrpcError(code, message, self.trailers)
                raise StopIteration
            return _decode(self._decode, payload)
        except GrpcError:
            self.close()
            raise
        except MemoryError:
            self.close()
            raise GrpcError(StatusCode.RESOURCE_EXHAUSTED, "out of memory in stream") from None


def _decode(decode, payload):
    if decode is None:
        return bytes(payload)
    try:
        return decode(payload)
    except (ValueError, TypeError, IndexError, KeyError) as exc:
        raise GrpcError(StatusCode.INTERNAL, "malformed response message: " + str(exc)) from None


class GrpcWebClient:
    """gRPC-Web client for one server.

    ``url`` is ``http(s)://host[:port][/path-prefix]``. Sockets come from ``socket_pool``
    / ``ssl_context`` (share them with an ``adafruit_requests.Session`` by passing the same
    pool), or from :func:`default_network`; ``session_id`` keeps this client's sockets apart
    from other clients' to the same host (the connection manager keys sockets by it).
    ``ca_cert`` (PEM text) is added to the SSL context's trusted roots, for a local
    server with a self-signed certificate. ``timeout`` is the default deadline in
    seconds (``None``: no deadline), ``metadata`` default request headers. ``meter``
    (a :class:`jotunheim.resources.bandwidth.Bandwidth`, or anything with
    ``count(endpoint, sent, received)``) is told the bytes of each call under
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
        self.proto, self.host, self.port, self.prefix = split_url(url)
        need_ssl = self.proto == "https:"
        if isinstance(ca_cert, (bytes, bytearray)):
            ca_cert = str(ca_cert, "ascii")
        if socket_pool is None or (need_ssl and ssl_context is None):
            default_pool, default_ssl = default_network(need_ssl and ssl_context is None, ca_cert)
            socket_pool = socket_pool if socket_pool is not None else default_pool
            ssl_context = ssl_context if ssl_context is not None else default_ssl
        elif ca_cert and need_ssl:
            # A context the caller gave us: add the CA to it.
            ssl_context.load_verify_locations(cadata=ca_cert)
        import adafruit_connection_manager  # noqa: PLC0415  (keeps import cheap)

        self._pool = socket_pool
        self._ssl_context = ssl_context
        self._manager = adafruit_connection_manager.get_connection_manager(socket_pool)
        self._session_id = "grpc" + ("" if session_id is None else "-" + str(session_id))
        self._streams = []  # session ids of open streams
        self._idle = []  # sockets we freed for keep-alive (to tell a reused one)
        self.timeout = timeout
        self.metadata = dict(metadata) if metadata else {}
        self.signer = signer
        self.max_message_size = max_message_size
        self.retry_policy = retry_policy if retry_policy is not None else RetryPolicy()
        self.send_timeout_header = send_timeout_header
        default_port = 443 if self.proto == "https:" else 80
        host = self.host if ":" not in self.host else "[" + self.host + "]"
        self._host_header = host if self.port == default_port else host + ":" + str(self.port)
        self._head_buf = bytearray(1024)  # buffers for unary calls, reused
        self._frame_buf = bytearray(256)

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
        deadline = Deadline(self.timeout if timeout is _DEFAULT else timeout)
        body = _request_body(request)
        call = self._start(method, body, deadline, metadata, idempotent, self._session_id, False)
        try:
            return self._finish_unary(call, decode)
        except MemoryError:
            call.release(False)
            raise GrpcError(
                StatusCode.RESOURCE_EXHAUSTED, "out of memory reading response"
            ) from None
        except BaseException:
            call.release(False)
            raise

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
        response) raise here; later ones while iterating."""
        deadline = Deadline(self.timeout if timeout is _DEFAULT else timeout)
        body = _request_body(request)
        session_id = self._stream_session_id()
        self._streams.append(session_id)
        try:
            call = self._start(method, body, deadline, metadata, idempotent, session_id, True)
        except BaseException:
            self._stream_done(session_id)
            raise
        return ServerStream(call, decode, deadline)

    def close(self) -> None:
        """Close the idle keep-alive sockets this client holds."""
        while self._idle:
            sock = self._idle.pop()
            _forget(_KEPT, sock)
            try:
                self._manager.close_socket(sock)
            except RuntimeError:
                pass  # the manager already closed it

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()

    # -- internals -------------------------------------------------------------------

    def _stream_session_id(self) -> str:
        n = 0
        while True:
            candidate = self._session_id + "-stream-" + str(n)
            if candidate not in self._streams:
                return candidate
            n += 1

    def _stream_done(self, session_id) -> None:
        if session_id in self._streams:
            self._streams.remove(session_id)

    def _headers(self, length: int, deadline: Deadline, metadata):
        headers = [
            ("Content-Type", CONTENT_TYPE),
            ("Accept", CONTENT_TYPE),  # sonora echoes Accept as the response type
            ("X-Grpc-Web", "1"),
            ("User-Agent", USER_AGENT),
            ("Content-Length", str(length)),
        ]
        if deadline.at is not None and self.send_timeout_header:
            headers.append(("grpc-timeout", deadline.header_value()))
        for source in (self.metadata, metadata):
            if source:
                for name, value in source.items():
                    _check_header(name, value)
                    headers.append((name.lower(), value))
        return headers

    def _start(self, method, body, deadline, metadata, idempotent, session_id, streaming):
        """Send the request and read the response head, retrying where allowed."""
        if not method.startswith("/"):
            method = "/" + method
        attempt = 0
        while True:
            attempt += 1
            try:
                call = self._attempt(method, body, deadline, metadata, session_id, streaming)
                self._check_head(call, streaming)
                return call
            except GrpcError as err:
                policy = self.retry_policy
                if not (
                    idempotent
                    and err.code == StatusCode.UNAVAILABLE
                    and attempt < policy.max_attempts
                ):
                    raise
                wait = policy.delay(attempt)
                remaining = deadline.remaining()
                if remaining is not None and remaining <= wait:
                    raise
                sleep_ms(int(wait * 1000))

    def _attempt(self, method, body, deadline, metadata, session_id, streaming):
        """One exchange; a stale keep-alive socket is replaced once, transparently."""
        path = self.prefix + method
        headers = self._headers(len(body), deadline, metadata)
        if self.signer is not None:  # signed anew for every request: a nonce works once
            headers.extend(self.signer(path, body).items())
        head = build_request_head("POST", self._host_header, path, headers)
        request = head + body
        for _ in range(2):
            sock, reused = self._get_socket(deadline, session_id)
            response = HttpResponse(sock, deadline, bytearray(512) if streaming else self._head_buf)
            try:
                send_all(sock, request, deadline)
                response.read_head()
                return _Call(self, sock, response, session_id, len(request))
            except GrpcError as err:
                self._release(sock, False)
                stale = (
                    reused and err.code == StatusCode.UNAVAILABLE and response.bytes_received == 0
                )
                if not stale:
                    raise
            except BaseException:
                self._release(sock, False)
                raise
        raise GrpcError(StatusCode.UNAVAILABLE, "connection lost")  # pragma: no cover

    def _get_socket(self, deadline: Deadline, session_id):
        remaining = deadline.remaining()
        if remaining is not None and remaining <= 0:
            raise deadline_error(deadline)
        try:
            sock = self._manager.get_socket(
                self.host,
                self.port,
                self.proto,
                session_id=session_id,
                timeout=remaining if remaining is not None else 30.0,
                ssl_context=self._ssl_context,
            )
        except (OSError, MemoryError, RuntimeError, ValueError) as exc:
            if isinstance(exc, ValueError) and "ssl_context" in str(exc):
                raise
            if deadline.expired():
                raise deadline_error(deadline) from None
            from jotunheim.net.tls import tls_problem  # noqa: PLC0415

            problem = tls_problem(exc, self.host)
            if problem is not None:
                raise GrpcError(StatusCode.UNAVAILABLE, problem) from None
            raise network_error(
                exc, deadline, "connect to %s:%d" % (self.host, self.port)
            ) from None
        _forget(self._idle, sock)
        reused = _forget(_KEPT, sock)
        if not reused:
            # The request goes out in one write anyway; this spares the ACK wait on the
            # rare split write.
            from jotunheim.net.session import set_nodelay  # noqa: PLC0415

            set_nodelay(sock, self._pool)
        return sock, reused

    def _release(self, sock, reuse: bool) -> None:
        try:
            if reuse:
                self._manager.free_socket(sock)
                self._idle.append(sock)
                _KEPT.append(sock)
                if len(_KEPT) > _MAX_KEPT:
                    _KEPT.pop(0)
            else:
                _forget(self._idle, sock)
                _forget(_KEPT, sock)
                self._manager.close_socket(sock)
        except RuntimeError:
            # Not managed any more (closed by the manager under memory pressure).
            try:
                sock.close()
            except OSError:
                pass

    def _check_head(self, call: _Call, streaming: bool) -> None:
        """Status from trailers-only headers, HTTP status or content type, if any."""
        response = call.response
        headers = response.headers
        if "grpc-status" in headers:
            # Trailers-only response: the status is in the headers, the body is empty.
            code, message = trailer_status(headers, "headers")
            call.release(response.done)
            if code == StatusCode.OK and not streaming:
                raise GrpcError(StatusCode.INTERNAL, "unary response without a message", headers)
            if code != StatusCode.OK:
                raise GrpcError(code, message, headers)
            call.parser = None
            return
        if response.status != 200:
            call.release(False)
            code = code_from_http_status(response.status)
            raise GrpcError(code, "HTTP status %d" % response.status, headers)
        content_type = headers.get("content-type", "")
        base = content_type.split(";", 1)[0].strip().lower()
        if base not in ("application/grpc-web+proto", "application/grpc-web"):
            call.release(False)
            raise GrpcError(
                StatusCode.INTERNAL, "unexpected content-type " + repr(content_type[:60]), headers
            )
        call.parser = FrameParser(
            self.max_message_size, self._frame_buf if not streaming else bytearray(128)
        )

    def _finish_unary(self, call: _Call, decode):
        if call.parser is None:  # trailers-only OK cannot happen for unary (raised above)
            raise GrpcError(StatusCode.INTERNAL, "unary response without a message")
        result = None
        got = False
        while True:
            frame = call.read_frame()
            if frame is None:
                raise GrpcError(StatusCode.INTERNAL, "response ended without a trailer frame")
            flag, payload = frame
            if flag == FLAG_TRAILERS:
                trailers = parse_trailers(payload)
                code, message = trailer_status(trailers)
                call.drain_and_release()
                if code != StatusCode.OK:
                    raise GrpcError(code, message, trailers)
                if not got:
                    raise GrpcError(StatusCode.INTERNAL, "unary response without a message")
                grown = call.parser.buffer
                if self._frame_buf is not grown and len(grown) <= 4096:
                    self._frame_buf = grown  # keep a grown buffer for next time
                return result
            if got:
                raise GrpcError(StatusCode.INTERNAL, "unary response with more than one message")
            result = _decode(decode, payload)
            got = True


def _request_body(request) -> bytes:
    if isinstance(request, (bytes, bytearray, memoryview)):
        payload = bytes(request)
    else:
        payload = request.encode()
    return frame_header(len(payload)) + payload


def _check_header(name: str, value: str) -> None:
    for text in (name, value):
        if "\r" in text or "\n" in text:
            raise ValueError("metadata must not contain line breaks: " + repr(name))


__all__ = [
    "GrpcWebClient",
    "ServerStream",
    "RetryPolicy",
    "NO_RETRY",
    "percent_decode",
    "StatusCode",
]


def _forget(sockets, sock) -> bool:
    """Remove ``sock`` (by identity) from the list; True if it was there."""
    for i, known in enumerate(sockets):
        if known is sock:
            sockets.pop(i)
            return True
    return False
