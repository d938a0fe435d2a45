"""Generated from proto/jotunheim.proto by `jotunheim protogen`. Do not edit."""

from jotunheim.pb import Message, setup
from jotunheim.pb import jotunheim_capability as _jotunheim_capability


class DeviceCommandRequest(Message):
    """Message jotunheim.DeviceCommandRequest."""


class DeviceCommandResponse(Message):
    """Message jotunheim.DeviceCommandResponse."""


class DeviceStatusRequest(Message):
    """Message jotunheim.DeviceStatusRequest."""


class DeviceStatusResponse(Message):
    """Message jotunheim.DeviceStatusResponse."""


class ToolCallRequest(Message):
    """Message jotunheim.ToolCallRequest."""


class ToolCallResponse(Message):
    """Message jotunheim.ToolCallResponse."""


setup(DeviceCommandRequest, (
    (1, "device_id", 9, 0, None),
    (2, "command", 9, 0, None),
    (3, "parameters", 9, 0, None),
))
setup(DeviceCommandResponse, (
    (1, "success", 8, 0, None),
    (2, "result", 12, 0, None),
    (3, "error_message", 9, 0, None),
))
setup(DeviceStatusRequest, (
    (1, "device_id", 9, 0, None),
))
setup(DeviceStatusResponse, (
    (1, "device_id", 9, 0, None),
    (2, "status", 9, 0, None),
    (3, "capabilities", 9, 0, None),
    (4, "last_seen", 9, 0, None),
))
setup(ToolCallRequest, (
    (1, "device_id", 9, 0, None),
    (2, "tool_name", 9, 0, None),
    (3, "parameters", 9, 0, None),
))
setup(ToolCallResponse, (
    (1, "success", 8, 0, None),
    (2, "result", 12, 0, None),
    (3, "error_message", 9, 0, None),
))

# gRPC methods: path -> (request, response, server streaming)
SERVICES = {
    "/jotunheim.JotunheimService/SendDeviceCommand": (DeviceCommandRequest, DeviceCommandResponse, False),
    "/jotunheim.JotunheimService/GetDeviceStatus": (DeviceStatusRequest, DeviceStatusResponse, False),
    "/jotunheim.JotunheimService/CallTool": (ToolCallRequest, ToolCallResponse, False),
    "/jotunheim.JotunheimService/GetCapabilities": (_jotunheim_capability.CapabilityRequest, _jotunheim_capability.CapabilityResponse, False),
}
