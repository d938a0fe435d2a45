"""Sort failures into categories and say whether retrying makes sense.

Categories:

- ``network``: the link or the peer went away (refused, reset, timed out, DNS, WiFi down,
  gRPC UNAVAILABLE / DEADLINE_EXCEEDED). Retry with backoff.
- ``resource``: the device ran out of something (MemoryError, "Out of sockets", ENOMEM,
  ENOBUFS, TLS allocation, gRPC RESOURCE_EXHAUSTED). Retry after freeing memory/sockets,
  with a longer pause.
- ``auth``: credentials or certificates are wrong (UNAUTHENTICATED, PERMISSION_DENIED,
  certificate verification). Retrying cannot help.
- ``protocol``: the peer answered something we cannot use (malformed frames, bad status,
  UNIMPLEMENTED, INVALID_ARGUMENT). Retrying the same request gives the same answer.
- ``bug``: a programming error (TypeError, AttributeError, ...). Never retried.

errno numbers differ between platforms: CPython on Linux, the MicroPython/CircuitPython
internal table (Linux numbers) and ESP-IDF's newlib (e.g. ETIMEDOUT is 116 there, the
"[Errno 116] ETIMEDOUT" CircuitPython users see). The interpreter's own ``errno`` module is
consulted first, then both known tables.
"""

from jotunheim.grpc.status import StatusCode as _Code  # gRPC status numbers, named once

try:
    from typing import Optional  # noqa: F401
except ImportError:
    pass

NETWORK = "network"
PROTOCOL = "protocol"
RESOURCE = "resource"
AUTH = "auth"
BUG = "bug"
CATEGORIES = (NETWORK, PROTOCOL, RESOURCE, AUTH, BUG)

# code: (category, retryable, suggested delay in seconds)
_GRPC = {
    _Code.CANCELLED: (NETWORK, False, 0.0),
    _Code.UNKNOWN: (PROTOCOL, False, 0.0),
    _Code.INVALID_ARGUMENT: (PROTOCOL, False, 0.0),
    _Code.DEADLINE_EXCEEDED: (NETWORK, True, 0.5),
    _Code.NOT_FOUND: (PROTOCOL, False, 0.0),
    _Code.ALREADY_EXISTS: (PROTOCOL, False, 0.0),
    _Code.PERMISSION_DENIED: (AUTH, False, 0.0),
    _Code.RESOURCE_EXHAUSTED: (RESOURCE, True, 2.0),
    _Code.FAILED_PRECONDITION: (PROTOCOL, False, 0.0),
    _Code.ABORTED: (PROTOCOL, True, 0.2),
    _Code.OUT_OF_RANGE: (PROTOCOL, False, 0.0),
    _Code.UNIMPLEMENTED: (PROTOCOL, False, 0.0),
    _Code.INTERNAL: (PROTOCOL, False, 0.0),
    _Code.UNAVAILABLE: (NETWORK, True, 0.2),
    _Code.DATA_LOSS: (PROTOCOL, False, 0.0),
    _Code.UNAUTHENTICATED: (AUTH, False, 0.0),
}

_NET = (NETWORK, True, 0.2)
_NET_SLOW = (NETWORK, True, 1.0)
_RES = (RESOURCE, True, 1.0)
_BUG = (BUG, False, 0.0)

