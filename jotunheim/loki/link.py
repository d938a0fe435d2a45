# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""LokiLink: a device's standing relation with Loki (announcement, heartbeat, resilience).

The Device builds one (:func:`use_loki`) only when a Loki URL is configured (or a client
is given), so a device without Loki never imports this module. On (re)connection every model-callable
tool is registered as a Lua stub that forwards to the device's CallTool
(:func:`jotunheim.capability.negotiator.negotiate`). After a change of our tools the
registrations are made again, and the heartbeat (every ``capabilities.announce_interval``)
calls Loki's GetCapabilities and registers again when Loki lost our scripts (a restarted
Loki) or what it should hold changed unnoticed. What Loki was sent is remembered as a
SHA-256 digest of the RegisterScript requests, so a change that changes nothing sends
nothing. A failure backs the link off (exponential delays from ``network.resilience``) and
after ``breaker_threshold`` failures in a row opens its breaker for ``breaker_cooldown``, so a
dead Loki costs one failed call per backoff period, never a busy loop. The link keeps these
figures itself (as a :class:`~jotunheim.resilience.manager.ConnectionResilienceManager`
endpoint would, without loading that module); the backoff and error modules load at the
first failure. What the link reports (GetDeviceStatus, the ``announce`` command) is
:mod:`jotunheim.loki.report`'s, loaded by those calls.

The link makes its two RPCs (GetCapabilities, RegisterScript) itself on one gRPC-Web
connection; the general :class:`~jotunheim.loki.client.LokiClient` (``loki()``) is made
on that connection only when a Loki script is run.
"""

from jotunheim.capability.negotiator import loki_register_requests, negotiate
from jotunheim.grpc.client import GrpcWebClient
from jotunheim.pb import loki as pb
from jotunheim.resources import LOW, SYSTEM


def use_loki(device, url=None, client=None):
    """Give ``device`` (public attributes only) a new LokiLink to ``url`` (default its
    ``loki_url``), or through ``client``, a LokiClient; the first one also gets the task
    that steps it every 0.5 s (:meth:`LokiLink.step`) and hears of every change of the
    registry's tools (:meth:`LokiLink.changed`)."""
    first = device.loki_link is None
    device.loki_link = LokiLink(device, url or device.loki_url, client)
    if first:  # soft_restart() makes a new link: the task and listener reach the current one
        task = lambda: device.loki_link.step()  # noqa: E731, PLW0108 - the link of now
        device.scheduler.every("loki", 0.5, task, priority=SYSTEM)
        listener = lambda reason: device.loki_link.changed(reason)  # noqa: E731, PLW0108
        device.registry.add_listener(listener)


