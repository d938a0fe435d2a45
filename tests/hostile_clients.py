# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Hostile and careless HTTP clients for the device's gRPC-Web server, plus a raw client.

Every function takes ``host, port``, is bounded in time (each socket has a timeout and each
loop a deadline), never raises for what the server does (a reset or a closed connection is
an outcome, not an error) and returns a dict saying what happened:

- ``status``: the HTTP status code the server answered with, or None;
- ``closed``: True when the server closed the connection (EOF or reset) within the bound;
- ``grpc_status``: ``grpc-status`` from the response headers or its trailer frame, or None;
- ``seconds``: how long the case took; case-specific counts besides.

Cases (issue 11): :func:`bare_connect_close`, :func:`newline_close`,
:func:`partial_head_close`, :func:`short_body_close`, :func:`slowloris`,
:func:`idle_connections`, :func:`rapid_connect_close`, :func:`huge_header_line`,
:func:`many_headers`, :func:`huge_frame_prefix`, :func:`get_request`,
:func:`options_request`, :func:`huge_content_length`. :func:`grpc_call` is a well-behaved
raw client (Content-Length or chunked body, keep-alive or not) for the normal calls.
"""

import socket
import struct
import threading
import time

CALL_TOOL = "/jotunheim.JotunheimService/CallTool"
CONTENT_TYPE = "application/grpc-web+proto"
READ_LIMIT = 1024 * 1024  # bytes of a response a case reads at most


# ------------------------------------------------------------ protobuf, by hand


def _varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _string_field(number, text):
    data = text.encode("utf-8")
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def tool_call_request(tool_name, parameters=""):
    """An encoded ``jotunheim.ToolCallRequest`` (written here so this module stands alone)."""
    out = _string_field(2, tool_name)
    if parameters:
        out += _string_field(3, parameters)
    return out


def frame(payload, flag=0):
    """One gRPC-Web frame: flag byte, 4-byte big-endian length, payload."""
    return struct.pack(">BI", flag, len(payload)) + payload


# ------------------------------------------------------------ raw HTTP/1.1


class ConnectFailed(AssertionError):
    """The server did not accept a connection in time (its backlog is full: it has
    stopped accepting). An AssertionError, so a test fails cleanly, naming it."""


def _connect(host, port, timeout):
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        raise ConnectFailed(
            "%s:%d did not accept a connection in %ss (%s): the server stopped accepting"
            % (host, port, timeout, type(exc).__name__)
        ) from None
    sock.settimeout(timeout)
    return sock


def _close(sock):
    try:
        sock.close()
    except OSError:
        pass


def request_head(path, length=None, token=None, chunked=False, keep_alive=True, extra=()):
    """The head of a gRPC-Web POST (bytes)."""
    lines = [
        "POST %s HTTP/1.1" % path,
        "Host: device",
        "Content-Type: " + CONTENT_TYPE,
        "X-Grpc-Web: 1",
        "TE: trailers",
    ]
    if token:
        lines.append("Authorization: Bearer " + token)
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    elif length is not None:
        lines.append("Content-Length: %d" % length)
    if not keep_alive:
        lines.append("Connection: close")
    lines.extend(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def chunked_body(data, piece=7):
    """``data`` as an HTTP/1.1 chunked body in pieces of ``piece`` bytes."""
    out = b""
    for i in range(0, len(data), piece):
        part = data[i : i + piece]
        out += b"%x\r\n" % len(part) + part + b"\r\n"
    return out + b"0\r\n\r\n"


class Reader:
    """Reads HTTP/1.1 responses from one socket, each bounded by a deadline."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.eof = False

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("response not complete in time")
        self.sock.settimeout(left)
        try:
            data = self.sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            data = b""
        if not data:
            self.eof = True
            return False
        self.buf += data
        if len(self.buf) > READ_LIMIT:
            raise ValueError("response larger than %d bytes" % READ_LIMIT)
        return True

    def _until(self, marker, deadline):
        while marker not in self.buf:
            if not self._fill(deadline):
                return None
        index = self.buf.index(marker)
        out, self.buf = self.buf[:index], self.buf[index + len(marker) :]
        return out

    def _exactly(self, n, deadline):
        while len(self.buf) < n:
            if not self._fill(deadline):
                raise EOFError("connection closed inside a response body")
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def response(self, timeout=5.0):
        """``(status, headers, body)``; None when the server closed before a status line.
        Header names are lower case."""
        deadline = time.monotonic() + timeout
        head = self._until(b"\r\n\r\n", deadline)
        if head is None:
            return None
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = b""
            while True:
                size_line = self._until(b"\r\n", deadline)
                if size_line is None:
                    raise EOFError("connection closed inside a chunked body")
                size = int(size_line.split(b";")[0].strip(), 16)
                if size == 0:
                    self._until(b"\r\n", deadline)
                    break
                body += self._exactly(size, deadline)
                self._exactly(2, deadline)
        elif "content-length" in headers:
            body = self._exactly(int(headers["content-length"]), deadline)
        else:
            while self._fill(deadline):
                pass
            body, self.buf = self.buf, b""
        return status, headers, body

    def closed_within(self, timeout):
        """True when the server closes (or resets) the connection within ``timeout`` s."""
        deadline = time.monotonic() + timeout
        try:
            while not self.eof:
                self._fill(deadline)
        except (TimeoutError, socket.timeout):
            return False
        except (ValueError, OSError):
            return True
        return True


