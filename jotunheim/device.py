"""Device: the one object a code.py needs (WiFi, tools, Loki, remote calls, upkeep)."""

# code.py:
#     import board
#     from jotunheim import Device
#     from jotunheim.capability.drivers.io import Led
#     device = Device.from_settings()          # jotunheim.json + settings.toml on CIRCUITPY
#     device.add_actuator("status", Led(io=...))
#     device.run()                             # or: while True: device.step(); my_code()
#
# step() does a bounded slice of work and returns: keep WiFi joined (a join may take up to
# network.connect_timeout), serve up to MAX_REQUESTS waiting gRPC-Web calls within
# step_budget_ms, run deferred actions (a reboot after its answer went out), then at most
# ONE periodic task: settings hot reload, Loki negotiation / heartbeat, resource sampling,
# OTA check. Network work goes through a ConnectionResilienceManager endpoint "loki", so a
# dead Loki costs one failed call per backoff period, never a busy loop.
#
# Loki: on (re)connection every model-callable tool is registered as a Lua stub that
# forwards to this device's CallTool (capability Negotiator). The heartbeat (every
# capabilities.announce_interval) calls Loki's GetCapabilities and re-registers when Loki
# lost our scripts (a restarted Loki) or our capabilities changed (CapabilityPropagator).

from jotunheim.compat import IS_CPYTHON, free_memory, monotonic, monotonic_ms, sleep_ms

MAX_REQUESTS = 4  # requests served per step at most
SAMPLE_INTERVAL = 5.0  # seconds between resource samples
LOW_MEMORY = 8192  # free heap below this marks the device degraded (see device_admin.status)


class _Counting:
    # Wraps the socket pool, and every socket made from it, to count bytes in and out
    # (bandwidth figures for GetDeviceStatus); everything else goes to the wrapped object.
    # The pool's wrapper holds the totals (rx, tx); a socket's wrapper adds to its pool's.

    def __init__(self, wrapped, totals=None):
        self._wrapped = wrapped
        self._totals = totals or self
        self.rx = 0
        self.tx = 0

    def __getattr__(self, name):
        return getattr(self._wrapped, name)

    def socket(self, *args, **kwargs):
        return _Counting(self._wrapped.socket(*args, **kwargs), self._totals)

    def accept(self):
        conn, address = self._wrapped.accept()
        return _Counting(conn, self._totals), address

    def recv_into(self, buffer, nbytes=0):
        sock = self._wrapped
        n = sock.recv_into(buffer, nbytes) if nbytes else sock.recv_into(buffer)
        self._totals.rx += n or 0
        return n

    def send(self, data):
        n = self._wrapped.send(data)
        self._totals.tx += n or 0
        return n

    def close(self):
        self._wrapped.close()


def _settings_loader(settings, root):
    from jotunheim.settings.loader import SettingsLoader

    if settings is None:
        loader = SettingsLoader(root=root)
        loader.load()
        return loader, loader.settings
    if isinstance(settings, SettingsLoader):
        if not settings.loads and settings.source == "defaults":
            settings.load()
        return settings, settings.settings
    from jotunheim.device_admin import fixed_settings

    return None, fixed_settings(settings)


