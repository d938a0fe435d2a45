"""Generated from proto/mailbox.proto by `jotunheim protogen`. Do not edit."""

from jotunheim.pb import Message


class QueueCommandRequest(Message):
    pass


class QueueCommandResponse(Message):
    pass


class PendingCommand(Message):
    pass


class CommandResult(Message):
    pass


class FetchCommandsRequest(Message):
    pass


class FetchCommandsResponse(Message):
    pass


class GetCommandResultsRequest(Message):
    pass


class GetCommandResultsResponse(Message):
    pass


MESSAGES = (
    QueueCommandRequest,
    QueueCommandResponse,
    PendingCommand,
    CommandResult,
    FetchCommandsRequest,
    FetchCommandsResponse,
    GetCommandResultsRequest,
    GetCommandResultsResponse,
)

# Field tables, parsed on first use of a class (jotunheim.pb.fields_of), so importing
# this module costs only the classes. Line i is the class MESSAGES[i]:
# oneof names:row;... a row: [number] name [kind [flags [sub]]] (number: when
# not the previous one + 1; kind: when not 9, string)
TABLES = """
:device_id;command;parameters
:success 8;seq 13;error_message
:seq 13;command;parameters;queued_at_ms 3
:seq 13;success 8;result 12;error_message
:device_id;after_seq 13;max_commands 13;results 11 1 CommandResult
:commands 11 1 PendingCommand
:device_id;after_seq 13
:results 11 1 CommandResult;last_handled_seq 13
"""
