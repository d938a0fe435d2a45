# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""HttpServer: a small non-blocking HTTP/1.1 server with a fixed number of connection slots.

Made for a board's few KB of heap and a hostile network: each connection has a slot with
its own state and deadline, so one slow, idle or half-open client never delays another;
:meth:`HttpServer.poll` never blocks (every socket is non-blocking) and an idle server
costs one ``accept`` attempt per poll. Works on a CircuitPython ``socketpool.SocketPool``
and on CPython's ``socket`` module::

    def handler(request):
        return Response(200, [("Content-Type", "text/plain")], b"hello")

    server = HttpServer(pool, handler)
    server.start("0.0.0.0", 8080)
    while True:
        server.poll()  # serves what is ready, returns at once
        do_other_work()

Every limit is named and answered: a head over ``max_head`` bytes or ``max_headers`` lines
gets 431, a malformed head 400, a head not complete within ``head_timeout`` 408; a body
over ``max_body`` reaches the handler as ``request.too_large`` with no body (the rest is
read and dropped, bounded by ``drain_limit``); EOF or a reset mid-request frees the slot
at once; a keep-alive connection idle for ``idle_timeout`` is closed; with every slot
taken, a newcomer reclaims the slot of a lingering or the longest-idle connection, or
gets 503.

Out of heap anywhere on a request's way (head, body, handler, response), the client gets
:attr:`HttpServer.out_of_memory` (bytes made at import, so sending them allocates
nothing) and the connection is closed; the server goes on serving the others. Given a
``buffers`` pool, the receive buffer and request bodies come from it; given a ``meter``,
each answered request and closed connection adds its bytes to ``meter.count(
"client:<ip>", sent, received)``.
"""

import errno

from jotunheim.compat import monotonic_ms
from jotunheim.http.wire import ChunkedDecoder, would_block

try:
    from typing import Callable, Optional  # noqa: F401  (annotations only)
except ImportError:
    pass

# What a slot is doing.
HEAD = 0  # reading a request head (no byte of it yet = idle)
BODY = 1  # reading a Content-Length body
CHUNKED = 2  # reading a chunked body
SEND = 3  # writing a response
LINGER = 4  # answered and closing: reading and dropping what the client still sends
STATES = ("head", "body", "chunked", "send", "linger")

RECLAIM_AFTER_MS = 500  # a new connection that has sent nothing keeps its slot this long
WAIT_MS = 1000  # a connection waits this long for a slot, then is answered 503
LINGER_MS = 2000
OUT_OF_MEMORY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
    b"Content-Length: 13\r\nConnection: close\r\n\r\nout of memory"
)

_REASONS = {
    200: "OK",
    204: "No Content",
    400: "Bad Request",
    413: "Content Too Large",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    415: "Unsupported Media Type",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    501: "Not Implemented",
    503: "Service Unavailable",
    505: "HTTP Version Not Supported",
}


class Request:
    """One request as received: ``method``, ``path``, ``version``, ``headers`` (dict with
    lower-case names; repeated headers joined by ``,``), ``body`` (bytes-like; empty when
    ``too_large`` or ``refusal``: the buffer pool's reason the body could not be held),
    ``client_address`` and ``keep_alive``."""

    def __init__(self, method, path, version, headers, client_address) -> None:
        self.method = method
        self.path = path
        self.version = version
        self.headers = headers
        self.client_address = client_address
        self.body = b""
        self.too_large = False
        self.refusal = None  # why the body could not be held (the pool said), if so
        connection = headers.get("connection", "").lower()
        if version == "HTTP/1.1":
            self.keep_alive = "close" not in connection
        else:
            self.keep_alive = "keep-alive" in connection


class Response:
    """What a handler returns.

    :param int status: HTTP status code
    :param headers: list of ``(name, value)`` pairs
    :param body: bytes sent with a ``Content-Length``
    :param stream: an iterator of bytes-like pieces instead of ``body``; each is sent as
        one HTTP chunk in one ``send``, and the next is taken only once it is out
    :param bool close: close the connection after this response
    """

    def __init__(self, status=200, headers=None, body=b"", stream=None, close=False) -> None:
        self.status = status
        self.headers = headers or []
        self.body = body
        self.stream = stream
        self.close = close


class HttpError(Exception):
    """A request refused at the HTTP level: ``status`` and a short ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _Slot:
    # One connection. Its fields are the server's to read and write (same module).

    def __init__(self, sock, address, now) -> None:
        self.sock = sock
        self.address = address
        self.since = now  # when the slot last changed state
        self.deadline = 0
        self.state = HEAD
        self.head = bytearray()
        self.request = None
        self.body = None
        self.got = 0
        self.decoder = None
        self.out = None
        self.sent = 0
        self.stream = None
        self.close_after = False
        self.drop_left = 0  # body bytes to read and drop before closing
        self.served = 0  # requests answered on this connection
        self.pooled = None  # the pool buffer holding the body, given back after dispatch
        self.rx = 0  # bytes not yet handed to the meter
        self.tx = 0
        self.endpoint = None  # "client:<ip>", made when first counted

    def idle(self, now) -> bool:
        # Answered and only lingering, between requests on a kept-alive connection, or
        # silent since it connected.
        if self.state == LINGER:
            return True
        if self.state != HEAD or self.head:
            return False
        return self.served or now - self.since >= RECLAIM_AFTER_MS


class HttpServer:
    """Serves ``handler(request) -> Response`` on a few non-blocking connection slots.

    :param socket_pool: ``socketpool.SocketPool(wifi.radio)`` or CPython's ``socket``
    :param handler: called with each complete :class:`Request`
    :param int slots: connections served at once
    :param int max_head: bytes of request line and headers accepted (431 beyond)
    :param int max_headers: header lines accepted (431 beyond)
    :param int max_body: body bytes buffered; a larger body sets ``request.too_large``
    :param float head_timeout: seconds for a whole head to arrive (408 after)
    :param float body_timeout: seconds for a whole body to arrive after its head
    :param float idle_timeout: seconds a keep-alive connection may wait for a request
    :param float send_timeout: seconds a response may make no progress
    :param int drain_limit: bytes of an oversized body read and dropped before closing
    :param int buffer_size: bytes of the one receive buffer all slots share
    :param int backlog: connections the network stack queues before we accept them (a
        burst beyond it waits for the client's SYN retry, about 1 s)
    :param buffers: a :class:`jotunheim.resources.pool.BufferPool` for the receive
        buffer and request bodies (None: allocate them)
    :param meter: an object with ``count(endpoint, sent, received)`` (a
        :class:`jotunheim.resources.bandwidth.Bandwidth`), or None
    """

    def __init__(
        self,
        socket_pool,
        handler,
        *,
        slots: int = 4,
        max_head: int = 4096,
        max_headers: int = 32,
        max_body: int = 4096,
        head_timeout: float = 5.0,
        body_timeout: float = 10.0,
        idle_timeout: float = 30.0,
        send_timeout: float = 10.0,
        drain_limit: int = 1024 * 1024,
        buffer_size: int = 1024,
        backlog: int = 16,
        buffers=None,
        meter=None,
    ) -> None:
        self.pool = socket_pool
        self.handler = handler
        self.max_slots = slots
        self.max_head = max_head
        self.max_headers = max_headers
        self.max_body = max_body
        self.head_ms = int(head_timeout * 1000)
        self.body_ms = int(body_timeout * 1000)
        self.idle_ms = int(idle_timeout * 1000)
        self.send_ms = int(send_timeout * 1000)
        self.drain_limit = drain_limit
        self.buffer_size = buffer_size
        self.backlog = backlog
        self.bound_port = 0
        self.slots = []
        self.waiting = []  # (socket, address, since): accepted, waiting for a slot
        self.requests = 0  # requests answered by the handler
        self.refused = 0  # requests answered with an HTTP error
        self.dropped = 0  # connections closed mid-request (EOF, reset, timeout)
        self.reclaimed = 0  # idle connections closed to make room
        self.busy = 0  # newcomers answered 503
        self.rx_bytes = 0
        self.tx_bytes = 0
        self.out_of_memory_answers = 0  # requests answered OUT_OF_MEMORY
        self.out_of_memory = OUT_OF_MEMORY
        self.buffers = buffers
        self.meter = meter
        self._listener = None
        self._buffer = None

    # ------------------------------------------------------------ lifecycle

    def start(self, host: str = "0.0.0.0", port: int = 8080) -> None:
        """Listen on ``host:port`` (port 0: the OS picks one, see :attr:`port`)."""
        pool = self.pool
        sock = pool.socket(pool.AF_INET, pool.SOCK_STREAM)
        try:
            sock.setsockopt(pool.SOL_SOCKET, pool.SO_REUSEADDR, 1)
        except (OSError, AttributeError):
            pass  # not every port has it; a quick restart may then wait for the old port
        address = pool.getaddrinfo(host, port)[0][-1]
        sock.bind(address)
        sock.listen(self.backlog)
        self.bound_port = port
        sock.setblocking(False)
        self._listener = sock
        if self._buffer is None:
            if self.buffers is not None:
                self._buffer = self.buffers.acquire(self.buffer_size, minimum=128)
            else:
                self._buffer = bytearray(self.buffer_size)

    @property
    def port(self) -> int:
        """The bound port (the OS's choice after ``start(port=0)``, where the socket can
        say: CircuitPython's cannot, so a board listens on a fixed port)."""
        if self.bound_port or self._listener is None:
            return self.bound_port
        getsockname = getattr(self._listener, "getsockname", None)
        return getsockname()[1] if getsockname is not None else 0

    def stop(self) -> None:
        """Close every connection and the listening socket."""
        for slot in list(self.slots):
            self._close(slot)
        for sock, _, _ in self.waiting:
            sock.close()
        self.waiting = []
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        if self.buffers is not None and self._buffer is not None:
            self.buffers.release(self._buffer)
            self._buffer = None

    def connections(self) -> list:
        """``(client address, state name, seconds in that state)`` per open connection."""
        now = monotonic_ms()
        return [(s.address, STATES[s.state], (now - s.since) / 1000.0) for s in self.slots]

    # ------------------------------------------------------------ polling

    def poll(self, max_requests: int = 0) -> int:
        """Accept and serve what is ready without blocking; returns requests answered
        (at most ``max_requests`` when given: the other slots wait for the next poll)."""
        if self._listener is None:
            return 0
        now = monotonic_ms()
        self._accept(now)
        served = 0
        # By index: serving a slot may close it (and only it), and copying the list
        # would allocate on every poll of an idle server.
        i = 0
        while i < len(self.slots) and not (max_requests and served >= max_requests):
            slot = self.slots[i]
            try:
                served += self._service(slot, now)
            except OSError:  # reset, broken pipe, a socket the firmware closed
                self._drop(slot)
            except MemoryError:
                self._answer_out_of_memory(slot)  # this request cannot be held; the others go on
            if i < len(self.slots) and self.slots[i] is slot:
                i += 1  # still open: on to the next (a closed one left its place)
        return served

    def _accept(self, now) -> None:
        # Newcomers wait (in arrival order, at most one queue of ``slots``; more stay in
        # the listen backlog) for a free slot, or one an idle connection gives up; one
        # that has waited WAIT_MS is answered 503.
        self._seat(now)
        while len(self.waiting) < self.max_slots:
            try:
                sock, address = self._listener.accept()
            except OSError:
                return  # nothing pending (EAGAIN), or the firmware is out of sockets
            sock.setblocking(False)
            self.waiting.append((sock, address, now))
            self._seat(now)

    def _seat(self, now) -> None:
        while self.waiting:
            sock, address, since = self.waiting[0]
            if len(self.slots) < self.max_slots or self._reclaim(now):
                self.waiting.pop(0)
                self._open(sock, address, now)
            elif now - since >= WAIT_MS:
                self.waiting.pop(0)
                self._turn_away(sock)
            else:
                return

    def _open(self, sock, address, now) -> None:
        self._nodelay(sock)
        slot = _Slot(sock, address, now)
        slot.deadline = now + self.head_ms
        self.slots.append(slot)

    def _reclaim(self, now) -> bool:
        oldest = None
        for slot in self.slots:
            if slot.idle(now) and (oldest is None or slot.since < oldest.since):
                oldest = slot
        if oldest is None:
            return False
        self.reclaimed += 1
        self._close(oldest)
        return True

    def _turn_away(self, sock) -> None:
        # Every slot is busy with a live request: say so, and close at once.
        self.busy += 1
        try:
            sock.send(_error_bytes(503, "all connection slots are busy"))
        except OSError:
            pass
        sock.close()

    def _nodelay(self, sock) -> None:
        # A response goes out in one send; without TCP_NODELAY, Nagle may hold it back
        # until the client ACKs (up to ~40 ms with delayed ACK).
        pool = self.pool
        try:
            sock.setsockopt(pool.IPPROTO_TCP, pool.TCP_NODELAY, 1)
        except (OSError, AttributeError):
            pass

    def _service(self, slot, now) -> int:
        if slot.state == SEND:
            return self._write(slot, now)
        if now >= slot.deadline:
            return self._expire(slot)
        n = self._receive(slot)
        if n is None:
            return 0
        if n == 0:
            self._drop(slot)  # EOF: the client went away (or never sent anything)
            return 0
        return self._advance(slot, now)

    def _receive(self, slot):
        # Bytes read this time (0 = EOF), or None when nothing is ready.
        sock = slot.sock
        try:
            if slot.state == BODY:
                n = sock.recv_into(memoryview(slot.body)[slot.got :], len(slot.body) - slot.got)
                slot.got += n
            else:
                n = sock.recv_into(self._buffer, len(self._buffer))
                self._take(slot, n)
        except OSError as exc:
            if would_block(exc):
                return None
            if exc.args and exc.args[0] == errno.ENOTCONN:
                return 0  # CircuitPython's espressif port says EOF this way when non-blocking
            raise
        self.rx_bytes += n
        slot.rx += n
        return n

    def _take(self, slot, n) -> None:
        # Bytes just read into the shared buffer, handed to the slot's current reader.
        if slot.state == LINGER:
            slot.drop_left -= n
        else:  # HEAD or CHUNKED: parsed in _advance, where a bad byte is answered
            slot.head.extend(memoryview(self._buffer)[:n])

    def _advance(self, slot, now) -> int:
        # Move the slot on as far as the bytes it holds allow.
        try:
            if slot.state == HEAD:
                if not self._head_done(slot, now):
                    return 0
            if slot.state == BODY and slot.got < len(slot.body):
                return 0
            if slot.state == CHUNKED and not self._chunks_done(slot):
                return 0
        except HttpError as err:
            return self._refuse(slot, err.status, err.message, now)
        except ValueError as exc:  # the chunked decoder names what was wrong
            return self._refuse(slot, 400, str(exc), now)
        if slot.state == LINGER:
            if slot.drop_left <= 0:
                self._close(slot)
            return 0
        return self._dispatch(slot, now)

    def _chunks_done(self, slot) -> bool:
        used = slot.decoder.feed(memoryview(slot.head))
        slot.head = slot.head[used:]  # what is left is a pipelined next request
        return slot.decoder.done

    def _expire(self, slot) -> int:
        if slot.state == HEAD and slot.head:
            return self._refuse(slot, 408, "request head not complete in time", monotonic_ms())
        self._drop(slot)  # idle keep-alive, stalled body, or linger over
        return 0

    # ------------------------------------------------------------ requests

    def _head_done(self, slot, now) -> bool:
        head = slot.head
        while head[:2] == b"\r\n":  # blank lines before a request line are allowed
            head = slot.head = head[2:]
        end = head.find(b"\r\n\r\n")
        if end < 0:
            if len(head) > self.max_head:
                raise HttpError(431, "request head over %d bytes" % self.max_head)
            return False
        if end > self.max_head:
            raise HttpError(431, "request head over %d bytes" % self.max_head)
        view = memoryview(head)
        request = self._parse(view[:end], slot.address)
        rest = view[end + 4 :]  # the old head stays alive until the body took these bytes
        slot.head = bytearray()
        slot.request = request
        slot.since = now
        slot.deadline = now + self.body_ms
        self._start_body(slot, request, rest)
        return True

    def _parse(self, head, address):
        try:
            text = str(head, "utf-8")
        except UnicodeError:
            raise HttpError(400, "request head is not text")
        end = text.find("\r\n")
        end = len(text) if end < 0 else end
        parts = text[:end].split(" ")
        if len(parts) != 3 or not parts[0].isalpha() or parts[1][:1] not in ("/", "*"):
            raise HttpError(400, "malformed request line")
        if parts[2] not in ("HTTP/1.1", "HTTP/1.0"):
            raise HttpError(505 if parts[2][:5] == "HTTP/" else 400, "unsupported HTTP version")
        return Request(parts[0], parts[1], parts[2], self._headers(text, end + 2), address)

    def _headers(self, text, pos):
        # Header lines read in place (no list of lines: a request allocates what it keeps).
        headers = {}
        count = 0
        size = len(text)
        while pos < size:
            eol = text.find("\r\n", pos)
            eol = size if eol < 0 else eol
            count += 1
            if count > self.max_headers:
                raise HttpError(431, "more than %d header lines" % self.max_headers)
            colon = text.find(":", pos, eol)
            if colon <= pos:
                raise HttpError(400, "malformed header line")
            name = text[pos:colon].lower()
            if " " in name or "\t" in name:
                raise HttpError(400, "malformed header line")
            value = text[colon + 1 : eol].strip()
            headers[name] = headers[name] + "," + value if name in headers else value
            pos = eol + 2
        return headers

    def _start_body(self, slot, request, rest) -> None:
        headers = request.headers
        encoding = headers.get("transfer-encoding")
        if encoding is not None:
            if "content-length" in headers:
                raise HttpError(400, "both Transfer-Encoding and Content-Length")
            if encoding.strip().lower() != "chunked":
                raise HttpError(501, "transfer encoding %s not supported" % encoding[:20])
            self._start_chunked(slot, request, rest)
            return
        length = _content_length(headers.get("content-length"))
        if length > self.max_body:
            request.too_large = True
            slot.drop_left = min(length, self.drain_limit) - len(rest)
            slot.close_after = True
            return
        self._continue(slot, request, length)
        got = min(len(rest), length)
        if self.buffers is not None and length:
            try:
                buf = slot.pooled = self.buffers.acquire(length)
            except MemoryError:
                raise
            except Exception as exc:  # noqa: BLE001 - the pool refused: ResourceExhausted says why
                # The handler answers it (as it answers too_large); the body is dropped.
                request.refusal = str(exc)
                request.too_large = True
                slot.drop_left = min(length, self.drain_limit) - len(rest)
                slot.close_after = True
                return
            buf[:got] = rest[:got]
            slot.body = memoryview(buf)[:length]
        else:
            slot.body = bytearray(length)
            slot.body[:got] = rest[:got]
        slot.got = got
        slot.head.extend(rest[slot.got :])  # a pipelined next request
        slot.state = BODY

    def _start_chunked(self, slot, request, rest) -> None:
        self._continue(slot, request, 0)
        body = slot.body = bytearray()
        limit = self.max_body
        drain = self.drain_limit

        def sink(data):
            if request.too_large or len(body) + len(data) > limit:
                request.too_large = True
                slot.drop_left -= len(data)
                if -slot.drop_left > drain:
                    raise HttpError(413, "chunked body over %d bytes" % drain)
            else:
                body.extend(data)

        slot.decoder = ChunkedDecoder(sink)
        slot.state = CHUNKED
        slot.head = bytearray(rest)  # decoded by _advance

    def _continue(self, slot, request, length) -> None:
        # curl and others wait for "100 Continue" before sending a body they announced.
        if request.headers.get("expect", "").lower() == "100-continue":
            self._send_now(slot, b"HTTP/1.1 100 Continue\r\n\r\n")

    def _dispatch(self, slot, now) -> int:
        request = slot.request
        if request.too_large:
            slot.close_after = True  # the rest of the body is dropped, not parsed
            slot.drop_left = max(slot.drop_left, 0)
        else:
            request.body = slot.body if slot.body is not None else b""
        slot.body = None
        slot.decoder = None
        try:
            response = self.handler(request)
        except MemoryError:
            response = Response(503, body=b"out of memory", close=True)
        except Exception:  # noqa: BLE001 - a handler bug must not take the server down
            response = Response(500, body=b"internal error", close=True)
        finally:
            request.body = b""  # the handler is done with it: its buffer goes back
            self._release_body(slot)
        self.requests += 1
        slot.served += 1
        self._queue(slot, response, now)
        return 1 + self._write(slot, now)

    def _refuse(self, slot, status, message, now) -> int:
        self.refused += 1
        slot.close_after = True
        slot.drop_left = max(slot.drop_left, self.drain_limit)
        slot.decoder = None
        slot.body = None
        body = message.encode("utf-8")
        self._queue(slot, Response(status, [("Content-Type", "text/plain")], body), now)
        return self._write(slot, now)

    # ------------------------------------------------------------ responses

    def _queue(self, slot, response, now) -> None:
        request = slot.request
        keep_alive = request is not None and request.keep_alive
        close = response.close or slot.close_after or not keep_alive
        slot.close_after = close
        head = ["HTTP/1.1 %d %s\r\n" % (response.status, _REASONS.get(response.status, "OK"))]
        for name, value in response.headers:
            head.append("%s: %s\r\n" % (name, value))
        if response.stream is None:
            head.append("Content-Length: %d\r\n" % len(response.body))
        else:
            head.append("Transfer-Encoding: chunked\r\n")
        if close:
            head.append("Connection: close\r\n")
        head.append("\r\n")
        data = "".join(head).encode("utf-8")
        if response.stream is None and response.body:
            data += response.body
        slot.out = memoryview(data)
        slot.sent = 0
        slot.stream = response.stream
        slot.state = SEND
        slot.since = now
        slot.deadline = now + self.send_ms

    def _write(self, slot, now) -> int:
        # Send what is pending; a stream gives its next piece once the last one is out,
        # one piece per poll and slot, so the other slots get their turn. Returns the
        # requests answered meanwhile (a pipelined one, after this response).
        pulled = False
        while True:
            if slot.sent == len(slot.out):
                if slot.stream is None:
                    return self._finish(slot, now)
                if pulled:
                    return 0
                self._next_piece(slot)
                pulled = True
                continue
            try:
                n = slot.sock.send(slot.out[slot.sent :])
            except OSError as exc:
                if not would_block(exc):
                    raise
                n = 0
            if n is None:  # some CircuitPython sockets return None for "all of it"
                n = len(slot.out) - slot.sent
            if not n:
                if now >= slot.deadline:
                    self._drop(slot)  # the client stopped reading
                return 0
            self.tx_bytes += n
            slot.tx += n
            slot.sent += n
            slot.deadline = now + self.send_ms

    def _next_piece(self, slot) -> None:
        # The stream's next piece as one chunk, or the last chunk once it has ended.
        try:
            piece = next(slot.stream)
        except StopIteration:
            slot.stream = None
            slot.out = memoryview(b"0\r\n\r\n")
        else:
            size = ("%x\r\n" % len(piece)).encode("ascii")
            slot.out = memoryview(size + bytes(piece) + b"\r\n")
        slot.sent = 0

    def _finish(self, slot, now) -> int:
        # The response is out: wait for the next request, or close (lingering first so
        # a client still sending does not get a reset instead of our answer).
        slot.out = None
        slot.request = None
        slot.since = now
        self._count(slot)
        if not slot.close_after:
            slot.state = HEAD
            slot.deadline = now + (self.head_ms if slot.head else self.idle_ms)
            if slot.head:
                return self._advance(slot, now)  # a pipelined request is already here
            return 0
        if slot.drop_left <= 0:
            self._close(slot)
            return 0
        slot.state = LINGER
        slot.deadline = now + LINGER_MS
        return 0

    def _send_now(self, slot, data) -> None:
        try:
            slot.sock.send(data)
            self.tx_bytes += len(data)
            slot.tx += len(data)
        except OSError as exc:
            if not would_block(exc):
                raise

    # ------------------------------------------------------------ closing

    def _count(self, slot) -> None:
        # Once per answered request (and at close): the meter's cost is per call, not
        # per recv or send.
        if self.meter is not None and (slot.rx or slot.tx):
            if slot.endpoint is None:
                address = slot.address
                host = address[0] if isinstance(address, (tuple, list)) else address
                slot.endpoint = "client:" + str(host)
            self.meter.count(slot.endpoint, slot.tx, slot.rx)
            slot.rx = slot.tx = 0

    def _release_body(self, slot) -> None:
        if slot.pooled is not None:
            self.buffers.release(slot.pooled)
            slot.pooled = None

    def _answer_out_of_memory(self, slot) -> None:
        # Answer with the bytes made at import (no allocation) unless part of a response
        # already went out, then close; the other slots go on.
        slot.body = None
        slot.request = None
        self._release_body(slot)
        if slot.state != LINGER and (slot.state != SEND or not slot.sent):
            self.out_of_memory_answers += 1
            try:
                slot.sock.send(self.out_of_memory)
            except Exception:  # noqa: BLE001 - even this failed: closing is all that is left
                pass
        self._drop(slot)

    def _drop(self, slot) -> None:
        if slot.state != LINGER and (slot.state != HEAD or slot.head):
            self.dropped += 1
        self._close(slot)

    def _close(self, slot) -> None:
        self._release_body(slot)
        self._count(slot)
        if slot.stream is not None:
            close = getattr(slot.stream, "close", None)
            slot.stream = None
            if close is not None:
                close()  # runs the handler's cleanup when a client left mid-stream
        try:
            slot.sock.close()
        except OSError:
            pass
        if slot in self.slots:
            self.slots.remove(slot)


def _content_length(value) -> int:
    if value is None:
        return 0
    value = value.strip()
    if not value.isdigit() or len(value) > 12:
        raise HttpError(400, "bad Content-Length")
    return int(value)


def _error_bytes(status, message) -> bytes:
    head = "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
    head += "Connection: close\r\n\r\n"
    return (head % (status, _REASONS[status], len(message)) + message).encode("utf-8")
