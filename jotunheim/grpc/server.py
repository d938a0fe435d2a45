# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""gRPC-Web server for the device side: a :class:`jotunheim.http.server.HttpServer` that
answers gRPC-Web calls.

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
sent as one frame in one HTTP/1.1 chunk as it comes. ``context`` is the call's HTTP
request (:class:`jotunheim.http.server.Request`, the connection's slot: no object is
made per call): ``path`` is ``"/pkg.Service/Method"``; ``headers`` the request headers
with lower-case names, the call's metadata (``context.headers.get("authorization")``);
``client_address`` the peer's ``(host, port)``; ``body`` the request body as received
(a signature covers it); ``call_deadline`` when the client's ``grpc-timeout`` runs out
(``compat.monotonic_ms()`` time), or None; ``trailers`` None, or a dict of extra
trailer metadata the handler sets; ``signed_by`` ``(token, signature)`` once a signed
request was verified (:mod:`jotunheim.remote.handler`), else None. Raise :class:`GrpcError` to answer
with a status. Unknown methods get UNIMPLEMENTED, malformed requests INVALID_ARGUMENT,
oversized ones RESOURCE_EXHAUSTED, handler exceptions INTERNAL with a fixed message (no
traceback leaves the device); the server keeps serving. Connections are kept alive.

``admission(path, streaming)``, when set, is asked before a request is parsed and may
raise (:class:`jotunheim.resources.ResourceExhausted` becomes RESOURCE_EXHAUSTED):
the Device refuses new CallTools and streams there while the heap is exhausted. A request
that runs out of heap before an answer exists gets ``out_of_memory``, a trailers-only
RESOURCE_EXHAUSTED made once.
"""

from jotunheim.compat import run_and_forget
from jotunheim.grpc.status import StatusCode
from jotunheim.http.server import HttpServer, Response


class GrpcWebServer(HttpServer):
    """Serves registered gRPC methods over gRPC-Web (binary) on HTTP/1.1.

    An :class:`HttpServer` whose handler is :meth:`handle`: ``start``, ``poll``, ``stop``,
    ``port`` and the counters (where a status report reads them) are its own.

    :param socket_pool: ``socketpool.SocketPool(wifi.radio)`` or CPython's ``socket``
    :param int max_request_size: largest request body accepted (bytes); ``max_body``
        afterwards, which may be changed while serving
    :param str cors_origin: answer CORS preflights and allow this origin (``"*"`` for
        any); None (the default) refuses ``OPTIONS``
    :param limits: passed to :class:`HttpServer` (``slots``, ``head_timeout``, ...)

    Given by name, and set by :func:`jotunheim.grpc.setup.build` (a module forgotten
    once the server is built).
    """

    def __init__(self, socket_pool, **options):
        # Built by jotunheim.grpc.setup, forgotten once done (see HttpServer).
        run_and_forget("jotunheim.grpc.setup", "build", self, socket_pool, **options)

    def register(self, service_path, method, request_cls, handler, streaming=False):
        """Serve ``/<service_path>/<method>``; ``request_cls.decode(bytes)`` parses the
        request, ``handler(request, context)`` answers it."""
        # Newest first: registering a method again replaces it.
        self.methods.insert(0, (service_path.strip("/"), method, request_cls, handler, streaming))

    def handle(self, request):
        """Answer one HTTP request (the :class:`HttpServer` handler)."""
        path = request.path
        # The entry of "/<service>/<method>" (path compared where it lies), else None.
        for entry in self.methods:
            n = len(entry[0]) + 1  # where "/<method>" starts
            if (
                len(path) == n + 1 + len(entry[1])
                and path[0] == path[n] == "/"
                and path.startswith(entry[0], 1)
                and path.endswith(entry[1])
            ):
                break
        else:
            entry = None
        if request.method != "POST" or (
            entry is not None
            and request.headers.get("content-type")
            not in ("application/grpc-web+proto", "application/grpc-web")
        ):
            from jotunheim.grpc.cors import not_a_call

            answer = not_a_call(self, request)  # None: a call after all
            if answer is not None:
                return answer
        # The call's context is its request (the slot): set here for each call, since the
        # slot served the connection's calls before.
        request.trailers = request.signed_by = request.call_deadline = None
        value = request.headers.get("grpc-timeout")
        if value is not None:
            # A client's deadline: loaded by the first call that carries one.
            from jotunheim.grpc.timeout import deadline

            request.call_deadline = deadline(value)
        message = 0  # None while the request is decoded (its errors are the caller's)
        try:
            # The request: one message frame (flag 0, 4-byte big-endian length) within
            # the limit, nothing after it; anything else is refused by
            # jotunheim.grpc.trailers (after the admission check, where it is due).
            body = request.body
            size = len(body) - 5
            if (
                entry is None
                or request.too_large
                or size < 0
                or body[0]
                or body[1] << 24 | body[2] << 16 | body[3] << 8 | body[4] != size
                or size > self.max_body
            ):
                from jotunheim.grpc.trailers import refusal

                raise refusal(self, request, entry)
            if self.admission is not None:
                self.admission(path, entry[4])
            message = None
            message = entry[2].decode(memoryview(body)[5:])
            if entry[4]:
                # Framed as they come by jotunheim.grpc.streams, loaded by the first
                # stream (unary answers are framed in place).
                from jotunheim.grpc.streams import stream_frames

                stream = stream_frames(iter(entry[3](message, request)), request)
                return Response(200, self.head, stream=stream)
            data = entry[3](message, request)
            # A message is encoded, a bytes-like answer goes as it is (checked one type
            # at a time: a tuple of types would be made on every call).
            if not (
                isinstance(data, bytes)
                or isinstance(data, bytearray)
                or isinstance(data, memoryview)
            ):
                data = data.encode()
        except Exception as exc:  # noqa: BLE001 - every failure becomes a status
            # Out of heap, this import fails too: HttpServer then answers out_of_memory.
            from jotunheim.grpc.trailers import failed

            return failed(self, exc, request, message is None)
        if request.trailers:
            from jotunheim.grpc.framing import encode_trailer_frame
            from jotunheim.grpc.trailers import trailers

            trailer = encode_trailer_frame(trailers(StatusCode.OK, "", request.trailers))
        else:
            trailer = b"\x80\x00\x00\x00\x10grpc-status: 0\r\n"  # the common case
        # One body: the message frame (5-byte header, data), then the trailer frame.
        size = len(data)
        body = bytearray(5 + size + len(trailer))
        body[1] = size >> 24 & 255
        body[2] = size >> 16 & 255
        body[3] = size >> 8 & 255
        body[4] = size & 255
        body[5 : 5 + size] = data
        body[5 + size :] = trailer
        return Response(200, self.head, body)
