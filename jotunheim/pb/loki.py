"""Generated from proto/loki.proto by `jotunheim protogen`. Do not edit."""

from jotunheim.pb import Message


class GetCapabilitiesRequest(Message):
    pass


class GetCapabilitiesResponse(Message):
    pass


class ScriptCapability(Message):
    pass


class ParameterDefinition(Message):
    pass


class ChildServiceInfo(Message):
    pass


class GetChildrenStatusRequest(Message):
    pass


class GetChildrenStatusResponse(Message):
    pass


class ChildStatus(Message):
    pass


class ListScriptsRequest(Message):
    pass


class ListScriptsResponse(Message):
    pass


class ScriptInfo(Message):
    pass


class RegisterScriptRequest(Message):
    pass


class RegisterScriptResponse(Message):
    pass


class ExecuteScriptRequest(Message):
    pass


class ExecuteScriptResponse(Message):
    pass


class StreamScriptExecutionRequest(Message):
    pass


class ScriptInput(Message):
    pass


class ScriptChunk(Message):
    pass


class ScriptResult(Message):
    pass


class ScriptOutput(Message):
    pass


class ScriptError(Message):
    pass


MESSAGES = (
    GetCapabilitiesRequest,
    GetCapabilitiesResponse,
    ScriptCapability,
    ParameterDefinition,
    ChildServiceInfo,
    GetChildrenStatusRequest,
    GetChildrenStatusResponse,
    ChildStatus,
    ListScriptsRequest,
    ListScriptsResponse,
    ScriptInfo,
    RegisterScriptRequest,
    RegisterScriptResponse,
    ExecuteScriptRequest,
    ExecuteScriptResponse,
    StreamScriptExecutionRequest,
    ScriptInput,
    ScriptChunk,
    ScriptResult,
    ScriptOutput,
    ScriptError,
)

# Field tables, parsed on first use of a class (jotunheim.pb.fields_of), so importing
# this module costs only the classes. Line i is the class MESSAGES[i]:
# oneof names:row;... a row: [number] name [kind [flags [sub]]] (number: when
# not the previous one + 1; kind: when not 9, string)
TABLES = """
:
:service_name;purpose;capabilities 11 1 ScriptCapability;children 11 1 ChildServiceInfo
:script_name;description;parameters 11 1 ParameterDefinition;return_type;supports_streaming 8
:name;type;required 8;description
:name;purpose;enabled 8;address
:
:children 11 1 ChildStatus
:name;available 8;status_message;last_check_timestamp 3
:name_pattern
:scripts 11 1 ScriptInfo
:name;description;language;parameters 11 1 ParameterDefinition;return_type;has_inline_script 8;script_path
script_source:name;description;language;parameters 11 1 ParameterDefinition;return_type;inline_script 9 16;script_path 9 16
:success 8;script_name;error_message
:script_id;script_content;script_type;parameters 11 4 9 9
:success 8;output;error
:script_name;input 11 0 ScriptInput
:parameters 11 4 9 9
chunk_type:result 11 16 ScriptResult;output 11 16 ScriptOutput;error 11 16 ScriptError;timestamp 3
:success 8;output;metadata 11 4 9 9
:data;is_final 8
:error_message;error_type
"""
