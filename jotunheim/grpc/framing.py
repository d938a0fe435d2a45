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

FLAG_TRAILERS = 0x80
DEFAULT_MAX_MESSAGE_SIZE = 4 * 1024 * 1024


def frame_header(length: int, flag: int = 0) -> bytes:
    """The 5-byte header of a frame (``flag`` 0: a message)."""
    return bytes(
        (flag, (length >> 24) & 0xFF, (length >> 16) & 0xFF, (length >> 8) & 0xFF, length & 0xFF)
    )


def encode_frame(payload, flag: int = 0) -> bytes:
    """One frame holding ``payload`` (bytes-like)."""
    return frame_header(len(payload), flag) + bytes(payload)


def encode_trailer_frame(trailers) -> bytes:
    """A complete trailer frame from a dict or a list of (name, value) pairs.

    Names are lower-cased; values must already be header-safe (percent-encode
    ``grpc-message`` with :func:`percent_encode`)."""
    items = trailers.items() if hasattr(trailers, "items") else trailers
    text = ""
    for name, value in items:
        text += str(name).lower() + ": " + str(value) + "\r\n"
    return encode_frame(text.encode("utf-8"), FLAG_TRAILERS)


def percent_encode(message: str) -> str:
    """Percent-encode a ``grpc-message`` (every byte outside printable ASCII and ``%``)."""
    raw = message.encode("utf-8")
    out = None  # made at the first byte that needs encoding: most messages need none
    for i, b in enumerate(raw):
        if out is None and (b < 0x20 or b > 0x7E or b == 37):
            out = [message[:i]] if i else []  # the bytes before it are printable ASCII
        if out is not None:
            out.append(chr(b) if 0x20 <= b <= 0x7E and b != 37 else "%%%02X" % b)
    return message if out is None else "".join(out)


def check_header(flag: int, length: int, max_size: int) -> None:
    """Raise GrpcError for a frame header we refuse: compressed (flag bit 0x01, never
    agreed), unknown flag, too large (a trailer frame over 16 KB)."""
    if flag & 1:
        raise GrpcError(StatusCode.INTERNAL, "compressed frame, but no compression agreed")
    if flag not in (0, FLAG_TRAILERS):
        raise GrpcError(StatusCode.INTERNAL, "unknown frame flag 0x%02x" % flag)
    if flag:
        if length > 16 * 1024:
            raise GrpcError(StatusCode.INTERNAL, "trailer frame of %d bytes is too large" % length)
    elif length > max_size:
        raise GrpcError(
            StatusCode.RESOURCE_EXHAUSTED,
            "response message of %d bytes exceeds the limit of %d" % (length, max_size),
        )
