"""gRPC-Web server for the device side, on ``adafruit_httpserver``.

Works with a CircuitPython ``socketpool.SocketPool`` or CPython's ``socket`` module::

    server = GrpcWebServer(pool)
    server.register("jotunheim.JotunheimService", "GetDeviceStatus",
                    jotunheim.DeviceStatusRequest, get_status)
    server.start("0.0.0.0", 8080)
    while True:
        server.poll()          # serves at most one request, never blocks waiting for one
        do_other_work()

A handler is ``handler(request, context)`` and returns the response message (anything
with ``encode()``, or bytes); a streaming handler returns an iterable of messages, sent
as they come, each frame one HTTP/1.1 chunk. Raise :class:`GrpcError` to answer with
a status. Unknown methods get UNIMPLEMENTED, malformed requests INVALID_ARGUMENT,
oversized ones RESOURCE_EXHAUSTED, handler exceptions INTERNAL with a fixed message
(no traceback leaves the device); the server keeps serving.
"""

import adafruit_httpserver
from adafruit_httpserver import Response, Server

from jotunheim.compat import monotonic_ms
from jotunheim.grpc.framing import (
    FLAG_TRAILERS,
    GrpcError,
    encode_frame,
    encode_trailer_frame,
    first_frame,
)
from jotunheim.grpc.status import StatusCode, percent_encode

CONTENT_TYPE = "application/grpc-web+proto"
_UNITS = {"H": 3600000, "M": 60000, "S": 1000, "m": 1, "u": 0.001, "n": 0.000001}
_DRAIN_LIMIT = 1024 * 1024


def parse_grpc_timeout(value):
    """Milliseconds in a ``grpc-timeout`` header, or None if absent or malformed."""
    if not value or len(value) < 2 or len(value) > 9:
        return None
    digits, unit = value[:-1], value[-1]
    if unit not in _UNITS or not digits.isdigit():
        return None
    return int(digits) * _UNITS[unit]


class CallContext:
    """What a handler knows about its call.

    ``method`` is ``"/pkg.Service/Method"``; ``metadata`` a dict of the request headers
    with lower-case names (``context.metadata.get("authorization")``);
    ``client_address`` the peer's ``(host, port)``; ``trailers`` extra trailer metadata
    the handler may add."""

    def __init__(self, method: str, metadata: dict, client_address, deadline_ms) -> None:
        self.method = method
        self.metadata = metadata
        self.client_address = client_address
        self.trailers = {}
        self._deadline_at = None if deadline_ms is None else monotonic_ms() + int(deadline_ms)

    def time_remaining(self):
        """Seconds left before the client's ``grpc-timeout`` runs out, or None."""
        if self._deadline_at is None:
            return None
        return max(0, self._deadline_at - monotonic_ms()) / 1000.0

    def expired(self) -> bool:
        return self._deadline_at is not None and monotonic_ms() >= self._deadline_at


class _OneWriteResponse(Response):
    """Head and body in one send, then close (as adafruit_httpserver always does)."""

    def _send(self) -> None:
        parts = ["HTTP/1.1 %d %s\r\n" % (self._status.code, self._status.text)]
        headers = self._headers.copy()
        headers.setdefault("Content-Type", CONTENT_TYPE)
        headers.setdefault("Content-Length", str(len(self._body)))
        headers.setdefault("Connection", "close")
        for name, value in headers.items():
            parts.append(name + ": " + str(value) + "\r\n")
        parts.append("\r\n")
        self._send_bytes(self._request.connection, "".join(parts).encode("utf-8") + self._body)
        self._close_connection()


