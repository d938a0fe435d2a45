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
"""

import errno

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
    out = bytearray(head)
    for start in range(0, len(body), chunk_size):
        piece = body[start : start + chunk_size]
        out += b"%x\r\n" % len(piece) + piece + b"\r\n"
    out += b"0\r\n\r\n"
    return bytes(out)


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
    """Queue a client connecting to a listening fake socket on ``port`` and sending bytes."""
    incoming.setdefault(port, []).append(Script(request, chunks, "hang"))


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

    def __init__(self, pool, family=AF_INET, type=SOCK_STREAM, conn=None):  # noqa: A002
        self.pool = pool
        self.family = family
        self.type = type
        self.timeout = None
        self.closed = False
        self.conn = conn
        self.options = []
        self.bound = None
        self.listening = False
        self.tls_server_hostname = None

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
        self.options.append((level, optname, value))

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
        self.conn.sent += data
        return len(data)

    def sendall(self, data):
        self.send(data)

    def recv_into(self, buffer, nbytes=0):
        self._check_open()
        if self.conn is None:
            raise OSError(errno.ENOTCONN)
        limit = nbytes or len(buffer)
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
        conn = Connection("192.168.4.100", 50000 + len(connections), pending.pop(0))
        connections.append(conn)
        sock = FakeSocket(self.pool, self.family, self.type, conn)
        sockets.append(sock)
        return sock, (conn.host, conn.port)


def _reset():
    global hosts, scripts, incoming
    hosts = {}
    scripts = {}
    incoming = {}
    del sockets[:]
    del connections[:]
    _next_ip[0] = 10
