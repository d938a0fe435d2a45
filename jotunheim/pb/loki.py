"""Generated from proto/loki.proto by `jotunheim protogen`. Do not edit."""

from jotunheim.pb import Message, setup


class GetCapabilitiesRequest(Message):
    """Message loki.GetCapabilitiesRequest."""


class GetCapabilitiesResponse(Message):
    """Message loki.GetCapabilitiesResponse."""


class ScriptCapability(Message):
    """Message loki.ScriptCapability."""


class ParameterDefinition(Message):
    """Message loki.ParameterDefinition."""


class ChildServiceInfo(Message):
    """Message loki.ChildServiceInfo."""


class GetChildrenStatusRequest(Message):
    """Message loki.GetChildrenStatusRequest."""


class GetChildrenStatusResponse(Message):
    """Message loki.GetChildrenStatusResponse."""


class ChildStatus(Message):
    """Message loki.ChildStatus."""


class ListScriptsRequest(Message):
    """Message loki.ListScriptsRequest."""


class ListScriptsResponse(Message):
    """Message loki.ListScriptsResponse."""


class ScriptInfo(Message):
    """Message loki.ScriptInfo."""


class RegisterScriptRequest(Message):
    """Message loki.RegisterScriptRequest."""


class RegisterScriptResponse(Message):
    """Message loki.RegisterScriptResponse."""


class ExecuteScriptRequest(Message):
    """Message loki.ExecuteScriptRequest."""


class _ExecuteScriptRequest_ParametersEntry(Message):
    """Message loki.ExecuteScriptRequest.ParametersEntry."""


class ExecuteScriptResponse(Message):
    """Message loki.ExecuteScriptResponse."""


class StreamScriptExecutionRequest(Message):
    """Message loki.StreamScriptExecutionRequest."""


class ScriptInput(Message):
    """Message loki.ScriptInput."""


class _ScriptInput_ParametersEntry(Message):
    """Message loki.ScriptInput.ParametersEntry."""


class ScriptChunk(Message):
    """Message loki.ScriptChunk."""


class ScriptResult(Message):
    """Message loki.ScriptResult."""


class _ScriptResult_MetadataEntry(Message):
    """Message loki.ScriptResult.MetadataEntry."""


class ScriptOutput(Message):
    """Message loki.ScriptOutput."""


class ScriptError(Message):
    """Message loki.ScriptError."""


setup(GetCapabilitiesRequest, ())
setup(GetCapabilitiesResponse, (
    (1, "service_name", 9, 0, None),
    (2, "purpose", 9, 0, None),
    (3, "capabilities", 11, 1, ScriptCapability),
    (4, "children", 11, 1, ChildServiceInfo),
))
setup(ScriptCapability, (
    (1, "script_name", 9, 0, None),
    (2, "description", 9, 0, None),
    (3, "parameters", 11, 1, ParameterDefinition),
    (4, "return_type", 9, 0, None),
    (5, "supports_streaming", 8, 0, None),
))
setup(ParameterDefinition, (
    (1, "name", 9, 0, None),
    (2, "type", 9, 0, None),
    (3, "required", 8, 0, None),
    (4, "description", 9, 0, None),
))
setup(ChildServiceInfo, (
    (1, "name", 9, 0, None),
    (2, "purpose", 9, 0, None),
    (3, "enabled", 8, 0, None),
    (4, "address", 9, 0, None),
))
setup(GetChildrenStatusRequest, ())
setup(GetChildrenStatusResponse, (
    (1, "children", 11, 1, ChildStatus),
))
setup(ChildStatus, (
    (1, "name", 9, 0, None),
    (2, "available", 8, 0, None),
    (3, "status_message", 9, 0, None),
    (4, "last_check_timestamp", 3, 0, None),
))
setup(ListScriptsRequest, (
    (1, "name_pattern", 9, 0, None),
))
setup(ListScriptsResponse, (
    (1, "scripts", 11, 1, ScriptInfo),
))
setup(ScriptInfo, (
    (1, "name", 9, 0, None),
    (2, "description", 9, 0, None),
    (3, "language", 9, 0, None),
    (4, "parameters", 11, 1, ParameterDefinition),
    (5, "return_type", 9, 0, None),
    (6, "has_inline_script", 8, 0, None),
    (7, "script_path", 9, 0, None),
))
setup(RegisterScriptRequest, (
    (1, "name", 9, 0, None),
    (2, "description", 9, 0, None),
    (3, "language", 9, 0, None),
    (4, "parameters", 11, 1, ParameterDefinition),
    (5, "return_type", 9, 0, None),
    (6, "inline_script", 9, 16, None),
    (7, "script_path", 9, 16, None),
), ("script_source",))
setup(RegisterScriptResponse, (
    (1, "success", 8, 0, None),
    (2, "script_name", 9, 0, None),
    (3, "error_message", 9, 0, None),
))
setup(ExecuteScriptRequest, (
    (1, "script_id", 9, 0, None),
    (2, "script_content", 9, 0, None),
    (3, "script_type", 9, 0, None),
    (4, "parameters", 11, 4, _ExecuteScriptRequest_ParametersEntry),
))
setup(_ExecuteScriptRequest_ParametersEntry, (
    (1, "key", 9, 0, None),
    (2, "value", 9, 0, None),
))
setup(ExecuteScriptResponse, (
    (1, "success", 8, 0, None),
    (2, "output", 9, 0, None),
    (3, "error", 9, 0, None),
))
setup(StreamScriptExecutionRequest, (
    (1, "script_name", 9, 0, None),
    (2, "input", 11, 0, ScriptInput),
))
setup(ScriptInput, (
    (1, "parameters", 11, 4, _ScriptInput_ParametersEntry),
))
setup(_ScriptInput_ParametersEntry, (
    (1, "key", 9, 0, None),
    (2, "value", 9, 0, None),
))
setup(ScriptChunk, (
    (1, "result", 11, 16, ScriptResult),
    (2, "output", 11, 16, ScriptOutput),
    (3, "error", 11, 16, ScriptError),
    (4, "timestamp", 3, 0, None),
), ("chunk_type",))
setup(ScriptResult, (
    (1, "success", 8, 0, None),
    (2, "output", 9, 0, None),
    (3, "metadata", 11, 4, _ScriptResult_MetadataEntry),
))
setup(_ScriptResult_MetadataEntry, (
    (1, "key", 9, 0, None),
    (2, "value", 9, 0, None),
))
setup(ScriptOutput, (
    (1, "data", 9, 0, None),
    (2, "is_final", 8, 0, None),
))
setup(ScriptError, (
    (1, "error_message", 9, 0, None),
    (2, "error_type", 9, 0, None),
))

# gRPC methods: path -> (request, response, server streaming)
SERVICES = {
    "/loki.LokiService/GetCapabilities": (GetCapabilitiesRequest, GetCapabilitiesResponse, False),
    "/loki.LokiService/GetChildrenStatus": (GetChildrenStatusRequest, GetChildrenStatusResponse, False),
    "/loki.LokiService/ListScripts": (ListScriptsRequest, ListScriptsResponse, False),
    "/loki.LokiService/RegisterScript": (RegisterScriptRequest, RegisterScriptResponse, False),
    "/loki.LokiService/ExecuteScript": (ExecuteScriptRequest, ExecuteScriptResponse, False),
    "/loki.LokiService/StreamScriptExecution": (StreamScriptExecutionRequest, ScriptChunk, True),
}
