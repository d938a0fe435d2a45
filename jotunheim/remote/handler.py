# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""RemoteCommandHandler: JotunheimService and Einherjar GetCapabilities served on the device."""

# Usage:
#     handler = RemoteCommandHandler(registry, device_id="pico-1", capabilities=build_caps,
#                                    token=secrets.get("JOTUNHEIM_TOKEN"))
#     handler.register(server)          # a jotunheim.grpc.server.GrpcWebServer
#     while True:
#         server.poll()
#         handler.run_deferred()        # e.g. the reboot a caller asked for, after its answer
#
# The handler is the wiring point of the remote services, one RPC group per module:
# remote.tools (CallTool, always loaded), remote.commands (SendDeviceCommand),
# remote.status (GetDeviceStatus) and remote.capabilities (GetCapabilities, Einherjar),
# each built on its first call. remote.gate holds the checks they share.

from jotunheim.remote.gate import Gate
from jotunheim.remote.ratelimit import RateLimiter
from jotunheim.remote.tools import ToolService

SERVICE = "jotunheim.JotunheimService"
EINHERJAR = "einherjar.EinherjarProtocol"


class LazyRequest:
    """A request class for ``server.register`` that imports its ``jotunheim.pb`` module on
    the first call: capability requests are rare, and a pb module costs RAM from import on.
    """

    def __init__(self, module, name):
        self.module = module
        self.name = name

    def decode(self, data):
        """Decode ``data`` with the named message class."""
        module = __import__("jotunheim.pb." + self.module, None, None, (self.name,))
        return getattr(module, self.name).decode(data)