def grpc_frames(body):
    """``(messages, trailers)`` of a gRPC-Web response body."""
    messages, trailers = [], {}
    i = 0
    while i + 5 <= len(body):
        flag, length = struct.unpack(">BI", body[i : i + 5])
        payload = body[i + 5 : i + 5 + length]
        i += 5 + length
        if flag & 0x80:
            for line in payload.decode("utf-8", "replace").split("\r\n"):
                name, _, value = line.partition(":")
                if name:
                    trailers[name.strip().lower()] = value.strip()
        else:
            messages.append(payload)
    return messages, trailers


def grpc_status_of(headers, body):
    """``grpc-status`` (int) from the headers (trailers-only answer) or the trailer frame."""
    if "grpc-status" in headers:
        return int(headers["grpc-status"])
    _, trailers = grpc_frames(body)
    if "grpc-status" in trailers:
        return int(trailers["grpc-status"])
    return None


def _outcome(reader, started, wait=2.0):
    # What the server did after a case sent its bytes: answered, closed, or neither.
    out = {"status": None, "grpc_status": None, "closed": False}
    try:
        answer = reader.response(wait)
    except (TimeoutError, socket.timeout):
        answer = None
    except (EOFError, ValueError, OSError):
        answer = None
        out["closed"] = True
    if answer is not None:
        out["status"] = answer[0]
        out["grpc_status"] = grpc_status_of(answer[1], answer[2])
        out["headers"] = answer[1]
    if not out["closed"]:
        # A server that answered "Connection: close" may linger a little, reading and
        # dropping what we still send (so we get the answer, not a reset): give it the
        # whole wait. One that keeps the connection alive is not waited out.
        closing = answer is None or answer[1].get("connection", "").lower() == "close"
        out["closed"] = reader.closed_within(wait if closing else min(wait, 1.0))
    out["seconds"] = time.monotonic() - started
    return out


def grpc_call(host, port, message=None, *, path=CALL_TOOL, token=None, chunked=False,
              keep_alive=False, calls=1, timeout=5.0):  # fmt: skip
    """A well-behaved client: ``calls`` requests, on one connection while the server keeps
    it open (a new one after it answers ``Connection: close``).

    :returns: dict with ``results`` (per call: ``status``, ``grpc_status``, ``messages``,
        ``reused`` — whether it went on an already used connection) and ``connections``
    """
    if message is None:
        message = tool_call_request("read_dht22_sim_temperature")
    body = frame(message)
    started = time.monotonic()
    results, sock, reader, used, connections = [], None, None, False, 0
    try:
        for _ in range(calls):
            if sock is None:
                sock = _connect(host, port, timeout)
                reader, used = Reader(sock), False
                connections += 1
            head = request_head(path, len(body), token, chunked, keep_alive)
            sock.sendall(head + (chunked_body(body) if chunked else body))
            answer = reader.response(timeout)
            if answer is None:
                results.append({"status": None, "grpc_status": None, "reused": used})
                break
            status, headers, data = answer
            messages, _ = grpc_frames(data)
            results.append({"status": status, "grpc_status": grpc_status_of(headers, data),
                            "messages": messages, "reused": used, "headers": headers})  # fmt: skip
            used = True
            if not keep_alive or headers.get("connection", "").lower() == "close":
                _close(sock)
                sock = None
    finally:
        if sock is not None:
            _close(sock)
    return {"results": results, "connections": connections,
            "seconds": time.monotonic() - started}  # fmt: skip


