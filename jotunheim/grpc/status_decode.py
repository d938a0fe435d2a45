# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The rare paths of reading a received gRPC status: the code for an HTTP error without
``grpc-status``, and a percent-encoded ``grpc-message``.

Loaded by :mod:`jotunheim.grpc.client` only when a response needs it, so a call answered
with a plain status costs none of it (and a device that only serves never loads it).
"""

from jotunheim.grpc.status import StatusCode


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
