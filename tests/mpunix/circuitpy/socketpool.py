# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""CircuitPython's ``socketpool`` over the MicroPython Unix port's real ``socket``.

Only the semantics CircuitPython documents, so device code that works here works on a board:

- ``SocketPool(radio)``: ``socket(family, type, proto)``, ``getaddrinfo(host, port, ...)``
  returning ``(family, type, proto, canonname, (ip, port))``; the constants ``AF_INET``,
  ``SOCK_STREAM``, ``SOL_SOCKET``, ``SO_REUSEADDR``, ``IPPROTO_TCP``, ``TCP_NODELAY``;
  name lookups that fail raise ``gaierror`` (an ``OSError``).
- ``Socket``: addresses are ``(ip, port)`` tuples; ``recv_into(buf, nbytes=0)`` returns
  0 at EOF, raises ``OSError(EAGAIN)`` on a non-blocking socket with nothing to read and
  ``OSError(ETIMEDOUT)`` when a timeout runs out; ``send`` may send part and raises the
  same two errors; ``accept`` raises ``OSError(EAGAIN)`` when nothing is pending.
  There is no ``recv`` (CircuitPython has none) and no ``getsockname``.

The Unix port's own quirks this hides: ``readinto`` on a blocking socket loops until the
buffer is full, on a non-blocking one returns None instead of raising; ``send``/``recv`` on
a socket with a timeout raise ``EAGAIN`` where CircuitPython raises ``ETIMEDOUT``.
"""

import errno
import select
import socket as _native

AF_INET = _native.AF_INET
SOCK_STREAM = _native.SOCK_STREAM
SOCK_DGRAM = _native.SOCK_DGRAM
SOL_SOCKET = _native.SOL_SOCKET
SO_REUSEADDR = _native.SO_REUSEADDR
IPPROTO_TCP = 6
IPPROTO_UDP = 17
TCP_NODELAY = 1
EAI_NONAME = -2


class gaierror(OSError):  # noqa: N801  (CircuitPython's name)
    """A name lookup failed: ``args`` is ``(EAI_NONAME, message)``."""


def _native_address(address):
    host, port = address
    try:
        return _native.getaddrinfo(host, port)[0][-1]
    except OSError:
        raise gaierror(EAI_NONAME, "Name or service not known") from None


def _tuple_address(raw):
    family, packed, port = _native.sockaddr(raw)
    return (".".join(str(b) for b in packed), port)


class Socket:
    """One TCP (or UDP) socket with CircuitPython's ``socketpool.Socket`` behaviour.

    The native socket is switched to non-blocking at its first read, write or accept, and
    timeouts are waited out with ``select.poll``: the port's ``readinto`` on a blocking
    socket loops until the buffer is full (and drops what it read when a timeout strikes),
    where CircuitPython's ``recv_into`` returns what one read gave.
    """

    def __init__(self, native, family=AF_INET, type=SOCK_STREAM, proto=0):  # noqa: A002
        self._sock = native
        self.family = family
        self.type = type
        self.proto = proto
        self._timeout = None  # None: blocking, 0: non-blocking, > 0: seconds
        self._closed = False
        self._poll = None  # select.poll with this socket, made at the first wait

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def fileno(self):
        return self._sock.fileno()

    def setsockopt(self, level, option, value):
        self._sock.setsockopt(level, option, value)

    def settimeout(self, value):
        if value is not None and value < 0:
            raise ValueError("timeout must be >= 0")
        self._timeout = value

    def setblocking(self, flag):
        self.settimeout(None if flag else 0)

    def bind(self, address):
        self._sock.bind(_native_address(address))

    def listen(self, backlog=128):
        self._sock.listen(backlog)

    def _check_open(self):
        if self._closed:
            raise OSError(errno.EBADF)

    def _wait(self, event):
        # Wait until the socket is ready for ``event``, as long as the timeout allows.
        if self._timeout == 0:
            raise OSError(errno.EAGAIN)
        self._nonblocking()
        self._poll.modify(self._sock, event)
        ms = -1 if self._timeout is None else int(self._timeout * 1000)
        if not self._poll.poll(ms):
            raise OSError(errno.ETIMEDOUT)

    def _nonblocking(self):
        if self._poll is None:
            self._sock.setblocking(False)
            self._poll = select.poll()
            self._poll.register(self._sock, select.POLLIN)

    def accept(self):
        """A waiting connection as ``(socket, (ip, port))``; ``OSError(EAGAIN)`` when none
        is pending on a non-blocking socket."""
        self._check_open()
        self._nonblocking()
        while True:
            try:
                conn, raw = self._sock.accept()
                break
            except OSError as exc:
                if exc.args[0] != errno.EAGAIN:
                    raise
            self._wait(select.POLLIN)
        return Socket(conn, self.family, self.type, self.proto), _tuple_address(raw)

    def connect(self, address):
        self._check_open()
        if self._timeout:
            self._sock.settimeout(self._timeout)
        self._sock.connect(_native_address(address))

    def recv_into(self, buffer, nbytes=0):
        """Read what one read gives into ``buffer`` (at most ``nbytes`` when given);
        0 means the peer closed."""
        self._check_open()
        self._nonblocking()
        view = memoryview(buffer)
        if nbytes:
            view = view[:nbytes]
        while True:
            n = self._sock.readinto(view)
            if n is not None:
                return n
            self._wait(select.POLLIN)

    def recvfrom_into(self, buffer, nbytes=0):
        return self.recv_into(buffer, nbytes), None

    def send(self, data):
        """Send some of ``data``; returns how many bytes went."""
        self._check_open()
        self._nonblocking()
        while True:
            try:
                n = self._sock.send(data)
            except OSError as exc:
                if exc.args[0] != errno.EAGAIN:
                    raise
                n = None
            if n is not None:
                return n
            self._wait(select.POLLOUT)

    def sendall(self, data):
        view = memoryview(data)
        while view:
            view = view[self.send(view) :]

    def close(self):
        if not self._closed:
            self._closed = True
            if self._poll is not None:
                self._poll.unregister(self._sock)
                self._poll = None
            self._sock.close()


class SocketPool:
    """``socketpool.SocketPool(wifi.radio)``: sockets on the host's loopback network."""

    AF_INET = AF_INET
    SOCK_STREAM = SOCK_STREAM
    SOCK_DGRAM = SOCK_DGRAM
    SOL_SOCKET = SOL_SOCKET
    SO_REUSEADDR = SO_REUSEADDR
    IPPROTO_TCP = IPPROTO_TCP
    IPPROTO_UDP = IPPROTO_UDP
    TCP_NODELAY = TCP_NODELAY
    EAI_NONAME = EAI_NONAME
    gaierror = gaierror

    def __init__(self, radio=None):
        self.radio = radio
        self.made = 0

    def _check_radio(self):
        radio = self.radio
        if radio is not None and not getattr(radio, "connected", True):
            raise OSError(errno.EHOSTUNREACH)

    def socket(self, family=AF_INET, type=SOCK_STREAM, proto=0):  # noqa: A002
        self._check_radio()
        self.made += 1
        return Socket(_native.socket(family, type), family, type, proto)

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):  # noqa: A002
        self._check_radio()
        try:
            found = _native.getaddrinfo(host, port)
        except OSError:
            raise gaierror(EAI_NONAME, "Name or service not known") from None
        out = []
        for entry in found:
            if type and entry[1] != type:
                continue
            if family and entry[0] != family:
                continue
            out.append((entry[0], entry[1], entry[2], "", _tuple_address(entry[-1])))
        return out
