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
# (wired by jotunheim.loki.link.use_loki). With ota.enabled (or a trial boot to confirm):
# an OtaAgent (jotunheim.device.ota_wiring). A settings change is applied by
# jotunheim.device.reconfigure. step() does a bounded slice of work: keep WiFi joined,
# serve up to MAX_REQUESTS waiting calls within step_budget_ms, run deferred actions (a
# reboot after its answer went out), then the scheduler's due tasks within its step budget.
# device.resources (jotunheim.resources.monitor.ResourceMonitor) is always built: heap
# lines, the buffer pool the server reads into, bandwidth per endpoint; new CallTools and
# streams are refused with RESOURCE_EXHAUSTED below the heap's exhaustion line.
#
# Every def and every name costs heap on a board for the whole run: what only a feature
# uses lives in that feature's wiring module, loaded when the feature is configured.

import gc

from jotunheim.compat import monotonic_ms, run_and_forget, sleep_ms
from jotunheim.resources import USER

MAX_REQUESTS = 4  # requests served per step at most
SETUP = "jotunheim.device.setup"  # building, starting, serving a new link


class Device:
    """A CircuitPython board as an Edda device.

    Arguments given here win over settings; give them by keyword (their order is not
    part of the API).

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
    :param error_ring: keep the last errors on flash (``<root>/.jotunheim_errors.json``;
        the ring is made with the first error logged, or when the status reads it)
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

    # Defaults of parts that exist only once configured or used: kept on the class, so a
    # base-path instance holds no entry for them.
    alarm = None  # the alarm module given, else the platform's (power profiles)
    battery = None  # callable returning battery volts, if given
    mdns = None  # the mdns module given, else the platform's (discovery)
    power = None  # the power profile's sleeper or duty cycle, once run() starts one
    discovery = None  # the Discovery, once discovery.enabled started it
    server = None  # the GrpcWebServer, while serving
    loki_link = None  # the LokiLink, with a Loki configured
    ota = None  # the OtaAgent, with OTA configured or used
    stream_handler = None  # the StreamingHandler, built by the streams property
    detected_id = None  # the board's id, once device_id_now read it (no builder given)
    # Arguments kept only when given (their defaults here): the base path's instance dict
    # stays in a smaller table.
    pool = None
    reboot_fn = None
    ota_check_fn = None
    ota_keys = None
    script_prefix = ""
    step_budget_ms = 50
    reboots = 0
    running = False
    stopping = False
    health_checked = False

    def __init__(self, name=None, **options):
        # What only building needs is in jotunheim.device.setup, forgotten once done.
        run_and_forget(SETUP, "build", self, name, **options)

    @classmethod
    def from_settings(cls, root=None, **kwargs):
        """A device configured from ``jotunheim.json`` and ``settings.toml`` in ``root``
        (CIRCUITPY, "/" on a board); keyword arguments override them."""
        return run_and_forget(SETUP, "from_settings", cls, root, kwargs)

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
        from jotunheim.loki import tool

        return tool.add_loki_tool(self, name, script, description, params, **kwargs)

    # ------------------------------------------------------------ wiring

    def token(self, key, name):
        """A token given to the Device (``key``: the argument's name), else the secret
        ``name`` from settings.toml, or None."""
        given = self.given.get(key)
        if given is not None:
            return given or None
        return self.secrets.get(name) or None

    def every(self, seconds, fn, name=None):
        """Run your ``fn()`` every ``seconds`` between the device's own work (a USER task
        of :attr:`scheduler`); returns the task for ``device.scheduler.cancel(task)``."""
        return self.scheduler.every(name or getattr(fn, "__name__", "task"), seconds, fn, seconds)

    def later(self, seconds, fn, name=None):
        """Run your ``fn()`` once, ``seconds`` from now; returns the task."""
        return self.scheduler.later(name or getattr(fn, "__name__", "task"), seconds, fn, USER)

    def admission(self, path, streaming):
        """The server's admission check: a new tool call or stream needs heap
        (ResourceExhausted below the exhaustion line); status and capabilities are still
        answered, so a caller can see why."""
        if streaming or path.endswith("/CallTool"):
            self.resources.memory.require(path)

    @property
    def builder(self):
        """The DeviceCapabilityBuilder (made on first use)."""
        given = self.given
        builder = given.get("builder")
        if builder is None:
            from jotunheim.capability.builder import DeviceCapabilityBuilder

            builder = given["builder"] = DeviceCapabilityBuilder(self.name, self.settings)
        if getattr(builder, "memory", False) is None:
            builder.memory = self.resources.memory  # real heap figures
        return builder

    def capabilities(self):
        """Fresh JotunheimCapabilities from the builder and the registry (the remote
        handler's GetCapabilities and GetDeviceStatus, the power cycle's digest)."""
        data = self.builder.build(self.registry)
        if self.stream_handler is not None or self.settings.get("capabilities.stream_plugins"):
            self.streams.advertise(data.features)
        return data

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
        builder = self.given.get("builder")
        if builder is not None:
            return builder.device_id()
        # Without a builder, the id alone: the builder (and what it imports) loads only
        # when capabilities are asked for; it finds the same id.
        name = self.settings.get("capabilities.device_id")
        if not name:
            name = self.detected_id
            if name is None:
                from jotunheim.capability import identity

                name = self.detected_id = identity.identity()[0]
        return name

    device_id = property(device_id_now)  # the getter's docstring: no string kept at run time

    @property
    def loki_url(self):
        """Loki's URL ("" when none is configured)."""
        url = self.given.get("loki_url")
        if url is not None:
            return url
        return self.settings.get("network.loki_url") or ""

    @property
    def loki_state(self):
        """``none`` (no Loki configured), ``offline`` or ``ok``."""
        return self.loki_link.state if self.loki_link is not None else "none"

    @property
    def address(self):
        """``host:port`` Loki and controllers call this device at."""
        address = self.given.get("address")
        if address:
            return address
        host = self.host
        if host in ("0.0.0.0", ""):
            host = (self.network.ip if self.network is not None else None) or "127.0.0.1"
        return "%s:%d" % (host, self.port)

    @property
    def url(self):
        """``http://host:port`` of this device's server."""
        return "http://" + self.address

    def einherjar(self):
        """The Einherjar ``CapabilityResponse`` of this device's tools."""
        from jotunheim.device import report

        return report.einherjar(self)

    # ------------------------------------------------------------ lifecycle

    def start(self):
        """Join the network (one attempt) and start serving; idempotent."""
        if not self.running:
            run_and_forget(SETUP, "start", self)

    def stop(self):
        """Stop serving and close Loki connections (the network stays joined)."""
        run_and_forget(SETUP, "stop", self)

    def run(self, every=None, interval=1.0, idle_ms=5):
        """Serve forever. ``every()`` (your own code) runs every ``interval`` seconds
        between steps. Errors of one step are logged and the loop goes on. With
        ``power.profile`` light-sleep or deep-sleep, :mod:`jotunheim.power` runs it."""
        name = self.settings.get("power.profile")
        if name != "always-on":
            from jotunheim.power.profiles import run_profile

            return run_profile(self, name, every, interval, self.alarm, self.battery)
        self.start()
        clock = self.clock
        start = clock()
        while not self.stopping:
            try:
                n = self.step()  # a MemoryError is handled inside
            except Exception as exc:  # noqa: BLE001 - a board must keep running
                self.logger.error("device step failed: %s: %s" % (type(exc).__name__, exc))
                n = 0
                sleep_ms(100)
            if every is not None and clock() >= start:
                start = clock() + interval
                every()
            if not n:
                sleep_ms(idle_ms)

    def step(self):
        """One bounded slice of device work; returns the number of requests served."""
        if not self.running:
            self.start()
        start = monotonic_ms()
        self.steps += 1
        n = 0
        try:
            network = self.network
            network.poll()
            # A new link (the first join, or a rejoin after a drop, even within one poll)
            # gets a fresh server: the old one died with the old link.
            count = getattr(network, "connects", 0)
            if network.connected and count != self.network_joins:
                self.network_joins = count
                run_and_forget(SETUP, "serve", self)
            server = self.server
            if server is not None:
                while n < MAX_REQUESTS:
                    count = server.poll(MAX_REQUESTS - n)
                    self.handler.run_deferred()
                    if not count:
                        break
                    n += count
                    if monotonic_ms() - start >= self.step_budget_ms:
                        break
            if self.loki_link is None:
                self.confirm_health()
            self.scheduler.run_due()
        except MemoryError:
            # A call or task that ran out of heap: free what it left and go on; the next
            # step serves again (run() and a code.py's own loop alike).
            gc.collect()
            self.logger.error("device step ran out of memory")
            n = 0
        finally:
            self.busy_ms += monotonic_ms() - start
        return n

    # ------------------------------------------------------------ periodic tasks

    def sample_task(self):
        """The every-5-s upkeep: sample resources, apply changed tokens, persist the
        error ring (optional work: it waits while heap is low)."""
        self.sample_resources()
        self.refresh_tokens()
        from jotunheim import log

        ring = log.error_ring(load=False)  # none made yet: no error held back either
        if ring is not None and not self.resources.memory.shed():
            ring.poll()
        return True

    def confirm_health(self):
        """After an OTA update the first boot is a trial: confirm it once the device
        works (serving, and Loki reached when there is one). One ``stat`` when no update
        was installed, nothing after the first call."""
        if not self.health_checked and self.server is not None:
            self.health_checked = True
            run_and_forget(SETUP, "confirm_health", self)  # runs once: it need not stay

    # ------------------------------------------------------------ resources and status

    def sample_resources(self):
        """Sample free heap, the time spent in steps and the server's byte counts (also
        done every 5 s) into ``device.resources.figures``; GetDeviceStatus reports what
        the last two samples give (:func:`jotunheim.resources.report.sampled`: CPU load
        and byte rates between them)."""
        from jotunheim.compat import free_memory

        data = self.resources.figures
        server = self.server
        for i in range(4):  # the last sample becomes the one before
            data[i] = data[i + 4]
        data[4] = monotonic_ms()
        data[5] = self.busy_ms
        if server is not None:
            data[6] = server.rx_bytes
            data[7] = server.tx_bytes
        data[8] = free_memory()  # None on CPython: no fixed heap there

    def status(self):
        """``ok``, ``degraded`` (something needs a look) or ``offline-loki``."""
        from jotunheim.device import report

        return report.status(self)

    def status_info(self):
        """Everything GetDeviceStatus reports besides the capabilities."""
        from jotunheim.device import report

        return report.status_info(self)

    def refresh_tokens(self):
        """Apply changed tokens from settings.toml to the remote handler."""
        token = self.token("token", "JOTUNHEIM_TOKEN")
        owner = self.token("owner_token", "JOTUNHEIM_OWNER_TOKEN")
        auth = self.handler
        if auth.token != token or auth.owner_token != owner:
            self.handler.configure(token=token, owner_token=owner)

    def apply_settings(self, changed, settings):
        """Apply the ``changed`` sections of ``settings`` (the loader's hot reload)."""
        run_and_forget("jotunheim.device.reconfigure", "apply_settings", self, changed, settings)

    # ------------------------------------------------------------ commands

    def commands(self):
        """``(name, fn(params, context), owner_only, description)`` of the device's own
        commands; the handler asks on the first SendDeviceCommand, so a device nobody
        commands never loads jotunheim.device.commands."""
        from jotunheim.device import commands

        return commands.table(self)
