"""Generated from proto/einherjar.proto by `jotunheim protogen`. Do not edit."""

from jotunheim.pb import Message


class CapabilityRequest(Message):
    pass


class CapabilityResponse(Message):
    pass


class FunctionDefinition(Message):
    pass


class ParameterDefinition(Message):
    pass


# Field tables, parsed on first use of a class (jotunheim.pb.fields_of), so importing
# this module costs only the classes. One line per message:
# Class:oneof names:number name type flags [message type];...
_TABLES = """
CapabilityRequest::
CapabilityResponse::1 god_name 9 0;2 purpose 9 0;3 functions 11 1 FunctionDefinition;4 responsibility_domains 9 1;5 responsibility_keywords 9 1
FunctionDefinition::1 name 9 0;2 description 9 0;3 parameters 11 1 ParameterDefinition;4 return_type 9 0;5 capabilities 9 1;6 responsibility_keywords 9 1
ParameterDefinition::1 name 9 0;2 type 9 0;3 description 9 0;4 required 8 0;5 enum_values 9 1
"""


# gRPC methods: path -> (request, response, server streaming)
SERVICES = {
    "/einherjar.EinherjarProtocol/GetCapabilities": (CapabilityRequest, CapabilityResponse, False),
}
