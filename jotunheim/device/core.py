# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Device: the one object a code.py needs (WiFi, tools, Loki, remote calls, upkeep)."""

# code.py:
#     import board
#     from jotunheim import Device
#     from jotunheim.capability.drivers.io import Led
#     device = Device.from_settings()          # jotunheim.json + settings.toml on CIRCUITPY
#     device.add_actuator("status", Led(io=...))
#     device.run()                             # or: while True: device.step(); my_code()
#
# The Device is the wiring point: it builds each feature only when it is configured, so
# an unconfigured feature's module is never imported. Always: settings, network, tool
# registry, remote handler, gRPC-Web server, scheduler. With network.loki_url: a LokiLink
# (jotunheim.loki.link). With ota.enabled (or a trial boot to confirm): an OtaAgent
# (jotunheim.ota.agent). step() does a bounded slice of work: keep WiFi joined, serve up
# to MAX_REQUESTS waiting calls within step_budget_ms, run deferred actions (a reboot
# after its answer went out), then the scheduler's due tasks within its step budget.
# device.resources (jotunheim.resources.monitor.ResourceMonitor) is always built: heap
# lines, the buffer pool the server reads into, bandwidth per endpoint; new CallTools and
# streams are refused with RESOURCE_EXHAUSTED below the heap's exhaustion line.

from jotunheim.compat import IS_CPYTHON, monotonic, monotonic_ms, sleep_ms
from jotunheim.device.scheduler import Scheduler
from jotunheim.resources import LOW, SYSTEM, USER

MAX_REQUESTS = 4  # requests served per step at most
SAMPLE_INTERVAL = 5.0  # seconds between resource samples


