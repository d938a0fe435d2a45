"""Generated from proto/jotunheim_capability.proto by `jotunheim protogen`. Do not edit."""

from jotunheim.pb import message


def __getattr__(name):
    # A message class is made when first looked up (jotunheim.pb.message), so
    # a board holds only the classes it uses.
    return message(globals(), name)


# Field tables, parsed on first use of a class (jotunheim.pb.fields_of). A line
# per message: class name:oneof names:row;... a row: [number] name [kind [flags
# [sub]]] (number: when not the previous one + 1; kind: when not 9, string)
TABLES = """
JotunheimCapabilities::device_id;device_name;device_type;firmware_version;protocol_version;tools 11 1 Tool;hardware 11 0 HardwareCapabilities;resources 11 0 ResourceLimits;features 11 0 ProtocolFeatures
Tool::name;description;parameters 11 1 ParameterDefinition;return_type;user_only 8;unit
ParameterDefinition::name;type;required 8;description;minimum 1 8;maximum 1 8;enum_values 9 1;unit;default_value
HardwareCapabilities::gpio 11 0 GpioInfo;interfaces 9 1;sensors 9 1;actuators 9 1
GpioInfo::available_pins 5 3;digital 8;analog 8;pwm 8
ResourceLimits::max_memory_kb 13;max_cpu_percent 13;max_concurrent_tools 13
ProtocolFeatures::streaming 8;compression 8;encryption 8;stream_kinds 9 1;stream_plugins 11 1 StreamPluginInfo;stream_transport
StreamPluginInfo::name;kind;direction;sample_format
CapabilityRequest::
CapabilityResponse::capabilities 11 0 JotunheimCapabilities
CapabilityUpdateEvent::event_type;capabilities 11 0 JotunheimCapabilities
"""
