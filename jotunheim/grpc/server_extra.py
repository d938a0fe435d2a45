"""The less used half of jotunheim.grpc.server: streaming, chunked or oversized requests."""

# jotunheim.grpc.server imports this module on first use: a device whose handlers are all
# unary and whose callers send Content-Length bodies within the limit never holds it.

from adafruit_httpserver import Response

from jotunheim.grpc.framing import encode_frame, encode_trailer_frame
from jotunheim.grpc.server import _DRAIN_LIMIT, CONTENT_TYPE, _encode, _trailers
from jotunheim.grpc.status import GrpcError, StatusCode
from jotunheim.net.session import set_nodelay


class _StreamResponse(Response):
    """Chunked response: each frame is one chunk, written in one send."""

    def __init__(self, request, frames, pool, headers=None) -> None:
        super().__init__(request, b"", headers=headers)
        self._frames = frames
        self._pool = pool

    def _send(self) -> None:
        conn = self._request.connection
        # Each frame goes out in one send; without this, Nagle holds a frame back until
        # the client ACKs the previous one (up to ~40 ms with delayed ACK).
        set_nodelay(conn, self._pool)
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: "
            + CONTENT_TYPE
            + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
        )
        for name, value in self._headers.items():
            head += name + ": " + str(value) + "\r\n"
        self._send_bytes(conn, (head + "\r\n").encode("utf-8"))
        try:
            for frame in self._frames:
                self._send_bytes(conn, b"%x\r\n" % len(frame) + frame + b"\r\n")
            self._send_bytes(conn, b"0\r\n\r\n")
        finally:
            self._frames.close()  # runs the handler's cleanup if the client went away
            self._close_connection()


# ------------------------------------------------------------ request bodies


def drop(http, sock, left) -> None:
    # Read and discard the rest of an oversized body (bounded by the caller), so the
    # client sees our RESOURCE_EXHAUSTED answer rather than a reset.
    while left > 0:
        try:
            n = sock.recv_into(http._buffer, min(left, len(http._buffer)))
        except OSError:
            return
        if not n:
            return
        left -= n


def _more(http, sock, buf: bytearray) -> bool:
    try:
        n = sock.recv_into(http._buffer, len(http._buffer))
    except OSError:
        return False
    if not n:
        return False
    buf.extend(memoryview(http._buffer)[:n])
    return True


def receive_chunked(http, sock, request) -> None:
    buf = bytearray(request.body)
    body = bytearray()
    dropped = 0
    while True:
        end = buf.find(b"\r\n")
        while end < 0:
            if len(buf) > 64 or not _more(http, sock, buf):
                request.body_error = "bad chunked request body"
                request.body = b""
                return
            end = buf.find(b"\r\n")
        try:
            size = int(bytes(buf[:end]).split(b";")[0].strip(), 16)
        except ValueError:
            request.body_error = "bad chunk size in request body"
            request.body = b""
            return
        del buf[: end + 2]
        if size == 0:
            break
        while len(buf) < size + 2:
            if not _more(http, sock, buf):
                request.body_error = "request body ends inside a chunk"
                request.body = b""
                return
        if len(body) + size > http.max_body:
            request.too_large = True
            dropped += size
        else:
            body.extend(memoryview(buf)[:size])
        del buf[: size + 2]
        if dropped > _DRAIN_LIMIT:
            break
    request.body = b"" if request.too_large else bytes(body)


# ------------------------------------------------------------ streaming responses


def stream(server, request, handler, message, context):
    try:
        iterator = iter(handler(message, context))
    except GrpcError as err:
        return server._trailers_only(request, err.code, err.message, context.trailers)
    except Exception:  # noqa: BLE001
        server.errors += 1
        return server._trailers_only(
            request, StatusCode.INTERNAL, "internal error in " + context.method
        )
    return _StreamResponse(request, _frames(server, iterator, context), server._pool)


def _frames(server, iterator, context):
    """Message frames, then the trailer frame; errors end the stream with a status."""
    code, message = StatusCode.OK, ""
    try:
        for item in iterator:
            if context.expired():
                code, message = StatusCode.DEADLINE_EXCEEDED, "deadline exceeded"
                break
            yield encode_frame(_encode(item))
    except GrpcError as err:
        code, message = err.code, err.message
    except MemoryError:
        code, message = StatusCode.RESOURCE_EXHAUSTED, "out of memory"
    except Exception:  # noqa: BLE001
        server.errors += 1
        code, message = StatusCode.INTERNAL, "internal error in " + context.method
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()
    yield encode_trailer_frame(_trailers(code, message, context.trailers))
