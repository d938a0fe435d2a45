"""Generated from proto/einherjar.proto by `jotunheim protogen`. Do not edit."""

from jotunheim.pb import Message, setup


class CapabilityRequest(Message):
    """Message einherjar.CapabilityRequest."""


class CapabilityResponse(Message):
    """Message einherjar.CapabilityResponse."""


class FunctionDefinition(Message):
    """Message einherjar.FunctionDefinition."""


class ParameterDefinition(Message):
    """Message einherjar.ParameterDefinition."""


setup(CapabilityRequest, ())
setup(CapabilityResponse, (
    (1, "god_name", 9, 0, None),
    (2, "purpose", 9, 0, None),
    (3, "functions", 11, 1, FunctionDefinition),
    (4, "responsibility_domains", 9, 1, None),
    (5, "responsibility_keywords", 9, 1, None),
))
setup(FunctionDefinition, (
    (1, "name", 9, 0, None),
    (2, "description", 9, 0, None),
    (3, "parameters", 11, 1, ParameterDefinition),
    (4, "return_type", 9, 0, None),
    (5, "capabilities", 9, 1, None),
    (6, "responsibility_keywords", 9, 1, None),
))
setup(ParameterDefinition, (
    (1, "name", 9, 0, None),
    (2, "type", 9, 0, None),
    (3, "description", 9, 0, None),
    (4, "required", 8, 0, None),
    (5, "enum_values", 9, 1, None),
))

# gRPC methods: path -> (request, response, server streaming)
SERVICES = {
    "/einherjar.EinherjarProtocol/GetCapabilities": (CapabilityRequest, CapabilityResponse, False),
}