# ------------------------------------------------------------ the cases


def bare_connect_close(host, port):
    """Connect and close at once (a port scan, a TCP health check)."""
    started = time.monotonic()
    _close(_connect(host, port, 2.0))
    return {"status": None, "closed": True, "seconds": time.monotonic() - started}


def newline_close(host, port):
    """A single newline, then close (what some port checks send)."""
    started = time.monotonic()
    sock = _connect(host, port, 2.0)
    sock.sendall(b"\n")
    _close(sock)
    return {"status": None, "closed": True, "seconds": time.monotonic() - started}


def partial_head_close(host, port):
    """Half a request head, then close."""
    started = time.monotonic()
    sock = _connect(host, port, 2.0)
    sock.sendall(b"POST /jotunheim.JotunheimService/CallTool HTTP/1.1\r\nHost: dev")
    _close(sock)
    return {"status": None, "closed": True, "seconds": time.monotonic() - started}


def short_body_close(host, port):
    """A head whose Content-Length promises 1,000 bytes, then 2 bytes, then close."""
    started = time.monotonic()
    sock = _connect(host, port, 2.0)
    sock.sendall(request_head(CALL_TOOL, 1000) + b"\x00\x00")
    _close(sock)
    return {"status": None, "closed": True, "seconds": time.monotonic() - started}


def slowloris(host, port, interval=0.5, limit=12.0, during=None):
    """Send a request head one byte per ``interval`` s until the server closes the
    connection or ``limit`` s pass; ``during()`` (e.g. a normal call) runs after the
    first two bytes, while the slow client holds its connection.

    :returns: ``closed`` (by the server within ``limit``), ``bytes_sent``, ``during``
        (what ``during()`` returned)
    """
    started = time.monotonic()
    head = request_head(CALL_TOOL, 5) + b"\x00" * 5
    sock = _connect(host, port, 2.0)
    sent, closed, during_result = 0, False, None
    try:
        while time.monotonic() - started < limit and sent < len(head):
            try:
                sock.sendall(head[sent : sent + 1])
            except OSError:
                closed = True
                break
            sent += 1
            if sent == 2 and during is not None:
                during_result = during()
            # Sleep by waiting for the server: EOF or a reset ends the case early.
            sock.settimeout(interval)
            try:
                data = sock.recv(4096)
                if not data:
                    closed = True
                    break
            except socket.timeout:
                pass
            except OSError:
                closed = True
                break
    finally:
        _close(sock)
    return {"status": None, "closed": closed, "bytes_sent": sent, "during": during_result,
            "seconds": time.monotonic() - started}  # fmt: skip


def idle_connections(host, port, count=8, hold=3.0, during=None):
    """Open ``count`` connections that send nothing and hold them ``hold`` s; ``during()``
    runs while they are all open.

    :returns: ``opened``, ``closed_by_server`` (how many the server closed or answered
        within ``hold``), ``answers`` (HTTP statuses received), ``during``
    """
    started = time.monotonic()
    socks = []
    try:
        for _ in range(count):
            try:
                socks.append(_connect(host, port, 2.0))
            except ConnectFailed:
                break
        during_result = during() if during is not None else None
        readers = [Reader(s) for s in socks]
        answers, closed = [], 0
        deadline = started + hold
        for reader in readers:
            left = max(0.01, deadline - time.monotonic())
            try:
                answer = reader.response(left)
            except (TimeoutError, socket.timeout):
                continue
            except (EOFError, ValueError, OSError):
                closed += 1
                continue
            if answer is None:
                closed += 1
            else:
                answers.append(answer[0])
                closed += 1
    finally:
        for sock in socks:
            _close(sock)
    return {"opened": len(socks), "closed_by_server": closed, "answers": answers,
            "during": during_result, "seconds": time.monotonic() - started}  # fmt: skip


