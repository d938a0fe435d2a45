# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The gRPC-Web client's rare paths to a status: a failed connect, send or receive (or an
expired deadline), an HTTP error without ``grpc-status``, a percent-encoded
``grpc-message``.

Loaded by :mod:`jotunheim.grpc.client` only when a call fails or a response needs it, so
a call answered with a plain status costs none of it (and a device that only serves never
loads it).
"""

from jotunheim.compat import monotonic_ms
from jotunheim.grpc.status import GrpcError, StatusCode


def network_error(exc, what, deadline, timeout, host=None) -> GrpcError:
    """The :class:`GrpcError` for socket exception ``exc`` in step ``what`` of a call with
    ``deadline`` (a ``compat.monotonic_ms()`` time, or None) set from ``timeout`` seconds.

    DEADLINE_EXCEEDED without ``exc``, for a timeout under a deadline, or (with ``host``:
    a failed connect) once the deadline has passed; a TLS failure reaching ``host`` says
    what went wrong (:func:`jotunheim.net.tls.tls_problem`); anything else is UNAVAILABLE.
    A timeout is CPython's ``TimeoutError`` or a board's ``OSError(ETIMEDOUT)`` (110 on
    Linux, 116 on lwIP) or ``OSError(EAGAIN)`` from a socket with a timeout."""
    name = type(exc).__name__
    code = exc.args[0] if isinstance(exc, OSError) and exc.args else None
    if exc is None or (
        deadline is not None
        and (
            name in ("timeout", "TimeoutError")
            or code in (11, 110, 116)
            or (host is not None and monotonic_ms() >= deadline)
        )
    ):
        return GrpcError(StatusCode.DEADLINE_EXCEEDED, "deadline of %.3f s exceeded" % timeout)
    if host is not None:
        from jotunheim.net.tls import tls_problem  # noqa: PLC0415

        problem = tls_problem(exc, host)
        if problem is not None:
            return GrpcError(StatusCode.UNAVAILABLE, problem)
    if exc.args:
        name += " " + str(exc.args[0])
    return GrpcError(StatusCode.UNAVAILABLE, what + " failed: " + name)


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
