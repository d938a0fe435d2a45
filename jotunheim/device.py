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
LOW_MEMORY = 8192  # free heap below this marks the device degraded

try:
    from typing import Optional  # noqa: F401
except ImportError:
    pass


class _CountingSocket:
    # Wraps a socket to count bytes in and out (bandwidth figures for GetDeviceStatus).

    def __init__(self, sock, counter):
        self._sock = sock
        self._counter = counter

    def __getattr__(self, name):
        return getattr(self._sock, name)

    def accept(self):
        conn, address = self._sock.accept()
        return _CountingSocket(conn, self._counter), address

    def recv_into(self, buffer, nbytes=0):
        n = self._sock.recv_into(buffer, nbytes) if nbytes else self._sock.recv_into(buffer)
        self._counter.rx += n or 0
        return n

    def send(self, data):
        n = self._sock.send(data)
        self._counter.tx += n or 0
        return n

    def close(self):
        self._sock.close()


class _CountingPool:
    # A socket pool whose sockets count their bytes; everything else is the real pool.

    def __init__(self, pool):
        self._pool = pool
        self.rx = 0
        self.tx = 0

    def __getattr__(self, name):
        return getattr(self._pool, name)

    def socket(self, *args, **kwargs):
        return _CountingSocket(self._pool.socket(*args, **kwargs), self)


