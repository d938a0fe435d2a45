# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The RPC groups besides CallTool, each built on its first call (this module loads with
the first such call): remote.commands (SendDeviceCommand), remote.status
(GetDeviceStatus), remote.capabilities (GetCapabilities, Einherjar's GetCapabilities)."""


def call(handler, request, context):
    """Answer the RPC ``context.method`` with the service of its group, built on the
    group's first call with ``handler`` (the RemoteCommandHandler) as its gate and kept
    in ``handler.services``: the one place that decides which group module is loaded."""
    method = context.method
    services = handler.services
    device = handler.device  # what a stand-in lacks, its group does without
    capabilities = getattr(device, "capabilities", None)
    if method.endswith("/SendDeviceCommand"):
        service = services.get("commands")
        if service is None:
            from jotunheim.remote.commands import CommandService

            service = services["commands"] = CommandService(
                handler, handler.commands, handler.logger, getattr(device, "commands", None)
            )
        return service.send_device_command(request, context)
    if method.endswith("/GetDeviceStatus"):
        service = services.get("status")
        if service is None:
            from jotunheim.remote.status import StatusService

            service = services["status"] = StatusService(
                handler, capabilities, getattr(device, "status_info", None)
            )
        return service.get_device_status(request, context)
    service = services.get("capabilities")
    if service is None:
        from jotunheim.remote.capabilities import CapabilityService

        service = services["capabilities"] = CapabilityService(
            handler, capabilities, getattr(device, "einherjar", None), handler.registry
        )
    if method.startswith("/einherjar."):
        return service.einherjar_capabilities(request, context)
    return service.get_capabilities(request, context)
