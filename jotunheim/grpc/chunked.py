# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The gRPC-Web client's chunked response bodies (loaded by the first chunked body: a
server that sends ``Content-Length``, Loki's usual answer, never costs this module nor the
server's :mod:`jotunheim.http.wire` here)."""

from jotunheim.grpc.status import GrpcError, StatusCode
from jotunheim.http.wire import chunk_size


def read(stream) -> bool:
    """Read the head (size line) of the next chunk of ``stream`` (a
    :class:`~jotunheim.grpc.client.ServerStream` between chunks) into ``stream.left``;
    after the last chunk its trailers join ``stream.headers``. True when the body ended."""
    if stream.chunks > 1 and stream.line():
        raise GrpcError(StatusCode.INTERNAL, "chunk data not followed by CRLF")
    stream.chunks = 2
    try:
        stream.left = chunk_size(stream.line())
    except ValueError as exc:
        raise GrpcError(StatusCode.INTERNAL, str(exc)) from None
    if stream.left:
        return False
    for name, value in stream.fields().items():  # the last chunk: trailers may follow
        stream.headers.setdefault(name, value)
    stream.done = True
    return True
