"""Generated from proto/jotunheim.proto by `jotunheim protogen`. Do not edit."""

from jotunheim.pb import Message
from jotunheim.pb import jotunheim_capability as _jotunheim_capability


class DeviceCommandRequest(Message):
    pass


class DeviceCommandResponse(Message):
    pass


class DeviceStatusRequest(Message):
    pass


class DeviceStatusResponse(Message):
    pass


class ToolCallRequest(Message):
    pass


class ToolCallResponse(Message):
    pass


# Field tables, parsed on first use of a class (jotunheim.pb.fields_of), so importing
# this module costs only the classes. One line per message:
# Class:oneof names:number name type flags [message type];...
_TABLES = """
DeviceCommandRequest::1 device_id 9 0;2 command 9 0;3 parameters 9 0
DeviceCommandResponse::1 success 8 0;2 result 12 0;3 error_message 9 0
DeviceStatusRequest::1 device_id 9 0
DeviceStatusResponse::1 device_id 9 0;2 status 9 0;3 capabilities 9 0;4 last_seen 9 0
ToolCallRequest::1 device_id 9 0;2 tool_name 9 0;3 parameters 9 0
ToolCallResponse::1 success 8 0;2 result 12 0;3 error_message 9 0
"""


# gRPC methods: path -> (request, response, server streaming)
SERVICES = {
    "/jotunheim.JotunheimService/SendDeviceCommand": (DeviceCommandRequest, DeviceCommandResponse, False),
    "/jotunheim.JotunheimService/GetDeviceStatus": (DeviceStatusRequest, DeviceStatusResponse, False),
    "/jotunheim.JotunheimService/CallTool": (ToolCallRequest, ToolCallResponse, False),
    "/jotunheim.JotunheimService/GetCapabilities": (_jotunheim_capability.CapabilityRequest, _jotunheim_capability.CapabilityResponse, False),
}
