"""Generated from proto/loki.proto by `jotunheim protogen`. Do not edit."""

from jotunheim.pb import message


def __getattr__(name):
    # A message class is made when first looked up (jotunheim.pb.message), so
    # a board holds only the classes it uses.
    return message(globals(), name)


# Field tables, parsed on first use of a class (jotunheim.pb.fields_of). A line
# per message: class name:oneof names:row;... a row: [number] name [kind [flags
# [sub]]] (number: when not the previous one + 1; kind: when not 9, string)
TABLES = """
GetCapabilitiesRequest::
GetCapabilitiesResponse::service_name;purpose;capabilities 11 1 ScriptCapability;children 11 1 ChildServiceInfo
ScriptCapability::script_name;description;parameters 11 1 ParameterDefinition;return_type;supports_streaming 8
ParameterDefinition::name;type;required 8;description
ChildServiceInfo::name;purpose;enabled 8;address
GetChildrenStatusRequest::
GetChildrenStatusResponse::children 11 1 ChildStatus
ChildStatus::name;available 8;status_message;last_check_timestamp 3
ListScriptsRequest::name_pattern
ListScriptsResponse::scripts 11 1 ScriptInfo
ScriptInfo::name;description;language;parameters 11 1 ParameterDefinition;return_type;has_inline_script 8;script_path
RegisterScriptRequest:script_source:name;description;language;parameters 11 1 ParameterDefinition;return_type;inline_script 9 16;script_path 9 16
RegisterScriptResponse::success 8;script_name;error_message
ExecuteScriptRequest::script_id;script_content;script_type;parameters 11 4 9 9
ExecuteScriptResponse::success 8;output;error
StreamScriptExecutionRequest::script_name;input 11 0 ScriptInput
ScriptInput::parameters 11 4 9 9
ScriptChunk:chunk_type:result 11 16 ScriptResult;output 11 16 ScriptOutput;error 11 16 ScriptError;timestamp 3
ScriptResult::success 8;output;metadata 11 4 9 9
ScriptOutput::data;is_final 8
ScriptError::error_message;error_type
"""
