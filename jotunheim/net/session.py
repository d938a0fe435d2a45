# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Pick the socket pool and SSL context for this platform, once.

On a board: ``adafruit_connection_manager.get_radio_socketpool(wifi.radio)`` and
``get_radio_ssl_context(wifi.radio)``. On CPython: the ``socket`` module (the connection
manager treats it as a pool) and ``ssl.create_default_context()``. A custom CA certificate
(PEM text, e.g. for a local Loki with a self-signed certificate) goes into its own SSL
context so the shared one keeps the public roots.

TCP_NODELAY: ``adafruit_requests`` writes a request in many small sends; with Nagle's
algorithm and the peer's delayed ACK every round trip then waits ~40 ms. Sessions made
here use a pool wrapper that switches Nagle off on every new socket when the pool offers
the constant (CPython ``socket.TCP_NODELAY``; ``SocketPool.TCP_NODELAY`` on some ports).
"""

import sys

from jotunheim.net.url import parse_url  # noqa: F401  (re-exported; request_bytes)

MANAGER = "adafruit_connection_manager"
# "radio", "host", "ssl", "pool:<id>", "custom_ssl" -> (pem, context), "nodelay" -> {id: pool}
_cache = {}
_sessions = {}  # id(Session) -> the pool new_session made it on


class _HostRadioMarker:
    """Anything with ``is_host_radio = True`` stands for the host's own network."""

    is_host_radio = True


def _manager(load=True):
    """The connection manager module, or None (not installed; not loaded yet when
    ``load`` is false)."""
    if load or MANAGER in sys.modules:
        try:
            import adafruit_connection_manager  # noqa: PLC0415

            return adafruit_connection_manager
        except ImportError:
            pass
    return None


def get_radio():
    """``wifi.radio`` on a board; a stand-in for the host network on CPython."""
    radio = _cache.get("radio")
    if radio is None:
        try:
            import wifi  # noqa: PLC0415

            radio = wifi.radio
        except ImportError:
            radio = _host()
        _cache["radio"] = radio
    return radio


def _host():
    # The host's network: the connection manager's stand-in, or ours without it.
    net = _cache.get("host")
    if net is None:
        module = _manager()
        net = module.CPythonNetwork() if module is not None else _HostRadioMarker()
        _cache["host"] = net
    return net


def _radio(radio):
    # Our host stand-ins (HostRadio, the marker) become the connection manager's.
    if radio is None:
        radio = get_radio()
    if getattr(radio, "is_host_radio", False):
        radio = _host()
    return radio


def get_pool(radio=None, manager=True):
    """The socket pool for ``radio`` (default: this platform's).

    :param bool manager: load ``adafruit_connection_manager`` for it (its pool is then
        shared with ``adafruit_requests``); False takes the manager's pool only if
        something loaded the manager already, else the plain pool (``http://`` gRPC).
    """
    radio = _radio(radio)
    module = _manager(manager)
    if module is not None and not isinstance(radio, _HostRadioMarker):
        return module.get_radio_socketpool(radio)
    # Without the connection manager (trimmed bundles, or not loaded).
    key = "pool:" + str(id(radio))
    pool = _cache.get(key)
    if pool is None:
        if radio.__class__.__name__ in ("CPythonNetwork", "_HostRadioMarker"):
            import socket as pool  # noqa: PLC0415
        else:
            import socketpool  # noqa: PLC0415

            pool = socketpool.SocketPool(radio)
        _cache[key] = pool
    return pool


def get_ssl_context(ca_pem=None, radio=None, context=None):
    """The SSL context to use; with ``ca_pem`` one that also trusts that certificate.

    :param str ca_pem: PEM text (or bytes) of a CA (or self-signed server) certificate, or
        None
    :param context: an SSL context of the caller's (a :class:`~jotunheim.grpc.client.GrpcWebClient`
        given one): that one is returned, made to trust ``ca_pem`` too
    """
    if isinstance(ca_pem, (bytes, bytearray)):
        ca_pem = str(ca_pem, "ascii")
    if context is not None:
        if ca_pem:
            context.load_verify_locations(cadata=ca_pem)
        return context
    radio = _radio(radio)
    if ca_pem:  # the rare path: made (and held, one at a time) by jotunheim.net.tls
        from jotunheim.net.tls import custom_context  # noqa: PLC0415

        return custom_context(ca_pem, _cache)
    module = _manager()
    if module is not None and not isinstance(radio, _HostRadioMarker):
        return module.get_radio_ssl_context(radio)
    context = _cache.get("ssl")
    if context is None:
        import ssl  # noqa: PLC0415

        context = _cache["ssl"] = ssl.create_default_context()
    return context


def set_nodelay(sock, pool=None) -> bool:
    """Switch off Nagle's algorithm on ``sock`` if the pool knows how; True when done."""
    if pool is None:
        pool = get_pool()
    value = getattr(pool, "TCP_NODELAY", None)
    if value is None:
        return False
    try:
        sock.setsockopt(getattr(pool, "IPPROTO_TCP", 6), value, 1)
    except (OSError, AttributeError, NotImplementedError, ValueError):
        return False
    return True


class NoDelayPool:
    """A socket pool that hands out sockets with TCP_NODELAY set; everything else is the
    wrapped pool's."""

    def __init__(self, pool) -> None:
        self._pool = pool
        self._sockets = []  # the newest sockets made, for apply_timeout

    def __getattr__(self, name):
        return getattr(self._pool, name)

    def socket(self, *args, **kwargs):
        """A new socket of the wrapped pool, with TCP_NODELAY set where possible."""
        sock = self._pool.socket(*args, **kwargs)
        set_nodelay(sock, self._pool)
        self._sockets.append(sock)
        if len(self._sockets) > 8:
            self._sockets.pop(0)
        return sock

    def sockets(self) -> list:
        """The newest sockets this pool made (some may be closed by now)."""
        return self._sockets


