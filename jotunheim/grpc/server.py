# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""gRPC-Web server for the device side, on :class:`jotunheim.http.server.HttpServer`.

Works with a CircuitPython ``socketpool.SocketPool`` or CPython's ``socket`` module::

    server = GrpcWebServer(pool)
    server.register("jotunheim.JotunheimService", "GetDeviceStatus",
                    jotunheim.DeviceStatusRequest, get_status)
    server.start("0.0.0.0", 8080)
    while True:
        server.poll()          # serves what is ready, never blocks waiting for a client
        do_other_work()

A handler is ``handler(request, context)`` and returns the response message (anything
with ``encode()``, or bytes); a streaming handler returns an iterable of messages, each
sent as one frame in one HTTP/1.1 chunk as it comes. Raise :class:`GrpcError` to answer
with a status. Unknown methods get UNIMPLEMENTED, malformed requests INVALID_ARGUMENT,
oversized ones RESOURCE_EXHAUSTED, handler exceptions INTERNAL with a fixed message (no
traceback leaves the device); the server keeps serving. Connections are kept alive.

``admission(path, streaming)``, when set, is asked before a request is parsed and may
raise (:class:`jotunheim.resources.errors.ResourceExhausted` becomes RESOURCE_EXHAUSTED):
the Device refuses new CallTools and streams there while the heap is exhausted. A request
that runs out of heap before an answer exists gets :data:`OUT_OF_MEMORY`, a
trailers-only RESOURCE_EXHAUSTED made at import.
"""

from jotunheim.compat import monotonic_ms
from jotunheim.grpc.framing import (
    FLAG_TRAILERS,
    encode_frame,
    encode_trailer_frame,
    first_frame,
)
from jotunheim.grpc.status import GrpcError, StatusCode, percent_encode, status_of
from jotunheim.http.server import HttpServer, Response

CONTENT_TYPE = "application/grpc-web+proto"
CONTENT_TYPES = (CONTENT_TYPE, "application/grpc-web")
UNITS = {"H": 3600000, "M": 60000, "S": 1000, "m": 1, "u": 0.001, "n": 0.000001}
# What a browser dashboard may send and read, when CORS is switched on.
CORS_REQUEST_HEADERS = "content-type, x-grpc-web, x-user-agent, authorization, grpc-timeout"
CORS_EXPOSED_HEADERS = "grpc-status, grpc-message"


def parse_grpc_timeout(value):
    """Milliseconds in a ``grpc-timeout`` header, or None if absent or malformed."""
    if not value or len(value) < 2 or len(value) > 9:
        return None
    digits, unit = value[:-1], value[-1]
    if unit not in UNITS or not digits.isdigit():
        return None
    return int(digits) * UNITS[unit]


GRPC_HEADERS = (("Content-Type", CONTENT_TYPE),)
OK_TRAILER_FRAME = encode_trailer_frame((("grpc-status", "0"),))
OUT_OF_MEMORY = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/grpc-web+proto\r\ngrpc-status: 8\r\n"
    b"grpc-message: out of memory\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
)


class CallContext:
    """What a handler knows about its call.

    ``method`` is ``"/pkg.Service/Method"``; ``metadata`` a dict of the request headers
    with lower-case names (``context.metadata.get("authorization")``);
    ``client_address`` the peer's ``(host, port)``; ``trailers`` extra trailer metadata
    the handler may add; ``body`` the request body as received (a signature covers it)."""

    def __init__(self, method: str, metadata: dict, client_address, deadline_ms, body=None):
        self.method = method
        self.metadata = metadata
        self.body = body
        self.signed_by = None  # (token, signature) once a signed request was verified
        self.client_address = client_address
        self.trailers = {}
        self._deadline_at = None if deadline_ms is None else monotonic_ms() + int(deadline_ms)

    def time_remaining(self):
        """Seconds left before the client's ``grpc-timeout`` runs out, or None."""
        if self._deadline_at is None:
            return None
        return max(0, self._deadline_at - monotonic_ms()) / 1000.0

    def expired(self) -> bool:
        """True once the client's ``grpc-timeout`` has run out."""
        return self._deadline_at is not None and monotonic_ms() >= self._deadline_at


