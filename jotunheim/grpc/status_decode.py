# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Reading a received gRPC status: trailers, HTTP fallback, ``grpc-status``, ``grpc-message``."""

# Client side only (jotunheim.grpc.client), so a device that only serves never loads it.
# jotunheim.grpc.status and jotunheim.grpc.framing still offer these names (module
# __getattr__), where they used to live.

from jotunheim.grpc.status import GrpcError, StatusCode

_HTTP_TO_GRPC = {
    400: StatusCode.INTERNAL,
    401: StatusCode.UNAUTHENTICATED,
    403: StatusCode.PERMISSION_DENIED,
    404: StatusCode.UNIMPLEMENTED,
    429: StatusCode.UNAVAILABLE,
    502: StatusCode.UNAVAILABLE,
    503: StatusCode.UNAVAILABLE,
    504: StatusCode.UNAVAILABLE,
}


def code_from_http_status(http_status: int) -> int:
    """gRPC code for an HTTP status of a response without ``grpc-status``."""
    return _HTTP_TO_GRPC.get(http_status, StatusCode.UNKNOWN)


def parse_status(value) -> int:
    """Parse a ``grpc-status`` value; ``None`` if it is not a status number."""
    if isinstance(value, (bytes, bytearray)):
        try:
            value = str(value, "ascii")
        except UnicodeError:
            return None
    value = value.strip()
    if not value or len(value) > 3:
        return None
    for ch in value:
        if ch < "0" or ch > "9":
            return None
    return int(value)


def _hex_value(byte: int) -> int:
    if 48 <= byte <= 57:
        return byte - 48
    if 65 <= byte <= 70:
        return byte - 55
    if 97 <= byte <= 102:
        return byte - 87
    return -1


def percent_decode(value) -> str:
    """Decode a percent-encoded UTF-8 ``grpc-message``. Never raises: a bad escape is
    kept as written and invalid UTF-8 becomes U+FFFD, as the gRPC spec asks."""
    if isinstance(value, str):
        if "%" not in value:
            return value
        raw = value.encode("utf-8")
    else:
        raw = bytes(value)
    out = bytearray()
    i = 0
    n = len(raw)
    while i < n:
        b = raw[i]
        if b == 37 and i + 2 < n:  # a complete "%XY"
            hi = _hex_value(raw[i + 1])
            lo = _hex_value(raw[i + 2])
            if hi >= 0 and lo >= 0:
                out.append(hi * 16 + lo)
                i += 3
                continue
        out.append(b)
        i += 1
    return _utf8_lenient(bytes(out))


def _utf8_lenient(data: bytes) -> str:
    try:
        return str(data, "utf-8")
    except UnicodeError:
        pass
    # Replace each undecodable byte; MicroPython has no "replace" error handler.
    parts = []
    start = 0
    i = 0
    n = len(data)
    while i < n:
        step = _utf8_sequence_length(data, i)
        if step == 0:
            parts.append(str(data[start:i], "utf-8"))
            parts.append("\ufffd")
            i += 1
            start = i
        else:
            i += step
    parts.append(str(data[start:], "utf-8"))
    return "".join(parts)


def _utf8_sequence_length(data: bytes, i: int) -> int:
    """Length of the valid UTF-8 sequence starting at ``data[i]``, 0 if invalid."""
    b = data[i]
    if b < 0x80:
        return 1
    if 0xC2 <= b <= 0xDF:
        need, low, high = 1, 0x80, 0xBF
    elif 0xE0 <= b <= 0xEF:
        need = 2
        low = 0xA0 if b == 0xE0 else 0x80
        high = 0x9F if b == 0xED else 0xBF
    elif 0xF0 <= b <= 0xF4:
        need = 3
        low = 0x90 if b == 0xF0 else 0x80
        high = 0x8F if b == 0xF4 else 0xBF
    else:
        return 0
    if i + need >= len(data):  # sequence cut short
        return 0
    c = data[i + 1]
    if c < low or c > high:
        return 0
    for k in range(2, need + 1):
        c = data[i + k]
        if c < 0x80 or c > 0xBF:
            return 0
    return need + 1


# ------------------------------------------------------------ trailer frames


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
            result[name] = result[name] + "," + value
        else:
            result[name] = value
    return result


def trailer_status(trailers: dict, where: str = "trailers"):
    """``(code, message)`` from parsed trailers; raises ``GrpcError(INTERNAL)`` if
    ``grpc-status`` is missing or not a number."""
    raw = trailers.get("grpc-status")
    if raw is None:
        raise GrpcError(StatusCode.INTERNAL, "no grpc-status in " + where, trailers)
    code = parse_status(raw)
    if code is None:
        raise GrpcError(StatusCode.INTERNAL, "malformed grpc-status " + repr(raw[:20]), trailers)
    return code, percent_decode(trailers.get("grpc-message", ""))
