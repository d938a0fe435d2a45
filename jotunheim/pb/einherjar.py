"""Generated from proto/einherjar.proto by `jotunheim protogen`. Do not edit."""

from jotunheim.pb import message


def __getattr__(name):
    # A message class is made when first looked up (jotunheim.pb.message), so
    # a board holds only the classes it uses.
    return message(globals(), name)


# Field tables, parsed on first use of a class (jotunheim.pb.fields_of). A line
# per message: class name:oneof names:row;... a row: [number] name [kind [flags
# [sub]]] (number: when not the previous one + 1; kind: when not 9, string)
TABLES = """
CapabilityRequest::
CapabilityResponse::god_name;purpose;functions 11 1 FunctionDefinition;responsibility_domains 9 1;responsibility_keywords 9 1
FunctionDefinition::name;description;parameters 11 1 ParameterDefinition;return_type;capabilities 9 1;responsibility_keywords 9 1
ParameterDefinition::name;type;description;required 8;enum_values 9 1
"""
