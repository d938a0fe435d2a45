"""RemoteCommandHandler: JotunheimService and Einherjar GetCapabilities served on the device."""

# Usage:
#     handler = RemoteCommandHandler(registry, device_id="pico-1", capabilities=build_caps,
#                                    token=secrets.get("JOTUNHEIM_TOKEN"))
#     handler.register(server)          # a jotunheim.grpc.server.GrpcWebServer
#     while True:
#         server.poll()
#         handler.run_deferred()        # e.g. the reboot a caller asked for, after its answer
#
# Every check happens before anything runs, so a refused call changes nothing. Refusals
# are gRPC statuses whose grpc-message tells a human what to fix:
#   UNAUTHENTICATED    token required and missing or wrong
#   PERMISSION_DENIED  user-only tool / owner command without the owner token
#   NOT_FOUND          unknown tool, or a device_id that is not this device
#   INVALID_ARGUMENT   malformed JSON, parameters that do not match the schema
#                      (type, required, range, enum), unknown command
#   RESOURCE_EXHAUSTED parameters over the size limit, rate limit hit (retry-after given)
# A tool that was called and failed at run time (sensor unplugged) answers with status OK,
# success=false and error_message, so callers tell "you asked wrong" from "it broke".

import json

from jotunheim.grpc.status import GrpcError, StatusCode
from jotunheim.remote.auth import OWNER, TokenCheck

SERVICE = "jotunheim.JotunheimService"
EINHERJAR = "einherjar.EinherjarProtocol"

# Tools that only read are never rate limited; everything else may move something.
_READ_KINDS = ("sensor",)


def changes_state(tool):
    """True for tools the actuator rate limit applies to (anything not a pure read)."""
    if tool.kind in _READ_KINDS or tool.name == "gpio_read":
        return False
    name = tool.name
    return not (name[:4] == "get_" or name[:5] == "read_")


def __getattr__(name):
    # timestamp and capabilities_dict moved to handler_extra; importing them still works.
    if name in ("timestamp", "capabilities_dict"):
        from jotunheim.remote import handler_extra

        return getattr(handler_extra, name)
    raise AttributeError(name)


def _client_key(context):
    # Rate limits are per client address (its host part).
    address = context.client_address if context is not None else None
    if isinstance(address, (tuple, list)) and address:
        return str(address[0])
    return str(address)


def _json_bytes(value):
    return json.dumps(value).encode("utf-8")


class _LazyRequest:
    # A request class for server.register that imports its jotunheim.pb module on the first
    # call: capability requests are rare, and a pb module costs RAM from import on.

    def __init__(self, module, name):
        self.module = module
        self.name = name

    def decode(self, data):
        module = __import__("jotunheim.pb." + self.module, None, None, (self.name,))
        return getattr(module, self.name).decode(data)


