# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Server-streaming answers of :class:`jotunheim.grpc.server.GrpcWebServer`: the frames
of a stream, as its handler produces them. Loaded by the first streaming call (unary
answers are framed in place by the server; the client never needs this).
"""

from jotunheim.compat import monotonic_ms
from jotunheim.grpc.framing import encode_frame, encode_trailer_frame
from jotunheim.grpc.status import StatusCode
from jotunheim.grpc.trailers import status_of, trailers


def stream_frames(iterator, context):
    """The frames of a server-streaming answer: one message frame per item of
    ``iterator`` (messages with ``encode()``, or bytes), then the trailer frame of
    ``trailers(code, message, context.trailers)``
    (:func:`jotunheim.grpc.trailers.trailers`); an error, or the client's deadline
    (``context.call_deadline``) running out, ends the stream with its status."""
    code, message = StatusCode.OK, ""
    try:
        for item in iterator:
            if context.call_deadline is not None and monotonic_ms() >= context.call_deadline:
                code, message = StatusCode.DEADLINE_EXCEEDED, "deadline exceeded"
                break
            if not isinstance(item, bytes):
                item = bytes(item) if isinstance(item, (bytearray, memoryview)) else item.encode()
            yield encode_frame(item)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a status
        code, message = status_of(exc, context.path)
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()  # the handler's cleanup, also when the client went away
    yield encode_trailer_frame(trailers(code, message, context.trailers))
