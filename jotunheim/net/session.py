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

_cache = {}  # "radio", "host_net", "ssl:<id>", "custom_ssl" -> (pem, ctx), "nodelay" -> {}


class _HostRadioMarker:
    """Anything with ``is_host_radio = True`` stands for the host's own network."""

    is_host_radio = True


def get_radio():
    """``wifi.radio`` on a board; a stand-in for the host network on CPython."""
    radio = _cache.get("radio")
    if radio is None:
        try:
            import wifi  # noqa: PLC0415

            radio = wifi.radio
        except ImportError:
            radio = _host_network()
        _cache["radio"] = radio
    return radio


def _host_network():
    net = _cache.get("host_net")
    if net is None:
        try:
            from adafruit_connection_manager import CPythonNetwork  # noqa: PLC0415

            net = CPythonNetwork()
        except ImportError:
            net = _HostRadioMarker()
        _cache["host_net"] = net
    return net


def _resolve(radio):
    """Map our host stand-ins (HostRadio, markers) to the connection manager's."""
    if radio is None:
        radio = get_radio()
    if getattr(radio, "is_host_radio", False):
        radio = _host_network()
    return radio


def _is_host(radio) -> bool:
    return radio.__class__.__name__ in ("CPythonNetwork", "_HostRadioMarker")


def get_pool(radio=None):
    """The socket pool for ``radio`` (default: this platform's)."""
    radio = _resolve(radio)
    try:
        import adafruit_connection_manager as acm  # noqa: PLC0415
    except ImportError:
        acm = None
    if acm is not None and not isinstance(radio, _HostRadioMarker):
        return acm.get_radio_socketpool(radio)
    # Without the connection manager (MicroPython test interpreter, trimmed bundles).
    key = "pool:" + str(id(radio))
    pool = _cache.get(key)
    if pool is None:
        if _is_host(radio):
            import socket as pool  # noqa: PLC0415
        else:
            import socketpool  # noqa: PLC0415

            pool = socketpool.SocketPool(radio)
        _cache[key] = pool
    return pool


def get_ssl_context(ca_pem=None, radio=None):
    """The SSL context to use; with ``ca_pem`` one that also trusts that certificate.

    :param str ca_pem: PEM text of a CA (or self-signed server) certificate, or None
    """
    radio = _resolve(radio)
    if ca_pem:
        return _custom_context(ca_pem)
    try:
        import adafruit_connection_manager as acm  # noqa: PLC0415
    except ImportError:
        acm = None
    if acm is not None and not isinstance(radio, _HostRadioMarker):
        return acm.get_radio_ssl_context(radio)
    ctx = _cache.get("ssl")
    if ctx is None:
        import ssl  # noqa: PLC0415

        ctx = ssl.create_default_context()
        _cache["ssl"] = ctx
    return ctx


def _custom_context(ca_pem: str):
    # One custom context at a time: TLS contexts are big on a board, and the CA comes from
    # one settings key, so a new PEM replaces the old context.
    held = _cache.get("custom_ssl")
    if held is not None and held[0] == ca_pem:
        return held[1]
    import ssl  # noqa: PLC0415

    ctx = ssl.create_default_context()
    try:
        ctx.load_verify_locations(cadata=ca_pem)
    except (ValueError, OSError) as exc:
        raise ValueError("custom CA certificate is not valid PEM: {}".format(exc)) from exc
    _cache["custom_ssl"] = (ca_pem, ctx)
    return ctx


def set_nodelay(sock, pool=None) -> bool:
    """Switch off Nagle's algorithm on ``sock`` if the pool knows how; True when done."""
    if pool is None:
        pool = get_pool()
    option = getattr(pool, "TCP_NODELAY", None)
    if option is None:
        return False
    level = getattr(pool, "IPPROTO_TCP", 6)
    try:
        sock.setsockopt(level, option, 1)
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
    key = id(pool)
    wrapper = wrappers.get(key)
    if wrapper is None:
        wrapper = NoDelayPool(pool)
        wrappers[key] = wrapper
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
    _session_pools[id(session)] = pool
    if len(_session_pools) > 16:  # sessions come and go; keep the newest
        del _session_pools[next(iter(_session_pools))]
    return session


def managed_pools(pool=None) -> list:
    """``pool`` (default: this platform's) plus its TCP_NODELAY wrapper if one exists."""
    if pool is None:
        pool = get_pool()
    pools = [pool]
    wrapper = _cache.get("nodelay", {}).get(id(pool))
    if wrapper is not None:
        pools.append(wrapper)
    return pools


def open_socket_count(pool=None) -> int:
    """Sockets the connection manager holds for ``pool`` (and its wrapper)."""
    try:
        import adafruit_connection_manager as acm  # noqa: PLC0415
    except ImportError:
        return 0
    count = 0
    for p in managed_pools(pool):
        count += acm.get_connection_manager(p).managed_socket_count
    return count


def close_all(pool=None) -> int:
    """Close every socket the connection manager holds for ``pool`` (and its TCP_NODELAY
    wrapper); returns how many were open. Used when WiFi reconnects: old sockets are dead."""
    try:
        import adafruit_connection_manager as acm  # noqa: PLC0415
    except ImportError:
        return 0
    closed = 0
    for p in managed_pools(pool):
        closed += acm.get_connection_manager(p).managed_socket_count
        try:
            acm.connection_manager_close_all(p)
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
    manager = _manager_of(session)
    try:
        if manager is not None:
            manager.close_socket(sock)
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
    pool = _session_pools.get(id(session))
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
            raise ValueError(
                "response of {} bytes is over the {} allowed".format(length, max_bytes)
            )
        body = response.content
        if length is not None and len(body) != int(length):
            import errno  # noqa: PLC0415

            raise OSError(
                getattr(errno, "ECONNRESET", 104),
                "response truncated: {} of {} bytes".format(len(body), length),
            )
    except BaseException:
        abandon(response, sock, session)
        raise
    status, response_headers = response.status_code, response.headers
    response.close()
    return status, response_headers, body


def _manager_of(session):
    pool = _session_pools.get(id(session))
    if pool is None:
        return None
    import adafruit_connection_manager  # noqa: PLC0415

    return adafruit_connection_manager.get_connection_manager(pool)


_session_pools = {}  # id(Session) -> the pool new_session made it on


def parse_url(url: str):
    """``(scheme, host, port, path)`` of an http(s) URL; port defaults by scheme."""
    if "://" not in url:
        raise ValueError("URL needs http:// or https://: {!r}".format(url))
    scheme, rest = url.split("://", 1)
    scheme = scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError("URL scheme must be http or https: {!r}".format(url))
    slash = rest.find("/")
    hostport, path = (rest, "/") if slash < 0 else (rest[:slash], rest[slash:])
    if hostport.startswith("["):  # [IPv6]:port
        end = hostport.find("]")
        host, tail = hostport[1:end], hostport[end + 1 :]
        port = int(tail[1:]) if tail.startswith(":") else None
    elif ":" in hostport:
        host, port_text = hostport.rsplit(":", 1)
        try:
            port = int(port_text)
        except ValueError:
            raise ValueError("bad port in URL {!r}".format(url)) from None
    else:
        host, port = hostport, None
    if not host:
        raise ValueError("URL has no host: {!r}".format(url))
    if port is None:
        port = 443 if scheme == "https" else 80
    return scheme, host, port, path


def reset_cache() -> None:
    """Forget cached pools and contexts (tests; after a radio reset)."""
    _cache.clear()
