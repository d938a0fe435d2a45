# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The RPC groups besides CallTool, each built on its first call (this module loads with
the first such call): remote.commands (SendDeviceCommand), remote.status
(GetDeviceStatus), remote.capabilities (GetCapabilities, Einherjar's GetCapabilities)."""

from jotunheim.grpc.status import GrpcError, StatusCode
from jotunheim.pb import jotunheim as jpb


def call(handler, data, context):
    """Answer the RPC ``context.path`` with the service of its group, built on the
    group's first call with ``handler`` (the RemoteCommandHandler) as its gate and kept
    in ``handler.services``: the one place that decides which group module is loaded.

    ``data`` is the request's bytes (the handler registers itself as their decoder, so
    their classes are made here, on the first such call); a malformed request is
    refused as the server refuses one (INVALID_ARGUMENT) before anything runs."""
    method = context.path
    services = handler.services
    if services is None:
        services = handler.services = {}
    device = handler.device  # what a stand-in lacks, its group does without
    capabilities = getattr(device, "capabilities", None)
    if method.endswith("/SendDeviceCommand"):
        request = decode(jpb.DeviceCommandRequest, data)
        service = services.get("commands")
        if service is None:
            from jotunheim.remote.commands import CommandService

            service = services["commands"] = CommandService(
                handler, {}, handler.logger, getattr(device, "commands", None)
            )
        return service.send_device_command(request, context)
    if method.endswith("/GetDeviceStatus"):
        request = decode(jpb.DeviceStatusRequest, data)
        service = services.get("status")
        if service is None:
            from jotunheim.remote.status import StatusService

            service = services["status"] = StatusService(
                handler, capabilities, getattr(device, "status_info", None)
            )
        return service.get_device_status(request, context)
    # Both GetCapabilities RPCs take the same empty message.
    from jotunheim.pb import jotunheim_capability

    request = decode(jotunheim_capability.CapabilityRequest, data)
    service = services.get("capabilities")
    if service is None:
        from jotunheim.remote.capabilities import CapabilityService

        service = services["capabilities"] = CapabilityService(
            handler, capabilities, getattr(device, "einherjar", None), handler.registry
        )
    if method.startswith("/einherjar."):
        return service.einherjar_capabilities(request, context)
    return service.get_capabilities(request, context)


def decode(cls, data):
    """``cls.decode(data)``; a malformed message is INVALID_ARGUMENT, worded as
    jotunheim.grpc.server words it."""
    try:
        return cls.decode(data)
    except (ValueError, TypeError, IndexError, KeyError) as exc:
        raise GrpcError(StatusCode.INVALID_ARGUMENT, "malformed request message: %s" % exc)