class Device:
    """A CircuitPython board as an Edda device.

    Arguments given here win over settings.

    :param name: device name (else ``capabilities.device_name``)
    :param settings: a SettingsLoader, Settings or dict (default: loaded from ``root``)
    :param root: CIRCUITPY ("/" on a board)
    :param token: remote-control token (else settings.toml ``JOTUNHEIM_TOKEN``)
    :param owner_token: owner token (else ``JOTUNHEIM_OWNER_TOKEN``)
    :param open_access: without a token, let anyone call (else ``remote.open``)
    :param auth_mode: ``signed``, ``bearer`` or ``either`` (else ``remote.auth_mode``)
    :param loki_url: Loki's URL (else ``network.loki_url``)
    :param loki: a LokiClient to use instead of one made from the URL
    :param loki_token: token for Loki (else ``JOTUNHEIM_LOKI_TOKEN``)
    :param host: address to listen on (default 0.0.0.0)
    :param port: port to listen on (else ``remote.listen_port``; 0 = any free port)
    :param address: ``host:port`` Loki calls us at (default ``<ip>:<port>``)
    :param pool: socket pool (default the radio's)
    :param network: a WiFiManager (default from settings)
    :param builder: a DeviceCapabilityBuilder
    :param registry: a ToolRegistry
    :param reboot: callable (default ``microcontroller.reset`` on a board, a soft
        restart on CPython)
    :param ota_check: callable(params) -> dict replacing the built-in OTA check
    :param ota_keys: trusted Ed25519 public keys for OTA
    :param script_prefix: prepended to Loki script names
    :param error_ring: keep the last errors on flash (``/.jotunheim/errors``)
    :param step_budget_ms: time one step may spend serving
    :param clock: seconds, monotonic
    :param logger: a jotunheim.log logger
    :param alarm: CircuitPython's ``alarm`` module or a stand-in (power profiles;
        default: the platform's)
    :param battery: callable returning battery volts (else ``power.battery_pin``)
    :param mdns: CircuitPython's ``mdns`` module or a stand-in with its API (discovery;
        default: the platform's; on CPython ``jotunheim_host.mdns_adapter``)

    Example::

        device = Device.from_settings()
        device.add_sensor("kitchen", DHT22(board.D4))
        device.run()
    """

    alarm = None  # the alarm module given, else the platform's (power profiles)
    battery = None  # callable returning battery volts, if given
    mdns = None  # the mdns module given, else the platform's (discovery)
    power = None  # the power profile's sleeper or duty cycle, once run() starts one
    discovery = None  # the Discovery, once discovery.enabled started it

    def __init__(
        self,
        name=None,
        *,
        settings=None,
        root=None,
        token=None,
        owner_token=None,
        open_access=None,
        auth_mode=None,
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
        alarm=None,
        battery=None,
        mdns=None,
    ):
        from jotunheim import log
        from jotunheim.capability.registry import ToolRegistry
        from jotunheim.settings.secrets import Secrets, default_root

        self.root = root if root is not None else default_root()
        self.loader, self.settings = _load_settings(settings, self.root)
        self.secrets = self.loader.secrets if self.loader is not None else Secrets(self.root)
        self.name = name
        self.given_tokens = {"token": token, "owner_token": owner_token, "loki": loki_token}
        self.given_auth = (open_access, auth_mode)
        self.given_loki_url = loki_url
        self.host = host or self.settings.get("remote.host") or "0.0.0.0"
        self.port = port if port is not None else self.settings.get("remote.listen_port")
        self.given_address = address
        self.pool = pool
        self.network = network
        self.registry = registry or ToolRegistry()
        self.registry.add_listener(self._registry_changed)
        pins = self.settings.get("remote.allowed_gpio_pins")
        if pins:  # raw GPIO tools only when the settings name pins for them
            from jotunheim.capability.gpio import GpioTools

            self.registry.add_provider(GpioTools(pins))
        self.given_builder = builder
        self.reboot_fn = reboot
        self.ota_check_fn = ota_check
        self.ota_keys = ota_keys
        self.script_prefix = script_prefix
        self.step_budget_ms = step_budget_ms
        self.clock = clock or monotonic
        self.logger = logger or log.getLogger("jotunheim.device")
        log.apply_settings(self.settings.section("logging"))
        if error_ring:
            log.enable_error_ring(root=self.root, size=self.settings.get("logging.ring_size"))
        self.server = None
        self.handler = self._make_handler()
        self.loki_link = None
        self.ota = None
        self.stream_handler = None  # built by the streams property on first use
        self.started_at = self.clock()
        self.reboots = 0
        self.steps = 0
        self.busy_ms = 0
        self.resources = self._make_resources()
        self.running = False
        self.stopping = False
        self.network_joins = -1
        self.health_checked = False
        # Given only for power profiles and discovery: kept only when given (the class
        # attributes below are the defaults, so the base path's instance stays as small).
        if alarm is not None:
            self.alarm = alarm
        if battery is not None:
            self.battery = battery
        if mdns is not None:
            self.mdns = mdns
        self.scheduler = self._make_scheduler(loki)
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
            if self.loki_link is None:
                raise RuntimeError("no Loki configured: set network.loki_url in jotunheim.json")
            return self.loki_link.run_script(script, values)

        return self.registry.add_tool(name, run_script, description, params, **kwargs)

    # ------------------------------------------------------------ wiring

    def token(self, key, secret):
        """A token given to the Device, else the ``secret`` from settings.toml, or None."""
        given = self.given_tokens[key]
        if given is not None:
            return given or None
        return self.secrets.get(secret) or None

    def _make_handler(self):
        from jotunheim.remote.handler import RemoteCommandHandler

        handler = RemoteCommandHandler(
            self.registry,
            device_id=self.device_id_now,
            capabilities=self.capabilities,
            einherjar=self._einherjar,
            status=self.status_info,
            token=self.token("token", "JOTUNHEIM_TOKEN"),
            owner_token=self.token("owner_token", "JOTUNHEIM_OWNER_TOKEN"),
            rate_limit_per_minute=self.settings.get("remote.rate_limit_per_minute"),
            max_params_bytes=self.settings.get("remote.max_request_bytes"),
            commands=self._device_commands,
            logger=self.logger,
            seal_results=self.settings.get("remote.seal_results"),
            **self._auth_settings(),
        )
        return handler

    def _make_resources(self):
        from jotunheim.resources.monitor import ResourceMonitor

        monitor = ResourceMonitor(self.settings, self.clock, self.root, cpu=self._cpu_report)
        monitor.figures["window_start_ms"] = monotonic_ms()
        monitor.figures["window_busy_ms"] = 0
        return monitor

    def _auth_settings(self):
        get = self.settings.get
        signing = {
            "window": get("remote.signature_window"),
            "tolerance": get("remote.clock_tolerance"),
            "max_nonces": get("remote.max_nonces"),
            "logger": self.logger,
        }
        open_access, mode = self.given_auth
        return {
            "auth_mode": mode or get("remote.auth_mode"),
            "open_access": get("remote.open") if open_access is None else open_access,
            "signing": signing,
        }

    def _say_who_may_call(self):
        text = self.handler.auth.warning()
        if text is not None:  # a warning shows at the default log level
            self.logger.warning(text)

    def _make_scheduler(self, loki):
        get = self.settings.get
        scheduler = Scheduler(
            self.clock,
            max_queued=get("scheduler.max_queued"),
            step_budget_ms=get("scheduler.step_budget_ms"),
            max_wait=get("scheduler.max_wait"),
            on_error=self._task_failed,
        )
        if self.loader is not None:
            scheduler.every("settings", 1.0, self._reload_if_changed, priority=SYSTEM)
        scheduler.every("sample", SAMPLE_INTERVAL, self._sample_task, priority=SYSTEM)
        if self.loki_url or loki is not None:
            self.loki_link = self._make_loki_link(loki)
            scheduler.every("loki", 0.5, self._loki_task, priority=SYSTEM)
        if self.settings.get("ota.enabled") or self.ota_check_fn is not None:
            self.ota = self._make_ota()
            scheduler.every("ota", 5.0, self._ota_task, priority=SYSTEM)
        return scheduler

    def every(self, seconds, fn, name=None):
        """Run your ``fn()`` every ``seconds`` between the device's own work (a USER task
        of :attr:`scheduler`); returns the task for ``device.scheduler.cancel(task)``."""
        return self.scheduler.every(name or _name_of(fn), seconds, fn, seconds, USER)

    def later(self, seconds, fn, name=None):
        """Run your ``fn()`` once, ``seconds`` from now; returns the task."""
        return self.scheduler.later(name or _name_of(fn), seconds, fn, USER)

    def _task_failed(self, name, exc):
        self.logger.error("task %s failed: %s: %s" % (name, type(exc).__name__, exc))

    def _cpu_report(self):
        from jotunheim.device.report import cpu_report

        return cpu_report(self)

    def _admit(self, path, streaming):
        # New tool calls and streams need heap; status and capabilities are still answered
        # so a caller can see why.
        if streaming or path.endswith("/CallTool"):
            self.resources.memory.require(path)

    def _make_loki_link(self, client=None, url=None):
        from jotunheim.loki.link import LokiLink

        loader = self.loader
        return LokiLink(
            self.registry,
            self.builder_build,
            lambda: self.address,
            self.settings,
            url=url or self.loki_url,
            token=lambda: self.token("loki", "JOTUNHEIM_LOKI_TOKEN"),
            ca_pem=loader.read_ca_pem if loader is not None else None,
            client=client,
            script_prefix=self.script_prefix,
            on_online=self._confirm_health,
            logger=self.logger,
            clock=self.clock,
        )

    def _make_ota(self):
        from jotunheim.ota.agent import OtaAgent

        return OtaAgent(
            self.root,
            self.settings,
            keys=self.ota_keys,
            board_id=lambda: self.builder.detect()["board_id"],
            reboot=lambda: self.handler.defer(self.reboot),
            check=self.ota_check_fn,
            logger=self.logger,
            clock=self.clock,
            resources=self.resources,
        )

    @property
    def builder(self):
        """The DeviceCapabilityBuilder (made on first use)."""
        if self.given_builder is None:
            from jotunheim.capability.builder import DeviceCapabilityBuilder

            self.given_builder = DeviceCapabilityBuilder(self.name, self.settings)
        if getattr(self.given_builder, "memory", False) is None:
            self.given_builder.memory = self.resources.memory  # real heap figures
        return self.given_builder

    def builder_build(self):
        """Fresh JotunheimCapabilities from the builder and the registry."""
        caps = self.builder.build(self.registry)
        if self.stream_handler is not None or self.settings.section("capabilities").get(
            "stream_plugins"
        ):
            self.streams.advertise(caps.features)
        return caps

    @property
    def streams(self):
        """The StreamingHandler (jotunheim.streaming), built on first use: a device that
        never streams never imports it."""
        if self.stream_handler is None:
            from jotunheim.streaming.handler import attach

            self.stream_handler = attach(self)
        return self.stream_handler

    def device_id_now(self):
        """This device's id (from settings, else the board's unique id)."""
        return self.builder.device_id()

    @property
    def device_id(self):
        """This device's id."""
        return self.builder.device_id()

    @property
    def loki_url(self):
        """Loki's URL ("" when none is configured)."""
        if self.given_loki_url is not None:
            return self.given_loki_url
        return self.settings.get("network.loki_url") or ""

    @property
    def loki_state(self):
        """``none`` (no Loki configured), ``offline`` or ``ok``."""
        return self.loki_link.state if self.loki_link is not None else "none"

    @property
    def address(self):
        """``host:port`` Loki and controllers call this device at."""
        if self.given_address:
            return self.given_address
        host = self.host
        if host in ("0.0.0.0", ""):
            ip = self.network.ip if self.network is not None else None
            host = ip or "127.0.0.1"
        return "%s:%d" % (host, self.port)

    @property
    def url(self):
        """``http://host:port`` of this device's server."""
        return "http://" + self.address

    def capabilities(self):
        """The current ``JotunheimCapabilities`` (cached while a LokiLink holds them)."""
        if self.loki_link is not None:
            return self.loki_link.capabilities()
        return self.builder_build()

    def _einherjar(self):
        from jotunheim.capability.negotiator import Negotiator

        return Negotiator(self.registry, capabilities=self.capabilities).einherjar_response()

    def _registry_changed(self, reason):
        if self.loki_link is not None:
            self.loki_link.changed(reason)

    # ------------------------------------------------------------ lifecycle

    def start(self):
        """Join the network (one attempt) and start serving; idempotent."""
        if self.running:
            return
        self.running = True
        self.stopping = False
        if self.network is None:
            from jotunheim.net.wifi import get_network

            self.network = get_network(
                self.settings.section("network"), getenv=self.secrets.get, logger=self.logger
            )
        self.network.ensure_connected()
        self._serve_if_connected()
        if self.settings.get("discovery.enabled") and self.network.connected:
            from jotunheim.discovery.wiring import discover

            discover(self)

    def use_loki(self, url):
        """Announce to and heartbeat the Loki at ``url`` (discovery's choice)."""
        self.loki_link = self._make_loki_link(url=url)
        self.scheduler.every("loki", 0.5, self._loki_task, priority=SYSTEM)

    def _serve_if_connected(self):
        # A new link (first join, or a rejoin after a drop, even within one poll) gets a
        # fresh listening socket: the old one died with the old link.
        joins = getattr(self.network, "connects", 0)
        if self.network.connected and (self.server is None or joins != self.network_joins):
            self._start_server()
            self.network_joins = joins

    def _start_server(self):
        if not self.settings.get("remote.enabled"):
            return
        from jotunheim.compat import collect_garbage

        # Start-up garbage (settings parsing, WiFi join) collected before the server's
        # modules load: their code then finds whole blocks instead of a fragmented heap.
        collect_garbage()
        from jotunheim.grpc.server import GrpcWebServer

        self._stop_server()
        pool = self.pool
        if pool is None:
            # The network's pool: a device that only serves never loads the connection
            # manager (jotunheim.net.wifi.WiFiManager.socket_pool).
            pool = self.network.socket_pool()
        server = GrpcWebServer(
            pool,
            max_request_size=self.settings.get("remote.max_request_bytes"),
            cors_origin=self.settings.get("remote.cors_origin"),
            slots=self.settings.get("remote.max_connections"),
            buffer_size=self.resources.buffers.size,
            buffers=self.resources.buffers,
            meter=self.resources.bandwidth,
        )
        server.admission = self._admit
        self.handler.register(server)
        try:
            server.start(self.host, self.port)
        except OSError as exc:
            raise OSError(
                exc.args[0] if exc.args else 0, bind_error(self.host, self.port, exc)
            ) from None
        if not self.port:
            self.port = server.port  # port 0: the OS picked one
        self.server = server
        if self.loki_link is not None:
            self.loki_link.negotiator = None  # the address may have changed
        self.logger.info("serving JotunheimService on " + self.address)
        self._say_who_may_call()

    def _stop_server(self):
        server, self.server = self.server, None
        if server is not None:
            try:
                server.stop()
            except OSError:
                pass

    def stop(self):
        """Stop serving and close Loki connections (the network stays joined)."""
        self.stopping = True
        self.running = False
        self._stop_server()
        if self.loki_link is not None:
            self.loki_link.close()
        if self.discovery is not None:
            self.discovery.close()

    def run(self, every=None, interval=1.0, idle_ms=5):
        """Serve forever. ``every()`` (your own code) runs every ``interval`` seconds
        between steps. Errors of one step are logged and the loop goes on. With
        ``power.profile`` light-sleep or deep-sleep, :mod:`jotunheim.power` runs it."""
        profile = self.settings.get("power.profile")
        if profile != "always-on":
            from jotunheim.power.profiles import run_profile

            return run_profile(self, profile, every, interval, self.alarm, self.battery)
        self.start()
        next_user = self.clock()
        while not self.stopping:
            try:
                served = self.step()  # a MemoryError is handled inside
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
        if not self.running:
            self.start()
        t0 = monotonic_ms()
        self.steps += 1
        try:
            return self._step(t0)
        except MemoryError:
            # A call or task that ran out of heap: free what it left and go on; the next
            # step serves again (run() and a code.py's own loop alike).
            from jotunheim.compat import collect_garbage

            collect_garbage()
            self.logger.error("device step ran out of memory")
            return 0
        finally:
            self.busy_ms += monotonic_ms() - t0

    def _step(self, t0):
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
        if self.loki_link is None:
            self._confirm_health()
        self.scheduler.run_due()
        return served

    # ------------------------------------------------------------ periodic tasks

    def _reload_if_changed(self):
        self.loader.poll()
        return True

    def _sample_task(self):
        self.sample_resources()
        self.refresh_tokens()
        from jotunheim import log

        ring = log.error_ring()
        if ring is not None and not self.resources.memory.shed():
            ring.poll()  # log persistence is optional work: it waits while heap is low
        return True

    def _ota_task(self):
        # OTA checks and downloads are optional work: they wait while heap is under the
        # warning line, and while the bandwidth budget of this window is spent.
        if self.resources.memory.shed() or not self.resources.bandwidth.allow("ota", 0, LOW):
            return False
        return self.ota.step()

    def _loki_task(self):
        if self.server is None or not self.network.connected:
            return False
        link = self.loki_link
        if link.defer is None:
            link.defer = self._loki_must_wait
        client = link.client
        if client is not None and client.grpc.meter is None:
            client.grpc.meter = self.resources.bandwidth  # Loki's bytes, per call
            client.grpc.endpoint = "loki"
        return link.step()

    def _loki_must_wait(self):
        # Announcements and heartbeats are optional work: they wait while heap is under the
        # warning line, and while the bandwidth budget of this window is spent.
        resources = self.resources
        return resources.memory.shed() or not resources.bandwidth.allow("loki", 0, LOW)

    def _confirm_health(self):
        # After an OTA update the first boot is a trial: confirm once we work (serving,
        # and Loki reached when there is one). Costs one stat when no update was installed.
        if self.health_checked or self.server is None:
            return
        self.health_checked = True
        from jotunheim import ota

        if not ota.has_state(self.root):
            return
        if self.ota is None:
            self.ota = self._make_ota()
        if self.ota.confirm_health():
            self._registry_changed("ota")  # new version: capabilities may have changed

    # ------------------------------------------------------------ resources and status

    def sample_resources(self):
        """Refresh free heap, CPU share and bandwidth figures (also done every 5 s)."""
        from jotunheim.device.meter import sample

        return sample(self.resources.figures, self.busy_ms, self.server)

    def status(self):
        """``ok``, ``degraded`` (something needs a look) or ``offline-loki``."""
        from jotunheim.device.report import status

        return status(self)

    def status_info(self):
        """Everything GetDeviceStatus reports besides the capabilities."""
        from jotunheim.device.report import status_info

        return status_info(self)

    def refresh_tokens(self):
        """Apply changed tokens from settings.toml to the remote handler."""
        token = self.token("token", "JOTUNHEIM_TOKEN")
        owner = self.token("owner_token", "JOTUNHEIM_OWNER_TOKEN")
        auth = self.handler.auth
        if auth.token != token or auth.owner_token != owner:
            self.handler.configure(token=token, owner_token=owner)

    def _auth_changed(self):
        options = self._auth_settings()
        auth = self.handler.auth
        if (auth.mode, auth.open_access, auth.signing_options) != (
            options["auth_mode"],
            options["open_access"],
            options["signing"],
        ):
            self.handler.configure(token=auth.token, owner_token=auth.owner_token, **options)
            self._say_who_may_call()

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
            self._auth_changed()
        if "network" in sections:
            if self.loki_link is not None:
                self.loki_link.configure(settings, self.loki_url or None)
            elif self.loki_url:
                self.use_loki(self.loki_url)
        if self.ota is not None:
            self.ota.settings = settings
        if "resources" in sections:
            self.resources.configure(settings)
        if "scheduler" in sections:
            self.scheduler.max_queued = settings.get("scheduler.max_queued")
            self.scheduler.step_budget_ms = settings.get("scheduler.step_budget_ms")
            self.scheduler.max_wait = settings.get("scheduler.max_wait")
        if "capabilities" in sections or "resources" in sections:
            self.builder.settings = settings
            self._registry_changed("settings")
        self.refresh_tokens()
        self.logger.info("settings changed: " + ", ".join(sections))

    # ------------------------------------------------------------ commands

    def reboot(self):
        """Restart the board (or, on CPython, restart this Device in place)."""
        self.reboots += 1
        if self.reboot_fn is not None:
            return self.reboot_fn()
        if not IS_CPYTHON:  # Blinka's microcontroller on a PC has no reset
            import microcontroller

            microcontroller.reset()
            return None
        return self.soft_restart()

    def soft_restart(self):
        """Re-read settings, restart the server on the same port, re-announce to Loki."""
        self._stop_server()
        if self.loader is not None:
            self.loader.reload()
        self.running = False
        self.network_joins = -1
        self.health_checked = False
        if self.loki_link is not None:
            self.loki_link.close()
            self.loki_link = self._make_loki_link(url=self.loki_link.url)
        self.start()

    def ota_check(self, params=None):
        """Look for an update (``{"install": true}`` also installs it and reboots)."""
        if self.ota is None:
            self.ota = self._make_ota()
        return self.ota.check(params)

    def _device_commands(self):
        # The handler asks for them on the first SendDeviceCommand: a device nobody
        # commands never loads jotunheim.device.commands.
        from jotunheim.device.commands import DeviceCommands

        return DeviceCommands(self).table()


def _name_of(fn):
    return getattr(fn, "__name__", "task")


def bind_error(host, port, exc):
    """One line for a listening socket that cannot be had, naming the setting to change.

    :param host: the listen host
    :param port: the port
    :param exc: the OSError of bind/listen
    """
    import errno

    code = exc.args[0] if exc.args else None
    why = "port %d is already in use" % port if code == errno.EADDRINUSE else str(exc)
    return "cannot listen on %s:%d: %s; set remote.listen_port (and remote.host) in " \
        "jotunheim.json" % (host, port, why)  # fmt: skip


def _load_settings(settings, root):
    # (loader or None, Settings): a SettingsLoader reloads; Settings or a dict never do.
    from jotunheim.settings.loader import Settings, SettingsLoader

    if settings is None:
        settings = SettingsLoader(root=root)
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
