"""Generated from proto/jotunheim_capability.proto by `jotunheim protogen`. Do not edit."""

from jotunheim.pb import Message


class JotunheimCapabilities(Message):
    pass


class Tool(Message):
    pass


class ParameterDefinition(Message):
    pass


class HardwareCapabilities(Message):
    pass


class GpioInfo(Message):
    pass


class ResourceLimits(Message):
    pass


class ProtocolFeatures(Message):
    pass


class StreamPluginInfo(Message):
    pass


class CapabilityRequest(Message):
    pass


class CapabilityResponse(Message):
    pass


class CapabilityUpdateEvent(Message):
    pass


MESSAGES = (
    JotunheimCapabilities,
    Tool,
    ParameterDefinition,
    HardwareCapabilities,
    GpioInfo,
    ResourceLimits,
    ProtocolFeatures,
    StreamPluginInfo,
    CapabilityRequest,
    CapabilityResponse,
    CapabilityUpdateEvent,
)

# Field tables, parsed on first use of a class (jotunheim.pb.fields_of), so importing
# this module costs only the classes. Line i is the class MESSAGES[i]:
# oneof names:row;... a row: [number] name [kind [flags [sub]]] (number: when
# not the previous one + 1; kind: when not 9, string)
TABLES = """
:device_id;device_name;device_type;firmware_version;protocol_version;tools 11 1 Tool;hardware 11 0 HardwareCapabilities;resources 11 0 ResourceLimits;features 11 0 ProtocolFeatures
:name;description;parameters 11 1 ParameterDefinition;return_type;user_only 8;unit
:name;type;required 8;description;minimum 1 8;maximum 1 8;enum_values 9 1;unit;default_value
:gpio 11 0 GpioInfo;interfaces 9 1;sensors 9 1;actuators 9 1
:available_pins 5 3;digital 8;analog 8;pwm 8
:max_memory_kb 13;max_cpu_percent 13;max_concurrent_tools 13
:streaming 8;compression 8;encryption 8;stream_kinds 9 1;stream_plugins 11 1 StreamPluginInfo;stream_transport
:name;kind;direction;sample_format
:
:capabilities 11 0 JotunheimCapabilities
:event_type;capabilities 11 0 JotunheimCapabilities
"""
