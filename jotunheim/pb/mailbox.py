"""Generated from proto/mailbox.proto by `jotunheim protogen`. Do not edit."""

from jotunheim.pb import message


def __getattr__(name):
    # A message class is made when first looked up (jotunheim.pb.message), so
    # a board holds only the classes it uses.
    return message(globals(), name)


# Field tables, parsed on first use of a class (jotunheim.pb.fields_of). A line
# per message: class name:oneof names:row;... a row: [number] name [kind [flags
# [sub]]] (number: when not the previous one + 1; kind: when not 9, string)
TABLES = """
QueueCommandRequest::device_id;command;parameters
QueueCommandResponse::success 8;seq 13;error_message
PendingCommand::seq 13;command;parameters;queued_at_ms 3
CommandResult::seq 13;success 8;result 12;error_message
FetchCommandsRequest::device_id;after_seq 13;max_commands 13;results 11 1 CommandResult
FetchCommandsResponse::commands 11 1 PendingCommand
GetCommandResultsRequest::device_id;after_seq 13
GetCommandResultsResponse::results 11 1 CommandResult;last_handled_seq 13
"""
