"""Generated from proto/jotunheim.proto by `jotunheim protogen`. Do not edit."""

from jotunheim.pb import message


def __getattr__(name):
    # A message class is made when first looked up (jotunheim.pb.message), so
    # a board holds only the classes it uses.
    return message(globals(), name)


# Field tables, parsed on first use of a class (jotunheim.pb.fields_of). A line
# per message: class name:oneof names:row;... a row: [number] name [kind [flags
# [sub]]] (number: when not the previous one + 1; kind: when not 9, string)
TABLES = """
DeviceCommandRequest::device_id;command;parameters
DeviceCommandResponse::success 8;result 12;error_message
DeviceStatusRequest::device_id
DeviceStatusResponse::device_id;status;capabilities;last_seen
ToolCallRequest::device_id;tool_name;parameters
ToolCallResponse::success 8;result 12;error_message
"""