def rapid_connect_close(host, port, count=2000, limit=30.0):
    """``count`` connections opened and closed as fast as possible (bounded by ``limit``)."""
    started = time.monotonic()
    done = refused = 0
    while done + refused < count and time.monotonic() - started < limit:
        try:
            sock = socket.create_connection((host, port), timeout=2.0)
        except OSError:
            refused += 1
            continue
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        _close(sock)
        done += 1
    return {"status": None, "closed": True, "connections": done, "refused": refused,
            "seconds": time.monotonic() - started}  # fmt: skip


def _send_then_outcome(host, port, data, wait=3.0):
    # Send ``data`` (the server may close or reset while we send), then see what it did.
    started = time.monotonic()
    sock = _connect(host, port, 2.0)
    reader = Reader(sock)
    send_error = None
    try:
        view = memoryview(data)
        deadline = started + wait + 5.0
        while view and time.monotonic() < deadline:
            try:
                n = sock.send(view)
            except socket.timeout:
                continue
            view = view[n:]
    except OSError as exc:
        send_error = type(exc).__name__
    try:
        out = _outcome(reader, started, wait)
    finally:
        _close(sock)
    out["send_error"] = send_error
    if send_error is not None and out["status"] is None:
        out["closed"] = True
    return out


def huge_header_line(host, port, size=100 * 1024):
    """A request head with one ``size``-byte header line (expected: 431, then close)."""
    head = request_head(CALL_TOOL, 5)[:-2] + b"X-Big: " + b"a" * size + b"\r\n\r\n"
    return _send_then_outcome(host, port, head + frame(b""))


def many_headers(host, port, count=1000):
    """A request head with ``count`` headers (expected: 431, then close)."""
    extra = ["X-H%d: v" % i for i in range(count)]
    return _send_then_outcome(host, port, request_head(CALL_TOOL, 5, extra=extra) + frame(b""))


def huge_frame_prefix(host, port, token=None):
    """A body whose frame length prefix is 0xFFFFFFFF (expected: grpc-status 8)."""
    body = b"\x00\xff\xff\xff\xff"
    return _send_then_outcome(host, port, request_head(CALL_TOOL, len(body), token) + body)


def get_request(host, port):
    """``GET`` of a gRPC path (expected: an HTTP answer, 4xx, not a hang)."""
    data = b"GET /jotunheim.JotunheimService/CallTool HTTP/1.1\r\nHost: device\r\n\r\n"
    return _send_then_outcome(host, port, data)


def options_request(host, port):
    """A CORS preflight ``OPTIONS`` (expected: 204/200 when CORS is on, else 4xx)."""
    data = (
        b"OPTIONS /jotunheim.JotunheimService/CallTool HTTP/1.1\r\nHost: device\r\n"
        b"Origin: http://dashboard.local\r\nAccess-Control-Request-Method: POST\r\n"
        b"Access-Control-Request-Headers: content-type,x-grpc-web\r\n\r\n"
    )
    return _send_then_outcome(host, port, data)


def huge_content_length(host, port, announced=10 * 1000 * 1000, send=64 * 1024):
    """A head announcing ``announced`` body bytes, then ``send`` of them (expected:
    grpc-status 8 RESOURCE_EXHAUSTED, or 413, and the connection closed)."""
    head = request_head(CALL_TOOL, announced)
    return _send_then_outcome(host, port, head + frame(b"\x00" * (send - 5)))


def in_background(fn, *args, **kwargs):
    """Run ``fn(*args, **kwargs)`` in a thread; returns ``join(timeout) -> result``."""
    box = {}

    def run():
        box["result"] = fn(*args, **kwargs)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def join(timeout):
        thread.join(timeout)
        if thread.is_alive():
            raise TimeoutError("%s still running after %ss" % (fn.__name__, timeout))
        return box.get("result")

    return join
