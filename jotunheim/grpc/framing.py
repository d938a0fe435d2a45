# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""gRPC-Web frames: encoding and header checks.

A frame is one flag byte, a 4-byte big-endian length and the payload. Flag ``0x00``
is a message, ``0x80`` the trailer frame (``name: value\\r\\n`` lines, always last);
bit ``0x01`` marks a compressed payload, which we never agree to.

:class:`jotunheim.grpc.frame_parser.FrameParser` reads frames that arrive in pieces
(client side); :mod:`jotunheim.grpc.status_decode` reads a trailer frame.
"""

from jotunheim.grpc.status import GrpcError, StatusCode

FLAG_MESSAGE = 0x00
FLAG_COMPRESSED = 0x01
FLAG_TRAILERS = 0x80

DEFAULT_MAX_MESSAGE_SIZE = 4 * 1024 * 1024
MAX_TRAILERS_SIZE = 16 * 1024


def frame_header(length: int, flag: int = FLAG_MESSAGE) -> bytes:
    """The 5-byte header of a frame."""
    return bytes(
        (flag, (length >> 24) & 0xFF, (length >> 16) & 0xFF, (length >> 8) & 0xFF, length & 0xFF)
    )


def encode_frame(payload, flag: int = FLAG_MESSAGE) -> bytes:
    """One frame holding ``payload`` (bytes-like)."""
    return frame_header(len(payload), flag) + bytes(payload)


def encode_trailers(trailers) -> bytes:
    """The payload of a trailer frame from a dict or a list of (name, value) pairs.

    Names are lower-cased; values must already be header-safe (percent-encode
    ``grpc-message`` with :func:`jotunheim.grpc.status.percent_encode`)."""
    items = trailers.items() if hasattr(trailers, "items") else trailers
    out = []
    for name, value in items:
        out.append(str(name).lower() + ": " + str(value) + "\r\n")
    return "".join(out).encode("utf-8")


def encode_trailer_frame(trailers) -> bytes:
    """A complete trailer frame."""
    return encode_frame(encode_trailers(trailers), FLAG_TRAILERS)


def check_header(flag: int, length: int, max_size: int) -> None:
    """Raise GrpcError for a frame header we refuse: compressed, unknown flag, too large."""
    if flag & FLAG_COMPRESSED:
        raise GrpcError(StatusCode.INTERNAL, "compressed frame, but no compression agreed")
    if flag not in (FLAG_MESSAGE, FLAG_TRAILERS):
        raise GrpcError(StatusCode.INTERNAL, "unknown frame flag 0x%02x" % flag)
    if flag == FLAG_TRAILERS:
        if length > MAX_TRAILERS_SIZE:
            raise GrpcError(StatusCode.INTERNAL, "trailer frame of %d bytes is too large" % length)
    elif length > max_size:
        raise GrpcError(
            StatusCode.RESOURCE_EXHAUSTED,
            "response message of %d bytes exceeds the limit of %d" % (length, max_size),
        )


def first_frame(body, max_size: int):
    """``(flag, payload, extra)`` for the frame at the start of a complete body (a server's
    request): ``payload`` is a memoryview into ``body``, or None when the frame is cut
    short; ``extra`` counts the bytes after it. A refused header raises as in
    :func:`check_header` (FrameParser, for bodies that arrive in pieces, checks the same)."""
    view = memoryview(body)
    if len(view) < 5:
        return 0, None, 0
    flag = view[0]
    length = (view[1] << 24) | (view[2] << 16) | (view[3] << 8) | view[4]
    check_header(flag, length, max_size)
    end = 5 + length
    if len(view) < end:
        return flag, None, 0
    return flag, view[5:end], len(view) - end