def _settings_loader(settings, root):
    from jotunheim.settings.loader import Settings, SettingsLoader

    if settings is None:
        loader = SettingsLoader(root=root)
        loader.load()
        return loader, loader.settings
    if isinstance(settings, SettingsLoader):
        if not settings.loads and settings.source == "defaults":
            settings.load()
        return settings, settings.settings
    if isinstance(settings, Settings):
        return None, settings
    if isinstance(settings, dict):
        from jotunheim.settings.validator import validate

        data, errors = validate(settings)
        if errors:
            raise ValueError("settings: " + "; ".join(e.message for e in errors))
        return None, Settings(data)
    raise TypeError("settings must be a SettingsLoader, Settings, dict or None")


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
            return self._run_script(script, values)

        return self.registry.add_tool(name, run_script, description, params, **kwargs)

    def _run_script(self, script, values):
        import json

        loki = self._loki_client()
        if loki is None:
            raise RuntimeError("no Loki configured: set network.loki_url in jotunheim.json")
        response = loki.execute_script(script, values)
        if not response.success:
            raise RuntimeError("Loki script %s failed: %s" % (script, response.error))
        try:
            return json.loads(response.output)
        except ValueError:
            return response.output

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
        handler.add_command(
            "reboot", self._cmd_reboot, owner_only=True, description="Restart after answering"
        )
        handler.add_command(
            "reload_settings", self._cmd_reload, description="Re-read jotunheim.json"
        )
        handler.add_command("announce", self._cmd_announce, description="Re-send capabilities")
        handler.add_command(
            "ota_check", self._cmd_ota, owner_only=True, description="Look for an update"
        )
        return handler

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
        return self._propagator().capabilities()

    def _build_capabilities(self):
        return self.builder.build(self.registry)

    def _propagator(self):
        if self.propagator is None:
            from jotunheim.capability.propagator import CapabilityPropagator

            self.propagator = CapabilityPropagator(
                self._build_capabilities,
                self._announce_to_loki,
                cache_ttl=self.settings.get("capabilities.announce_interval"),
                clock=self.clock,
            )
        return self.propagator

    def _einherjar(self):
        return self._negotiator().einherjar_response()

    def _negotiator(self):
        if self.negotiator is None:
            from jotunheim.capability.negotiator import Negotiator
            from jotunheim.resilience.retry import RetryManager

            self.negotiator = Negotiator(
                self.registry,
                capabilities=self.capabilities,
                device_address=self.address,
                script_prefix=self.script_prefix,
                timeout=min(5.0, self.settings.get("network.request_timeout")),
                retry=RetryManager(attempts=2, base_delay=0.2, max_delay=1.0),
                deadline=30.0,
            )
        return self.negotiator

    def _resilience(self):
        if self.resilience is None:
            from jotunheim.resilience.manager import ConnectionResilienceManager

            self.resilience = ConnectionResilienceManager.from_settings(
                self.settings.get("network.resilience"), clock=self.clock
            )
        return self.resilience

    def _loki_client(self):
        url = self.loki_url
        if not url:
            return self.loki  # an injected client without a URL
        if self.loki is None or self._loki_client_url != url:
            from jotunheim.loki import LokiClient

            ca = self.loader.read_ca_pem() if self.loader is not None else None
            if self.loki is not None and self._loki_client_url is not None:
                self.loki.close()
            self.loki = LokiClient(
                url,
                token=self._token("loki_token", "JOTUNHEIM_LOKI_TOKEN"),
                timeout=self.settings.get("network.request_timeout"),
                ca_cert=ca,
            )
            self._loki_client_url = url
        return self.loki

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
        self.counter = _CountingPool(pool)
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
                result = self.server.poll()
                self.handler.run_deferred()
                if result != "request_handled_response_sent" and not result.startswith("error"):
                    break
                served += 1
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
        if self._next["ota"] is None:
            # First check a while after boot, not in the middle of joining.
            self._next["ota"] = self.clock() + 60.0
            return False
        if not self._due("ota", self.settings.get("ota.check_interval")):
            return False
        try:
            self.last_ota = self.ota_check({"install": True})
        except Exception as exc:  # noqa: BLE001 - logged, retried next interval
            self.last_ota = {"error": "%s: %s" % (type(exc).__name__, exc)}
            self.logger.error("OTA check failed: %s" % self.last_ota["error"])
        return True

    def _task_loki(self):
        if not self.loki_url and self.loki is None:
            self.loki_state = "none"
            self._confirm_health()
            return False
        if self.server is None or not self.network.connected:
            return False
        manager = self._resilience()
        if not manager.ready("loki"):
            return False
        if self.loki_state != "ok":
            self._connect_loki()
            return True
        if self._dirty:
            self._dirty = False
            self._guard(lambda: self._propagator().on_change("registry"))
            return True
        if self._due("loki", self.settings.get("capabilities.announce_interval")):
            self._guard(self._heartbeat)
            return True
        return False

    def _connect_loki(self):
        self._dirty = False
        ok = self._guard(self._propagator().on_connect)
        if ok:
            self._next["loki"] = self.clock() + self.settings.get("capabilities.announce_interval")
            self._confirm_health()

    def _guard(self, fn):
        # A failure marks Loki offline and backs off; the device keeps serving.
        manager = self._resilience()
        try:
            fn()
        except Exception as exc:  # noqa: BLE001
            manager.record_failure("loki", exc)
            self.loki_state = "offline"
            self.loki_error = "%s: %s" % (type(exc).__name__, exc)
            if self.propagator is not None:
                self.propagator.on_disconnect()
            self.logger.warning("Loki: " + self.loki_error)
            return False
        manager.record_success("loki")
        self.loki_state = "ok"
        self.loki_error = None
        return True

    def _announce_to_loki(self, event, announcement):
        # CapabilityPropagator's transport: Loki learns our tools by RegisterScript.
        loki = self._loki_client()
        loki.get_capabilities(timeout=min(3.0, self.settings.get("network.request_timeout")))
        result = self._negotiator().negotiate(loki, self.address)
        self.last_negotiation = result
        if result.failed and not result.registered:
            raise RuntimeError("Loki registered no tool: %s" % result.failed[0][1])

    def _heartbeat(self):
        loki = self._loki_client()
        caps = loki.get_capabilities()
        known = [c.script_name for c in caps.capabilities]
        wanted = [
            r.name
            for r in self.registry.to_loki_register_requests(
                self.address, prefix=self.script_prefix
            )
        ]
        missing = [name for name in wanted if name not in known]
        if missing:
            # Loki restarted or lost our scripts: register again.
            self.logger.info("Loki lacks %d of our scripts; re-registering" % len(missing))
            self._propagator().on_connect()
        else:
            self._propagator().poll()

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
        try:
            from jotunheim.ota.installer import Installer

            installer = Installer(self.root)
            state = installer.state
            if state.get("trial") or state.get("announce"):
                installer.confirm()
                self._dirty = True  # new version: capabilities may have changed
                self.logger.info("OTA: running version confirmed healthy")
        except Exception as exc:  # noqa: BLE001
            self.logger.error("OTA confirm failed: %s" % exc)

    # ------------------------------------------------------------ resources and status

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
            out["host_rss_bytes"] = _host_rss()
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
        if self.loki_state == "offline":
            return "offline-loki"
        if self.loader is not None and self.loader.last_error:
            return "degraded"
        if self.last_negotiation is not None and self.last_negotiation.failed:
            return "degraded"
        free = self.resources.get("free_heap")
        if free is not None and not IS_CPYTHON and free < LOW_MEMORY:
            return "degraded"
        return "ok"

    def status_info(self):
        """Everything GetDeviceStatus reports besides the capabilities."""
        from jotunheim import log

        if not self.resources:
            self.sample_resources()
        negotiation = self.last_negotiation
        loki = {"url": self.loki_url, "state": self.loki_state, "error": self.loki_error}
        if negotiation is not None:
            loki["registered"] = len(negotiation.registered)
            loki["failed"] = [list(item) for item in negotiation.failed]
        if self.resilience is not None:
            loki["endpoint"] = self.resilience.endpoint("loki").as_dict()
        ring = log.error_ring()
        info = {
            "status": self.status(),
            "address": self.address,
            "uptime_s": int(self.clock() - self.started_at),
            "reboots": self.reboots,
            "network": self.network.status_dict() if self.network is not None else None,
            "loki": loki,
            "resources": dict(self.resources),
            "settings": self.loader.as_dict() if self.loader is not None else None,
            "errors": ring.entries()[-5:] if ring is not None else [],
        }
        if self.last_ota is not None:
            info["ota"] = self.last_ota
        return info

    # ------------------------------------------------------------ settings

    def _refresh_tokens(self):
        token = self._token("token", "JOTUNHEIM_TOKEN")
        owner = self._token("owner_token", "JOTUNHEIM_OWNER_TOKEN")
        auth = self.handler.auth
        if auth.token != token or auth.owner_token != owner:
            self.handler.configure(token=token, owner_token=owner)

    def _settings_changed(self, sections, settings):
        from jotunheim import log

        self.settings = settings
        if "logging" in sections:
            log.apply_settings(settings.section("logging"))
        if "remote" in sections:
            self.handler.limiter.configure(settings.get("remote.rate_limit_per_minute"))
            self.handler.max_params_bytes = settings.get("remote.max_request_bytes")
            if self.server is not None:
                self.server.max_request_size = settings.get("remote.max_request_bytes")
                self.server.http.max_body = self.server.max_request_size
        if "network" in sections:
            if self.resilience is not None:
                self.resilience.configure(settings.get("network.resilience"))
            if self._loki_url is None and self._loki_client_url != self.loki_url:
                self.loki_state = "offline" if self.loki_url else "none"
        if "capabilities" in sections or "resources" in sections:
            self.builder.settings = settings
            self._registry_changed("settings")
        self._refresh_tokens()
        self.logger.info("settings changed: " + ", ".join(sections))

    # ------------------------------------------------------------ commands

    def _cmd_reboot(self, params, context):
        self.handler.defer(self.reboot)
        return {"rebooting": True, "after": "this answer"}

    def reboot(self):
        """Restart the board (or, on CPython, restart this Device in place)."""
        self.reboots += 1
        if self._reboot is not None:
            return self._reboot()
        if not IS_CPYTHON:
            try:
                import microcontroller
            except ImportError:
                microcontroller = None
            if microcontroller is not None:
                microcontroller.reset()
                return None
        return self.soft_restart()

    def soft_restart(self):
        """Re-read settings, restart the server on the same port, re-announce to Loki."""
        self._stop_server()
        if self.loader is not None:
            self.loader.reload()
        self._running = False
        self._net_joins = -1
        self.loki_state = "none"
        self.propagator = None
        self.negotiator = None
        self._health_done = False
        self.start()

    def _cmd_reload(self, params, context):
        if self.loader is None:
            raise ValueError("this device was given fixed settings; nothing to reload")
        changed = self.loader.reload()
        self._refresh_tokens()
        if self.loader.last_error:
            raise ValueError(self.loader.last_error)
        return {"changed": changed, "source": self.loader.source}

    def _cmd_announce(self, params, context):
        if not self.loki_url and self.loki is None:
            return {"announced": False, "reason": "no Loki configured (network.loki_url)"}
        self._propagator().invalidate("announce")
        ok = self._guard(self._propagator().on_connect)
        result = self.last_negotiation
        out = {"announced": ok, "error": self.loki_error}
        if result is not None:
            out["registered"] = result.registered
            out["failed"] = [list(item) for item in result.failed]
        return out

    def _cmd_ota(self, params, context):
        result = self.ota_check(params)
        self.last_ota = result
        return result

    def ota_check(self, params=None):
        """Look for an update (``{"install": true}`` also installs it and reboots)."""
        params = params or {}
        if self._ota_check is not None:
            return self._ota_check(params)
        return self._default_ota_check(params)

    def _default_ota_check(self, params):
        url = self.settings.get("ota.manifest_url")
        if not url:
            raise ValueError("OTA is not configured: set ota.manifest_url in jotunheim.json")
        if not self.ota_keys:
            raise ValueError("no OTA public key: pass ota_keys=[...] to Device")
        from jotunheim.ota import errors
        from jotunheim.ota.fetcher import Fetcher

        fetcher = Fetcher(
            url, self.ota_keys, root=self.root, board_id=self.builder.detect()["board_id"] or None
        )
        installed = fetcher.installer.state["version"]
        try:
            manifest = fetcher.check()
        except errors.NotNewer:
            return {"update": False, "installed": installed}
        out = {"update": True, "installed": installed, "available": manifest.version}
        if params.get("install"):
            fetcher.download(manifest)
            fetcher.installer.activate(manifest)
            out["installed"] = manifest.version
            self.handler.defer(self.reboot)
            out["rebooting"] = True
        return out


def _host_rss():
    # The simulator's memory use (CPython has no heap figure like gc.mem_free()).
    try:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    except (ImportError, AttributeError):
        return None
