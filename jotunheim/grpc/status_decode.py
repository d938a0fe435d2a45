# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Reading a received gRPC status: trailers, HTTP fallback, ``grpc-status``, ``grpc-message``."""

# Client side only (jotunheim.grpc.client), so a device that only serves never loads it.

from jotunheim.grpc.status import GrpcError, StatusCode


def code_from_http_status(http_status: int) -> int:
    """gRPC code for an HTTP status of a response without ``grpc-status`` (the mapping of
    gRPC's HTTP-to-gRPC status document)."""
    if http_status in (429, 502, 503, 504):
        return StatusCode.UNAVAILABLE
    if http_status == 400:
        return StatusCode.INTERNAL
    if http_status == 401:
        return StatusCode.UNAUTHENTICATED
    if http_status == 403:
        return StatusCode.PERMISSION_DENIED
    if http_status == 404:
        return StatusCode.UNIMPLEMENTED
    return StatusCode.UNKNOWN


def percent_decode(value) -> str:
    """Decode a percent-encoded UTF-8 ``grpc-message``. Never raises: a bad escape is
    kept as written and invalid UTF-8 becomes U+FFFD, as the gRPC spec asks."""
    if isinstance(value, str):
        if "%" not in value:
            return value
        value = value.encode("utf-8")
    data = bytes(value)
    out = bytearray()
    i = 0
    while i < len(data):
        ch = data[i]
        i += 1
        digits = data[i : i + 2]
        if ch == 37 and len(digits) == 2 and not digits.strip(b"0123456789abcdefABCDEF"):
            ch = int(str(digits, "ascii"), 16)  # a complete "%XY"
            i += 2
        out.append(ch)
    try:
        return str(out, "utf-8")
    except UnicodeError:
        pass
    # Each ch that starts no valid sequence becomes U+FFFD (MicroPython has no
    # "replace" error handler): take the longest sequence that decodes, else one ch.
    parts = []
    i = 0
    while i < len(out):
        for n in (4, 3, 2, 1):
            try:
                parts.append(str(out[i : i + n], "utf-8"))
                break
            except UnicodeError:
                pass
        else:
            parts.append("\ufffd")
        i += n
    return "".join(parts)


def parse_trailers(payload) -> dict:
    """Parse a trailer-frame payload into a dict with lower-case names.

    Blank lines are skipped (some servers end with one); a line without ``:`` or bytes
    that are not ASCII/UTF-8 raise ``GrpcError(INTERNAL)``. ``grpc-message`` is kept raw:
    :func:`trailer_status` decodes it."""
    try:
        text = str(bytes(payload), "utf-8")
    except UnicodeError:
        raise GrpcError(StatusCode.INTERNAL, "trailer frame is not valid UTF-8") from None
    result = {}
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        colon = line.find(":")
        if colon <= 0:
            raise GrpcError(StatusCode.INTERNAL, "malformed trailer line: " + repr(line[:40]))
        name = line[:colon].strip().lower()
        value = line[colon + 1 :].strip()
        if name in result:
            value = result[name] + "," + value
        result[name] = value
    return result


def trailer_status(trailers: dict, where: str = "trailers"):
    """``(code, message)`` from parsed trailers; raises ``GrpcError(INTERNAL)`` if
    ``grpc-status`` is missing or not a number (1 to 3 digits)."""
    raw = trailers.get("grpc-status")
    if raw is None:
        raise GrpcError(StatusCode.INTERNAL, "no grpc-status in " + where, trailers)
    text = raw.strip()
    if not 0 < len(text) <= 3 or text.strip("0123456789"):
        raise GrpcError(StatusCode.INTERNAL, "malformed grpc-status " + repr(raw[:20]), trailers)
    return int(text), percent_decode(trailers.get("grpc-message", ""))
