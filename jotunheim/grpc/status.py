"""gRPC status codes, the gRPC-Web HTTP-status mapping and :class:`GrpcError`.

Numbers are the ones every gRPC implementation uses; the HTTP mapping is the one of
the wire contract (section 5) and of the gRPC HTTP/2 spec for calls whose response
carries no ``grpc-status``.
"""

try:
    from typing import Optional  # noqa: F401  (annotations only)
except ImportError:
    pass


class StatusCode:
    """gRPC status codes by name (``StatusCode.UNAVAILABLE == 14``)."""

    OK = 0
    CANCELLED = 1
    UNKNOWN = 2
    INVALID_ARGUMENT = 3
    DEADLINE_EXCEEDED = 4
    NOT_FOUND = 5
    ALREADY_EXISTS = 6
    PERMISSION_DENIED = 7
    RESOURCE_EXHAUSTED = 8
    FAILED_PRECONDITION = 9
    ABORTED = 10
    OUT_OF_RANGE = 11
    UNIMPLEMENTED = 12
    INTERNAL = 13
    UNAVAILABLE = 14
    DATA_LOSS = 15
    UNAUTHENTICATED = 16

    _NAMES = (
        "OK",
        "CANCELLED",
        "UNKNOWN",
        "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED",
        "NOT_FOUND",
        "ALREADY_EXISTS",
        "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION",
        "ABORTED",
        "OUT_OF_RANGE",
        "UNIMPLEMENTED",
        "INTERNAL",
        "UNAVAILABLE",
        "DATA_LOSS",
        "UNAUTHENTICATED",
    )

    @staticmethod
    def name(code: int) -> str:
        """Name of a code (``"UNAVAILABLE"``); unknown numbers give ``"CODE_<n>"``."""
        if isinstance(code, int) and 0 <= code < len(StatusCode._NAMES):
            return StatusCode._NAMES[code]
        return "CODE_" + str(code)

    @staticmethod
    def value(name: str) -> int:
        """Number of a code name; raises ValueError for an unknown name."""
        upper = name.upper()
        for i, known in enumerate(StatusCode._NAMES):
            if known == upper:
                return i
        raise ValueError("unknown gRPC status name: " + repr(name))


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


_HEX = "0123456789ABCDEF"


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


def percent_encode(message: str) -> str:
    """Percent-encode a ``grpc-message`` (every byte outside printable ASCII and ``%``)."""
    raw = message.encode("utf-8")
    if all(0x20 <= b <= 0x7E and b != 37 for b in raw):
        return message
    out = []
    for b in raw:
        if 0x20 <= b <= 0x7E and b != 37:
            out.append(chr(b))
        else:
            out.append("%" + _HEX[b >> 4] + _HEX[b & 15])
    return "".join(out)


class GrpcError(Exception):
    """A call ended with a non-OK gRPC status.

    ``code`` is the status number (see :class:`StatusCode`), ``message`` the decoded
    ``grpc-message``, ``trailers`` a dict of the trailer (or trailers-only header)
    metadata with lower-case names.
    """

    def __init__(self, code: int, message: str = "", trailers=None) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.trailers = trailers if trailers is not None else {}

    @property
    def code_name(self) -> str:
        return StatusCode.name(self.code)

    def __str__(self) -> str:
        if self.message:
            return StatusCode.name(self.code) + ": " + self.message
        return StatusCode.name(self.code)

    def __repr__(self) -> str:
        return "GrpcError(" + StatusCode.name(self.code) + ", " + repr(self.message) + ")"
