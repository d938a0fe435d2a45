"""The Loki half of jotunheim.device.Device: capabilities, announcement, heartbeat."""

# Imported on first use (a Device with network.loki_url set, a GetCapabilities call), so a
# Device that never talks to Loki never pays its RAM. Every function takes the Device as
# its first argument. Network work goes through the ConnectionResilienceManager endpoint
# "loki", so a dead Loki costs one failed call per backoff period, never a busy loop.


def propagator(dev):
    # CapabilityPropagator: cached capabilities, announcements to Loki when they change.
    if dev.propagator is None:
        from jotunheim.capability.propagator import CapabilityPropagator

        dev.propagator = CapabilityPropagator(
            lambda: dev.builder.build(dev.registry),
            lambda event, announcement: announce(dev),
            cache_ttl=dev.settings.get("capabilities.announce_interval"),
            clock=dev.clock,
        )
    return dev.propagator


def negotiator(dev):
    if dev.negotiator is None:
        from jotunheim.capability.negotiator import Negotiator
        from jotunheim.resilience.retry import RetryManager

        dev.negotiator = Negotiator(
            dev.registry,
            capabilities=dev.capabilities,
            device_address=dev.address,
            script_prefix=dev.script_prefix,
            timeout=min(5.0, dev.settings.get("network.request_timeout")),
            retry=RetryManager(attempts=2, base_delay=0.2, max_delay=1.0),
            deadline=30.0,
        )
    return dev.negotiator


def resilience(dev):
    if dev.resilience is None:
        from jotunheim.resilience.manager import ConnectionResilienceManager

        dev.resilience = ConnectionResilienceManager.from_settings(
            dev.settings.get("network.resilience"), clock=dev.clock
        )
    return dev.resilience


def loki_client(dev):
    url = dev.loki_url
    if not url:
        return dev.loki  # an injected client without a URL
    if dev.loki is None or dev._loki_client_url != url:
        from jotunheim.loki import LokiClient

        ca = dev.loader.read_ca_pem() if dev.loader is not None else None
        if dev.loki is not None and dev._loki_client_url is not None:
            dev.loki.close()
        dev.loki = LokiClient(
            url,
            token=dev._token("loki_token", "JOTUNHEIM_LOKI_TOKEN"),
            timeout=dev.settings.get("network.request_timeout"),
            ca_cert=ca,
        )
        dev._loki_client_url = url
    return dev.loki


def run_script(dev, script, values):
    # A tool added with Device.add_loki_tool: ExecuteScript, output parsed as JSON if it is.
    import json

    loki = loki_client(dev)
    if loki is None:
        raise RuntimeError("no Loki configured: set network.loki_url in jotunheim.json")
    response = loki.execute_script(script, values)
    if not response.success:
        raise RuntimeError("Loki script %s failed: %s" % (script, response.error))
    try:
        return json.loads(response.output)
    except ValueError:
        return response.output


def task(dev):
    # Device._task_loki once Loki is configured and the device serves: connect, send a
    # change, or heartbeat; True when it did network work.
    if not resilience(dev).ready("loki"):
        return False
    if dev.loki_state != "ok":
        connect(dev)
        return True
    if dev._dirty:
        dev._dirty = False
        guard(dev, lambda: propagator(dev).on_change("registry"))
        return True
    if dev._due("loki", dev.settings.get("capabilities.announce_interval")):
        guard(dev, lambda: heartbeat(dev))
        return True
    return False


def connect(dev):
    dev._dirty = False
    if guard(dev, propagator(dev).on_connect):
        dev._next["loki"] = dev.clock() + dev.settings.get("capabilities.announce_interval")
        dev._confirm_health()


def guard(dev, fn):
    # A failure marks Loki offline and backs off; the device keeps serving.
    manager = resilience(dev)
    try:
        fn()
    except Exception as exc:  # noqa: BLE001
        manager.record_failure("loki", exc)
        dev.loki_state = "offline"
        dev.loki_error = "%s: %s" % (type(exc).__name__, exc)
        if dev.propagator is not None:
            dev.propagator.on_disconnect()
        dev.logger.warning("Loki: " + dev.loki_error)
        return False
    manager.record_success("loki")
    dev.loki_state = "ok"
    dev.loki_error = None
    return True


def announce(dev):
    # CapabilityPropagator's transport: Loki learns our tools by RegisterScript.
    loki = loki_client(dev)
    loki.get_capabilities(timeout=min(3.0, dev.settings.get("network.request_timeout")))
    result = negotiator(dev).negotiate(loki, dev.address)
    dev.last_negotiation = result
    if result.failed and not result.registered:
        raise RuntimeError("Loki registered no tool: %s" % result.failed[0][1])


def heartbeat(dev):
    caps = loki_client(dev).get_capabilities()
    known = [c.script_name for c in caps.capabilities]
    requests = dev.registry.to_loki_register_requests(dev.address, prefix=dev.script_prefix)
    missing = [r.name for r in requests if r.name not in known]
    if missing:
        # Loki restarted or lost our scripts: register again.
        dev.logger.info("Loki lacks %d of our scripts; re-registering" % len(missing))
        propagator(dev).on_connect()
    else:
        propagator(dev).poll()
