# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Join WiFi and stay joined.

:class:`WiFiManager` wraps ``wifi.radio``: credentials from ``settings.toml``
(``CIRCUITPY_WIFI_SSID`` / ``CIRCUITPY_WIFI_PASSWORD``) and from the settings' network list
(SSIDs in ``jotunheim.json``, passwords only in ``settings.toml``), a status
(disconnected / connecting / connected, with RSSI and IP), reconnects with exponential
backoff and jitter, a periodic cheap probe that catches a dead link (radio associated but
no route: DNS lookup of the Loki host and a short TCP connect to it), and a clean teardown
of the connection manager's sockets whenever the link is re-made.

Everything is non-blocking friendly: ``poll()`` returns at once unless it is time to
(re)connect or probe, and each of those is bounded by a timeout.

:class:`HostNetwork` is the same interface on CPython, where the host's network is used.
"""

import sys

from jotunheim.compat import IS_CPYTHON, monotonic

# HTTP clients (Loki, OTA) hold their sockets in adafruit_connection_manager; a device that
# only serves never loads it (it and jotunheim.net.session cost ~8 KB of heap).
MANAGER = "adafruit_connection_manager"

DISCONNECTED = "disconnected"
CONNECTING = "connecting"
CONNECTED = "connected"


def networks_from_settings(network_section=None, getenv=None) -> list:
    """The ``(ssid, password)`` pairs to try, in order.

    First ``CIRCUITPY_WIFI_SSID`` / ``CIRCUITPY_WIFI_PASSWORD``, then every entry of the
    settings' ``network.wifi_networks`` (``{"ssid": ..., "password_setting": KEY}``, the
    password read from ``settings.toml`` key ``KEY``; no key = open network).
    """
    if getenv is None:
        from jotunheim.settings import secrets  # noqa: PLC0415

        getenv = secrets.Secrets().get
    found = []
    ssid = getenv("CIRCUITPY_WIFI_SSID")
    if ssid:
        found.append((ssid, getenv("CIRCUITPY_WIFI_PASSWORD") or None))
    for entry in (network_section or {}).get("wifi_networks") or ():
        name = entry.get("ssid")
        for known in found:
            if known[0] == name:
                name = None  # listed already
        if name:
            key = entry.get("password_setting")
            found.append((name, (getenv(key) or None) if key else None))
    return found


class WiFiManager:
    """:param radio: ``wifi.radio`` (or a stand-in with the same attributes)
    :param networks: list of ``(ssid, password)``; default from settings.toml
    :param probe: callable returning True when the link really works (raising counts as
        False); default: DNS + TCP connect to ``probe_host``/``probe_port`` if given
    :param float probe_interval: seconds between probes while connected (0 = never)
    :param int dead_after: failed probes in a row that declare the link dead
    :param backoff: a :class:`~jotunheim.resilience.backoff.Backoff` for reconnects
        (default: one made at the first failed join, from ``delays``)
    :param float connect_timeout: seconds ``radio.connect`` may take
    :param pool: socket pool to use and whose sockets are closed on reconnect (default: the
        radio's, see :meth:`socket_pool`)
    :param clock: callable returning seconds (injectable for tests)
    :param delays: ``(first, longest)`` reconnect delay in seconds of the default backoff

    ``connected`` is True while the status is ``CONNECTED``.
    """

    def __init__(
        self,
        radio=None,
        networks=None,
        *,
        probe=None,
        probe_host=None,
        probe_port=None,
        probe_interval: float = 30.0,
        probe_timeout: float = 2.0,
        dead_after: int = 2,
        backoff=None,
        connect_timeout: float = 15.0,
        pool=None,
        clock=None,
        hostname=None,
        logger=None,
        delays=(1.0, 60.0),
    ) -> None:
        if radio is None:
            import wifi  # noqa: PLC0415

            radio = wifi.radio
        self.radio = radio
        self.networks = list(networks) if networks is not None else networks_from_settings()
        self.probe = probe
        self.probe_host = probe_host
        self.probe_port = probe_port
        self.probe_interval = probe_interval
        self.probe_timeout = probe_timeout
        self.dead_after = dead_after
        self.backoff = backoff
        self.delays = delays
        self.connect_timeout = connect_timeout
        self.pool = pool
        self.clock = clock or monotonic
        self.logger = logger
        self.status = DISCONNECTED
        self.connected = False
        self.ssid = None
        self.last_error = None
        self.connects = 0
        self.failures = 0
        self.dead_links = 0
        self.sockets_closed = 0
        self.probe_failures = 0
        self.next_attempt_at = 0.0
        self.next_probe_at = 0.0
        self._index = 0
        self._callbacks = ()
        self._plain_pool = None
        if hostname:
            try:
                radio.hostname = hostname
            except (AttributeError, ValueError, OSError):
                pass

    @classmethod
    def from_settings(cls, network_section: dict, getenv=None, radio=None, **kwargs):
        """Build from the ``network`` settings section (probe target = the Loki host)."""
        probe_host = probe_port = None
        url = network_section.get("loki_url") or ""
        if url:
            from .url import parse_url  # noqa: PLC0415

            _, probe_host, probe_port, _ = parse_url(url)
        kwargs.setdefault("probe_interval", network_section.get("probe_interval", 30.0))
        kwargs.setdefault("connect_timeout", network_section.get("connect_timeout", 15.0))
        kwargs.setdefault("hostname", network_section.get("hostname") or None)
        resilience = network_section.get("resilience") or {}
        if resilience:
            delays = (resilience.get("base_delay", 1.0), resilience.get("max_delay", 60.0))
            kwargs.setdefault("delays", delays)
        return cls(
            radio,
            networks_from_settings(network_section, getenv),
            probe_host=probe_host,
            probe_port=probe_port,
            **kwargs,
        )

    # -- observers ---------------------------------------------------------------------
    def on_change(self, callback) -> None:
        """``callback(status, manager)`` runs whenever the status changes."""
        self._callbacks += (callback,)

    def _set_status(self, status: str) -> None:
        if status == self.status:
            return
        self.status = status
        self.connected = status == CONNECTED
        for callback in self._callbacks:
            try:
                callback(status, self)
            except Exception as exc:  # noqa: BLE001 - one bad observer must not stop WiFi
                if self.logger is not None:
                    self.logger.warning("wifi status callback failed: {}".format(exc))

    # -- facts -------------------------------------------------------------------------
    @property
    def ip(self):
        """The radio's IPv4 address as a string, or None."""
        address = getattr(self.radio, "ipv4_address", None)
        return str(address) if address is not None else None

    def _radio_connected(self) -> bool:
        value = getattr(self.radio, "connected", None)
        if value is None:  # CircuitPython 7: no .connected, but an address when joined
            return getattr(self.radio, "ipv4_address", None) is not None
        return bool(value)

    def status_dict(self) -> dict:
        """Status for logs and ``GetDeviceStatus`` (IP and signal strength while joined)."""
        up = self.connected
        info = getattr(self.radio, "ap_info", None) if up else None
        return {
            "status": self.status,
            "ssid": self.ssid,
            "ip": self.ip if up else None,
            "rssi": getattr(info, "rssi", None),
            "connects": self.connects,
            "failures": self.failures,
            "dead_links": self.dead_links,
            "last_error": self.last_error,
        }

    # -- actions -----------------------------------------------------------------------
    def ensure_connected(self) -> bool:
        """Connected? If not and it is time, try the next network once. Never waits for a
        backoff: returns False instead."""
        if self._radio_connected():
            if self.connected:
                return True
            if self.ssid is None:
                # CircuitPython 8+ may already have joined from settings.toml at boot.
                self._joined(getattr(getattr(self.radio, "ap_info", None), "ssid", None))
                return True
        now = self.clock()
        if now < self.next_attempt_at:
            return False
        if not self.networks:
            self.last_error = "no WiFi credentials: set CIRCUITPY_WIFI_SSID in settings.toml"
        else:
            ssid, password = self.networks[self._index % len(self.networks)]
            self._set_status(CONNECTING)
            try:
                if password:
                    self.radio.connect(ssid, password, timeout=self.connect_timeout)
                else:
                    self.radio.connect(ssid, timeout=self.connect_timeout)
            except Exception as exc:  # noqa: BLE001 - ConnectionError, OSError, RuntimeError...
                self.failures += 1
                self.last_error = "{}: {}".format(ssid, exc)
                self._index += 1  # next time, the next network
                self._set_status(DISCONNECTED)
                if self.logger is not None:
                    self.logger.warning("wifi connect failed: " + self.last_error)
                now = self.clock()
            else:
                self._joined(ssid)
                return True
        if self.backoff is None:
            # Made at the first failed join: a board that joins at once never loads it.
            from jotunheim.resilience import backoff  # noqa: PLC0415

            self.backoff = backoff.Backoff(self.delays[0], self.delays[1], min_delay=0.5)
        self.next_attempt_at = now + self.backoff.next()
        return False

    def _joined(self, ssid) -> None:
        # Sockets from the previous link are dead: free them before anyone reuses them.
        self.teardown_sockets()
        self.ssid = ssid
        self.connects += 1
        if self.backoff is not None:
            self.backoff.reset()
        self.next_attempt_at = 0.0
        self.probe_failures = 0
        self.next_probe_at = self.clock() + self.probe_interval
        self._set_status(CONNECTED)
        if self.logger is not None:
            self.logger.info("wifi connected to {} ip {}".format(ssid, self.ip))

    def poll(self) -> str:
        """Call often from the main loop; returns the status."""
        if not self.connected:
            self.ensure_connected()
        elif not self._radio_connected():
            self._lost("radio link lost")
            self.ensure_connected()
        elif self.probe_interval and (self.probe is not None or self.probe_host):
            # Only a probe needs the clock: a joined link without one allocates nothing here.
            now = self.clock()
            if now < self.next_probe_at:
                return self.status
            if self.run_probe():
                self.probe_failures = 0
                self.next_probe_at = now + self.probe_interval
                return self.status
            self.probe_failures += 1
            # Re-probe soon: one lost packet should not cost a reconnect, two should.
            self.next_probe_at = now + min(self.probe_interval, 2.0)
            if self.probe_failures >= self.dead_after:
                self.dead_links += 1
                self._lost("dead link: radio connected but probe failed")
                self._reset_radio()
        return self.status

    def report_failure(self) -> None:
        """A caller saw a network error: probe at the next poll instead of waiting."""
        self.next_probe_at = 0.0

    def run_probe(self) -> bool:
        """Run the probe once; True when the link works (no probe configured = True)."""
        probe = self.probe
        host = self.probe_host
        if probe is None and not host:
            return True
        try:
            if probe is not None:
                ok = bool(probe())
            else:  # the default: a DNS lookup, and a TCP connect when there is a port
                pool = self.socket_pool()
                port = self.probe_port
                pool.getaddrinfo(host, port or 80, 0, pool.SOCK_STREAM)
                if port:
                    from jotunheim.net import tcp  # noqa: PLC0415

                    with tcp.TCPClient(pool, timeout=self.probe_timeout, nodelay=False) as client:
                        client.connect(host, port)
                ok = True
        except Exception as exc:  # noqa: BLE001 - any failure means "no route"
            self.last_error = "probe: {}".format(exc)
            return False
        if not ok:
            self.last_error = "probe failed"
        return ok

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
        if self._plain_pool is None:
            import socketpool  # noqa: PLC0415

            self._plain_pool = socketpool.SocketPool(self.radio)
        return self._plain_pool

    def _lost(self, why: str) -> None:
        self.last_error = why
        self.failures += 1
        self.teardown_sockets()
        self.ssid = None
        self._set_status(DISCONNECTED)
        self.next_attempt_at = self.clock()  # the first reconnect goes out at once
        if self.logger is not None:
            self.logger.warning("wifi " + why)

    def _reset_radio(self) -> None:
        # Toggling `enabled` is the documented way to reset the ESP32 WiFi stack.
        try:
            self.radio.enabled = False
            self.radio.enabled = True
        except (AttributeError, OSError, RuntimeError, NotImplementedError):
            pass

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

    def disconnect(self) -> None:
        """Close sockets and leave the network."""
        self.teardown_sockets()
        try:
            self.radio.stop_station()
        except (AttributeError, OSError, RuntimeError, NotImplementedError):
            self._reset_radio()
        self.ssid = None
        self._set_status(DISCONNECTED)


if IS_CPYTHON:  # a board (and MicroPython) has a radio: no need to define this there

    class HostNetwork(WiFiManager):
        """:class:`WiFiManager` for CPython: same interface, the host's network instead of
        a radio (its pool is the host's, :func:`jotunheim.net.session.get_pool`). With a
        probe (e.g. the Loki host) it reports a dead link when the server is unreachable
        and backs off like a board would."""

        def __init__(self, radio=None, networks=None, **kwargs) -> None:
            if not radio:
                from jotunheim.net import hostradio  # noqa: PLC0415

                radio = hostradio.HostRadio()
            super().__init__(radio, networks or [("host", None)], **kwargs)


def get_network(network_section=None, getenv=None, **kwargs):
    """A :class:`WiFiManager` on a board with ``wifi``, a :class:`HostNetwork` on CPython."""
    try:
        import wifi  # noqa: PLC0415

        radio = wifi.radio
        cls = WiFiManager
    except ImportError:
        radio = None
        cls = HostNetwork
        if getenv is None:
            getenv = {}.get  # the host has no settings.toml secrets of a board
    if network_section is not None:
        return cls.from_settings(network_section, getenv, radio, **kwargs)
    return cls(radio, **kwargs)
