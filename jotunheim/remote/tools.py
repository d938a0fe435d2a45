# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""ToolService: JotunheimService.CallTool (the RPC a device answers most)."""

# A tool that was called and failed at run time (sensor unplugged) answers with status OK,
# success=false and error_message, so callers tell "you asked wrong" from "it broke".

from jotunheim.capability.errors import ToolParameterError, UnknownToolError
from jotunheim.capability.schema import validate
from jotunheim.grpc.status import GrpcError, StatusCode
from jotunheim.pb import jotunheim as jpb
from jotunheim.remote.auth import OWNER
from jotunheim.remote.gate import describe, json_bytes

READ_KINDS = ("sensor",)  # tools that only read are never rate limited


def changes_state(tool) -> bool:
    """True for tools the actuator rate limit applies to (anything not a pure read)."""
    if tool.kind in READ_KINDS or tool.name == "gpio_read":
        return False
    name = tool.name
    return not (name[:4] == "get_" or name[:5] == "read_")


def client_key(context) -> str:
    """Rate limits are per client address (its host part)."""
    address = context.client_address if context is not None else None
    if isinstance(address, (tuple, list)) and address:
        return str(address[0])
    return str(address)


class ToolService:
    """Validates and runs tool calls.

    :param gate: the :class:`jotunheim.remote.gate.Gate` of the service
    :param registry: the device's ToolRegistry
    :param limiter: a RateLimiter for tools that change state
    :param logger: a jotunheim.log logger for failed tools
    :param bool seal_results: seal every result (``remote.seal_results``; a caller may
        also ask with ``jh-seal: 1``), see :mod:`jotunheim.remote.sealing`
    """

    def __init__(self, gate, registry, limiter, logger=None, seal_results=False) -> None:
        self.seal_results = seal_results
        self.gate = gate
        self.registry = registry
        self.limiter = limiter
        self.logger = logger
        self.calls = 0
        self.failures = 0

    def call_tool(self, request, context):
        """CallTool: every check first, then the tool; its result as JSON bytes."""
        gate = self.gate
        level = gate.authorize(context)
        gate.check_device(request.device_id)
        name = request.tool_name
        if not name:
            raise gate.refuse(StatusCode.INVALID_ARGUMENT, "tool_name is empty")
        try:
            tool = self.registry.get(name)
        except UnknownToolError:
            raise gate.refuse(
                StatusCode.NOT_FOUND,
                "no tool named %r on this device; GetCapabilities lists its tools" % name,
            )
        if tool.user_only and level != OWNER:
            raise gate.refuse(
                StatusCode.PERMISSION_DENIED,
                "%s is a user-only tool: call it with the owner token (JOTUNHEIM_OWNER_TOKEN)"
                % name,
            )
        params = gate.params(request.parameters, name)
        try:
            values = validate(tool.params, params, name)
        except ToolParameterError as exc:
            raise gate.refuse(StatusCode.INVALID_ARGUMENT, str(exc))
        if changes_state(tool):
            wait = self.limiter.take(client_key(context))
            if wait:
                raise gate.refuse(
                    StatusCode.RESOURCE_EXHAUSTED,
                    "rate limit: at most %d state-changing calls per minute per client; "
                    "retry in %.1f s" % (self.limiter.per_minute, wait),
                )
        response = self._run(tool, values)
        if response.success and (self.seal_results or context.metadata.get("jh-seal") == "1"):
            response.result = self._sealed(response.result, context)
        return response

    def _sealed(self, body, context):
        signed = getattr(context, "signed_by", None)
        if signed is None:
            raise self.gate.refuse(
                StatusCode.FAILED_PRECONDITION,
                "sealed results need a signed request (authorization: JH-HMAC ...)",
            )
        from jotunheim.remote.sealing import seal

        return seal(signed[0], signed[1], body)

    def _run(self, tool, values):
        self.calls += 1
        try:
            body = json_bytes(tool.handler(values))
        except ToolParameterError as exc:
            # A driver's own check (it runs before the part is touched).
            raise self.gate.refuse(StatusCode.INVALID_ARGUMENT, str(exc))
        except GrpcError:
            raise
        except MemoryError:
            return self._failed(tool.name + " failed: out of memory; try again later")
        except Exception as exc:  # noqa: BLE001 - reported to the caller, device keeps going
            return self._failed("%s failed: %s" % (tool.name, describe(exc)))
        return jpb.ToolCallResponse(success=True, result=body)

    def _failed(self, message):
        self.failures += 1
        if self.logger is not None:
            self.logger.error(message)
        return jpb.ToolCallResponse(success=False, error_message=message)
