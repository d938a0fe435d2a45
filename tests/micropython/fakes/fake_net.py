# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""In-memory network for the MicroPython runner: scripted servers behind fake sockets.

A test scripts what each next connection to a (host, port) does, then lets device code
(or adafruit_requests) connect through ``socketpool.SocketPool(wifi.radio)`` or a
``FakeSocketPool()``::

    import fake_net
    fake_net.serve("loki.local", 8080, fake_net.respond(fake_net.http_response(body=b"hi")))
    fake_net.serve("loki.local", 8080, fake_net.refuse())      # the connection after that
    ...
    conn = fake_net.connections[0]      # what the client sent: conn.sent (bytearray)
    fake_net.assert_no_leaks()          # every socket opened was closed

Behaviours (one per connection, consumed in order; none left means connection refused):
``respond(data, chunks=None, keep_alive=False)`` the bytes (or ``callable(conn) -> bytes``,
called at the first read, so it can look at ``conn.sent``), optionally split into chunks
(an int size or a list of sizes) and then EOF (or, with keep_alive, a read timeout);
``refuse()`` connect raises ECONNREFUSED; ``reset(data)`` sends data then ECONNRESET;
``hang(data=b"")`` sends data then every read times out (ETIMEDOUT, or EAGAIN on a
non-blocking socket); ``connect_timeout()`` connect raises ETIMEDOUT.

A read that would block forever (a hung server and a socket without a timeout) raises
``BlockedForever`` instead of hanging the test: on a board that is a frozen device.
Errors are ``OSError(errno)`` with the errno in ``args[0]``, as on CircuitPython.

