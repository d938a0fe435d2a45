# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
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

from jotunheim.grpc.status import StatusCode  # gRPC status numbers, named once

NETWORK = "network"
PROTOCOL = "protocol"
RESOURCE = "resource"
AUTH = "auth"
BUG = "bug"
CATEGORIES = (NETWORK, PROTOCOL, RESOURCE, AUTH, BUG)

_NET = (NETWORK, True, 0.2)
_NET_SLOW = (NETWORK, True, 1.0)
_RES = (RESOURCE, True, 1.0)
_BUG = (BUG, False, 0.0)
_AUTH = (AUTH, False, 0.0)
_PROTO = (PROTOCOL, False, 0.0)

# What the letters in the tables below stand for.
_MEANINGS = {"n": _NET, "N": _NET_SLOW, "r": _RES, "b": _BUG, "a": _AUTH}

# gRPC status -> (category, retryable, suggested delay in seconds); any other status is
# a protocol error that retrying cannot fix.
_GRPC = {
    StatusCode.CANCELLED: (NETWORK, False, 0.0),
    StatusCode.DEADLINE_EXCEEDED: (NETWORK, True, 0.5),
    StatusCode.PERMISSION_DENIED: _AUTH,
    StatusCode.RESOURCE_EXHAUSTED: (RESOURCE, True, 2.0),
    StatusCode.ABORTED: (PROTOCOL, True, 0.2),
    StatusCode.UNAVAILABLE: (NETWORK, True, 0.2),
    StatusCode.UNAUTHENTICATED: _AUTH,
}

# The tables are text read on demand (only when an error is classified): tuples and dicts of
# this many constants would hold several KB of a board's heap from import on.
#
# errno names, what they mean for a network call, and their numbers when the interpreter's
# errno module lacks the name: Linux / MicroPython internal table, then ESP-IDF newlib
# (CircuitPython on ESP32-S2/S3; "-" = no number of its own).
_ERRNO = """ECONNREFUSED N 111 -
ECONNRESET n 104 -
ECONNABORTED n 103 113
ETIMEDOUT n 110 116
EHOSTUNREACH N 113 118
ENETUNREACH N 101 114
ENETDOWN N 100 115
EHOSTDOWN N 112 117
ENOTCONN n 107 128
EPIPE n 32 -
EAGAIN n 11 -
EWOULDBLOCK n - -
EINPROGRESS n 115 119
EALREADY n 114 120
EIO n 5 -
EBADF n 9 -
EADDRNOTAVAIL N 99 125
EADDRINUSE n 98 112
ENOMEM r 12 -
ENOBUFS r 105 -
EMFILE r 24 -
ENFILE r 23 -
ENOSPC r 28 -
EINVAL b 22 -
EOPNOTSUPP b 95 -
ENOENT b 2 -
EISDIR b 21 -
EROFS b 30 -
EEXIST b 17 -
EACCES a 13 -
EPERM a 1 -
"""

# mbedTLS (CircuitPython raises OSError with these negative codes from TLS).
_MBEDTLS_CERT_VERIFY_FAILED = -0x2700
_MBEDTLS_SSL_ALLOC_FAILED = -0x7F00
_MBEDTLS_MPI_ALLOC_FAILED = -0x0010

# Text that identifies a failure when there is no usable errno (first match wins).
_TEXT = """r out of sockets
r out of memory
r memory allocation
r unable to allocate
a certificate
a cert verify
n timed out
n timeout
n etimedout
n econnreset
N econnrefused
N ehostunreach
N name or service
N getaddrinfo
N not connected
n connection
n ssl handshake
n sending request failed
n unable to read http response
n repeated socket failures
r existing socket is already connected
n failed to send request
N no route
n socket
"""


def _errno_rows():
    """``(name, meaning, linux number, newlib number)`` per errno name (numbers or None)."""
    for line in _ERRNO.split("\n"):
        if line:
            name, letter, linux, newlib = line.split()
            yield (
                name,
                _MEANINGS[letter],
                None if linux == "-" else int(linux),
                None if newlib == "-" else int(newlib),
            )


def _numbers(column: int) -> dict:
    """{name: number} of one fallback table: column 2 = Linux, 3 = ESP-IDF newlib."""
    return {row[0]: row[column] for row in _errno_rows() if row[column] is not None}


def _errno_table() -> dict:
    table = {}
    try:
        import errno as _errno  # noqa: PLC0415

        for name, info, _, _ in _errno_rows():
            number = getattr(_errno, name, None)
            if isinstance(number, int) and number not in table:
                table[number] = info
    except ImportError:
        pass
    # Fallback numbers when the interpreter's errno module lacks a name; Linux first.
    for column in (2, 3):
        for row in _errno_rows():
            number = row[column]
            if number is not None and number not in table:
                table[number] = row[1]
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
        if code == StatusCode.OK:
            return ErrorInfo(BUG, False, 0.0, "status OK is not an error", code)
        category, retry, delay = _GRPC.get(code, _PROTO)
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
        for line in _TEXT.split("\n"):
            if line and line[2:] in low:
                return _MEANINGS[line[0]]
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
