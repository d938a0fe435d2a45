# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""A small TCP client over the platform's socket pool, for the streaming transports.

Every error closes the socket before it propagates, so a failed connection can never leak
one of the few sockets a board has (an ESP32-S2 has about eight).
"""

import errno

from jotunheim.compat import monotonic, sleep_ms

try:
    from typing import Optional  # noqa: F401
except ImportError:
    pass

_EAGAIN = getattr(errno, "EAGAIN", 11)
_ECONNRESET = getattr(errno, "ECONNRESET", 104)
_ENOTCONN = getattr(errno, "ENOTCONN", 107)
_ETIMEDOUT = getattr(errno, "ETIMEDOUT", 110)


class TCPClient:
    """:param pool: a socket pool (default: ``jotunheim.net.session.get_pool()``)
    :param float timeout: seconds for connect, each send and each receive
    :param bool nodelay: switch Nagle's algorithm off (when the pool offers TCP_NODELAY)
    :param ssl_context: wrap the socket in TLS with this context
    """

    def __init__(self, pool=None, *, timeout: float = 5.0, nodelay: bool = True, ssl_context=None):
        self.pool = pool
        self.timeout = timeout
        self.nodelay = nodelay
        self.ssl_context = ssl_context
        self.sock = None
        self.address = None
        self.bytes_sent = 0
        self.bytes_received = 0

    @property
    def connected(self) -> bool:
        """True while a socket is open."""
        return self.sock is not None

    def _pool(self):
        if self.pool is None:
            from jotunheim.net.session import get_pool  # noqa: PLC0415

            self.pool = get_pool()
        return self.pool

    def connect(self, host: str, port: int, timeout=None, server_hostname=None) -> "TCPClient":
        """Resolve and connect; any failure closes the socket and re-raises."""
        self.close()
        pool = self._pool()
        timeout = self.timeout if timeout is None else timeout
        info = pool.getaddrinfo(host, port, 0, pool.SOCK_STREAM)[0]
        sock = pool.socket(info[0], info[1])
        try:
            if self.nodelay:
                from jotunheim.net.session import set_nodelay  # noqa: PLC0415

                set_nodelay(sock, pool)
            if self.ssl_context is not None:
                sock = self.ssl_context.wrap_socket(sock, server_hostname=server_hostname or host)
                target = (host, port)
            else:
                target = info[-1]
            sock.settimeout(timeout)
            sock.connect(target)
        except BaseException:
            _quiet_close(sock)
            raise
        self.sock = sock
        self.address = (host, port)
        return self

    def _require(self):
        if self.sock is None:
            raise OSError(_ENOTCONN, "TCPClient is not connected")
        return self.sock

    def send_all(self, data) -> int:
        """Send every byte of ``data`` (bytes, bytearray or memoryview); returns the count."""
        sock = self._require()
        view = memoryview(data)
        total = len(view)
        sent = 0
        deadline = None
        try:
            while sent < total:
                try:
                    n = sock.send(view[sent:])
                except OSError as exc:
                    # Some ports report a full send buffer as EAGAIN even with a timeout set.
                    if exc.args and exc.args[0] == _EAGAIN:
                        deadline = self._wait(deadline)
                        continue
                    raise
                if not n:
                    raise OSError(_ECONNRESET, "connection closed while sending")
                sent += n
                deadline = None
        except BaseException:
            self.close()
            raise
        self.bytes_sent += total
        return total

    def _wait(self, deadline):
        now = monotonic()
        if deadline is None:
            return now + self.timeout
        if now >= deadline:
            raise OSError(_ETIMEDOUT, "send timed out")
        sleep_ms(5)
        return deadline

    def recv_into(self, buffer, nbytes: int = 0) -> int:
        """Receive up to ``nbytes`` (default: the buffer's size) into ``buffer``.

        Returns the number of bytes; 0 means the peer closed the connection (the socket
        is then closed here too). A timeout or error closes the socket and re-raises."""
        sock = self._require()
        if not nbytes:
            nbytes = len(buffer)
        try:
            n = sock.recv_into(buffer, nbytes)
        except BaseException:
            self.close()
            raise
        if not n:
            self.close()
            return 0
        self.bytes_received += n
        return n

    def recv_exactly(self, buffer, nbytes: int = 0) -> int:
        """Fill ``buffer`` (or its first ``nbytes``) completely; raises if the peer closes
        first."""
        if not nbytes:
            nbytes = len(buffer)
        view = memoryview(buffer)
        got = 0
        while got < nbytes:
            n = self.recv_into(view[got:], nbytes - got)
            if n == 0:
                raise OSError(
                    _ECONNRESET, "connection closed after {} of {} bytes".format(got, nbytes)
                )
            got += n
        return got

    def close(self) -> None:
        """Close the socket (idempotent, never raises)."""
        sock = self.sock
        self.sock = None
        if sock is not None:
            _quiet_close(sock)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()
        return False

    def __del__(self):
        # CPython only; MicroPython has no finalisers on plain classes. Best effort.
        self.close()


def _quiet_close(sock) -> None:
    try:
        sock.close()
    except (OSError, AttributeError, RuntimeError):
        pass
