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
# remote.tools (CallTool, always loaded: the handler is a ToolService, which is a
# remote.gate.Gate, the checks every group shares); every other RPC goes to remote.groups
# (loaded with the first of them), which builds remote.commands (SendDeviceCommand),
# remote.status (GetDeviceStatus) or remote.capabilities (GetCapabilities, Einherjar) on
# its group's first call; remote.ratelimit only when a rate limit is set.

from jotunheim.remote.tools import ToolService

SERVICE = "jotunheim.JotunheimService"


class CapabilityRequest:
    """The request class of both GetCapabilities RPCs for ``server.register``: the same
    empty message in JotunheimService and Einherjar, decoded by its ``jotunheim.pb`` module
    imported on the first call (capability requests are rare, and a pb module costs RAM
    from import on)."""

    @staticmethod
    def decode(data):
        """Decode ``data`` as a ``CapabilityRequest``."""
        from jotunheim.pb import jotunheim_capability

        return jotunheim_capability.CapabilityRequest.decode(data)


class RemoteCommandHandler(ToolService):
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

    ``auth`` is the TokenCheck in force and ``max_params_bytes`` may be set
    (:class:`~jotunheim.remote.gate.Gate`).
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
        super().__init__(
            device_id,
            token,
            owner_token,
            max_params_bytes,
            logger,
            mode=auth_mode,
            open_access=open_access,
            signing=signing,
        )
        self.registry = registry
        self.seal_results = seal_results
        self.tool_calls = 0
        self.tool_failures = 0
        self.clock = clock
        self.rate_limiter = None
        if rate_limit_per_minute:
            self.limiter.configure(rate_limit_per_minute, burst)
        self.capabilities = capabilities
        self.einherjar = einherjar
        self.status = status
        self.commands_source = commands
        self.commands = {}  # name -> (fn(params, context), owner_only, description)
        self.deferred = []
        self.services = {}  # group name -> service (jotunheim.remote.groups)

    def register(self, server):
        """Serve every RPC of this handler on ``server`` (a GrpcWebServer)."""
        from jotunheim.pb import jotunheim as jpb

        group = self.call_group
        server.register(SERVICE, "CallTool", jpb.ToolCallRequest, self.call_tool)
        server.register(SERVICE, "SendDeviceCommand", jpb.DeviceCommandRequest, group)
        server.register(SERVICE, "GetDeviceStatus", jpb.DeviceStatusRequest, group)
        for name in (SERVICE, "einherjar.EinherjarProtocol"):
            server.register(name, "GetCapabilities", CapabilityRequest, group)

    def add_command(self, name, fn, *, owner_only=False, description=""):
        """A device command: ``fn(params, context)`` returns JSON-able data."""
        self.commands[name] = (fn, owner_only, description)

    def configure(
        self, *, token=None, owner_token=None, rate_limit_per_minute=None, burst=None, **auth
    ):
        """Apply new tokens / limits (settings hot reload). Tokens are replaced as given;
        ``auth_mode``, ``open_access`` and ``signing`` replace those given before."""
        from jotunheim.remote.auth import TokenCheck

        self.auth = TokenCheck(  # what is not given stays as the check in force has it
            token,
            owner_token,
            auth.get("auth_mode", self.auth.mode),
            auth.get("open_access", self.auth.open_access),
            auth.get("signing", self.auth.signing_options),
        )
        if rate_limit_per_minute is not None:
            self.limiter.configure(rate_limit_per_minute, burst)

    @property
    def limiter(self):
        """The RateLimiter of tools that change state, made on first use: a device without
        a rate limit (``rate_limit_per_minute`` 0) never loads its module."""
        if self.rate_limiter is None:
            from jotunheim.remote.ratelimit import RateLimiter

            self.rate_limiter = RateLimiter(0, clock=self.clock)
        return self.rate_limiter

    def defer(self, fn):
        """Run ``fn()`` at the next :meth:`run_deferred`, i.e. after the answer was sent."""
        self.deferred.append(fn)

    def run_deferred(self):
        """Run what handlers deferred (call after every ``server.poll()``)."""
        n = 0
        while self.deferred:
            self.deferred.pop(0)()
            n += 1
        return n

    def call_group(self, request, context):
        """Every RPC but CallTool, answered by the service of its group
        (:func:`jotunheim.remote.groups.call`)."""
        from jotunheim.remote.groups import call

        return call(self, request, context)
