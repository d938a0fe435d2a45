# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""RemoteCommandHandler: JotunheimService and Einherjar GetCapabilities served on the device,
and who may call it.

Two tokens from settings.toml: JOTUNHEIM_TOKEN lets a caller use the service at all,
JOTUNHEIM_OWNER_TOKEN additionally unlocks user-only tools and owner commands (reboot,
OTA). The owner token also works where the plain token is asked for.

How a caller proves it holds one is ``remote.auth_mode``:

- ``signed`` (the default): ``authorization: JH-HMAC ...`` (:mod:`jotunheim.remote.signing`,
  imported on the first signed request),
  so the token never crosses the device's plain-HTTP server;
- ``bearer``: ``authorization: Bearer <token>`` (:mod:`jotunheim.remote.bearer`, imported
  on the first call without a signature), for callers behind TLS or not migrated;
- ``either``: both.

Without any token the device refuses every call, unless ``remote.open`` is true: then
anyone may call what needs no owner token (and the device says so loudly at start).

A caller let in has the level ``"owner"`` (it proved the owner token) or ``"user"``; the
words are those of a signature's ``keyid``.
"""

# Usage:
#     handler = RemoteCommandHandler(registry, device, token=secrets.get("JOTUNHEIM_TOKEN"))
#     handler.register(server)          # a jotunheim.grpc.server.GrpcWebServer
#     while True:
#         server.poll()
#         handler.run_deferred()        # e.g. the reboot a caller asked for, after its answer
#
# The handler is the wiring point of the remote services and answers CallTool itself (the
# RPC a device answers most), with the checks every RPC group shares: who calls
# (authorize below, remote.signing), which device, which parameters. Every check happens before
# anything runs, so a refused call changes nothing. Refusals are gRPC statuses whose
# grpc-message tells a human what to fix (their texts: remote.refusals, loaded with the
# first refusal):
#   UNAUTHENTICATED    token required and missing or wrong
#   PERMISSION_DENIED  user-only tool / owner command without the owner token
#   NOT_FOUND          unknown tool, or a device_id that is not this device
#   INVALID_ARGUMENT   malformed JSON, parameters that do not match the schema
#   RESOURCE_EXHAUSTED parameters over the size limit, rate limit hit (retry-after given)
# A tool that was called and failed at run time (sensor unplugged) answers with status OK,
# success=false and error_message, so callers tell "you asked wrong" from "it broke".
# Every other RPC goes to remote.groups (loaded with the first of them), which builds
# remote.commands (SendDeviceCommand), remote.status (GetDeviceStatus) or
# remote.capabilities (GetCapabilities, Einherjar) on its group's first call. The rate
# limit on tools that change state is the handler's own (throttle below): a per-client
# token bucket, a short list, is all it keeps.

import json

from jotunheim.capability import ToolParameterError, UnknownToolError
from jotunheim.capability.schema import validate
from jotunheim.compat import monotonic, run_and_forget
from jotunheim.grpc.status import GrpcError, StatusCode
from jotunheim.pb.jotunheim import ToolCallResponse

SETUP = "jotunheim.remote.setup"


def constant_time_equal(a, b):
    """True if ``a`` equals ``b`` (str or bytes), compared in constant time."""
    # Time depends only on len(b) (the secret's length is not secret here), never on
    # where the first differing byte is; hmac.compare_digest is missing on CircuitPython.
    if isinstance(a, str):
        a = a.encode("utf-8")
    if isinstance(b, str):
        b = b.encode("utf-8")
    n = len(a)
    delta = n ^ len(b)  # every differing bit, gathered over every byte
    for i in range(len(b)):
        delta |= (a[i % n] if n else 0) ^ b[i]
    return delta == 0


class RemoteCommandHandler:
    """Serves CallTool, SendDeviceCommand, GetDeviceStatus, GetCapabilities and Einherjar.

    :param registry: the device's ToolRegistry
    :param device: the :class:`jotunheim.device.Device`, or a stand-in with its methods
        the RPCs use: ``device_id_now()`` (every call naming a device), and where they
        exist ``capabilities()`` (GetCapabilities, GetDeviceStatus), ``status_info()``
        (a dict with ``status``: ``ok``, ``degraded``, ``offline-loki``, ... and any
        runtime figures), ``einherjar()`` (an einherjar.CapabilityResponse; without it
        one is built from the tools) and ``commands()`` (``(name, fn, owner_only,
        description)`` rows, asked on the first SendDeviceCommand, so their module
        loads only then)
    :param token: required from every caller when set
    :param owner_token: needed for user-only tools and owner commands
    :param str auth_mode: ``signed`` (default), ``bearer`` or ``either``
        (``remote.auth_mode``, see the module doc)
    :param bool open_access: without a token, let anyone call (``remote.open``)
    :param dict signing: options of :class:`jotunheim.remote.signing.SignatureCheck`
        (``window``, ``tolerance``, ``max_nonces``, ``clock``, ``logger``)
    :param bool seal_results: seal every CallTool result (:mod:`jotunheim.remote.sealing`)
    :param rate_limit_per_minute: / :param burst: per-client limit on tools that change
        state (see :meth:`limit`; 0 = none)
    :param max_params_bytes: longest JSON parameter text accepted
    :param clock: seconds, monotonic (rate limit)
    :param logger: a jotunheim.log logger

    ``device`` is the device served; ``token``, ``owner_token``, ``mode``, ``open_access``
    and ``signing_options`` are the access in force (changed by :meth:`configure`),
    ``required`` is True when every caller must prove it holds a token, ``signatures``
    the SignatureCheck (made on the first signed request); ``max_params_bytes`` may be
    set; ``calls``
    counts the calls, ``refused`` the refusals by status code (None before the first),
    ``tool_calls`` and
    ``tool_failures`` the tools run and those that failed. The rate limit: ``per_minute``
    (0 = none), ``burst``, ``max_clients`` (may be set), ``buckets`` (``{client: array of
    tokens, last seen}``, set by :meth:`limit`) and ``rate_limited``, the calls it refused.
    """

    # Class defaults, set on the instance only when given: its attributes stay few (an
    # instance's table grows in steps).
    seal_results = False
    clock = None
    mode = "signed"
    open_access = False
    signing_options = None
    per_minute = 0  # no rate limit until limit() sets it, with burst and buckets
    max_clients = 16  # clients whose buckets are kept (the least recently seen go first)
    rate_limited = 0
    refused = None  # {status code: count}, made by the first refusal
    services = None  # {group name: service}, made by remote.groups
    deferred = None  # [fn], made by the first defer

    def __init__(self, registry, device=None, **options):
        # Built by jotunheim.remote.setup, forgotten once done: the code that only builds
        # does not stay on the heap while the device serves.
        run_and_forget(SETUP, "build", self, registry, device, **options)

    def warning(self):
        """What to say loudly at start about who may call, or None."""
        return run_and_forget(SETUP, "warning", self)

    def refuse(self, code, message, *values):
        """Count and log a refusal; returns the GrpcError to raise. ``message`` is the
        text, or the number of one of :data:`jotunheim.remote.refusals.CALL`, filled in
        with ``values`` (:func:`jotunheim.remote.refusals.refuse`, loaded with the first
        refusal)."""
        from jotunheim.remote import refusals

        return refusals.refuse(self, code, message, values)

    def authorize(self, context, device_id=""):
        """The caller's level (``"owner"`` or ``"user"``); refuses a caller without a
        token, and a call addressed to another ``device_id`` (empty means this one).
        ``context`` is the call (its request, see :mod:`jotunheim.grpc.server`:
        ``headers`` with lower-case names; ``path`` and ``body`` to check a signature,
        whose nonce is then used up)."""
        self.calls += 1
        headers = context.headers if context is not None else None
        value = ((headers.get("authorization") if headers else None) or "").strip()
        level = given = error = None  # given: the bearer token sent; None for a JH-HMAC header
        if value.startswith("JH-HMAC ") or value[:8].upper() == "JH-HMAC ":
            if self.mode == "bearer":
                pass  # refused below: this device takes bearer tokens only
            elif not self.required and self.owner_token is None:
                level = "user"  # nothing to check a signature against, nothing to unlock
            else:
                # Signing is loaded on the first signed request: a device in bearer or open
                # mode, or one not called yet, never holds it.
                from jotunheim.remote.signing import SignatureCheck, SignatureError

                if self.signatures is None:
                    keys = {"user": self.token, "owner": self.owner_token}
                    self.signatures = SignatureCheck(
                        keys, constant_time_equal, **(self.signing_options or {})
                    )
                path = getattr(context, "path", None)
                if path is not None:
                    try:
                        level = self.signatures.verify(
                            "POST", path, getattr(context, "body", None), value
                        )
                    except SignatureError as exc:
                        error = exc
                    else:
                        # What a sealed result needs: the token that signed and the
                        # signature (its iv).
                        context.signed_by = (
                            self.owner_token if level == "owner" else self.token,
                            self.signatures.signature,
                        )
        else:
            # A bearer token, or none: checked by jotunheim.remote.bearer, loaded by the
            # first such call (callers of the default signed mode never send one).
            from jotunheim.remote import bearer

            level, given = bearer.level(self, value, constant_time_equal)
        if level is None:
            # Why, in words: the texts load with the first refusal.
            from jotunheim.remote import refusals

            raise self.refuse(
                StatusCode.UNAUTHENTICATED, refusals.unauthenticated(self, given, error)
            )
        if device_id:
            name = self.device.device_id_now()
            if device_id != name:
                raise self.refuse(StatusCode.NOT_FOUND, 0, name, device_id)
        return level

    def params(self, text, name):
        """The JSON object in ``text`` (``{}`` when empty); refuses anything else."""
        size = len(text)
        if size > self.max_params_bytes:
            raise self.refuse(StatusCode.RESOURCE_EXHAUSTED, 1, name, size, self.max_params_bytes)
        if not text or not text.strip():
            return {}
        # The common case, a flat object of plain values, is parsed as it is: one bracket
        # is no nesting, and a finite number is checked below. Anything else goes to
        # jotunheim.safejson (loaded then), which bounds depth and names what is wrong.
        if text.count("{") == 1 and "[" not in text:
            try:
                value = json.loads(text)
            except (ValueError, MemoryError):
                value = None
            if isinstance(value, dict):
                for key in value:
                    data = value[key]
                    if isinstance(data, float) and data - data != 0.0:  # NaN, infinity
                        break
                else:
                    return value
        from jotunheim import safejson

        try:
            # 32: the nesting levels accepted in tool and command parameters
            value = safejson.loads(text, name, 32, self.max_params_bytes)
        except ValueError as exc:  # a JSONError: not JSON, too deep, NaN/Infinity
            raise self.refuse(StatusCode.INVALID_ARGUMENT, 2, name, exc.problem)
        if isinstance(value, dict):
            return value
        raise self.refuse(StatusCode.INVALID_ARGUMENT, 7, name, type(value).__name__)

    def call_tool(self, request, context):
        """CallTool: every check first, then the tool; its result as JSON bytes in a
        ToolCallResponse, encoded here into a bytearray (the server frames bytes-like
        answers as they are: no second copy of the message per call)."""
        level = self.authorize(context, request.device_id)
        name = request.tool_name
        if not name:
            raise self.refuse(StatusCode.INVALID_ARGUMENT, 3)  # no tool_name
        try:
            tool = self.registry.get(name)
        except UnknownToolError:
            raise self.refuse(StatusCode.NOT_FOUND, 4, name)  # no such tool
        if tool.user_only and level != "owner":
            raise self.refuse(StatusCode.PERMISSION_DENIED, 5, name)  # owner token needed
        params = self.params(request.parameters, name)
        try:
            values = validate(tool.params, params, name)
        except ToolParameterError as exc:
            raise self.refuse(StatusCode.INVALID_ARGUMENT, str(exc))
        # Only tools that change state are limited (not sensors, gpio_read, get_*, read_*),
        # per client address (its host part).
        if self.per_minute > 0 and not (
            tool.kind == "sensor"
            or name == "gpio_read"
            or name[:4] == "get_"
            or name[:5] == "read_"
        ):
            address = context.client_address  # (host, port)
            wait = self.throttle(str(address[0] if address else address))
            if wait:
                raise self.refuse(StatusCode.RESOURCE_EXHAUSTED, 8, self.per_minute, wait)
        # A sealed result is keyed by the request's signature: refused before the tool runs.
        signed = None
        if self.seal_results or context.headers.get("jh-seal") == "1":
            signed = getattr(context, "signed_by", None)
            if signed is None:
                raise self.refuse(StatusCode.FAILED_PRECONDITION, 6)  # not a signed request
        self.tool_calls += 1
        try:
            data = json.dumps(tool.handler(values)).encode("utf-8")
        except ToolParameterError as exc:
            # A driver's own check (it runs before the part is touched).
            raise self.refuse(StatusCode.INVALID_ARGUMENT, str(exc))
        except GrpcError:
            raise
        except MemoryError:
            text = tool.name + " failed: out of memory"
        except Exception as exc:  # noqa: BLE001 - reported to the caller, device keeps going
            from jotunheim.remote import refusals

            text = "%s failed: %s" % (tool.name, refusals.describe(exc))
        else:
            if signed is not None:
                from jotunheim.remote import sealing

                data = sealing.seal(signed[0], signed[1], data)
            return ToolCallResponse(success=True, result=data).encode(bytearray())
        self.tool_failures += 1
        if self.logger is not None:
            self.logger.error(text)
        return ToolCallResponse(success=False, error_message=text).encode(bytearray())

    def register(self, server):
        """Serve every RPC of this handler on ``server`` (a GrpcWebServer)."""
        run_and_forget(SETUP, "register", self, server)

    def decode(self, data):
        """The request of every RPC but CallTool as it came (``server.register`` calls
        this), decoded by :func:`jotunheim.remote.groups.call`."""
        return data

    def configure(self, token=None, owner_token=None, **options):
        """Apply new tokens / limits (settings hot reload): ``rate_limit_per_minute`` and
        ``burst`` as :meth:`limit` takes them. Tokens are replaced as given;
        ``auth_mode``, ``open_access`` and ``signing`` replace those given before (what is
        not given stays), and signatures are checked anew (a new nonce ring)."""
        run_and_forget(SETUP, "configure", self, token, owner_token, **options)

    def limit(self, per_minute, burst=None):
        """Limit each client to ``per_minute`` calls of tools that change state, on average
        (0 = unlimited), in bursts of ``burst`` (default min(per_minute, 10)); forgets every
        client's bucket."""
        run_and_forget(SETUP, "limit", self, per_minute, burst)

    def throttle(self, key):
        """Spend one call from the token bucket of client ``key``: 0 when allowed, else the
        seconds until one is free (and the call counted in ``rate_limited``)."""
        per_minute = self.per_minute
        if per_minute <= 0:
            return 0
        now = (self.clock or monotonic)()
        buckets = self.buckets
        bucket = buckets.get(key)
        if bucket is None:
            if len(buckets) >= self.max_clients:
                # MicroPython dicts are not ordered: the least recently seen by its time.
                oldest = None
                for name in buckets:
                    if oldest is None or buckets[name][1] < buckets[oldest][1]:
                        oldest = name
                del buckets[oldest]
            from array import array

            bucket = buckets[key] = array("d", (self.burst, now))  # two floats, no objects
        # The bucket refilled since last seen (never over the burst), less this call.
        tokens = min(bucket[0] + (now - bucket[1]) * per_minute / 60, self.burst) - 1
        bucket[1] = now
        if tokens >= 0:
            bucket[0] = tokens
            return 0
        bucket[0] = tokens + 1
        self.rate_limited += 1
        return -tokens * 60 / per_minute

    def defer(self, fn):
        """Run ``fn()`` at the next :meth:`run_deferred`, i.e. after the answer was sent."""
        if self.deferred is None:
            self.deferred = []
        self.deferred.append(fn)

    def run_deferred(self):
        """Run what handlers deferred (call after every ``server.poll()``)."""
        n = 0
        while self.deferred:
            self.deferred.pop(0)()
            n += 1
        return n

    def call_group(self, data, context):
        """Every RPC but CallTool (``data`` its request's bytes), answered by the service
        of its group (:func:`jotunheim.remote.groups.call`)."""
        from jotunheim.remote import groups

        return groups.call(self, data, context)