# errno names and what they mean for a network call.
_ERRNO_NAMES = (
    ("ECONNREFUSED", _NET_SLOW),
    ("ECONNRESET", _NET),
    ("ECONNABORTED", _NET),
    ("ETIMEDOUT", _NET),
    ("EHOSTUNREACH", _NET_SLOW),
    ("ENETUNREACH", _NET_SLOW),
    ("ENETDOWN", _NET_SLOW),
    ("EHOSTDOWN", _NET_SLOW),
    ("ENOTCONN", _NET),
    ("EPIPE", _NET),
    ("EAGAIN", _NET),
    ("EWOULDBLOCK", _NET),
    ("EINPROGRESS", _NET),
    ("EALREADY", _NET),
    ("EIO", _NET),
    ("EBADF", _NET),
    ("EADDRNOTAVAIL", _NET_SLOW),
    ("EADDRINUSE", _NET),
    ("ENOMEM", _RES),
    ("ENOBUFS", _RES),
    ("EMFILE", _RES),
    ("ENFILE", _RES),
    ("ENOSPC", _RES),
    ("EINVAL", _BUG),
    ("EOPNOTSUPP", _BUG),
    ("ENOENT", _BUG),
    ("EISDIR", _BUG),
    ("EROFS", _BUG),
    ("EEXIST", _BUG),
    ("EACCES", (AUTH, False, 0.0)),
    ("EPERM", (AUTH, False, 0.0)),
)

# Fallback numbers when the interpreter's errno module lacks a name.
# Linux / MicroPython internal table:
_LINUX = {
    "EPERM": 1, "ENOENT": 2, "EIO": 5, "EBADF": 9, "EAGAIN": 11, "ENOMEM": 12, "EACCES": 13,
    "EEXIST": 17, "EISDIR": 21, "EINVAL": 22, "ENFILE": 23, "EMFILE": 24, "ENOSPC": 28,
    "EROFS": 30, "EPIPE": 32, "EOPNOTSUPP": 95, "EADDRINUSE": 98, "EADDRNOTAVAIL": 99,
    "ENETDOWN": 100, "ENETUNREACH": 101, "ECONNABORTED": 103, "ECONNRESET": 104,
    "ENOBUFS": 105, "ENOTCONN": 107, "ETIMEDOUT": 110, "ECONNREFUSED": 111,
    "EHOSTDOWN": 112, "EHOSTUNREACH": 113, "EALREADY": 114, "EINPROGRESS": 115,
}  # fmt: skip
# ESP-IDF newlib (CircuitPython on ESP32-S2/S3):
_NEWLIB = {
    "EADDRINUSE": 112, "ECONNABORTED": 113, "ENETUNREACH": 114, "ENETDOWN": 115,
    "ETIMEDOUT": 116, "EHOSTDOWN": 117, "EHOSTUNREACH": 118, "EINPROGRESS": 119,
    "EALREADY": 120, "ENOTCONN": 128, "EADDRNOTAVAIL": 125,
}  # fmt: skip

# mbedTLS (CircuitPython raises OSError with these negative codes from TLS).
_MBEDTLS_CERT_VERIFY_FAILED = -0x2700
_MBEDTLS_SSL_ALLOC_FAILED = -0x7F00
_MBEDTLS_MPI_ALLOC_FAILED = -0x0010

# Messages that identify a failure when there is no usable errno.
_TEXT = (
    ("out of sockets", _RES),
    ("out of memory", _RES),
    ("memory allocation", _RES),
    ("unable to allocate", _RES),
    ("certificate", (AUTH, False, 0.0)),
    ("cert verify", (AUTH, False, 0.0)),
    ("timed out", _NET),
    ("timeout", _NET),
    ("etimedout", _NET),
    ("econnreset", _NET),
    ("econnrefused", _NET_SLOW),
    ("ehostunreach", _NET_SLOW),
    ("name or service", _NET_SLOW),
    ("getaddrinfo", _NET_SLOW),
    ("not connected", _NET_SLOW),
    ("connection", _NET),
    ("ssl handshake", _NET),
    ("sending request failed", _NET),
    ("unable to read http response", _NET),
    ("repeated socket failures", _NET),
    ("existing socket is already connected", _RES),
    ("failed to send request", _NET),
    ("no route", _NET_SLOW),
    ("socket", _NET),
)