class RemoteCommandHandler:
    # registry: ToolRegistry. device_id: str or callable. capabilities: callable ->
    # JotunheimCapabilities. einherjar: callable -> einherjar.CapabilityResponse.
    # status: callable -> dict with "status" ("ok", "degraded", "offline-loki", ...) and
    # any runtime figures. token / owner_token: see jotunheim.remote.auth.
    # rate_limit_per_minute / burst: per-client limit on tools that change state.
    # max_params_bytes: longest JSON parameter text accepted.

    def __init__(
        self,
        registry,
        *,
        device_id="",
        capabilities=None,
        einherjar=None,
        status=None,
        token=None,
        owner_token=None,
        rate_limit_per_minute=60,
        burst=None,
        max_params_bytes=4096,
        clock=None,
        logger=None,
    ):
        from jotunheim.remote.ratelimit import RateLimiter

        self.registry = registry
        self._device_id = device_id
        self._capabilities = capabilities
        self._einherjar = einherjar
        self._status = status
        self.auth = TokenCheck(token, owner_token)
        self.limiter = RateLimiter(rate_limit_per_minute, burst, clock=clock)
        self.max_params_bytes = max_params_bytes
        self.logger = logger
        self.commands = {}  # name -> (fn(params, context), owner_only, description)
        self._deferred = []
        self.calls = 0
        self.tool_calls = 0
        self.tool_failures = 0
        self.refused = {}  # status code -> count
        self.last_client = None
        self.add_command("ping", self._ping, description="Answer with pong and the uptime")

    # ------------------------------------------------------------ setup

    def register(self, server):
        """Serve every RPC of this handler on ``server`` (a GrpcWebServer)."""
        from jotunheim.pb import jotunheim as jpb

        server.register(SERVICE, "CallTool", jpb.ToolCallRequest, self.call_tool)
        server.register(
            SERVICE, "SendDeviceCommand", jpb.DeviceCommandRequest, self.send_device_command
        )
        server.register(SERVICE, "GetDeviceStatus", jpb.DeviceStatusRequest, self.get_device_status)
        server.register(
            SERVICE,
            "GetCapabilities",
            _LazyRequest("jotunheim_capability", "CapabilityRequest"),
            self.get_capabilities,
        )
        server.register(
            EINHERJAR,
            "GetCapabilities",
            _LazyRequest("einherjar", "CapabilityRequest"),
            self.einherjar_capabilities,
        )

    def add_command(self, name, fn, *, owner_only=False, description=""):
        """A device command: ``fn(params, context)`` returns JSON-able data."""
        self.commands[name] = (fn, owner_only, description)

    def configure(self, *, token=None, owner_token=None, rate_limit_per_minute=None, burst=None):
        """Apply new tokens / limits (settings hot reload). Tokens are replaced as given."""
        self.auth = TokenCheck(token, owner_token)
        if rate_limit_per_minute is not None:
            self.limiter.configure(rate_limit_per_minute, burst)

    def defer(self, fn):
        """Run ``fn()`` at the next :meth:`run_deferred`, i.e. after the answer was sent."""
        self._deferred.append(fn)

    def run_deferred(self):
        """Run what handlers deferred (call after every ``server.poll()``)."""
        ran = 0
        while self._deferred:
            fn = self._deferred.pop(0)
            fn()
            ran += 1
        return ran

    @property
    def device_id(self):
        d = self._device_id
        return d() if callable(d) else d

    # ------------------------------------------------------------ checks

    def _refuse(self, code, message):
        self.refused[code] = self.refused.get(code, 0) + 1
        if self.logger is not None:
            self.logger.info("refused (%d): %s" % (code, message))
        return GrpcError(code, message)

    def _authorize(self, context):
        self.calls += 1
        metadata = context.metadata if context is not None else {}
        if context is not None:
            self.last_client = context.client_address
        level = self.auth.level(metadata)
        if level is None:
            raise self._refuse(StatusCode.UNAUTHENTICATED, self.auth.problem(metadata))
        return level

    def _check_device(self, requested):
        if requested and requested != self.device_id:
            raise self._refuse(
                StatusCode.NOT_FOUND,
                "this is device %r, not %r: check the device_id you call"
                % (self.device_id, requested),
            )

    def _params(self, text, what):
        if len(text) > self.max_params_bytes:
            raise self._refuse(
                StatusCode.RESOURCE_EXHAUSTED,
                "%s: parameters are %d bytes, the limit is %d"
                % (what, len(text), self.max_params_bytes),
            )
        if not text or not text.strip():
            return {}
        try:
            value = json.loads(text)
        except (ValueError, TypeError) as exc:
            raise self._refuse(
                StatusCode.INVALID_ARGUMENT,
                '%s: parameters are not valid JSON (%s); send an object like {"on": true}'
                % (what, exc),
            ) from None
        if not isinstance(value, dict):
            raise self._refuse(
                StatusCode.INVALID_ARGUMENT,
                '%s: parameters must be a JSON object like {"on": true}, not %s'
                % (what, type(value).__name__),
            )
        return value

    # ------------------------------------------------------------ CallTool

    def call_tool(self, request, context):
        from jotunheim.capability.schema import ToolParameterError, UnknownToolError, validate
        from jotunheim.pb import jotunheim as jpb

        level = self._authorize(context)
        self._check_device(request.device_id)
        name = request.tool_name
        if not name:
            raise self._refuse(StatusCode.INVALID_ARGUMENT, "tool_name is empty")
        try:
            tool = self.registry.get(name)
        except UnknownToolError:
            raise self._refuse(
                StatusCode.NOT_FOUND,
                "no tool named %r on this device; GetCapabilities lists its tools" % name,
            ) from None
        if tool.user_only and level != OWNER:
            raise self._refuse(
                StatusCode.PERMISSION_DENIED,
                "%s is a user-only tool: call it with the owner token (JOTUNHEIM_OWNER_TOKEN)"
                % name,
            )
        params = self._params(request.parameters, name)
        try:
            values = validate(tool.params, params, name)
        except ToolParameterError as exc:
            raise self._refuse(StatusCode.INVALID_ARGUMENT, str(exc)) from None
        if changes_state(tool):
            wait = self.limiter.take(_client_key(context))
            if wait:
                raise self._refuse(
                    StatusCode.RESOURCE_EXHAUSTED,
                    "rate limit: at most %d state-changing calls per minute per client; "
                    "retry in %.1f s" % (self.limiter.per_minute, wait),
                )
        return self._run(tool, values, jpb)

    def _run(self, tool, values, jpb):
        from jotunheim.capability.schema import ToolParameterError

        self.tool_calls += 1
        try:
            result = tool.handler(values)
            body = _json_bytes(result)
        except ToolParameterError as exc:
            # A driver's own check (it runs before the part is touched).
            raise self._refuse(StatusCode.INVALID_ARGUMENT, str(exc)) from None
        except GrpcError:
            raise
        except MemoryError:
            return self._failed(jpb, tool.name + " failed: out of memory; try again later")
        except Exception as exc:  # noqa: BLE001 - reported to the caller, device keeps going
            return self._failed(jpb, "%s failed: %s" % (tool.name, _describe(exc)))
        return jpb.ToolCallResponse(success=True, result=body)

    def _failed(self, jpb, message):
        self.tool_failures += 1
        if self.logger is not None:
            self.logger.error(message)
        return jpb.ToolCallResponse(success=False, error_message=message)

    # ------------------------------------------------------------ SendDeviceCommand

    def send_device_command(self, request, context):
        from jotunheim.remote.handler_extra import send_device_command

        return send_device_command(self, request, context)

    def _ping(self, params, context):
        from jotunheim.remote.handler_extra import ping

        return ping(self)

    # ------------------------------------------------------------ status and capabilities

    def capabilities(self):
        if self._capabilities is None:
            raise self._refuse(StatusCode.UNAVAILABLE, "capabilities are not ready yet")
        return self._capabilities()

    def status_info(self):
        from jotunheim.remote.handler_extra import status_info

        return status_info(self)

    def get_device_status(self, request, context):
        from jotunheim.remote.handler_extra import get_device_status

        return get_device_status(self, request, context)

    def get_capabilities(self, request, context):
        from jotunheim.pb import jotunheim_capability as cap

        self._authorize(context)
        return cap.CapabilityResponse(capabilities=self.capabilities())

    def einherjar_capabilities(self, request, context):
        from jotunheim.remote.handler_extra import einherjar_capabilities

        return einherjar_capabilities(self, request, context)


def _describe(exc):
    text = str(exc)
    name = type(exc).__name__
    if not text:
        return name
    if name in ("DriverError", "ValueError", "RuntimeError", "ScriptFailed"):
        return text
    return "%s: %s" % (name, text)
