"""The rarely used half of jotunheim.device.Device: status, commands, OTA, settings changes."""

# A board runs this code seldom (a GetDeviceStatus call, a device command, an OTA check,
# an edited jotunheim.json), so it lives here and is imported on first use: a Device that
# never needs it never pays its RAM. Every function takes the Device as its first argument;
# Device's methods of the same name call them.

from jotunheim.compat import IS_CPYTHON
from jotunheim.device import LOW_MEMORY

# ------------------------------------------------------------ settings


def fixed_settings(settings):
    # Device(settings=Settings or dict): settings that never reload (tests, simulators).
    from jotunheim.settings.loader import Settings

    if isinstance(settings, Settings):
        return settings
    if isinstance(settings, dict):
        from jotunheim.settings.validator import validate

        data, errors = validate(settings)
        if errors:
            raise ValueError("settings: " + "; ".join(e.message for e in errors))
        return Settings(data)
    raise TypeError("settings must be a SettingsLoader, Settings, dict or None")


def settings_changed(dev, sections, settings):
    from jotunheim import log

    dev.settings = settings
    if "logging" in sections:
        log.apply_settings(settings.section("logging"))
    if "remote" in sections:
        dev.handler.limiter.configure(settings.get("remote.rate_limit_per_minute"))
        dev.handler.max_params_bytes = settings.get("remote.max_request_bytes")
        if dev.server is not None:
            dev.server.max_request_size = settings.get("remote.max_request_bytes")
    if "network" in sections:
        if dev.resilience is not None:
            dev.resilience.configure(settings.get("network.resilience"))
        if dev._loki_url is None and dev._loki_client_url != dev.loki_url:
            dev.loki_state = "offline" if dev.loki_url else "none"
    if "capabilities" in sections or "resources" in sections:
        dev.builder.settings = settings
        dev._registry_changed("settings")
    dev._refresh_tokens()
    dev.logger.info("settings changed: " + ", ".join(sections))


# ------------------------------------------------------------ status


def status(dev):
    if dev.loki_state == "offline":
        return "offline-loki"
    if dev.loader is not None and dev.loader.last_error:
        return "degraded"
    if dev.last_negotiation is not None and dev.last_negotiation.failed:
        return "degraded"
    free = dev.resources.get("free_heap")
    if free is not None and not IS_CPYTHON and free < LOW_MEMORY:
        return "degraded"
    return "ok"


def status_info(dev):
    from jotunheim import log

    if not dev.resources:
        dev.sample_resources()
    negotiation = dev.last_negotiation
    loki = {"url": dev.loki_url, "state": dev.loki_state, "error": dev.loki_error}
    if negotiation is not None:
        loki["registered"] = len(negotiation.registered)
        loki["failed"] = [list(item) for item in negotiation.failed]
    if dev.resilience is not None:
        loki["endpoint"] = dev.resilience.endpoint("loki").as_dict()
    ring = log.error_ring()
    info = {
        "status": status(dev),
        "address": dev.address,
        "uptime_s": int(dev.clock() - dev.started_at),
        "reboots": dev.reboots,
        "network": dev.network.status_dict() if dev.network is not None else None,
        "loki": loki,
        "resources": dict(dev.resources),
        "settings": dev.loader.as_dict() if dev.loader is not None else None,
        "errors": ring.entries()[-5:] if ring is not None else [],
    }
    if dev.last_ota is not None:
        info["ota"] = dev.last_ota
    return info


def host_rss():
    # The simulator's memory use (CPython has no heap figure like gc.mem_free()).
    try:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    except (ImportError, AttributeError):
        return None


# ------------------------------------------------------------ reboot


def reboot(dev):
    dev.reboots += 1
    if dev._reboot is not None:
        return dev._reboot()
    if not IS_CPYTHON:
        try:
            import microcontroller
        except ImportError:
            microcontroller = None
        if microcontroller is not None:
            microcontroller.reset()
            return None
    return soft_restart(dev)


def soft_restart(dev):
    dev._stop_server()
    if dev.loader is not None:
        dev.loader.reload()
    dev._running = False
    dev._net_joins = -1
    dev.loki_state = "none"
    dev.propagator = None
    dev.negotiator = None
    dev._health_done = False
    dev.start()


# ------------------------------------------------------------ device commands
# handler.add_command functions: fn(dev, params, context) -> JSON-able data.


def cmd_reboot(dev, params, context):
    dev.handler.defer(dev.reboot)
    return {"rebooting": True, "after": "this answer"}


def cmd_reload_settings(dev, params, context):
    if dev.loader is None:
        raise ValueError("this device was given fixed settings; nothing to reload")
    changed = dev.loader.reload()
    dev._refresh_tokens()
    if dev.loader.last_error:
        raise ValueError(dev.loader.last_error)
    return {"changed": changed, "source": dev.loader.source}


def cmd_announce(dev, params, context):
    if not dev.loki_url and dev.loki is None:
        return {"announced": False, "reason": "no Loki configured (network.loki_url)"}
    from jotunheim.device_loki import guard, propagator

    propagator(dev).invalidate("announce")
    ok = guard(dev, propagator(dev).on_connect)
    result = dev.last_negotiation
    out = {"announced": ok, "error": dev.loki_error}
    if result is not None:
        out["registered"] = result.registered
        out["failed"] = [list(item) for item in result.failed]
    return out


def cmd_ota_check(dev, params, context):
    result = dev.ota_check(params)
    dev.last_ota = result
    return result


# ------------------------------------------------------------ OTA


def task_ota(dev):
    # Device._task_ota once OTA is enabled: schedule, then check (and install) when due.
    if dev._next["ota"] is None:
        # First check a while after boot, not in the middle of joining.
        dev._next["ota"] = dev.clock() + 60.0
        return False
    if not dev._due("ota", dev.settings.get("ota.check_interval")):
        return False
    try:
        dev.last_ota = dev.ota_check({"install": True})
    except Exception as exc:  # noqa: BLE001 - logged, retried next interval
        dev.last_ota = {"error": "%s: %s" % (type(exc).__name__, exc)}
        dev.logger.error("OTA check failed: %s" % dev.last_ota["error"])
    return True


def ota_check(dev, params):
    params = params or {}
    if dev._ota_check is not None:
        return dev._ota_check(params)
    url = dev.settings.get("ota.manifest_url")
    if not url:
        raise ValueError("OTA is not configured: set ota.manifest_url in jotunheim.json")
    if not dev.ota_keys:
        raise ValueError("no OTA public key: pass ota_keys=[...] to Device")
    from jotunheim.ota import errors
    from jotunheim.ota.fetcher import Fetcher

    fetcher = Fetcher(
        url, dev.ota_keys, root=dev.root, board_id=dev.builder.detect()["board_id"] or None
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
        dev.handler.defer(dev.reboot)
        out["rebooting"] = True
    return out


def confirm_health(dev):
    # After an OTA update the first boot is a trial: confirm it once the device works.
    # Device._confirm_health calls this only when an OTA state file exists.
    try:
        from jotunheim.ota.installer import Installer

        installer = Installer(dev.root)
        state = installer.state
        if state.get("trial") or state.get("announce"):
            installer.confirm()
            dev._dirty = True  # new version: capabilities may have changed
            dev.logger.info("OTA: running version confirmed healthy")
    except Exception as exc:  # noqa: BLE001
        dev.logger.error("OTA confirm failed: %s" % exc)