def _errno_table() -> dict:
    table = {}
    try:
        import errno as _errno  # noqa: PLC0415

        for name, info in _ERRNO_NAMES:
            number = getattr(_errno, name, None)
            if isinstance(number, int) and number not in table:
                table[number] = info
    except ImportError:
        pass
    infos = dict(_ERRNO_NAMES)
    for numbers in (_LINUX, _NEWLIB):
        for name, number in numbers.items():
            if number not in table:
                table[number] = infos[name]
    return table


class ErrorInfo:
    """What an :class:`ErrorHandler` concluded about one failure."""

    __slots__ = ("category", "retryable", "delay", "reason", "code")

    def __init__(self, category, retryable, delay, reason, code=None) -> None:
        self.category = category
        self.retryable = retryable
        self.delay = delay
        self.reason = reason
        self.code = code

    def __repr__(self) -> str:
        return f"ErrorInfo({self.category}, retry={self.retryable}, {self.delay}, {self.reason})"


_PROTOCOL_CLASSES = ("DecodeError", "ProtocolError", "UnicodeError", "UnicodeDecodeError")
_BUG_CLASSES = (TypeError, AttributeError, NameError, KeyError, IndexError, ImportError)


class ErrorHandler:
    """Categorises exceptions; counts them per category.

    ``classify(exc)`` returns an :class:`ErrorInfo`; ``is_retryable(exc)`` and
    ``suggest_delay(exc)`` are shortcuts. ``handle(exc)`` also counts and returns the info.
    """

    def __init__(self) -> None:
        self._errno = _errno_table()
        self.counts = {}
        for name in CATEGORIES:
            self.counts[name] = 0

    # -- individual classifiers ------------------------------------------------------
    def classify_status(self, code: int, message: str = "") -> ErrorInfo:
        """A gRPC status number."""
        if code == _Code.OK:
            return ErrorInfo(BUG, False, 0.0, "status OK is not an error", code)
        category, retry, delay = _GRPC.get(code, (PROTOCOL, False, 0.0))
        return ErrorInfo(category, retry, delay, f"grpc status {code} {message}", code)

    def classify_http(self, status: int) -> ErrorInfo:
        """An HTTP status without a gRPC status."""
        if status in (401, 403, 407):
            return ErrorInfo(AUTH, False, 0.0, f"http {status}", status)
        if status == 429:
            return ErrorInfo(RESOURCE, True, 2.0, "http 429", status)
        if status in (408, 502, 503, 504):
            return ErrorInfo(NETWORK, True, 0.5, f"http {status}", status)
        if status >= 500:
            return ErrorInfo(PROTOCOL, False, 0.0, f"http {status}", status)
        return ErrorInfo(PROTOCOL, False, 0.0, f"http {status}", status)

    def classify_errno(self, number: int, text: str = "") -> ErrorInfo:
        """An ``OSError`` errno (positive), a getaddrinfo code (small negative) or an
        mbedTLS code (large negative)."""
        if number < 0:
            if number == _MBEDTLS_CERT_VERIFY_FAILED:
                return ErrorInfo(AUTH, False, 0.0, "TLS certificate verify failed", number)
            if number in (_MBEDTLS_SSL_ALLOC_FAILED, _MBEDTLS_MPI_ALLOC_FAILED):
                return ErrorInfo(RESOURCE, True, 1.0, "TLS out of memory", number)
            if number > -0x10:
                # getaddrinfo: -2 EAI_NONAME, -3 EAI_AGAIN, ...: DNS down or no route yet.
                return ErrorInfo(NETWORK, True, 1.0, f"DNS lookup failed ({number})", number)
            return ErrorInfo(NETWORK, True, 0.5, f"TLS error {number}", number)
        info = self._errno.get(number)
        if info is None:
            found = self._classify_text(text)
            if found is not None:
                return ErrorInfo(found[0], found[1], found[2], f"errno {number} {text}", number)
            return ErrorInfo(NETWORK, True, 0.5, f"errno {number} {text}", number)
        return ErrorInfo(info[0], info[1], info[2], f"errno {number} {text}", number)

    def _classify_text(self, text: str):
        low = text.lower()
        for needle, info in _TEXT:
            if needle in low:
                return info
        return None

    # -- the general entry point -----------------------------------------------------
    def classify(self, exc) -> ErrorInfo:
        """Categorise any exception."""
        name = exc.__class__.__name__
        if isinstance(exc, MemoryError):
            return ErrorInfo(RESOURCE, True, 1.0, "MemoryError", None)
        if name == "CircuitOpenError":
            # The breaker already decided: do not retry inside this call.
            return ErrorInfo(NETWORK, False, getattr(exc, "retry_after", 0.0), str(exc), None)
        code = getattr(exc, "code", None)
        if isinstance(code, int) and not isinstance(exc, OSError) and 0 <= code <= 16:
            return self.classify_status(code, str(getattr(exc, "message", "")))
        status_code = getattr(exc, "status_code", None)
        if isinstance(status_code, int) and status_code >= 400:
            return self.classify_http(status_code)
        if isinstance(exc, OSError):
            return self._classify_oserror(exc, name)
        if name in _PROTOCOL_CLASSES or isinstance(exc, ValueError):
            return ErrorInfo(PROTOCOL, False, 0.0, f"{name}: {exc}", None)
        if isinstance(exc, _BUG_CLASSES) or isinstance(exc, AssertionError):
            return ErrorInfo(BUG, False, 0.0, f"{name}: {exc}", None)
        # RuntimeError("Out of sockets"), adafruit_requests OutOfRetries, ...
        found = self._classify_text(str(exc))
        if found is not None:
            return ErrorInfo(found[0], found[1], found[2], f"{name}: {exc}", None)
        if name == "OutOfRetries":
            return ErrorInfo(NETWORK, True, 0.5, name, None)
        return ErrorInfo(BUG, False, 0.0, f"{name}: {exc}", None)

    def _classify_oserror(self, exc, name: str) -> ErrorInfo:
        if "CertificateError" in name or "CertVerification" in name:
            return ErrorInfo(AUTH, False, 0.0, f"{name}: {exc}", None)
        if name in ("TimeoutError", "timeout"):
            return ErrorInfo(NETWORK, True, 0.2, "timeout", None)
        if name.startswith("SSL"):
            # CPython's SSLError carries OpenSSL's reason code in errno, not an OS errno.
            if "CERTIFICATE" in str(exc).upper():
                return ErrorInfo(AUTH, False, 0.0, f"{name}: {exc}", None)
            return ErrorInfo(NETWORK, True, 0.5, f"{name}: {exc}", None)
        args = exc.args
        number = args[0] if args else None
        text = " ".join(str(a) for a in args[1:]) if len(args) > 1 else ""
        if isinstance(number, int):
            return self.classify_errno(number, text or str(exc))
        found = self._classify_text(str(exc))
        if found is not None:
            return ErrorInfo(found[0], found[1], found[2], f"{name}: {exc}", None)
        return ErrorInfo(NETWORK, True, 0.5, f"{name}: {exc}", None)

    # -- shortcuts -------------------------------------------------------------------
    def is_retryable(self, exc) -> bool:
        """True when the same call may succeed if tried again later."""
        return self.classify(exc).retryable

    def suggest_delay(self, exc) -> float:
        """The minimum pause (seconds) worth waiting before a retry."""
        return self.classify(exc).delay

    def handle(self, exc) -> ErrorInfo:
        """Classify and count; a resource failure also triggers a garbage collection so the
        retry has the best chance."""
        info = self.classify(exc)
        self.counts[info.category] = self.counts.get(info.category, 0) + 1
        if info.category == RESOURCE:
            try:
                import gc  # noqa: PLC0415

                gc.collect()
            except ImportError:
                pass
        return info


_default = []


def default_handler() -> ErrorHandler:
    """One shared handler (its errno table is built once)."""
    if not _default:
        _default.append(ErrorHandler())
    return _default[0]
