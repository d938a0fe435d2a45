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


# Field tables, parsed on first use of a class (jotunheim.pb.fields_of), so importing
# this module costs only the classes. One line per message:
# Class:oneof names:[number] name type [flags [message type]];... (number: when
# not the previous one + 1)
TABLES = """
GetCapabilitiesRequest::
GetCapabilitiesResponse::service_name 9;purpose 9;capabilities 11 1 ScriptCapability;children 11 1 ChildServiceInfo
ScriptCapability::script_name 9;description 9;parameters 11 1 ParameterDefinition;return_type 9;supports_streaming 8
ParameterDefinition::name 9;type 9;required 8;description 9
ChildServiceInfo::name 9;purpose 9;enabled 8;address 9
GetChildrenStatusRequest::
GetChildrenStatusResponse::children 11 1 ChildStatus
ChildStatus::name 9;available 8;status_message 9;last_check_timestamp 3
ListScriptsRequest::name_pattern 9
ListScriptsResponse::scripts 11 1 ScriptInfo
ScriptInfo::name 9;description 9;language 9;parameters 11 1 ParameterDefinition;return_type 9;has_inline_script 8;script_path 9
RegisterScriptRequest:script_source:name 9;description 9;language 9;parameters 11 1 ParameterDefinition;return_type 9;inline_script 9 16;script_path 9 16
RegisterScriptResponse::success 8;script_name 9;error_message 9
ExecuteScriptRequest::script_id 9;script_content 9;script_type 9;parameters 11 4 9,9
ExecuteScriptResponse::success 8;output 9;error 9
StreamScriptExecutionRequest::script_name 9;input 11 0 ScriptInput
ScriptInput::parameters 11 4 9,9
ScriptChunk:chunk_type:result 11 16 ScriptResult;output 11 16 ScriptOutput;error 11 16 ScriptError;timestamp 3
ScriptResult::success 8;output 9;metadata 11 4 9,9
ScriptOutput::data 9;is_final 8
ScriptError::error_message 9;error_type 9
"""