Server side (device code that listens): ``accept_from(port, client(...))`` queues a client
for a socket that did ``bind``/``listen``/``accept``. A ``client`` sends bytes (split into
reads by ``chunks``), pauses (``stall``), waits for the server's answer before its next
request (``await_reply``, keep-alive) and ends by closing (EOF), resetting (ECONNRESET) or
hanging. ``conn.sent`` is what the server sent, ``conn.replies()`` the complete HTTP
responses in it, ``conn.closed`` whether the server closed. See tests/micropython/README.md.
"""

import errno
import time

AF_INET = 2
SOCK_STREAM = 1
SOCK_DGRAM = 2
IPPROTO_TCP = 6
TCP_NODELAY = 1
SOL_SOCKET = 0xFFF
SO_REUSEADDR = 0x0004
EAI_NONAME = -2
_EHOSTUNREACH = getattr(errno, "EHOSTUNREACH", 113)


class gaierror(OSError):  # noqa: N801  (CircuitPython's name)
    """Name resolution failed (CircuitPython's ``SocketPool.gaierror``)."""


class BlockedForever(AssertionError):
    """A read on a socket without timeout that would never return on a board."""


class Script:
    """What the fake server does on one connection."""

    def __init__(self, data=b"", chunks=None, then="close", connect_error=None):
        self.data = data
        self.chunks = chunks
        self.then = then  # "close" (EOF), "reset" (ECONNRESET) or "hang" (timeouts)
        self.connect_error = connect_error


def respond(data, chunks=None, keep_alive=False):
    return Script(data, chunks, "hang" if keep_alive else "close")


def refuse():
    return Script(connect_error=errno.ECONNREFUSED)


def reset(data=b"", chunks=None):
    return Script(data, chunks, "reset")


def hang(data=b"", chunks=None):
    return Script(data, chunks, "hang")


def connect_timeout():
    return Script(connect_error=errno.ETIMEDOUT)


def http_response(status=200, body=b"", headers=None, reason=None, chunked=False, chunk_size=16):
    """HTTP/1.1 response bytes; with ``chunked`` the body goes out in chunk_size pieces."""
    if isinstance(body, str):
        body = body.encode()
    lines = ["HTTP/1.1 %d %s" % (status, reason or _REASONS.get(status, "Status"))]
    headers = dict(headers or {})
    if chunked:
        headers["Transfer-Encoding"] = "chunked"
    else:
        headers["Content-Length"] = str(len(body))
    for name, value in headers.items():
        lines.append("%s: %s" % (name, value))
    head = ("\r\n".join(lines) + "\r\n\r\n").encode()
    if not chunked:
        return head + body
    return head + chunked_body(body, chunk_size)


def chunked_body(body, sizes=16, trailers=None):
    """``body`` in HTTP/1.1 chunked transfer coding, ending with the zero-size chunk.

    :param body: the payload (bytes or str).
    :param sizes: chunk size (int), or a list of sizes used in turn (the last repeats).
    :param trailers: optional dict of trailer fields after the last chunk.
    """
    if isinstance(body, str):
        body = body.encode()
    sizes = [sizes] if isinstance(sizes, int) else list(sizes)
    out = bytearray()
    pos = 0
    turn = 0
    while pos < len(body):
        size = sizes[min(turn, len(sizes) - 1)]
        if size <= 0:
            raise ValueError("chunk sizes must be positive, got %r" % size)
        piece = body[pos : pos + size]
        out += b"%x\r\n" % len(piece) + piece + b"\r\n"
        pos += len(piece)
        turn += 1
    out += b"0\r\n"
    for name, value in (trailers or {}).items():
        out += ("%s: %s\r\n" % (name, value)).encode()
    out += b"\r\n"
    return bytes(out)


def http_request(method="GET", path="/", body=b"", headers=None, chunked=False, chunk_sizes=16):
    """HTTP/1.1 request bytes, as a client sends them.

    :param method: request method.
    :param path: request target.
    :param body: request body (bytes or str).
    :param headers: extra header fields (dict); ``Host`` defaults to ``board``.
    :param chunked: send the body with ``Transfer-Encoding: chunked`` (see chunked_body).
    :param chunk_sizes: chunk size or list of sizes when chunked.
    """
    if isinstance(body, str):
        body = body.encode()
    fields = {"Host": "board"}
    fields.update(headers or {})
    if chunked:
        fields["Transfer-Encoding"] = "chunked"
    elif body or method in ("POST", "PUT", "PATCH"):
        fields["Content-Length"] = str(len(body))
    lines = ["%s %s HTTP/1.1" % (method, path)]
    for name, value in fields.items():
        lines.append("%s: %s" % (name, value))
    head = ("\r\n".join(lines) + "\r\n\r\n").encode()
    return head + (chunked_body(body, chunk_sizes) if chunked else body)


_REASONS = {200: "OK", 204: "No Content", 400: "Bad Request", 404: "Not Found", 500: "Error"}


class Connection:
    """The server's view of one connection attempt."""

    def __init__(self, host, port, script):
        self.host = host
        self.port = port
        self.script = script
        self.sent = bytearray()
        self.refused = script is None or script.connect_error is not None
        self.closed = False
        self._data = None
        self._pos = 0
        self._chunk = 0

    def response(self):
        if self._data is None:
            data = self.script.data
            if callable(data):
                data = data(self)
            self._data = bytes(data)
        return self._data

    def next_piece(self, limit):
        """The next bytes a read returns (at most ``limit``), b'' when the script is done."""
        data = self.response()
        size = len(data) - self._pos
        chunks = self.script.chunks
        if isinstance(chunks, int):
            size = min(size, chunks)
        elif chunks:
            if self._chunk < len(chunks):
                size = min(size, chunks[self._chunk])
        size = min(size, limit)
        piece = data[self._pos : self._pos + size]
        self._pos += size
        if chunks and not isinstance(chunks, int) and self._chunk < len(chunks):
            # A partly read chunk keeps the rest for the next read.
            if size >= chunks[self._chunk]:
                self._chunk += 1
            else:
                chunks = list(chunks)
                chunks[self._chunk] -= size
                self.script.chunks = chunks
        return piece


# -- the server side: scripted clients of a listening socket -----------------------------


class FakeClock:
    """A clock that moves only when told (or when a timed read waits on a stall).

    ``fake_net.use_clock(FakeClock())`` makes ``stall(seconds=...)`` and ``stall(until=...)``
    use it; device code under test should read the same clock (``clock.monotonic_ms()``).
    """

    def __init__(self, start=0.0):
        self.now = float(start)

    def __call__(self):
        return self.now

    def advance(self, seconds):
        """Move the clock on by ``seconds``; returns the new time."""
        self.now += seconds
        return self.now

    def monotonic_ms(self):
        """The time in integer milliseconds (what ``jotunheim.compat.monotonic_ms`` gives)."""
        return int(self.now * 1000)


def _real_clock():
    return time.monotonic()


clock = _real_clock


def use_clock(new_clock):
    """Time stalls by ``new_clock`` (a FakeClock, or any callable returning seconds)."""
    global clock
    clock = new_clock
    return new_clock


class Stall:
    """A pause in what a client sends: reads find nothing until it is over."""

    def __init__(self, reads=None, seconds=None, until=None):
        if (reads is None) + (seconds is None) + (until is None) != 2:
            raise ValueError("stall takes exactly one of reads, seconds, until")
        self.reads = reads
        self.seconds = seconds
        self.until = until


class AwaitReply:
    """The client sends nothing more until the server has sent ``count`` complete replies."""

    def __init__(self, count=None):
        self.count = count


def stall(reads=None, seconds=None, until=None):
    """A client step: the next ``reads`` reads find nothing, or nothing arrives for
    ``seconds`` (from the first read that finds the stall) or until ``clock()`` reaches
    ``until``. Each read during a stall raises ``OSError(EAGAIN)`` on a non-blocking socket
    and ``OSError(ETIMEDOUT)`` on one with a timeout (after waiting it out: the FakeClock
    moves on by the timeout, the real clock is slept on, up to the end of the stall); a
    blocking socket just waits until the stall is over."""
    return Stall(reads, seconds, until)


def await_reply(count=None):
    """A client step for keep-alive: wait until the server has sent ``count`` complete
    replies (default: one per request sent so before this step) before going on."""
    return AwaitReply(count)


class Client:
    """What a client of a listening fake socket does, in order (see ``client``)."""

    # Defaults as class attributes: an instance holds only what differs (each attribute
    # set on an instance costs heap, and a served call makes one Client).
    chunks = None
    then = "close"
    window = None

    def __init__(self, steps, chunks=None, then="close", window=None):
        if then not in ("close", "reset", "hang"):
            raise ValueError("then must be close, reset or hang, not %r" % (then,))
        out = None  # a new list only once a step must change (text, bytearray, await)
        requests = 0
        for i in range(len(steps)):  # (by index: no iterator object for one step)
            step = steps[i]
            if isinstance(step, str):
                step = step.encode()
            if isinstance(step, bytes):
                requests += 1
            elif isinstance(step, AwaitReply):
                if step.count is None:
                    step = AwaitReply(requests)
            elif isinstance(step, (bytearray, memoryview)):
                step = bytes(step)
                requests += 1
            elif not isinstance(step, Stall):
                raise TypeError("client steps are bytes, stall() or await_reply(), not %r" % step)
            if out is None and step is not steps[i]:
                out = list(steps[:i])
            if out is not None:
                out.append(step)
        if window is not None and window < 1:
            raise ValueError("window must be at least 1 byte, not %r" % (window,))
        self.steps = steps if out is None else out
        if chunks is not None:
            self.chunks = chunks
        if then != "close":
            self.then = then
        if window is not None:
            self.window = window


def client(*steps, chunks=None, then="close", window=None):
    """A scripted client for ``accept_from``.

    :param steps: bytes it sends (each read returns at most ``chunks`` of them), ``stall()``
        pauses and ``await_reply()`` waits for the server's answer (keep-alive).
    :param chunks: bytes per read (int) or a list of sizes, over all the bytes it sends.
    :param then: after the last step: ``"close"`` (reads return 0: EOF, or raise
        ``OSError(ENOTCONN)`` on a non-blocking socket when ``nonblocking_eof`` says so),
        ``"reset"`` (reads and sends raise ``OSError(ECONNRESET)``) or ``"hang"`` (reads
        find nothing, for ever).
    :param window: the most bytes one ``send`` takes (a partial send returns fewer).
    """
    return Client(steps, chunks, then, window)


# What a non-blocking recv_into at EOF does: "zero" (returns 0, as CPython, MicroPython's
# ports and CircuitPython's blocking sockets do) or "enotconn" (raises OSError(ENOTCONN), as
# CircuitPython's espressif port does for a socket with timeout 0).
nonblocking_eof = "zero"


class Reply:
    """One complete HTTP response the server sent (``status``, ``headers``, ``body``)."""

    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers  # lower-case names
        self.body = body

    def __repr__(self):
        return "<Reply %d %d bytes>" % (self.status, len(self.body))


def _find(data, marker, start):
    index = bytes(data[start:]).find(marker)
    return -1 if index < 0 else start + index


def _parse_reply(data, pos, closed):
    """``(Reply, end)`` for the response at ``pos``, or None while it is incomplete."""
    head_end = _find(data, b"\r\n\r\n", pos)
    if head_end < 0:
        return None
    lines = bytes(data[pos:head_end]).decode().split("\r\n")
    parts = lines[0].split(" ", 2)
    status = int(parts[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    start = head_end + 4
    if status in (204, 304) or 100 <= status < 200:
        return Reply(status, parts[2] if len(parts) > 2 else "", headers, b""), start
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return _parse_chunked(data, start, status, parts, headers)
    if "content-length" in headers:
        end = start + int(headers["content-length"])
        if len(data) < end:
            return None
        return Reply(
            status, parts[2] if len(parts) > 2 else "", headers, bytes(data[start:end])
        ), end
    if not closed:
        return None  # the body runs until the server closes
    return Reply(status, parts[2] if len(parts) > 2 else "", headers, bytes(data[start:])), len(
        data
    )


def _parse_chunked(data, pos, status, parts, headers):
    body = bytearray()
    while True:
        line_end = _find(data, b"\r\n", pos)
        if line_end < 0:
            return None
        size = int(bytes(data[pos:line_end]).split(b";")[0].strip(), 16)
        pos = line_end + 2
        if size == 0:
            end = _find(data, b"\r\n\r\n", pos - 2)
            if end < 0:
                return None
            reply = Reply(status, parts[2] if len(parts) > 2 else "", headers, bytes(body))
            return reply, end + 4
        if len(data) < pos + size + 2:
            return None
        body += data[pos : pos + size]
        pos += size + 2


class ClientConnection:
    """One accepted connection: the scripted client's side of it, and what the server did.

    ``sent`` is every byte the server sent, ``sends`` the size each ``send`` took, ``closed``
    whether the server closed its socket, ``reads`` how many reads the server made.

    On a board ``accept`` makes one small socket object and ``recv_into``/``send`` copy
    into and out of the caller's buffer without touching the Python heap; so that heap
    figures of a server are the server's own, this record allocates nothing per read or
    send (bytes are copied straight into the buffer, ``sent`` grows in place), and once a
    test has dropped it from ``connections`` (and its socket from ``sockets``), the next
    ``accept`` reuses it with its buffers. (Every name here is interned in the interpreter
    the heap figures are measured in, before they start: they are kept few.)
    """

    # Defaults as class attributes: an instance holds only what changed.
    socket = None  # the accepted socket
    refused = False
    closed = False
    was_reset = False
    reads = 0
    _step = 0
    _offset = 0
    _stall_left = None
    _stall_end = None
    _chunk_turn = 0
    _chunk_left = None

    def __init__(self, host, port, script):
        self.host = host
        self.port = port
        self.script = script
        self.sent = bytearray()
        self.sends = []

    def replies(self):
        """The complete HTTP responses in what the server sent, in order."""
        out = []
        pos = 0
        while pos < len(self.sent):
            parsed = _parse_reply(self.sent, pos, self.closed)
            if parsed is None:
                break
            out.append(parsed[0])
            pos = parsed[1]
        return out

    def done(self):
        """True once the client has sent everything (only its ending is left)."""
        return self._step >= len(self.script.steps)

    def _chunk_limit(self):
        chunks = self.script.chunks
        if chunks is None:
            return None
        if isinstance(chunks, int):
            return chunks
        if self._chunk_left is None:
            if self._chunk_turn >= len(chunks):
                return None
            self._chunk_left = chunks[self._chunk_turn]
        return self._chunk_left

    def _take(self, data, limit, buffer):
        # Copies the next piece of ``data`` into ``buffer`` (a whole step without a view).
        offset = self._offset
        size = len(data) - offset
        chunk = self._chunk_limit()
        if chunk is not None:
            size = min(size, chunk)
        size = min(size, limit)
        if offset == 0 and size == len(data):
            buffer[0:size] = data
        else:
            buffer[0:size] = memoryview(data)[offset : offset + size]
        self._offset = offset + size
        if self._chunk_left is not None:
            self._chunk_left -= size
            if self._chunk_left <= 0:
                self._chunk_left = None
                self._chunk_turn += 1
        if self._offset >= len(data):
            self._next_step()
        return size

    def _next_step(self):
        self._step += 1
        self._offset = 0
        self._stall_left = None
        self._stall_end = None

    def _nothing(self, timeout, why):
        """A read that finds nothing: EAGAIN, ETIMEDOUT or (blocking) BlockedForever."""
        if timeout == 0:
            raise OSError(errno.EAGAIN)
        if timeout is None:
            raise BlockedForever("recv_into on a blocking socket: " + why)
        if isinstance(clock, FakeClock):
            clock.advance(timeout)
        raise OSError(errno.ETIMEDOUT)

    def _stalled(self, stall_step, timeout):
        """True while ``stall_step`` still holds this read back (after raising for it)."""
        if stall_step.reads is not None:
            if self._stall_left is None:
                self._stall_left = stall_step.reads
            if self._stall_left <= 0 or timeout is None:
                return False  # a blocking read waits the stall out
            self._stall_left -= 1
            if timeout == 0:
                raise OSError(errno.EAGAIN)
            if isinstance(clock, FakeClock):
                clock.advance(timeout)
            raise OSError(errno.ETIMEDOUT)
        if self._stall_end is None:
            self._stall_end = stall_step.until
            if self._stall_end is None:
                self._stall_end = clock() + stall_step.seconds
        left = self._stall_end - clock()
        if left <= 0:
            return False
        if timeout == 0:
            raise OSError(errno.EAGAIN)
        wait = left if timeout is None or timeout >= left else timeout
        if isinstance(clock, FakeClock):
            clock.advance(wait)
        else:
            time.sleep(wait)
        if timeout is not None and timeout < left:
            raise OSError(errno.ETIMEDOUT)
        return False

    def read(self, buffer, limit, timeout):
        """What one ``recv_into`` does: copy at most ``limit`` bytes into ``buffer`` and
        return how many (0 at EOF), or raise what it raises."""
        self.reads += 1
        steps = self.script.steps
        while self._step < len(steps):
            step = steps[self._step]
            if isinstance(step, bytes):
                if self._offset < len(step):
                    return self._take(step, limit, buffer)
                self._next_step()
            elif isinstance(step, Stall):
                if not self._stalled(step, timeout):
                    self._next_step()
            elif len(self.replies()) >= step.count:
                self._next_step()
            else:
                self._nothing(timeout, "the client waits for a reply the server has not sent")
        then = self.script.then
        if then == "reset":
            self.was_reset = True
            raise OSError(errno.ECONNRESET)
        if then == "close":
            if timeout == 0 and nonblocking_eof == "enotconn":
                raise OSError(errno.ENOTCONN)
            return 0
        return self._nothing(timeout, "the client sends nothing more and never closes")

    def write(self, data):
        """Bytes the server sends; returns how many the client took."""
        if self.was_reset:
            raise OSError(errno.ECONNRESET)
        size = len(data)
        window = self.script.window
        if window is not None and window < size:
            size = window
            data = memoryview(data)[:size]
        self.sent.extend(data)
        self.sends.append(size)
        return size


# Network state shared by every pool; _reset() (run before each test) clears it.
hosts = {}
scripts = {}
sockets = []
connections = []
incoming = {}
_next_ip = [10]


def add_host(name, ip=None):
    """Make ``name`` resolvable (to ``ip`` or a fresh 10.0.0.x address); returns the IP."""
    if ip is None:
        ip = hosts.get(name)
    if ip is None:
        ip = "10.0.0.%d" % _next_ip[0]
        _next_ip[0] += 1
    hosts[name] = ip
    return ip


def _is_ip(host):
    parts = host.split(".")
    return len(parts) == 4 and all(p.isdigit() for p in parts)


def resolve(host):
    if _is_ip(host):
        return host
    if host in hosts:
        return hosts[host]
    raise gaierror(EAI_NONAME, "Name or service not known")


def serve(host, port, *behaviours):
    """Queue one behaviour per future connection to host:port."""
    ip = host if _is_ip(host) else add_host(host)
    scripts.setdefault((ip, port), []).extend(behaviours)


def accept_from(port, request, chunks=None):
    """Queue a client for a listening fake socket on ``port``.

    :param request: a ``client(...)``, or bytes: a client that sends them (``chunks`` per
        read) and then hangs without closing.
    :param chunks: bytes per read when ``request`` is bytes.
    """
    if not isinstance(request, Client):
        request = Client((request,), chunks, "hang")
    queue = incoming.get(port)
    if queue is None:
        queue = incoming[port] = []
    queue.append(request)


def open_sockets():
    return [s for s in sockets if not s.closed]


def assert_no_leaks():
    leaked = open_sockets()
    assert not leaked, "sockets left open: %r" % leaked


class FakeSocketPool:
    """Stands in for ``socketpool.SocketPool``; ``radio`` (optional) must be connected."""

    AF_INET = AF_INET
    SOCK_STREAM = SOCK_STREAM
    SOCK_DGRAM = SOCK_DGRAM
    IPPROTO_TCP = IPPROTO_TCP
    TCP_NODELAY = TCP_NODELAY
    SOL_SOCKET = SOL_SOCKET
    SO_REUSEADDR = SO_REUSEADDR
    EAI_NONAME = EAI_NONAME
    gaierror = gaierror

    def __init__(self, radio=None):
        self.radio = radio

    def _check_link(self):
        if self.radio is not None and not self.radio.connected:
            raise OSError(_EHOSTUNREACH)

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):  # noqa: A002
        self._check_link()
        return [(AF_INET, SOCK_STREAM, 0, "", (resolve(host), port))]

    def socket(self, family=AF_INET, type=SOCK_STREAM, proto=0):  # noqa: A002
        sock = FakeSocket(self, family, type)
        sockets.append(sock)
        return sock


class FakeSocket:
    """A client (or accepted) socket whose peer is a ``Script``."""

    # Defaults as class attributes: an accepted socket holds only its pool, its
    # connection and its timeout, about the size of the firmware's socket object.
    family = AF_INET
    type = SOCK_STREAM
    timeout = None
    closed = False
    conn = None
    bound = None
    listening = False
    tls_server_hostname = None

    def __init__(self, pool, family=AF_INET, type=SOCK_STREAM, conn=None):  # noqa: A002
        self.pool = pool
        if family != AF_INET:
            self.family = family
        if type != SOCK_STREAM:
            self.type = type
        if conn is not None:
            self.conn = conn

    def __repr__(self):
        peer = "%s:%s" % (self.conn.host, self.conn.port) if self.conn else "unconnected"
        return "<FakeSocket %s%s>" % (peer, " closed" if self.closed else "")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def settimeout(self, value):
        self.timeout = value

    def setblocking(self, flag):
        self.timeout = None if flag else 0

    def setsockopt(self, level, optname, value):
        self._check_open()

    def _check_open(self):
        if self.closed:
            raise OSError(errno.EBADF)

    def connect(self, address):
        self._check_open()
        self.pool._check_link()
        host, port = address
        ip = resolve(host)
        queue = scripts.get((ip, port))
        script = queue.pop(0) if queue else None
        conn = Connection(host, port, script)
        connections.append(conn)
        if script is None:
            raise OSError(errno.ECONNREFUSED)
        if script.connect_error is not None:
            raise OSError(script.connect_error)
        self.conn = conn

    def send(self, data):
        self._check_open()
        if self.conn is None:
            raise OSError(errno.ENOTCONN)
        if isinstance(self.conn, ClientConnection):
            return self.conn.write(data)
        self.conn.sent += data
        return len(data)

    def sendall(self, data):
        view = memoryview(data)
        while len(view) > 0:
            view = view[self.send(view) :]

    def recv_into(self, buffer, nbytes=0):
        self._check_open()
        if self.conn is None:
            raise OSError(errno.ENOTCONN)
        limit = nbytes or len(buffer)
        if isinstance(self.conn, ClientConnection):
            return self.conn.read(buffer, limit, self.timeout)
        piece = self.conn.next_piece(limit)
        if piece:
            buffer[0 : len(piece)] = piece
            return len(piece)
        then = self.conn.script.then
        if then == "close":
            return 0
        if then == "reset":
            raise OSError(errno.ECONNRESET)
        if self.timeout == 0:
            raise OSError(errno.EAGAIN)
        if self.timeout is None:
            raise BlockedForever("recv_into on a socket without timeout: server never answers")
        raise OSError(errno.ETIMEDOUT)

    def close(self):
        if not self.closed:
            self.closed = True
            if self.conn is not None:
                self.conn.closed = True

    # Listening side, for device code that serves HTTP (adafruit_httpserver).
    def bind(self, address):
        self._check_open()
        self.bound = address

    def listen(self, backlog=1):
        self._check_open()
        self.listening = True

    def accept(self):
        self._check_open()
        pending = incoming.get(self.bound[1] if self.bound else None)
        if not pending:
            if self.timeout is None:
                raise BlockedForever("accept on a blocking socket with no client queued")
            raise OSError(errno.EAGAIN if self.timeout == 0 else errno.ETIMEDOUT)
        # A record a test has dropped (removed from ``connections``, its socket from
        # ``sockets``, closed by the server) serves this client, with its buffers emptied
        # (their room stays allocated): only benchmarks drop records, a test that keeps
        # them never sees one reused.
        port = 50000 + len(connections)
        for conn in _records:
            if conn.closed and conn not in connections and conn.socket not in sockets:
                conn.port = port
                conn.script = pending.pop(0)
                conn.sent[:] = b""
                conn.sends.clear()
                conn.closed = conn.was_reset = False
                conn.reads = conn._step = conn._offset = conn._chunk_turn = 0
                conn._stall_left = conn._stall_end = conn._chunk_left = None
                break
        else:
            conn = ClientConnection("192.168.4.100", port, pending.pop(0))
            _records.append(conn)
        connections.append(conn)
        sock = FakeSocket(self.pool, self.family, self.type, conn)
        sockets.append(sock)
        conn.socket = sock
        return sock, (conn.host, conn.port)


# Every record accept() made since the last reset, and a spare made before any test or
# benchmark runs with room for a few replies: the capture buffers are the fake network's,
# as a board's socket buffers are the firmware's, not the heap of the code under test.
_records = []


def _reset():
    global hosts, scripts, incoming, clock, nonblocking_eof
    clock = _real_clock
    nonblocking_eof = "zero"
    hosts = {}
    scripts = {}
    incoming = {}
    del sockets[:]
    del connections[:]
    del _records[:]
    # The spare, with every field a served client sets already its own (so that reusing
    # it makes nothing) and room for a few replies.
    conn = ClientConnection("192.168.4.100", 0, None)
    conn.sent = bytearray(2048)
    conn.sent[:] = b""
    conn.closed = conn.was_reset = True
    conn.reads = conn._step = conn._offset = conn._chunk_turn = 0
    conn._stall_left = conn._stall_end = conn._chunk_left = conn.socket = None
    _records.append(conn)
    _next_ip[0] = 10


_reset()
