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
from jotunheim.remote.gate import Gate, describe, json_bytes


class ToolService(Gate):
    """A :class:`~jotunheim.remote.gate.Gate` that validates and runs tool calls: the
    CallTool group of :class:`jotunheim.remote.handler.RemoteCommandHandler`, which sets
    what it uses: ``registry`` (the device's ToolRegistry), ``rate_limiter`` (a
    RateLimiter, or None without a limit), ``seal_results`` (seal every result,
    ``remote.seal_results``; a caller may also ask with ``jh-seal: 1``, see
    :mod:`jotunheim.remote.sealing`) and the counts ``tool_calls``, ``tool_failures``.
    """

    def call_tool(self, request, context):
        """CallTool: every check first, then the tool; its result as JSON bytes."""
        level = self.authorize(context)
        self.check_device(request.device_id)
        name = request.tool_name
        if not name:
            raise self.refuse(StatusCode.INVALID_ARGUMENT, "tool_name is empty")
        try:
            tool = self.registry.get(name)
        except UnknownToolError:
            raise self.refuse(
                StatusCode.NOT_FOUND,
                "no tool named %r on this device (GetCapabilities lists them)" % name,
            )
        if tool.user_only and level != OWNER:
            raise self.refuse(
                StatusCode.PERMISSION_DENIED,
                "%s is user-only: call it with the owner token (JOTUNHEIM_OWNER_TOKEN)" % name,
            )
        params = self.params(request.parameters, name)
        try:
            values = validate(tool.params, params, name)
        except ToolParameterError as exc:
            raise self.refuse(StatusCode.INVALID_ARGUMENT, str(exc))
        if self.rate_limiter is not None:
            text = self.rate_limiter.refusal(tool, context)
            if text is not None:
                raise self.refuse(StatusCode.RESOURCE_EXHAUSTED, text)
        # A sealed result is keyed by the request's signature: refused before the tool runs.
        signed = None
        if self.seal_results or context.metadata.get("jh-seal") == "1":
            signed = getattr(context, "signed_by", None)
            if signed is None:
                raise self.refuse(
                    StatusCode.FAILED_PRECONDITION,
                    "a sealed result needs a signed request (JH-HMAC)",
                )
        self.tool_calls += 1
        try:
            data = json_bytes(tool.handler(values))
        except ToolParameterError as exc:
            # A driver's own check (it runs before the part is touched).
            raise self.refuse(StatusCode.INVALID_ARGUMENT, str(exc))
        except GrpcError:
            raise
        except MemoryError:
            text = tool.name + " failed: out of memory"
        except Exception as exc:  # noqa: BLE001 - reported to the caller, device keeps going
            text = "%s failed: %s" % (tool.name, describe(exc))
        else:
            if signed is not None:
                from jotunheim.remote.sealing import seal

                data = seal(signed[0], signed[1], data)
            return jpb.ToolCallResponse(success=True, result=data)
        self.tool_failures += 1
        if self.logger is not None:
            self.logger.error(text)
        return jpb.ToolCallResponse(success=False, error_message=text)
