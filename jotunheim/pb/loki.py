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


class _ExecuteScriptRequest_ParametersEntry(Message):
    pass


class ExecuteScriptResponse(Message):
    pass


class StreamScriptExecutionRequest(Message):
    pass


class ScriptInput(Message):
    pass


class _ScriptInput_ParametersEntry(Message):
    pass


class ScriptChunk(Message):
    pass


class ScriptResult(Message):
    pass


class _ScriptResult_MetadataEntry(Message):
    pass


class ScriptOutput(Message):
    pass


class ScriptError(Message):
    pass


# Field tables, parsed on first use of a class (jotunheim.pb.fields_of), so importing
# this module costs only the classes. One line per message:
# Class:oneof names:number name type flags [message type];...
_TABLES = """
GetCapabilitiesRequest::
GetCapabilitiesResponse::1 service_name 9 0;2 purpose 9 0;3 capabilities 11 1 ScriptCapability;4 children 11 1 ChildServiceInfo
ScriptCapability::1 script_name 9 0;2 description 9 0;3 parameters 11 1 ParameterDefinition;4 return_type 9 0;5 supports_streaming 8 0
ParameterDefinition::1 name 9 0;2 type 9 0;3 required 8 0;4 description 9 0
ChildServiceInfo::1 name 9 0;2 purpose 9 0;3 enabled 8 0;4 address 9 0
GetChildrenStatusRequest::
GetChildrenStatusResponse::1 children 11 1 ChildStatus
ChildStatus::1 name 9 0;2 available 8 0;3 status_message 9 0;4 last_check_timestamp 3 0
ListScriptsRequest::1 name_pattern 9 0
ListScriptsResponse::1 scripts 11 1 ScriptInfo
ScriptInfo::1 name 9 0;2 description 9 0;3 language 9 0;4 parameters 11 1 ParameterDefinition;5 return_type 9 0;6 has_inline_script 8 0;7 script_path 9 0
RegisterScriptRequest:script_source:1 name 9 0;2 description 9 0;3 language 9 0;4 parameters 11 1 ParameterDefinition;5 return_type 9 0;6 inline_script 9 16;7 script_path 9 16
RegisterScriptResponse::1 success 8 0;2 script_name 9 0;3 error_message 9 0
ExecuteScriptRequest::1 script_id 9 0;2 script_content 9 0;3 script_type 9 0;4 parameters 11 4 _ExecuteScriptRequest_ParametersEntry
_ExecuteScriptRequest_ParametersEntry::1 key 9 0;2 value 9 0
ExecuteScriptResponse::1 success 8 0;2 output 9 0;3 error 9 0
StreamScriptExecutionRequest::1 script_name 9 0;2 input 11 0 ScriptInput
ScriptInput::1 parameters 11 4 _ScriptInput_ParametersEntry
_ScriptInput_ParametersEntry::1 key 9 0;2 value 9 0
ScriptChunk:chunk_type:1 result 11 16 ScriptResult;2 output 11 16 ScriptOutput;3 error 11 16 ScriptError;4 timestamp 3 0
ScriptResult::1 success 8 0;2 output 9 0;3 metadata 11 4 _ScriptResult_MetadataEntry
_ScriptResult_MetadataEntry::1 key 9 0;2 value 9 0
ScriptOutput::1 data 9 0;2 is_final 8 0
ScriptError::1 error_message 9 0;2 error_type 9 0
"""


# gRPC methods: path -> (request, response, server streaming)
SERVICES = {
    "/loki.LokiService/GetCapabilities": (GetCapabilitiesRequest, GetCapabilitiesResponse, False),
    "/loki.LokiService/GetChildrenStatus": (GetChildrenStatusRequest, GetChildrenStatusResponse, False),
    "/loki.LokiService/ListScripts": (ListScriptsRequest, ListScriptsResponse, False),
    "/loki.LokiService/RegisterScript": (RegisterScriptRequest, RegisterScriptResponse, False),
    "/loki.LokiService/ExecuteScript": (ExecuteScriptRequest, ExecuteScriptResponse, False),
    "/loki.LokiService/StreamScriptExecution": (StreamScriptExecutionRequest, ScriptChunk, True),
}