class RemoteCommandHandler:
    """Serves CallTool, SendDeviceCommand, GetDeviceStatus, GetCapabilities and Einherjar.

    :param registry: the device's ToolRegistry
    :param device_id: str, or a callable returning it
    :param capabilities: callable returning the JotunheimCapabilities
    :param einherjar: callable returning an einherjar.CapabilityResponse (optional)
    :param status: callable returning a dict with ``status`` (``ok``, ``degraded``,
        ``offline-loki``, ...) and any runtime figures
    :param token: / :param owner_token: see :mod:`jotunheim.remote.auth`
    :param str auth_mode: ``signed`` (default), ``bearer`` or ``either``
        (``remote.auth_mode``, see :mod:`jotunheim.remote.auth`)
    :param bool open_access: without a token, let anyone call (``remote.open``)
    :param dict signing: options of :class:`jotunheim.remote.signing.SignatureCheck`
    :param bool seal_results: seal every CallTool result (:mod:`jotunheim.remote.sealing`)
    :param rate_limit_per_minute: / :param burst: per-client limit on tools that change state
    :param max_params_bytes: longest JSON parameter text accepted
    :param commands: callable returning ``(name, fn, owner_only, description)`` rows, asked
        on the first SendDeviceCommand (so their module loads only then)
    :param clock: seconds, monotonic (rate limiter)
    :param logger: a jotunheim.log logger
    """

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
        auth_mode="signed",
        open_access=False,
        signing=None,
        seal_results=False,
        rate_limit_per_minute=60,
        burst=None,
        max_params_bytes=4096,
        commands=None,
        clock=None,
        logger=None,
    ):
        self.registry = registry
        self.auth_options = {"mode": auth_mode, "open_access": open_access, "signing": signing}
        self.gate = Gate(
            device_id, token, owner_token, max_params_bytes, logger, **self.auth_options
        )
        self.limiter = RateLimiter(rate_limit_per_minute, burst, clock=clock)
        self.tools = ToolService(self.gate, registry, self.limiter, logger, seal_results)
        self.capabilities_source = capabilities
        self.einherjar_source = einherjar
        self.status_source = status
        self.logger = logger
        self.commands = {}  # name -> (fn(params, context), owner_only, description)
        self.commands_source = commands
        self.deferred = []
        self.services = {}  # module name -> service, built on first call
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
            LazyRequest("jotunheim_capability", "CapabilityRequest"),
            self.get_capabilities,
        )
        server.register(
            EINHERJAR,
            "GetCapabilities",
            LazyRequest("einherjar", "CapabilityRequest"),
            self.einherjar_capabilities,
        )

    def add_command(self, name, fn, *, owner_only=False, description=""):
        """A device command: ``fn(params, context)`` returns JSON-able data."""
        self.commands[name] = (fn, owner_only, description)

    def configure(
        self, *, token=None, owner_token=None, rate_limit_per_minute=None, burst=None, **auth
    ):
        """Apply new tokens / limits (settings hot reload). Tokens are replaced as given;
        ``auth_mode``, ``open_access`` and ``signing`` replace those given before."""
        from jotunheim.remote.auth import TokenCheck

        if "auth_mode" in auth:
            auth["mode"] = auth.pop("auth_mode")
        self.auth_options.update(auth)
        self.gate.auth = TokenCheck(token, owner_token, **self.auth_options)
        if rate_limit_per_minute is not None:
            self.limiter.configure(rate_limit_per_minute, burst)

    @property
    def auth(self):
        """The TokenCheck in force."""
        return self.gate.auth

    @property
    def max_params_bytes(self) -> int:
        """Longest JSON parameter text accepted."""
        return self.gate.max_params_bytes

    @max_params_bytes.setter
    def max_params_bytes(self, size: int) -> None:
        """Set the longest JSON parameter text accepted."""
        self.gate.max_params_bytes = size

    @property
    def device_id(self):
        """This device's id."""
        return self.gate.device_id

    def defer(self, fn):
        """Run ``fn()`` at the next :meth:`run_deferred`, i.e. after the answer was sent."""
        self.deferred.append(fn)

    def run_deferred(self):
        """Run what handlers deferred (call after every ``server.poll()``)."""
        ran = 0
        while self.deferred:
            fn = self.deferred.pop(0)
            fn()
            ran += 1
        return ran

    # ------------------------------------------------------------ RPCs

    def call_tool(self, request, context):
        """CallTool (see :class:`jotunheim.remote.tools.ToolService`)."""
        return self.tools.call_tool(request, context)

    def send_device_command(self, request, context):
        """SendDeviceCommand (see :class:`jotunheim.remote.commands.CommandService`)."""
        return self._service("commands").send_device_command(request, context)

    def get_device_status(self, request, context):
        """GetDeviceStatus (see :class:`jotunheim.remote.status.StatusService`)."""
        return self._service("status").get_device_status(request, context)

    def status_info(self):
        """What GetDeviceStatus reports besides the capabilities."""
        return self._service("status").status_info()

    def get_capabilities(self, request, context):
        """GetCapabilities (see :class:`jotunheim.remote.capabilities.CapabilityService`)."""
        return self._service("capabilities").get_capabilities(request, context)

    def einherjar_capabilities(self, request, context):
        """Einherjar GetCapabilities."""
        return self._service("capabilities").einherjar_capabilities(request, context)

    def counters(self) -> dict:
        """Calls, tool calls and failures, refusals by status code, rate-limited calls."""
        return {
            "calls": self.gate.calls,
            "tool_calls": self.tools.calls,
            "tool_failures": self.tools.failures,
            "refused": dict((str(k), v) for k, v in self.gate.refused.items()),
            "rate_limited": self.limiter.refused,
        }

    def _service(self, name):
        service = self.services.get(name)
        if service is None:
            service = self.services[name] = self._build(name)
        return service

    def _build(self, name):
        # The one place that decides which remote module is loaded, on its first call.
        if name == "commands":
            from jotunheim.remote.commands import CommandService

            if self.commands_source is not None:
                for command, fn, owner_only, description in self.commands_source():
                    self.commands.setdefault(command, (fn, owner_only, description))

            return CommandService(self.gate, self.commands, self.logger)
        if name == "status":
            from jotunheim.remote.status import StatusService

            return StatusService(
                self.gate, self.capabilities_source, self.status_source, self.counters
            )
        from jotunheim.remote.capabilities import CapabilityService

        return CapabilityService(
            self.gate, self.capabilities_source, self.einherjar_source, self.registry
        )

    def _ping(self, params, context):
        from jotunheim.compat import monotonic

        return {"pong": True, "device_id": self.device_id, "uptime_s": int(monotonic())}