def nodelay_pool(pool=None):
    """The (cached) :class:`NoDelayPool` for ``pool``; the pool itself when it has no
    TCP_NODELAY constant."""
    if pool is None:
        pool = get_pool()
    if getattr(pool, "TCP_NODELAY", None) is None:
        return pool
    wrappers = _cache.setdefault("nodelay", {})
    wrapper = wrappers.get(id(pool))
    if wrapper is None:
        wrapper = wrappers[id(pool)] = NoDelayPool(pool)
    return wrapper


def new_session(ca_pem=None, session_id=None, radio=None, nodelay=True):
    """An ``adafruit_requests.Session`` on this platform's pool and SSL context.

    :param str ca_pem: extra CA certificate (PEM) to trust for https
    :param session_id: give each concurrent stream its own id: a new request on a Session
        closes the previous response of the same session
    :param bool nodelay: use a pool that sets TCP_NODELAY on new sockets
    """
    import adafruit_requests  # noqa: PLC0415

    pool = get_pool(radio)
    if nodelay:
        pool = nodelay_pool(pool)
    session = adafruit_requests.Session(pool, get_ssl_context(ca_pem, radio), session_id)
    _sessions[id(session)] = pool
    if len(_sessions) > 16:  # sessions come and go; keep the newest
        del _sessions[next(iter(_sessions))]
    return session


def managed_pools(pool=None) -> list:
    """``pool`` (default: this platform's) plus its TCP_NODELAY wrapper if one exists."""
    if pool is None:
        pool = get_pool()
    wrapper = _cache.get("nodelay", {}).get(id(pool))
    return [pool] if wrapper is None else [pool, wrapper]


def open_socket_count(pool=None) -> int:
    """Sockets the connection manager holds for ``pool`` (and its wrapper)."""
    module = _manager()
    if module is None:
        return 0
    return sum(module.get_connection_manager(p).managed_socket_count for p in managed_pools(pool))


def close_all(pool=None) -> int:
    """Close every socket the connection manager holds for ``pool`` (and its TCP_NODELAY
    wrapper); returns how many were open. Used when WiFi reconnects: old sockets are dead."""
    module = _manager()
    if module is None:
        return 0
    closed = 0
    for p in managed_pools(pool):
        closed += module.get_connection_manager(p).managed_socket_count
        try:
            module.connection_manager_close_all(p)
        except RuntimeError:
            pass  # no manager for this pool yet: nothing was open
    return closed


def abandon(response, sock=None, session=None) -> None:
    """Close the socket of a response that failed midway (timeout, reset, truncated body).

    ``Response.close()`` only hands the socket back for reuse, and reading the rest of a
    broken response raises again; a half-read socket handed back would poison the next
    request on that session. ``sock``: the response's socket as it was before reading
    (reading to the end hands it back to the pool and clears ``response.socket``);
    ``session``: the Session it came from, when made by :func:`new_session` its connection
    manager closes the socket (else the socket is closed directly). Never raises."""
    if sock is None:
        sock = getattr(response, "socket", None)
    if sock is None:
        return
    response.socket = None
    pool = _sessions.get(id(session))
    try:
        if pool is not None:
            _manager().get_connection_manager(pool).close_socket(sock)
            return
    except (RuntimeError, OSError):
        pass  # not managed (any more): close it directly
    try:
        sock.close()
    except (OSError, RuntimeError):
        pass


def apply_timeout(session, timeout) -> None:
    """Set ``timeout`` on the session's idle kept-alive sockets.

    The connection manager applies a request's timeout only when it opens a socket; a
    reused keep-alive socket keeps the timeout of the request that opened it, so a later,
    shorter deadline would not be enforced. Call this before each request. It reaches the
    sockets of sessions made by :func:`new_session` (their pool records its sockets)."""
    pool = _sessions.get(id(session))
    for sock in pool.sockets() if isinstance(pool, NoDelayPool) else ():
        try:
            sock.settimeout(timeout)
        except (OSError, AttributeError):
            pass  # closed meanwhile


def request_bytes(session, method, url, *, data=None, headers=None, timeout=10, max_bytes=65536):
    """One HTTP request read completely: ``(status_code, headers, body)``.

    Whatever goes wrong (timeout, reset, a peer killed mid-body, a body longer than
    ``max_bytes``) the socket is closed before the exception propagates, so repeated
    failures never leak sockets. A body shorter than its Content-Length raises
    ``OSError(ECONNRESET)`` instead of being returned truncated."""
    apply_timeout(session, timeout)
    try:
        response = session.request(method, url, data=data, headers=headers, timeout=timeout)
    except OSError as exc:
        from jotunheim.net.tls import tls_problem  # noqa: PLC0415  (failures only)

        problem = tls_problem(exc, parse_url(url)[1])
        if problem is None:
            raise
        raise OSError(problem) from None
    sock = response.socket
    try:
        length = response.headers.get("content-length")
        if length is not None and int(length) > max_bytes:
            raise ValueError("response of %s bytes is over the %d allowed" % (length, max_bytes))
        body = response.content
        if length is not None and len(body) != int(length):
            raise OSError(
                104, "response truncated: %d of %s bytes" % (len(body), length)
            )  # ECONNRESET
    except BaseException:
        abandon(response, sock, session)
        raise
    response.close()  # hands the socket back; status and headers stay readable
    return response.status_code, response.headers, body


def reset_cache() -> None:
    """Forget cached pools and contexts (tests; after a radio reset)."""
    _cache.clear()