class Device:
    # See the comments at the top of this module. Arguments given here win over settings:
    # name, token/owner_token/loki_token (else settings.toml JOTUNHEIM_*), loki_url (else
    # network.loki_url), host/port (else 0.0.0.0 and remote.listen_port), address (what
    # Loki calls us at; default <ip>:<port>), pool (socket pool; default the radio's),
    # network (a WiFiManager; default from settings), loki (a LokiClient), reboot (callable;
    # default microcontroller.reset on a board, a soft restart on CPython), ota_check
    # (callable(params) -> dict), ota_keys (trusted Ed25519 public keys), script_prefix
    # (prepended to Loki script names), builder (DeviceCapabilityBuilder), clock.

    def __init__(
        self,
        name=None,
        *,
        settings=None,
        root=None,
        token=None,
        owner_token=None,
        loki_url=None,
        loki=None,
        loki_token=None,
        host=None,
        port=None,
        address=None,
        pool=None,
        network=None,
        builder=None,
        registry=None,
        reboot=None,
        ota_check=None,
        ota_keys=None,
        script_prefix="",
        error_ring=False,
        step_budget_ms=50,
        clock=None,
        logger=None,
    ):
        from jotunheim import log
        from jotunheim.capability.registry import ToolRegistry

        if root is None:
            from jotunheim.settings.secrets import default_root

            root = default_root()
        self.root = root
        self.loader, self.settings = _settings_loader(settings, root)
        if self.loader is not None:
            self.secrets = self.loader.secrets
        else:
            from jotunheim.settings.secrets import Secrets

            self.secrets = Secrets(root)
        self.name = name
        self._given = {"token": token, "owner_token": owner_token, "loki_token": loki_token}
        self._loki_url = loki_url
        self.loki = loki
        self.host = host or "0.0.0.0"
        self.port = port if port is not None else self.settings.get("remote.listen_port")
        self._address = address
        self._pool = pool
        self.network = network
        self.registry = registry or ToolRegistry()
        self.registry.add_listener(self._registry_changed)
        self._builder = builder
        self._reboot = reboot
        self._ota_check = ota_check
        self.ota_keys = ota_keys
        self.script_prefix = script_prefix
        self.step_budget_ms = step_budget_ms
        self.clock = clock or monotonic
        self.logger = logger or log.getLogger("jotunheim.device")
        log.apply_settings(self.settings.section("logging"))
        if error_ring:
            log.enable_error_ring(root=root, size=self.settings.get("logging.ring_size"))
        self.server = None
        self.counter = None
        self.handler = self._make_handler()
        self.negotiator = None
        self.propagator = None
        self.resilience = None
        self.started_at = self.clock()
        self.reboots = 0
        self.steps = 0
        self.loki_state = "none"  # "none" (no Loki configured), "offline", "ok"
        self.loki_error = None
        self.last_negotiation = None
        self.last_ota = None
        self.resources = {}
        self._loki_client_url = None
        self._dirty = False
        self._running = False
        self._stop = False
        self._net_joins = -1
        self._task = 0
        self._next = {"settings": 0.0, "loki": 0.0, "sample": 0.0, "ota": None}
        self._busy_ms = 0
        self._window = (monotonic_ms(), 0)  # start of sampling window, busy ms at start
        self._health_done = False
        if self.loader is not None:
            self.loader.on_change(self._settings_changed)

    @classmethod
    def from_settings(cls, root=None, **kwargs):
        """A device configured from ``jotunheim.json`` and ``settings.toml`` in ``root``
        (CIRCUITPY, "/" on a board); keyword arguments override them."""
        from jotunheim.settings.loader import SettingsLoader

        kwargs.setdefault("error_ring", True)
        loader = SettingsLoader(root=root)
        loader.load()
        if loader.last_error:
            # Broken file: run on defaults and say why (GetDeviceStatus shows it too).
            from jotunheim import log

            log.getLogger("jotunheim.device").error(loader.last_error)
        return cls(settings=loader, root=loader.root, **kwargs)

    # ------------------------------------------------------------ parts and tools

    def add_sensor(self, name, driver):
        """Offer ``driver`` (any object with ``read()``) as tools, e.g. ``read_dht22_temperature``."""
        return self.registry.add_sensor(name, driver)

    def add_actuator(self, name, driver):
        """Offer ``driver`` (any object with ``set(**values)``) as ``set_<part>`` tools."""
        return self.registry.add_actuator(name, driver)

    def add_tool(self, name, fn, description="", params=(), user_only=False, **kwargs):
        """A tool of your own: ``fn(**validated_params)`` returns JSON-able data;
        ``params`` are :class:`jotunheim.capability.schema.Field` declarations."""
        return self.registry.add_tool(name, fn, description, params, user_only, **kwargs)

    def add_loki_tool(self, name, script, description="", params=(), **kwargs):
        """A tool that runs Loki script ``script`` (ExecuteScript) and returns its output
        (parsed as JSON when it is JSON)."""

        def run_script(**values):
            from jotunheim.device_loki import run_script

            return run_script(self, script, values)

        return self.registry.add_tool(name, run_script, description, params, **kwargs)

    # ------------------------------------------------------------ wiring

    def _token(self, key, secret):
        given = self._given[key]
        if given is not None:
            return given or None
        return self.secrets.get(secret) or None

    def _make_handler(self):
        from jotunheim.remote.handler import RemoteCommandHandler

        handler = RemoteCommandHandler(
            self.registry,
            device_id=self._device_id,
            capabilities=self.capabilities,
            einherjar=self._einherjar,
            status=self.status_info,
            token=self._token("token", "JOTUNHEIM_TOKEN"),
            owner_token=self._token("owner_token", "JOTUNHEIM_OWNER_TOKEN"),
            rate_limit_per_minute=self.settings.get("remote.rate_limit_per_minute"),
            max_params_bytes=self.settings.get("remote.max_request_bytes"),
            logger=self.logger,
        )
        for name, owner_only, description in _COMMANDS:
            handler.add_command(
                name, self._command(name), owner_only=owner_only, description=description
            )
        return handler

    def _command(self, name):
        # Device commands run rarely: their code (jotunheim.device_admin) loads on first use.
        def run(params, context):
            from jotunheim import device_admin

            return getattr(device_admin, "cmd_" + name)(self, params, context)

        return run

    @property
    def builder(self):
        if self._builder is None:
            from jotunheim.capability.builder import DeviceCapabilityBuilder

            self._builder = DeviceCapabilityBuilder(self.name, self.settings)
        return self._builder

    def _device_id(self):
        return self.builder.device_id()

    @property
    def device_id(self):
        return self.builder.device_id()

    @property
    def loki_url(self):
        if self._loki_url is not None:
            return self._loki_url
        return self.settings.get("network.loki_url") or ""

    @property
    def address(self):
        """``host:port`` Loki and controllers call this device at."""
        if self._address:
            return self._address
        host = self.host
        if host in ("0.0.0.0", ""):
            ip = self.network.ip if self.network is not None else None
            host = ip or "127.0.0.1"
        return "%s:%d" % (host, self.port)

    @property
    def url(self):
        return "http://" + self.address

    def capabilities(self):
        """The current ``JotunheimCapabilities`` (cached until something changes)."""
        from jotunheim.device_loki import propagator

        return propagator(self).capabilities()

    def _einherjar(self):
        from jotunheim.device_loki import negotiator

        return negotiator(self).einherjar_response()

    def _registry_changed(self, reason):
        self._dirty = True
        if self.propagator is not None:
            self.propagator.invalidate(reason)

    # ------------------------------------------------------------ lifecycle

    def start(self):
        """Join the network (one attempt) and start serving; idempotent."""
        if self._running:
            return
        self._running = True
        self._stop = False
        if self.network is None:
            from jotunheim.net.wifi import get_network

            self.network = get_network(
                self.settings.section("network"), getenv=self.secrets.get, logger=self.logger
            )
        self.network.ensure_connected()
        self._serve_if_connected()

    def _serve_if_connected(self):
        # A new link (first join, or a rejoin after a drop, even within one poll) gets a
        # fresh listening socket: the old one died with the old link.
        joins = getattr(self.network, "connects", 0)
        if self.network.connected and (self.server is None or joins != self._net_joins):
            self._start_server()
            self._net_joins = joins

    def _start_server(self):
        if not self.settings.get("remote.enabled"):
            return
        from jotunheim.grpc.server import GrpcWebServer

        if self.server is not None:
            self._stop_server()
        pool = self._pool
        if pool is None:
            from jotunheim.net.session import get_pool

            pool = get_pool(self.network.radio)
        self.counter = _Counting(pool)
        server = GrpcWebServer(
            self.counter, max_request_size=self.settings.get("remote.max_request_bytes")
        )
        self.handler.register(server)
        server.start(self.host, self.port)
        if not self.port:
            self.port = server.port  # port 0: the OS picked one
        self.server = server
        self.negotiator = None  # the address may have changed
        self.logger.info("serving JotunheimService on " + self.address)

    def _stop_server(self):
        server, self.server = self.server, None
        if server is not None:
            try:
                server.stop()
            except (OSError, AttributeError):
                pass

    def stop(self):
        """Stop serving and close Loki connections (the network stays joined)."""
        self._stop = True
        self._running = False
        self._stop_server()
        if self.loki is not None:
            self.loki.close()

    def run(self, every=None, interval=1.0, idle_ms=5):
        """Serve forever. ``every()`` (your own code) runs every ``interval`` seconds
        between steps. Errors of one step are logged and the loop goes on."""
        self.start()
        next_user = self.clock()
        while not self._stop:
            try:
                served = self.step()
            except MemoryError:
                from jotunheim.compat import collect_garbage

                collect_garbage()
                served = 0
            except Exception as exc:  # noqa: BLE001 - a board must keep running
                self.logger.error("device step failed: %s: %s" % (type(exc).__name__, exc))
                served = 0
                sleep_ms(100)
            if every is not None and self.clock() >= next_user:
                next_user = self.clock() + interval
                every()
            if not served:
                sleep_ms(idle_ms)

    def step(self):
        """One bounded slice of device work; returns the number of requests served."""
        if not self._running:
            self.start()
        t0 = monotonic_ms()
        self.steps += 1
        self.network.poll()
        self._serve_if_connected()
        served = 0
        if self.server is not None:
            while served < MAX_REQUESTS:
                answered = self.server.poll(MAX_REQUESTS - served)
                self.handler.run_deferred()
                if not answered:
                    break
                served += answered
                if monotonic_ms() - t0 >= self.step_budget_ms:
                    break
        self._periodic()
        self._busy_ms += monotonic_ms() - t0
        return served

    # ------------------------------------------------------------ periodic tasks

    def _periodic(self):
        # One task per step, round robin, so a step stays short.
        tasks = (self._task_settings, self._task_loki, self._task_sample, self._task_ota)
        for _ in range(len(tasks)):
            task = tasks[self._task % len(tasks)]
            self._task += 1
            if task():
                return

    def _due(self, name, interval):
        now = self.clock()
        at = self._next[name]
        if at is not None and now < at:
            return False
        self._next[name] = now + interval
        return True

    def _task_settings(self):
        if self.loader is None or not self._due("settings", 1.0):
            return False
        self.loader.poll()
        return True

    def _task_sample(self):
        if not self._due("sample", SAMPLE_INTERVAL):
            return False
        self.sample_resources()
        self._refresh_tokens()
        from jotunheim import log

        ring = log.error_ring()
        if ring is not None:
            ring.poll()
        return True

    def _task_ota(self):
        if not self.settings.get("ota.enabled"):
            return False
        from jotunheim.device_admin import task_ota

        return task_ota(self)

    def _task_loki(self):
        if not self.loki_url and self.loki is None:
            self.loki_state = "none"
            self._confirm_health()
            return False
        if self.server is None or not self.network.connected:
            return False
        from jotunheim.device_loki import task

        return task(self)

    def _confirm_health(self):
        # After an OTA update the first boot is a trial: confirm once we work (serving,
        # and Loki reached when there is one). Costs nothing when no update is pending.
        if self._health_done or self.server is None:
            return
        self._health_done = True
        import os

        try:
            os.stat(self.root.rstrip("/") + "/.ota/state.json")
        except OSError:
            return
        from jotunheim.device_admin import confirm_health

        confirm_health(self)

    # ------------------------------------------------------------ resources and status
    # The rarely used methods below run code from jotunheim.device_admin (loaded on first
    # use, so a board that never calls them never holds it).

    def sample_resources(self):
        """Refresh free heap, CPU share and bandwidth figures (also done every 5 s)."""
        now = monotonic_ms()
        start, busy_start = self._window
        elapsed = now - start
        out = self.resources
        last_rx = out.get("rx_bytes", 0)
        last_tx = out.get("tx_bytes", 0)
        rx = self.counter.rx if self.counter is not None else 0
        tx = self.counter.tx if self.counter is not None else 0
        out["free_heap"] = free_memory()  # None on CPython: no fixed heap there
        if IS_CPYTHON:
            from jotunheim.device_admin import host_rss

            out["host_rss_bytes"] = host_rss()
        if elapsed > 0:
            out["cpu_load"] = round(min(1.0, (self._busy_ms - busy_start) / elapsed), 3)
            out["rx_bytes_per_s"] = round((rx - last_rx) * 1000.0 / elapsed, 1)
            out["tx_bytes_per_s"] = round((tx - last_tx) * 1000.0 / elapsed, 1)
        out["rx_bytes"] = rx
        out["tx_bytes"] = tx
        out["sampled_ms"] = elapsed
        self._window = (now, self._busy_ms)
        return out

    def status(self):
        """``ok``, ``degraded`` (something needs a look) or ``offline-loki``."""
        from jotunheim.device_admin import status

        return status(self)

    def status_info(self):
        """Everything GetDeviceStatus reports besides the capabilities."""
        from jotunheim.device_admin import status_info

        return status_info(self)

    def _refresh_tokens(self):
        token = self._token("token", "JOTUNHEIM_TOKEN")
        owner = self._token("owner_token", "JOTUNHEIM_OWNER_TOKEN")
        auth = self.handler.auth
        if auth.token != token or auth.owner_token != owner:
            self.handler.configure(token=token, owner_token=owner)

    def _settings_changed(self, sections, settings):
        from jotunheim.device_admin import settings_changed

        settings_changed(self, sections, settings)

    def reboot(self):
        """Restart the board (or, on CPython, restart this Device in place)."""
        from jotunheim.device_admin import reboot

        return reboot(self)

    def soft_restart(self):
        """Re-read settings, restart the server on the same port, re-announce to Loki."""
        from jotunheim.device_admin import soft_restart

        soft_restart(self)

    def ota_check(self, params=None):
        """Look for an update (``{"install": true}`` also installs it and reboots)."""
        from jotunheim.device_admin import ota_check

        return ota_check(self, params)


# Device commands (name, owner only, description); jotunheim.device_admin.cmd_<name> runs one.
_COMMANDS = (
    ("reboot", True, "Restart after answering"),
    ("reload_settings", False, "Re-read jotunheim.json"),
    ("announce", False, "Re-send capabilities"),
    ("ota_check", True, "Look for an update"),
)