class LokiLink:
    """Owns the connection to Loki, negotiation, heartbeat and their resilience state.

    :param device: the Device (its public attributes: ``registry``, ``settings``,
        ``address``, ``script_prefix``, ``device_id_now``, ``token``, ``loader``,
        ``resources``, ``server``, ``network``, ``pool``, ``logger``, ``clock``,
        ``confirm_health``)
    :param url: Loki's URL ("" with an injected ``client``)
    :param client: a LokiClient to call through instead of a connection made from ``url``

    ``on_lost``, when set (discovery's fallbacks), is ``on_lost(url)`` and returns the
    upstream to try after ``url`` failed: the first of an outage is tried at once, later
    ones after the usual backoff.
    """

    on_lost = None

    def __init__(self, device, url="", client=None) -> None:
        self.device = device
        self.url = url
        self.client = client  # the LokiClient: given, or made by loki()
        # the GrpcWebClient: the given client's, else made on first use
        self.grpc = None if client is None else client.grpc
        self.state = "connecting"  # then "ok", or "offline" after a failure
        self.error = None
        self.last_negotiation = None  # the NegotiationResult of the last registration
        self.pending = False  # our tools changed since the last registration
        self.next_heartbeat = 0.0
        self.sent = None  # digest of the requests Loki last accepted
        self.deferred = 0  # steps that waited (heap low, bandwidth budget spent)
        self.failed_at = 0.0  # when the last call to Loki failed
        self.forget()  # successes, failing, endpoint

    def configure(self, settings, url=None) -> None:
        """New settings (hot reload); a changed ``url`` makes a new connection on next use."""
        if url is not None and url != self.url:
            self.close()
            self.url = url
            self.grpc = self.client = None  # made again from the new URL
            self.state = "offline"

    def forget(self) -> None:
        """Clear the failure figures (a fresh endpoint): the next step may call Loki."""
        self.successes = 0  # calls that worked
        self.failing = 0  # failures in a row (the backoff's attempt number)
        # The failure figures (total, last error, backoff delays), made at the first
        # failure by jotunheim.loki.failure; GetDeviceStatus shows them
        # (jotunheim.loki.report.status).
        self.endpoint = None

    def changed(self, reason: str) -> None:
        """Our tools or capabilities changed: the next step registers our tools again if
        what Loki would be sent differs from what it accepted."""
        self.pending = True

    # ------------------------------------------------------------ calls

    def connection(self):
        """The GrpcWebClient to Loki: the given client's, else made (again) from ``url``."""
        grpc = self.grpc
        device = self.device
        if grpc is None:
            token = device.token("loki", "JOTUNHEIM_LOKI_TOKEN")
            pool = device.pool
            if pool is None and device.network is not None:
                pool = device.network.socket_pool()  # the server's: no second pool
            ca_cert = None
            if self.url.startswith("https"):  # the CA code loads only for TLS
                from jotunheim.net import tls

                ca_cert = tls.custom_ca(device.secrets, device.settings, device.root)
            grpc = self.grpc = GrpcWebClient(
                self.url,
                socket_pool=pool,
                ca_cert=ca_cert,
                timeout=device.settings.get("network.request_timeout"),
                metadata={"authorization": "Bearer " + token} if token else None,
            )
        if grpc.meter is None:
            grpc.meter = device.resources.bandwidth  # Loki's bytes, per call
            grpc.endpoint = "loki"
        return grpc

    def call(self, method, request, reply, timeout, idempotent=False):
        """Loki's RPC ``method`` (``"RegisterScript"``) with ``request``; its answer decoded
        as the message class ``reply`` (None: the answer's bytes, undecoded)."""
        return self.connection().unary(
            "/loki.LokiService/" + method,
            request,
            decode=reply and reply.decode,  # called with the message size limit
            timeout=timeout,
            idempotent=idempotent,
        )

    def loki(self):
        """A :class:`~jotunheim.loki.client.LokiClient` on the link's connection (made on
        first use: to run a script, ``loki().run_script(...)``, to reach Loki's other
        services)."""
        if self.client is None:
            from jotunheim.loki import client

            self.client = client.LokiClient(self.url, grpc=self.connection())
        return self.client

    def close(self) -> None:
        """Close the connection to Loki."""
        if self.grpc is not None:
            self.grpc.close()

    # ------------------------------------------------------------ periodic work

    def step(self) -> bool:
        """The Device's "loki" task: connect, send a change, or heartbeat, when due and the
        device serves on a joined network; True when it did network work. Announcements
        and heartbeats are optional work: they wait while heap is under the warning line,
        and while the bandwidth budget of this window is spent."""
        device = self.device
        if device.server is None or not device.network.connected:
            return False
        if self.failing:  # backing off (the failure path's module)
            from jotunheim.loki import failure

            if failure.breaker(self)[1] > 0:
                return False
        resources = device.resources
        if resources.memory.shed() or not resources.bandwidth.allow("loki", 0, LOW):
            self.deferred += 1
            return False
        if self.state != "ok":
            self.connect()
        elif self.pending or device.clock() >= self.next_heartbeat:
            self.sync()
        else:
            return False
        return True

    def connect(self) -> bool:
        """Announce everything (on first contact, or after Loki was lost)."""
        self.pending = False
        if not self.sync(True):
            return False
        device = self.device
        self.next_heartbeat = device.clock() + device.settings.get("capabilities.announce_interval")
        device.confirm_health()  # a trial boot is healthy once Loki is reached
        return True

    def sync(self, register=False) -> bool:
        """Register our tools with Loki when ``register`` (first contact, the announce
        command), when they differ from what Loki accepted (our tools changed), or when
        the heartbeat (due, and nothing changed) finds Loki lacking some of our scripts (a
        restarted Loki, or one that lost them); True when it worked. A failure marks Loki
        offline and backs off (the device serves on)."""
        import hashlib

        device = self.device
        get = device.settings.get
        timeout = get("network.request_timeout")
        try:
            known = None
            if not register:
                if self.pending:
                    self.pending = False
                else:
                    self.next_heartbeat = device.clock() + get("capabilities.announce_interval")
                    known = []
                    reply = self.call(
                        "GetCapabilities", b"", pb.GetCapabilitiesResponse, timeout, True
                    )
                    for script in reply.capabilities:
                        known.append(script.script_name)
            requests = loki_register_requests(
                device.registry.tools(),
                device.address,
                device.script_prefix,
                device.device_id_now(),
            )
            digest = hashlib.sha256()
            count = 0  # our scripts Loki lacks
            for request in requests:
                digest.update(request.encode())
                if known is not None and request.name not in known:
                    count += 1
            digest = digest.digest()
            if count:
                device.logger.info("Loki lost %d of our scripts" % count)
            if register or count or digest != self.sent:
                # A short call first: a Loki that is down costs one timeout, not one per tool
                # (its answer is not read: not decoded).
                self.call("GetCapabilities", b"", None, min(3.0, timeout), True)
                result = self.last_negotiation = negotiate(
                    lambda request, limit: self.call(
                        "RegisterScript", request, pb.RegisterScriptResponse, limit
                    ),
                    requests,
                    min(5.0, timeout),
                    (2, 0.2, 1.0),  # attempts, backoff: a RetryManager at the first failure
                    30.0,
                )
                if result.failed and not result.registered:
                    raise RuntimeError("Loki registered no tool: " + result.failed[0][1])
                self.sent = digest
        except Exception as exc:  # noqa: BLE001 - any failure of Loki is survivable
            # The failure path (backoff, error categories, failover) loads at the first
            # failure: a link that never failed has none of it.
            from jotunheim.loki import failure

            failure.record(self, exc)
            return False
        self.successes += 1
        self.failing = 0
        self.state = "ok"
        self.error = None
        return True