class _HttpServer(Server):
    """adafruit_httpserver.Server that reads chunked request bodies (connect clients
    send them) and never buffers a body over ``max_body``: an oversized request gets
    ``request.too_large = True`` and its bytes are read and dropped (bounded), so the
    client sees our answer rather than a reset."""

    max_body = 16384

    def _receive_request(self, sock, client_address):
        header_bytes = self._receive_header_bytes(sock)
        if not header_bytes:
            return None
        request = adafruit_httpserver.Request(self, sock, client_address, header_bytes)
        request.too_large = False
        request.body_error = None
        encoding = (request.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in encoding:
            from jotunheim.grpc.server_extra import receive_chunked

            receive_chunked(self, sock, request)
            return request
        length = int(request.headers.get_directive("Content-Length", 0) or 0)
        if length > self.max_body:
            request.too_large = True
            from jotunheim.grpc.server_extra import drop

            drop(self, sock, min(length, _DRAIN_LIMIT) - len(request.body))
            request.body = b""
        else:
            request.body = self._receive_body_bytes(sock, request.body, length)
        return request


def _trailers(code: int, message: str = "", extra=None) -> list:
    items = [("grpc-status", str(code))]
    if message:
        items.append(("grpc-message", percent_encode(message)))
    if extra:
        for name, value in extra.items():
            items.append((name.lower(), str(value)))
    return items


def _encode(message) -> bytes:
    if isinstance(message, (bytes, bytearray, memoryview)):
        return bytes(message)
    return message.encode()


class GrpcWebServer:
    """Serves registered gRPC methods over gRPC-Web (binary) on HTTP/1.1.

    :param socket_pool: ``socketpool.SocketPool(wifi.radio)`` or CPython's ``socket``
    :param int max_request_size: largest request body accepted (bytes)
    :param debug: passed to adafruit_httpserver
    """

    def __init__(self, socket_pool, *, max_request_size: int = 16384, debug=False) -> None:
        self._methods = {}
        self._pool = socket_pool
        self.max_request_size = max_request_size
        self.http = _HttpServer(socket_pool, debug=debug)
        self.http.max_body = max_request_size
        self.http.add_routes(
            [adafruit_httpserver.Route("/<service>/<method>", "POST", self._route)]
        )
        self.requests = 0
        self.errors = 0

    def register(self, service_path: str, method: str, request_cls, handler, streaming=False):
        """Serve ``/<service_path>/<method>``; ``request_cls.decode(bytes)`` parses the
        request, ``handler(request, context)`` answers it."""
        path = "/" + service_path.strip("/") + "/" + method
        self._methods[path] = (request_cls, handler, streaming)

    # -- lifecycle -------------------------------------------------------------------

    def start(self, host: str = "0.0.0.0", port: int = 8080) -> None:
        self.http.start(host, port)

    @property
    def port(self) -> int:
        """The bound port (useful after ``start(port=0)``)."""
        return self.http._sock.getsockname()[1]

    def poll(self) -> str:
        """Serve at most one waiting request; returns adafruit_httpserver's poll result.
        Network errors of one connection are swallowed so the loop keeps going."""
        try:
            return self.http.poll()
        except OSError as exc:
            self.errors += 1
            return "error: " + type(exc).__name__
        except ValueError:  # unparseable request head
            self.errors += 1
            return "error: bad request"

    def stop(self) -> None:
        self.http.stop()

    # -- request handling ------------------------------------------------------------

    def _route(self, request, service, method):
        self.requests += 1
        path = "/" + service + "/" + method
        entry = self._methods.get(path)  # (request class, handler, streaming)
        if entry is None:
            return self._trailers_only(request, StatusCode.UNIMPLEMENTED, "unknown method " + path)
        content_type = (request.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type not in (CONTENT_TYPE, "application/grpc-web"):
            return _OneWriteResponse(
                request,
                b"",
                status=(415, "Unsupported Media Type"),
                headers={"Accept-Post": CONTENT_TYPE},
            )
        if request.too_large:
            return self._trailers_only(
                request,
                StatusCode.RESOURCE_EXHAUSTED,
                "request exceeds the limit of %d bytes" % self.max_request_size,
            )
        if request.body_error:
            return self._trailers_only(request, StatusCode.INVALID_ARGUMENT, request.body_error)
        try:
            message = self._parse_request(request.body, entry[0])
        except GrpcError as err:
            return self._trailers_only(request, err.code, err.message)
        metadata = {name.lower(): value for name, value in request.headers.items()}
        context = CallContext(
            path,
            metadata,
            request.client_address,
            parse_grpc_timeout(metadata.get("grpc-timeout")),
        )
        if entry[2]:
            from jotunheim.grpc.server_extra import stream

            return stream(self, request, entry[1], message, context)
        try:
            body = encode_frame(_encode(entry[1](message, context)))
        except GrpcError as err:
            return self._trailers_only(request, err.code, err.message, context.trailers)
        except MemoryError:
            return self._trailers_only(request, StatusCode.RESOURCE_EXHAUSTED, "out of memory")
        except Exception:  # noqa: BLE001  (any handler bug becomes INTERNAL)
            self.errors += 1
            return self._trailers_only(request, StatusCode.INTERNAL, "internal error in " + path)
        body += encode_trailer_frame(_trailers(StatusCode.OK, "", context.trailers))
        return _OneWriteResponse(request, body)

    def _parse_request(self, body, request_cls):
        try:
            flag, payload, extra = first_frame(body, self.max_request_size)
        except GrpcError as err:
            # A client sent it: malformed input is the caller's fault, not ours.
            code = err.code
            if code == StatusCode.INTERNAL:
                code = StatusCode.INVALID_ARGUMENT
            raise GrpcError(code, err.message) from None
        if payload is None:
            raise GrpcError(StatusCode.INVALID_ARGUMENT, "request body is not one complete frame")
        if flag == FLAG_TRAILERS:
            raise GrpcError(StatusCode.INVALID_ARGUMENT, "request holds a trailer frame")
        if extra:
            raise GrpcError(StatusCode.INVALID_ARGUMENT, "request holds more than one message")
        try:
            return request_cls.decode(payload)
        except (ValueError, TypeError, IndexError, KeyError) as exc:
            raise GrpcError(
                StatusCode.INVALID_ARGUMENT, "malformed request message: " + str(exc)
            ) from None

    def _trailers_only(self, request, code, message, extra=None):
        headers = {}
        for name, value in _trailers(code, message, extra):
            headers[name] = value
        return _OneWriteResponse(request, b"", headers=headers)