def trailers(code: int, message: str = "", extra=None) -> list:
    """``(name, value)`` pairs of a status: grpc-status, grpc-message, then ``extra``."""
    items = [("grpc-status", str(code))]
    if message:
        items.append(("grpc-message", percent_encode(message)))
    if extra:
        for name, value in extra.items():
            items.append((name.lower(), str(value)))
    return items


def encode_message(message) -> bytes:
    """The wire bytes of a response message (or of bytes given as they are)."""
    if isinstance(message, (bytes, bytearray, memoryview)):
        return bytes(message)
    return message.encode()


class GrpcWebServer:
    """Serves registered gRPC methods over gRPC-Web (binary) on HTTP/1.1.

    :param socket_pool: ``socketpool.SocketPool(wifi.radio)`` or CPython's ``socket``
    :param int max_request_size: largest request body accepted (bytes)
    :param str cors_origin: answer CORS preflights and allow this origin (``"*"`` for
        any); None (the default) refuses ``OPTIONS``
    :param limits: passed to :class:`HttpServer` (``slots``, ``head_timeout``, ...)
    """

    def __init__(
        self, socket_pool, *, max_request_size: int = 16384, cors_origin=None, **limits
    ) -> None:
        self._methods = {}
        self.cors_origin = cors_origin or None
        self.http = HttpServer(socket_pool, self.handle, max_body=max_request_size, **limits)
        self.http.out_of_memory = OUT_OF_MEMORY
        self.admission = None
        self.requests = 0
        self.errors = 0

    @property
    def max_request_size(self) -> int:
        """Largest request body accepted (bytes); may be changed while serving."""
        return self.http.max_body

    @max_request_size.setter
    def max_request_size(self, size: int) -> None:
        """Set the largest request body accepted (bytes)."""
        self.http.max_body = size

    def register(self, service_path: str, method: str, request_cls, handler, streaming=False):
        """Serve ``/<service_path>/<method>``; ``request_cls.decode(bytes)`` parses the
        request, ``handler(request, context)`` answers it."""
        path = "/" + service_path.strip("/") + "/" + method
        self._methods[path] = (request_cls, handler, streaming)

    # -- lifecycle -------------------------------------------------------------------

    def start(self, host: str = "0.0.0.0", port: int = 8080) -> None:
        """Listen on ``host:port``."""
        self.http.start(host, port)

    @property
    def port(self) -> int:
        """The bound port (useful after ``start(port=0)``)."""
        return self.http.port

    def poll(self, max_requests: int = 0) -> int:
        """Serve what is ready without blocking; returns the requests answered (at most
        ``max_requests`` when given)."""
        return self.http.poll(max_requests)

    def stop(self) -> None:
        """Close every connection and stop listening."""
        self.http.stop()

    # -- request handling ------------------------------------------------------------

    def handle(self, request) -> Response:
        """Answer one HTTP request (the :class:`HttpServer` handler)."""
        if request.method == "OPTIONS" and self.cors_origin:
            return Response(204, self._cors(preflight=True))
        if request.method != "POST":
            allow = "POST, OPTIONS" if self.cors_origin else "POST"
            return Response(405, [("Allow", allow)], b"gRPC-Web calls are POST")
        self.requests += 1
        path = request.path
        entry = self._methods.get(path)  # (request class, handler, streaming)
        if entry is None:
            return self._status(StatusCode.UNIMPLEMENTED, "unknown method " + path)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in CONTENT_TYPES:
            return Response(415, [("Accept-Post", CONTENT_TYPE)] + self._cors())
        refusal = getattr(request, "refusal", None)  # set by HttpServer's buffer pool
        if refusal is not None:
            return self._status(StatusCode.RESOURCE_EXHAUSTED, refusal)
        if request.too_large:
            return self._status(
                StatusCode.RESOURCE_EXHAUSTED,
                "request exceeds the limit of %d bytes" % self.max_request_size,
            )
        context = CallContext(
            path,
            request.headers,
            request.client_address,
            parse_grpc_timeout(request.headers.get("grpc-timeout")),
            request.body,
        )
        try:
            if self.admission is not None:
                self.admission(path, entry[2])
            message = self._parse_request(request.body, entry[0])
            if entry[2]:
                return self._stream(entry[1](message, context), context)
            body = encode_frame(encode_message(entry[1](message, context)))
        except Exception as exc:  # noqa: BLE001 - every failure becomes a status
            return self._failed(exc, context)
        if context.trailers:
            body += encode_trailer_frame(trailers(StatusCode.OK, "", context.trailers))
        else:
            body += OK_TRAILER_FRAME  # the common case, encoded once
        return Response(200, self._headers(), body)

    def _failed(self, exc, context) -> Response:
        code, message = status_of(exc, context.method)
        if code == StatusCode.INTERNAL:
            self.errors += 1
        return self._status(code, message, context.trailers)

    def _parse_request(self, body, request_cls):
        try:
            flag, payload, extra = first_frame(body, self.max_request_size)
        except GrpcError as err:
            # A client sent it: malformed input is the caller's fault, not ours.
            code = err.code
            if code == StatusCode.INTERNAL:
                code = StatusCode.INVALID_ARGUMENT
            raise GrpcError(code, err.message)
        if payload is None:
            raise GrpcError(StatusCode.INVALID_ARGUMENT, "request body is not one complete frame")
        if flag == FLAG_TRAILERS:
            raise GrpcError(StatusCode.INVALID_ARGUMENT, "request holds a trailer frame")
        if extra:
            raise GrpcError(StatusCode.INVALID_ARGUMENT, "request holds more than one message")
        try:
            return request_cls.decode(payload)
        except (ValueError, TypeError, IndexError, KeyError) as exc:
            raise GrpcError(StatusCode.INVALID_ARGUMENT, "malformed request message: " + str(exc))

    def _stream(self, messages, context) -> Response:
        return Response(200, self._headers(), stream=self._frames(iter(messages), context))

    def _frames(self, iterator, context):
        # Message frames, then the trailer frame; an error ends the stream with a status.
        code, message = StatusCode.OK, ""
        try:
            for item in iterator:
                if context.expired():
                    code, message = StatusCode.DEADLINE_EXCEEDED, "deadline exceeded"
                    break
                yield encode_frame(encode_message(item))
        except Exception as exc:  # noqa: BLE001 - every failure becomes a status
            code, message = status_of(exc, context.method)
            if code == StatusCode.INTERNAL:
                self.errors += 1
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()  # the handler's cleanup, also when the client went away
        yield encode_trailer_frame(trailers(code, message, context.trailers))

    def _headers(self):
        if not self.cors_origin:
            return GRPC_HEADERS  # shared: no list per call
        return [("Content-Type", CONTENT_TYPE)] + self._cors()

    def _cors(self, preflight=False) -> list:
        origin = self.cors_origin
        if not origin:
            return []
        if not preflight:
            return [
                ("Access-Control-Allow-Origin", origin),
                ("Access-Control-Expose-Headers", CORS_EXPOSED_HEADERS),
            ]
        return [
            ("Access-Control-Allow-Origin", origin),
            ("Access-Control-Allow-Methods", "POST, OPTIONS"),
            ("Access-Control-Allow-Headers", CORS_REQUEST_HEADERS),
            ("Access-Control-Max-Age", "600"),
        ]

    def _status(self, code, message, extra=None) -> Response:
        # Trailers-only: the status as HTTP headers, no body.
        return Response(200, list(self._headers()) + trailers(code, message, extra))
