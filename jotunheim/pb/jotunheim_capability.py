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


class CapabilityRequest(Message):
    pass


class CapabilityResponse(Message):
    pass


class CapabilityUpdateEvent(Message):
    pass


# Field tables, parsed on first use of a class (jotunheim.pb.fields_of), so importing
# this module costs only the classes. One line per message:
# Class:oneof names:number name type flags [message type];...
_TABLES = """
JotunheimCapabilities::1 device_id 9 0;2 device_name 9 0;3 device_type 9 0;4 firmware_version 9 0;5 protocol_version 9 0;6 tools 11 1 Tool;7 hardware 11 0 HardwareCapabilities;8 resources 11 0 ResourceLimits;9 features 11 0 ProtocolFeatures
Tool::1 name 9 0;2 description 9 0;3 parameters 11 1 ParameterDefinition;4 return_type 9 0;5 user_only 8 0;6 unit 9 0
ParameterDefinition::1 name 9 0;2 type 9 0;3 required 8 0;4 description 9 0;5 minimum 1 8;6 maximum 1 8;7 enum_values 9 1;8 unit 9 0;9 default_value 9 0
HardwareCapabilities::1 gpio 11 0 GpioInfo;2 interfaces 9 1;3 sensors 9 1;4 actuators 9 1
GpioInfo::1 available_pins 5 3;2 digital 8 0;3 analog 8 0;4 pwm 8 0
ResourceLimits::1 max_memory_kb 13 0;2 max_cpu_percent 13 0;3 max_concurrent_tools 13 0
ProtocolFeatures::1 streaming 8 0;2 compression 8 0;3 encryption 8 0
CapabilityRequest::
CapabilityResponse::1 capabilities 11 0 JotunheimCapabilities
CapabilityUpdateEvent::1 event_type 9 0;2 capabilities 11 0 JotunheimCapabilities
"""
