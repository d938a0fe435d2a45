# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The answers of :class:`jotunheim.grpc.server.GrpcWebServer` other than a plain OK, and
the trailers they carry; loaded with the first one.

A call the server refuses (an unknown method, a body over the limit, not one message
frame) or whose handler fails gets its status as trailers-only header lines
(:func:`failed`); a streamed answer, or an OK one with the handler's trailer metadata,
ends with a trailer frame (:func:`trailers` and
:func:`jotunheim.grpc.framing.encode_trailer_frame`). :func:`status_of` is the one
place that decides which status an exception becomes. A device whose calls all succeed
never holds this module.
"""

from jotunheim.grpc.framing import percent_encode
from jotunheim.grpc.status import GrpcError, StatusCode
from jotunheim.http.server import Response


def status_of(exc, method=""):
    """``(code, message)`` a server answers for ``exc``, the one place that decides it:
    a GrpcError keeps its status, ResourceExhausted (its message names the resource) and
    MemoryError are RESOURCE_EXHAUSTED, and anything else is INTERNAL with a fixed
    message (no detail of a bug leaves the device)."""
    if isinstance(exc, GrpcError):
        return exc.code, exc.message
    # On a Device the resources monitor has loaded it already: a lookup.
    from jotunheim.resources import ResourceExhausted

    if isinstance(exc, ResourceExhausted):
        return StatusCode.RESOURCE_EXHAUSTED, str(exc)
    if isinstance(exc, MemoryError):
        return StatusCode.RESOURCE_EXHAUSTED, "out of memory"
    return StatusCode.INTERNAL, "internal error in " + method if method else "internal error"


def trailers(code, message="", extra=None):
    """``(name, value)`` pairs of a status: grpc-status, grpc-message, then ``extra``."""
    items = [("grpc-status", str(code))]
    if message:
        items.append(("grpc-message", percent_encode(message)))
    if extra:
        for name, value in extra.items():
            items.append((name.lower(), str(value)))
    return items


def refusal(server, request, entry):
    """The :class:`GrpcError` for a call ``server`` does not run: ``entry`` (what
    ``server.methods`` holds for its path: service, method, request class, handler,
    streaming) is None (UNIMPLEMENTED), its body is over the
    limit (RESOURCE_EXHAUSTED, after the admission check) or is not one message frame
    (INVALID_ARGUMENT)."""
    if entry is None:
        return GrpcError(StatusCode.UNIMPLEMENTED, "unknown method " + request.path)
    body = request.body
    size = len(body) - 5
    length = size
    if size >= 0:
        length = body[1] << 24 | body[2] << 16 | body[3] << 8 | body[4]
    if request.too_large or (length > server.max_body and not body[0]):
        # HttpServer's buffer pool says why it could not hold the body.
        return GrpcError(
            StatusCode.RESOURCE_EXHAUSTED,
            getattr(request, "refusal", None) or "request over %d bytes" % server.max_body,
        )
    if server.admission is not None:
        server.admission(request.path, entry[4])  # may refuse first: its error is answered
    return GrpcError(StatusCode.INVALID_ARGUMENT, "request is not one message frame")


def failed(server, exc, context, decoding=False):
    """The trailers-only answer (status as header lines, no body) of a call that ended in
    ``exc`` (:func:`status_of`), with the handler's trailer metadata. ``decoding``: the
    request message was being decoded, so a ValueError, TypeError, IndexError or KeyError
    is the caller's malformed message (INVALID_ARGUMENT)."""
    if decoding and isinstance(exc, (ValueError, TypeError, IndexError, KeyError)):
        exc = GrpcError(StatusCode.INVALID_ARGUMENT, "malformed request message: %s" % exc)
    code, message = status_of(exc, context.path)
    lines = "".join(["%s: %s\r\n" % entry for entry in trailers(code, message, context.trailers)])
    return Response(200, server.head + lines.encode())
