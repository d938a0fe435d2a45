# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Building a Device: what runs while one is made, when it starts or stops, when a new
network link needs a new server, and once it first serves (a trial boot's check). The
Device forgets this module after each use (:func:`jotunheim.compat.run_and_forget`): on
a board its code goes back to the heap for the rest of the run, and a rejoin or a
restart imports it again. It defines no classes and keeps no state (see
:func:`jotunheim.compat.forget`)."""

import gc

from jotunheim.compat import monotonic, run_and_forget
from jotunheim.resources import SYSTEM

# jotunheim.ota.STATE_FILE, written once an update was installed (a trial boot to confirm).
# Named here so that a device without updates never imports jotunheim.ota (tests check
# that the two agree).
OTA_STATE_FILE = ".ota/state.json"


def build(
    device,
    name=None,
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
    step_budget_ms=None,
    clock=None,
    logger=None,
    alarm=None,
    battery=None,
    mdns=None,
):
    """Make ``device`` from the Device's arguments (see :class:`~jotunheim.device.Device`)."""
    from jotunheim import log
    from jotunheim.capability.registry import ToolRegistry
    from jotunheim.device.scheduler import Scheduler
    from jotunheim.remote.handler import RemoteCommandHandler
    from jotunheim.resources.monitor import ResourceMonitor
    from jotunheim.settings.loader import SettingsLoader
    from jotunheim.settings.secrets import default_root

    if root is None:
        root = default_root()
    device.root = root
    # A SettingsLoader reloads (device.loader); Settings or a dict never do.
    loader = settings
    if settings is None:
        loader = SettingsLoader(root=root)
    if isinstance(loader, SettingsLoader):
        if not loader.loads and loader.source == "defaults":
            loader.load()
        settings = loader.settings
        device.secrets = loader.secrets
        loader.on_change(device.apply_settings)
    else:
        loader = None
        settings, device.secrets = run_and_forget(
            "jotunheim.device.reconfigure", "fixed_settings", settings, root
        )
    device.loader = loader
    device.settings = settings
    get = settings.get
    device.name = name
    # What the arguments gave, by argument name (not there: settings decide).
    device.given = given = {}
    for key, value in (
        ("token", token),
        ("owner_token", owner_token),
        ("loki", loki_token),
        ("open_access", open_access),
        ("auth_mode", auth_mode),
        ("loki_url", loki_url),
        ("address", address),
        ("builder", builder),
    ):
        if value is not None:
            given[key] = value
    # Each get() parses its section's line (and a section the file leaves out is read from
    # jotunheim.settings.defaults): the remote section is read once for all its keys.
    remote = settings.section("remote")
    device.host = host or remote.get("host") or "0.0.0.0"
    device.port = port if port is not None else remote.get("listen_port")
    device.network = network
    device.registry = registry = registry or ToolRegistry()
    data = remote.get("allowed_gpio_pins")
    if data:  # raw GPIO tools only when the settings name pins for them
        from jotunheim.capability import gpio

        registry.add_provider(gpio.GpioTools(data))
    # Kept only when given: the class holds the defaults (a smaller instance dict).
    for key, value in (
        ("pool", pool),
        ("reboot_fn", reboot),
        ("ota_check_fn", ota_check),
        ("ota_keys", ota_keys),
        ("script_prefix", script_prefix or None),
        ("step_budget_ms", step_budget_ms),
    ):
        if value is not None:
            setattr(device, key, value)
    device.clock = clock = clock or monotonic
    device.logger = logger = logger or log.getLogger("jotunheim.device")
    section = settings.section("logging")
    run_and_forget("jotunheim.logconfig", "apply_settings", section)
    if error_ring:
        run_and_forget(
            "jotunheim.logconfig", "enable_error_ring", root=root, size=section.get("ring_size")
        )
    device.handler = RemoteCommandHandler(
        registry,
        device,
        token=device.token("token", "JOTUNHEIM_TOKEN"),
        owner_token=device.token("owner_token", "JOTUNHEIM_OWNER_TOKEN"),
        rate_limit_per_minute=remote.get("rate_limit_per_minute"),
        max_params_bytes=remote.get("max_request_bytes"),
        logger=logger,
        seal_results=remote.get("seal_results"),
        **auth_options(device),
    )
    device.started_at = clock()
    device.steps = 0
    device.busy_ms = 0
    device.resources = ResourceMonitor(settings, clock, root)
    device.network_joins = -1
    # Given only for power profiles and discovery: kept only when given (the class
    # attributes are the defaults, so the base path's instance stays as small).
    if alarm is not None:
        device.alarm = alarm
    if battery is not None:
        device.battery = battery
    if mdns is not None:
        device.mdns = mdns
    # max_queued, step_budget_ms and max_wait: the scheduler section as it is.
    device.scheduler = scheduler = Scheduler(clock, logger, **settings.section("scheduler"))
    if loader is not None:
        # A poll that found nothing new did no work: the step's other due tasks go on.
        scheduler.every("settings", 1.0, loader.poll, priority=SYSTEM)
    scheduler.every("sample", 5.0, device.sample_task, priority=SYSTEM)
    if loki is not None or device.loki_url:
        from jotunheim.loki import link

        link.use_loki(device, None, loki)
    if get("ota.enabled") or ota_check is not None:
        from jotunheim.device import ota_wiring

        ota_wiring.start(device)


def from_settings(cls, root, kwargs):
    """``cls`` (a Device) made from ``jotunheim.json`` and ``settings.toml`` in ``root``."""
    from jotunheim.settings.loader import SettingsLoader

    kwargs.setdefault("error_ring", True)
    loader = SettingsLoader(root=root)
    loader.load()
    if loader.last_error:
        # Broken file: run on defaults and say why (GetDeviceStatus shows it too).
        from jotunheim import log

        log.getLogger("jotunheim.device").error(loader.last_error)
    return cls(settings=loader, root=loader.root, **kwargs)


def auth_options(device):
    """Who may call, from the arguments, else the settings: ``auth_mode``,
    ``open_access`` and ``signing`` (RemoteCommandHandler's options)."""
    remote = device.settings.section("remote")
    given = device.given
    open_access = given.get("open_access")
    return {
        "auth_mode": given.get("auth_mode") or remote.get("auth_mode"),
        "open_access": remote.get("open") if open_access is None else open_access,
        "signing": {
            "window": remote.get("signature_window"),
            "tolerance": remote.get("clock_tolerance"),
            "max_nonces": remote.get("max_nonces"),
            "logger": device.logger,
        },
    }


def start(device):
    """Make ``device``'s network from the settings unless one was given, try to join it
    once, serve, and start discovery when the settings ask for it."""
    device.running = True
    if device.stopping:  # stopped before: runs again (the class says False)
        device.stopping = False
    network = device.network
    if network is None:
        device.network = network = run_and_forget(
            "jotunheim.net.configure",
            "get_network",
            device.settings.section("network"),
            getenv=device.secrets.get,
            logger=device.logger,
        )
    network.ensure_connected()
    if network.connected:  # serve on this link (each step serves a new one)
        device.network_joins = getattr(network, "connects", 0)
        serve(device)
    if device.settings.get("discovery.enabled") and network.connected:
        from jotunheim.discovery.wiring import discover

        discover(device)


def stop(device):
    """Stop serving and close ``device``'s Loki connections and discovery."""
    device.stopping = True
    device.running = False
    stop_server(device)
    if device.loki_link is not None:
        device.loki_link.close()
    if device.discovery is not None:
        device.discovery.close()


def stop_server(device):
    """Close ``device``'s listening socket and its connections (start() serves again)."""
    server = device.server
    device.server = None
    if server is not None:
        try:
            server.stop()
        except OSError:
            pass


def serve(device):
    """A new server for the link just made (the old one died with the old link), when
    ``remote.enabled``; the Device's step asks for one once per new link."""
    remote = device.settings.section("remote")  # one parse for all its keys
    if not remote.get("enabled"):
        return
    # Start-up garbage (settings parsing, WiFi join) collected before the server's
    # modules load: their code then finds whole blocks instead of a fragmented heap.
    gc.collect()
    from jotunheim.grpc.server import GrpcWebServer

    stop_server(device)
    resources = device.resources
    buffers = resources.buffers
    server = GrpcWebServer(
        # The network's pool: a device that only serves never loads the connection
        # manager (jotunheim.net.wifi.WiFiManager.socket_pool).
        device.pool or device.network.socket_pool(),
        max_request_size=remote.get("max_request_bytes"),
        cors_origin=remote.get("cors_origin"),
        slots=remote.get("max_connections"),
        buffer_size=buffers.size,
        buffers=buffers,
        meter=resources.bandwidth,
    )
    server.admission = device.admission
    device.handler.register(server)
    host, port = device.host, device.port
    try:
        server.start(host, port)
    except OSError as exc:
        from jotunheim.device import report

        device.network_joins = -1  # the next step tries again
        raise report.listen_error(exc, host, port) from None
    if not port:
        device.port = server.port  # port 0: the OS picked one
    device.server = server
    device.logger.info("serving JotunheimService on " + device.address)
    text = device.handler.warning()
    if text is not None:  # a warning shows at the default log level
        device.logger.warning(text)


def confirm_health(device):
    """Confirm a trial boot once ``device`` works (one ``stat`` when no update was
    installed: then jotunheim.ota is never imported)."""
    import os

    try:
        os.stat(device.root.rstrip("/") + "/" + OTA_STATE_FILE)
    except OSError:
        return
    from jotunheim.device import ota_wiring

    ota_wiring.confirm_health(device)
