# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Join WiFi and stay joined.

:class:`WiFiManager` wraps ``wifi.radio``: credentials from ``settings.toml``
(``CIRCUITPY_WIFI_SSID`` / ``CIRCUITPY_WIFI_PASSWORD``) and from the settings' network list
(SSIDs in ``jotunheim.json``, passwords only in ``settings.toml``), a status
(disconnected / connecting / connected, with RSSI and IP), reconnects with exponential
backoff and jitter, a periodic cheap probe that catches a dead link (radio associated but
no route: DNS lookup of the Loki host and a short TCP connect to it,
:mod:`jotunheim.net.deadlink`), and a clean teardown of the connection manager's sockets
whenever the link is re-made.

Everything is non-blocking friendly: ``poll()`` returns at once unless it is time to
(re)connect or probe, and each of those is bounded by a timeout. What only a failure needs
(the backoff, :mod:`jotunheim.resilience.backoff`) and the probe load when first needed: a
board that joins at once and has no probe target never loads them.

:class:`HostNetwork` is the same interface on CPython, where the host's network is used.
"""

import sys

from jotunheim.compat import IS_CPYTHON, run_and_forget

# HTTP clients (Loki, OTA) hold their sockets in adafruit_connection_manager; a device that
# only serves never loads it (it and jotunheim.net.session cost ~8 KB of heap).
MANAGER = "adafruit_connection_manager"

DISCONNECTED = "disconnected"
CONNECTING = "connecting"
CONNECTED = "connected"
# Which networks, and a manager made from the settings: jotunheim.net.configure (forgotten
# once used).
CONFIGURE = "jotunheim.net.configure"


class WiFiManager:
    """:param radio: ``wifi.radio`` (or a stand-in with the same attributes)
    :param networks: list of ``(ssid, password)``; default from settings.toml
    :param probe: what tells whether the link really works while the radio is associated:
        a URL (a DNS lookup of its host and a TCP connect to its port, e.g. the Loki URL),
        or a callable returning True when the link works (raising counts as False); None =
        no probe (:mod:`jotunheim.net.deadlink`)
    :param float probe_interval: seconds between probes while connected (0 = never)
    :param int dead_after: failed probes in a row that declare the link dead
    :param backoff: a :class:`~jotunheim.resilience.backoff.Backoff` for reconnects
        (default: one made at the first failed join, from ``delays``)
    :param float connect_timeout: seconds ``radio.connect`` may take
    :param pool: socket pool to use and whose sockets are closed on reconnect (default: the
        radio's, see :meth:`socket_pool`)
    :param clock: callable returning seconds (injectable for tests)
    :param hostname: the radio's hostname (None: the board's default)
    :param logger: where joins and failures are logged (None: nowhere)
    :param delays: ``(first, longest)`` reconnect delay in seconds of the default backoff

    ``status`` is ``"disconnected"``, ``"connecting"`` or ``"connected"``; ``connected`` is
    True while it is ``"connected"``; ``ssid`` the network joined; ``last_error`` why the
    last join or probe failed; ``connects``, ``failures`` (joins that failed and links
    lost), ``dead_links`` (links the probe declared dead) and ``sockets_closed`` count;
    ``next_attempt_at`` is when (``clock()``) the next join may be tried.
    """

    # The state before the first join (class attributes: an instance only holds what changed).
    status = DISCONNECTED
    connected = False
    ssid = None
    last_error = None
    connects = 0
    failures = 0
    dead_links = 0
    sockets_closed = 0
    next_attempt_at = 0.0
    next_probe_at = 0.0
    probe_failures = 0  # in a row, on this link
    index = 0  # of the network to try next
    listeners = ()
    plain_pool = None  # the pool made for this radio when no connection manager is loaded

    def __init__(
        self,
        radio=None,
        networks=None,
        probe=None,
        probe_interval: float = 30.0,
        dead_after: int = 2,
        backoff=None,
        connect_timeout: float = 15.0,
        pool=None,
        clock=None,
        hostname=None,
        logger=None,
        delays=(1.0, 60.0),
    ) -> None:
        # Construction runs once: jotunheim.net.configure, forgotten once done.
        run_and_forget(
            CONFIGURE, "build", self, radio, networks, probe, probe_interval, dead_after,
            backoff, connect_timeout, pool, clock, hostname, logger, delays,
        )  # fmt: skip

    # -- observers ---------------------------------------------------------------------
    def on_change(self, func) -> None:
        """``func(status, manager)`` runs whenever the status changes."""
        self.listeners += (func,)

    def set_status(self, status: str) -> None:
        """Make ``status`` the status; the :meth:`on_change` callbacks run if it changed."""
        if status == self.status:
            return
        self.status = status
        self.connected = status == CONNECTED
        for func in self.listeners:
            try:
                func(status, self)
            except Exception as exc:  # noqa: BLE001 - one bad observer must not stop WiFi
                if self.logger is not None:
                    self.logger.warning("wifi status callback failed: {}".format(exc))

    # -- facts -------------------------------------------------------------------------
    @property
    def ip(self):
        """The radio's IPv4 address as a string, or None."""
        address = getattr(self.radio, "ipv4_address", None)
        return str(address) if address is not None else None

    def linked(self) -> bool:
        """True while the radio is associated (with or without a working route)."""
        value = getattr(self.radio, "connected", None)
        if value is None:  # CircuitPython 7: no .connected, but an address when joined
            return getattr(self.radio, "ipv4_address", None) is not None
        return bool(value)

    # -- actions -----------------------------------------------------------------------
    def ensure_connected(self) -> bool:
        """Connected? If not and it is time, try the next network once. Never waits for a
        backoff: returns False instead."""
        linked = self.linked()
        if linked and self.connected:
            return True
        if not linked and self.clock() < self.next_attempt_at:
            return False  # backing off: nothing to load
        # Joining runs at start and once per attempt after a lost link: jotunheim.net.join,
        # forgotten once done.
        return run_and_forget("jotunheim.net.join", "join", self)

    def poll(self) -> str:
        """Call often from the main loop; returns the status."""
        if not self.connected:
            self.ensure_connected()
        elif not self.linked():
            from jotunheim.net import rejoin  # noqa: PLC0415

            rejoin.lost(self, "radio link lost")
            self.ensure_connected()
        elif self.probe is not None and self.probe_interval:
            # Only a probe needs the clock: a joined link without one allocates nothing here.
            now = self.clock()
            if now >= self.next_probe_at:
                from jotunheim.net import deadlink  # noqa: PLC0415

                deadlink.check(self, now)
        return self.status

    def socket_pool(self):
        """The socket pool for this radio: the one given, else the connection manager's
        once an HTTP client has loaded it (on CPython: the host's), else a
        ``socketpool.SocketPool`` made once (a device that only serves never loads the
        manager; a second pool on the same radio works, adafruit/circuitpython#9481)."""
        if self.pool is not None:
            return self.pool
        if MANAGER in sys.modules or IS_CPYTHON:
            from jotunheim.net import session  # noqa: PLC0415

            return session.get_pool(self.radio)
        if self.plain_pool is None:
            import socketpool  # noqa: PLC0415

            self.plain_pool = socketpool.SocketPool(self.radio)
        return self.plain_pool

    def teardown_sockets(self) -> int:
        """Close every socket the connection manager holds on this radio's pool (none when
        nothing has loaded the manager)."""
        if self.pool is None and MANAGER not in sys.modules:
            return 0
        try:
            from jotunheim.net import session  # noqa: PLC0415

            pool = self.pool if self.pool is not None else session.get_pool(self.radio)
            closed = session.close_all(pool)
        except (ImportError, ValueError, RuntimeError, OSError):
            return 0  # no pool for this radio (yet): nothing to close
        self.sockets_closed += closed
        return closed


if IS_CPYTHON:  # a board (and MicroPython) has a radio: no need to define this there

    class HostNetwork(WiFiManager):
        """:class:`WiFiManager` for CPython: same interface, the host's network instead of
        a radio (its pool is the host's, :func:`jotunheim.net.session.get_pool`). With a
        probe (e.g. the Loki URL) it reports a dead link when the server is unreachable
        and backs off like a board would."""

        def __init__(self, radio=None, networks=None, **kwargs) -> None:
            if not radio:
                from jotunheim.net import hostradio  # noqa: PLC0415

                radio = hostradio.HostRadio()
            super().__init__(radio, networks or [("host", None)], **kwargs)
