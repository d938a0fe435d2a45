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


MESSAGES = (
    CapabilityRequest,
    CapabilityResponse,
    FunctionDefinition,
    ParameterDefinition,
)

# Field tables, parsed on first use of a class (jotunheim.pb.fields_of), so importing
# this module costs only the classes. Line i is the class MESSAGES[i]:
# oneof names:row;... a row: [number] name [kind [flags [sub]]] (number: when
# not the previous one + 1; kind: when not 9, string)
TABLES = """
:
:god_name;purpose;functions 11 1 FunctionDefinition;responsibility_domains 9 1;responsibility_keywords 9 1
:name;description;parameters 11 1 ParameterDefinition;return_type;capabilities 9 1;responsibility_keywords 9 1
:name;type;description;required 8;enum_values 9 1
"""
