"""Generated from proto/jotunheim.proto by `jotunheim protogen`. Do not edit."""

from jotunheim.pb import Message


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


MESSAGES = (
    DeviceCommandRequest,
    DeviceCommandResponse,
    DeviceStatusRequest,
    DeviceStatusResponse,
    ToolCallRequest,
    ToolCallResponse,
)

# Field tables, parsed on first use of a class (jotunheim.pb.fields_of), so importing
# this module costs only the classes. Line i is the class MESSAGES[i]:
# oneof names:row;... a row: [number] name [kind [flags [sub]]] (number: when
# not the previous one + 1; kind: when not 9, string)
TABLES = """
:device_id;command;parameters
:success 8;result 12;error_message
:device_id
:device_id;status;capabilities;last_seen
:device_id;tool_name;parameters
:success 8;result 12;error_message
"""
