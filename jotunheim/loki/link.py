# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""LokiLink: a device's standing relation with Loki (announcement, heartbeat, resilience).

The Device builds one only when a Loki URL is configured (or a client is given), so a
device without Loki never imports this module. On (re)connection every model-callable
tool is registered as a Lua stub that forwards to the device's CallTool (Negotiator).
After a change of our tools the registrations are made again, and the heartbeat (every
``capabilities.announce_interval``) calls Loki's GetCapabilities and registers again when
Loki lost our scripts (a restarted Loki) or what it should hold changed unnoticed. What
Loki was sent is remembered as a SHA-256 digest of the RegisterScript requests, so a
change that changes nothing sends nothing. All network work goes through a
ConnectionResilienceManager endpoint "loki", so a dead Loki costs one failed call per
backoff period, never a busy loop.
"""


class LokiLink:
    """Owns the Loki client, negotiation, heartbeat and their resilience state.

    :param registry: the device's ToolRegistry
    :param build_capabilities: callable returning the device's JotunheimCapabilities
    :param address: callable returning ``host:port`` Loki calls the device at
    :param settings: the device's Settings (``network.*``, ``capabilities.*``)
    :param url: Loki's URL ("" with an injected ``client``)
    :param token: callable returning the bearer token for Loki, or None
    :param ca_pem: callable returning a custom CA (PEM text) or None
    :param client: a LokiClient to use instead of one made from ``url``
    :param script_prefix: prepended to the names of the scripts we register
    :param on_online: called after each successful (re)connection
    :param on_lost: ``on_lost(url)`` returns the upstream to try after ``url`` failed
        (discovery's fallbacks); the first of an outage is tried at once, later ones
        after the usual backoff
    :param logger: a jotunheim.log logger
    :param clock: seconds, monotonic
    :param device_id: callable returning the device id named in the forwarding scripts
        (default: the ``device_id`` of ``build_capabilities()``, which builds them all)
    """

    # The socket pool the client is made on (the Device: its network's, the one its server
    # uses); None: the platform's (jotunheim.net.session.get_pool).
    socket_pool = None

    def __init__(
        self,
        registry,
        build_capabilities,
        address,
        settings,
        *,
        url="",
        token=None,
        ca_pem=None,
        client=None,
        script_prefix="",
        on_online=None,
        on_lost=None,
        logger=None,
        clock=None,
        device_id=None,
    ) -> None:
        from jotunheim.resilience.manager import ConnectionResilienceManager

        self.registry = registry
        # capabilities(): the current JotunheimCapabilities, built when asked
        # (GetCapabilities), not kept in RAM between answers.
        self.capabilities = build_capabilities
        self.device_id = device_id
        self.address = address
        # fn() -> True while optional traffic must wait (the Device: heap under the
        # warning line, or the bandwidth budget spent); announcements and heartbeats wait.
        self.defer = None
        self.deferred = 0
        self.settings = settings
        self.url = url
        self.token = token
        self.ca_pem = ca_pem
        self.client = client
        self.script_prefix = script_prefix
        self.on_online = on_online
        self.on_lost = on_lost
        self.logger = logger
        self.clock = clock
        self.state = "connecting"  # then "ok", or "offline" after a failure
        self.error = None
        self.last_negotiation = None
        self.dirty = False
        self.next_heartbeat = 0.0
        self.sent = None  # digest of the requests Loki last accepted
        self._client_url = url if client is None else None
        self.resilience = ConnectionResilienceManager.from_settings(
            settings.get("network.resilience"), clock=clock
        )

    # ------------------------------------------------------------ configuration

    def configure(self, settings, url=None) -> None:
        """New settings (hot reload); a changed ``url`` makes a new client on next use."""
        self.settings = settings
        self.resilience.configure(settings.get("network.resilience"))
        if url is not None and url != self.url:
            self.url = url
            self.state = "offline"

    def changed(self, reason: str) -> None:
        """Our tools or capabilities changed: the next step registers our tools again if
        what Loki would be sent differs from what it accepted."""
        self.dirty = True

    # ------------------------------------------------------------ client

    def loki(self):
        """The LokiClient, made (again) from the current URL when needed."""
        if self.url and (self.client is None or self._client_url != self.url):
            from jotunheim.loki.client import LokiClient

            self.close()
            self.client = LokiClient(
                self.url,
                token=self.token() if self.token is not None else None,
                timeout=self.settings.get("network.request_timeout"),
                ca_cert=self.ca_pem() if self.ca_pem is not None else None,
                socket_pool=self.socket_pool,
            )
            self._client_url = self.url
        return self.client

    def close(self) -> None:
        """Close the client's connections."""
        if self.client is not None:
            self.client.close()

    def run_script(self, script: str, values: dict):
        """ExecuteScript ``script`` with ``values``; its output, parsed as JSON if it is."""
        import json

        reply = self.loki().execute_script(script, values)
        if not reply.success:
            raise RuntimeError("Loki script %s failed: %s" % (script, reply.error))
        try:
            return json.loads(reply.output)
        except ValueError:
            return reply.output

    # ------------------------------------------------------------ periodic work

    def step(self) -> bool:
        """Connect, send a change, or heartbeat, when due; True when it did network work."""
        if not self.resilience.ready("loki"):
            return False
        if self.defer is not None and self.defer():
            self.deferred += 1
            return False
        if self.state != "ok":
            self.connect()
        elif self.dirty or self.clock() >= self.next_heartbeat:
            self.guard(self._sync)
        else:
            return False
        return True

    def connect(self) -> bool:
        """Announce everything (on first contact, or after Loki was lost)."""
        self.dirty = False
        if not self.guard(self._sync, True):
            return False
        self.next_heartbeat = self.clock() + self.settings.get("capabilities.announce_interval")
        if self.on_online is not None:
            self.on_online()
        return True

    def announce(self) -> dict:
        """Re-send capabilities now (the ``announce`` device command)."""
        out = {"announced": self.guard(self._sync, True), "error": self.error}
        result = self.last_negotiation
        if result is not None:
            out["registered"] = result.registered
            out["failed"] = result.failed  # (name, reason) pairs: lists in JSON
        return out

    def guard(self, fn, *args) -> bool:
        """Run ``fn(*args)``; a failure marks Loki offline and backs off (the device serves
        on)."""
        try:
            fn(*args)
        except Exception as exc:  # noqa: BLE001 - any failure of Loki is survivable
            self.resilience.record_failure("loki", exc)
            lost = self.state == "ok"  # the first failure of an outage
            self.state = "offline"
            self.error = "%s: %s" % (type(exc).__name__, exc)
            log = self.logger.warning if self.logger is not None else None
            if log is not None:
                log("Loki: " + self.error)
            # The leader lost: the next upstream now, not after a backoff. Later failures
            # of the same outage move on after the backoff, so a network with nothing
            # reachable costs one attempt per backoff period, as without discovery.
            url = self.on_lost(self.url) if self.on_lost is not None else None
            if url and url != self.url:
                self.url = url
                self.state = "connecting"
                if lost:
                    self.resilience.forget("loki")
                if log is not None:
                    log("Loki: failing over to " + url)
            return False
        self.resilience.record_success("loki")
        self.state = "ok"
        self.error = None
        return True

    def status_dict(self) -> dict:
        """What GetDeviceStatus reports about Loki."""
        out = {"url": self.url, "state": self.state, "error": self.error}
        out["deferred"] = self.deferred
        result = self.last_negotiation
        if result is not None:
            out["registered"] = len(result.registered)
            out["failed"] = result.failed
        out["endpoint"] = self.resilience.endpoint("loki").as_dict()
        return out

    # ------------------------------------------------------------ transport

    def _sync(self, register=False):
        # What Loki should hold: our RegisterScript requests, and their digest. Sent when
        # ``register`` (first contact, the announce command), when they differ from what
        # Loki accepted (our tools changed), or when the heartbeat (due, and nothing
        # changed) finds Loki lacking some of our scripts (a restarted Loki, or one that
        # lost them).
        import hashlib

        from jotunheim.capability.forwarding import loki_register_requests

        get = self.settings.get
        loki = self.loki()
        known = None
        if not register:
            if self.dirty:
                self.dirty = False
            else:
                self.next_heartbeat = self.clock() + get("capabilities.announce_interval")
                known = loki.get_capabilities().capabilities
        if self.device_id is not None:
            device_id = self.device_id()
        else:
            device_id = self.capabilities().device_id
        address = self.address()
        requests = loki_register_requests(
            self.registry.tools(), address, prefix=self.script_prefix, device_id=device_id
        )
        digest = hashlib.sha256()
        for request in requests:
            digest.update(request.encode())
        digest = digest.digest()
        missing = 0
        if known is not None:
            names = []
            for item in known:
                names.append(item.script_name)
            for request in requests:
                if request.name not in names:
                    missing += 1
        if missing and self.logger is not None:
            self.logger.info("Loki lacks %d of our scripts; re-registering" % missing)
        if not (register or missing or digest != self.sent):
            return
        # Loki learns our tools by RegisterScript (the Negotiator: retries, deadline).
        loki.get_capabilities(timeout=min(3.0, get("network.request_timeout")))
        # A Negotiator per negotiation: its timeouts and our address are read anew each
        # time, and it is not kept in RAM between negotiations.
        from jotunheim.capability.negotiator import Negotiator
        from jotunheim.resilience.retry import RetryManager

        result = Negotiator(
            self.registry,
            capabilities=self.capabilities,
            script_prefix=self.script_prefix,
            timeout=min(5.0, get("network.request_timeout")),
            retry=RetryManager(attempts=2, base_delay=0.2, max_delay=1.0),
            deadline=30.0,
        ).negotiate(loki, address, requests=requests)
        self.last_negotiation = result
        if result.failed and not result.registered:
            raise RuntimeError("Loki registered no tool: %s" % result.failed[0][1])
        self.sent = digest
