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


# Field tables, parsed on first use of a class (jotunheim.pb.fields_of), so importing
# this module costs only the classes. One line per message:
# Class:oneof names:[number] name type [flags [message type]];... (number: when
# not the previous one + 1)
TABLES = """
DeviceCommandRequest::device_id 9;command 9;parameters 9
DeviceCommandResponse::success 8;result 12;error_message 9
DeviceStatusRequest::device_id 9
DeviceStatusResponse::device_id 9;status 9;capabilities 9;last_seen 9
ToolCallRequest::device_id 9;tool_name 9;parameters 9
ToolCallResponse::success 8;result 12;error_message 9
"""
