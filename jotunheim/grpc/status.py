# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""gRPC status codes and :class:`GrpcError` (which status an exception becomes on the
device's server: :func:`jotunheim.grpc.trailers.status_of`).

Numbers are the ones every gRPC implementation uses (the HTTP-status mapping of a
response without ``grpc-status`` is :mod:`jotunheim.grpc.status_decode`'s).
"""

# Every code's name, in number order, between blanks: one string instead of an attribute,
# a name and a tuple entry per code (a board uses few of the 17).
NAMES = (
    " OK CANCELLED UNKNOWN INVALID_ARGUMENT DEADLINE_EXCEEDED NOT_FOUND ALREADY_EXISTS"
    " PERMISSION_DENIED RESOURCE_EXHAUSTED FAILED_PRECONDITION ABORTED OUT_OF_RANGE"
    " UNIMPLEMENTED INTERNAL UNAVAILABLE DATA_LOSS UNAUTHENTICATED "
)


class StatusCodes:
    """gRPC status codes by name (``StatusCode.UNAVAILABLE == 14``), read from
    ``NAMES`` on use; :data:`StatusCode` is the one instance."""

    def __getattr__(self, name):
        i = NAMES.find(" " + name + " ") if " " not in name else -1
        if i < 0:
            raise AttributeError(name)
        return NAMES.count(" ", 0, i)  # the names before it

    def name(self, code: int) -> str:
        """Name of a code (``"UNAVAILABLE"``); unknown numbers give ``"CODE_<n>"``."""
        if isinstance(code, int) and 0 <= code < 17:
            return NAMES.split()[code]
        return "CODE_" + str(code)


StatusCode = StatusCodes()


class GrpcError(Exception):
    """A call ended with a non-OK gRPC status.

    ``code`` is the status number (see :data:`StatusCode`), ``message`` the decoded
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
