# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""gRPC status codes and :class:`GrpcError` (which status an exception becomes on the
device's server: :func:`jotunheim.grpc.trailers.status_of`).

Numbers are the ones every gRPC implementation uses (the HTTP-status mapping of a
response without ``grpc-status`` is :mod:`jotunheim.grpc.status_decode`'s).
"""


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

    def __str__(self) -> str:
        if self.message:
            return StatusCode.name(self.code) + ": " + self.message
        return StatusCode.name(self.code)
