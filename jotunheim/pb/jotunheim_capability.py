"""Generated from proto/jotunheim_capability.proto by `jotunheim protogen`. Do not edit."""

from jotunheim.pb import Message, setup


class JotunheimCapabilities(Message):
    """Message jotunheim.capability.JotunheimCapabilities."""


class Tool(Message):
    """Message jotunheim.capability.Tool."""


class ParameterDefinition(Message):
    """Message jotunheim.capability.ParameterDefinition."""


class HardwareCapabilities(Message):
    """Message jotunheim.capability.HardwareCapabilities."""


class GpioInfo(Message):
    """Message jotunheim.capability.GpioInfo."""


class ResourceLimits(Message):
    """Message jotunheim.capability.ResourceLimits."""


class ProtocolFeatures(Message):
    """Message jotunheim.capability.ProtocolFeatures."""


class CapabilityRequest(Message):
    """Message jotunheim.capability.CapabilityRequest."""


class CapabilityResponse(Message):
    """Message jotunheim.capability.CapabilityResponse."""


class CapabilityUpdateEvent(Message):
    """Message jotunheim.capability.CapabilityUpdateEvent."""


setup(JotunheimCapabilities, (
    (1, "device_id", 9, 0, None),
    (2, "device_name", 9, 0, None),
    (3, "device_type", 9, 0, None),
    (4, "firmware_version", 9, 0, None),
    (5, "protocol_version", 9, 0, None),
    (6, "tools", 11, 1, Tool),
    (7, "hardware", 11, 0, HardwareCapabilities),
    (8, "resources", 11, 0, ResourceLimits),
    (9, "features", 11, 0, ProtocolFeatures),
))
setup(Tool, (
    (1, "name", 9, 0, None),
    (2, "description", 9, 0, None),
    (3, "parameters", 11, 1, ParameterDefinition),
    (4, "return_type", 9, 0, None),
    (5, "user_only", 8, 0, None),
    (6, "unit", 9, 0, None),
))
setup(ParameterDefinition, (
    (1, "name", 9, 0, None),
    (2, "type", 9, 0, None),
    (3, "required", 8, 0, None),
    (4, "description", 9, 0, None),
    (5, "minimum", 1, 8, None),
    (6, "maximum", 1, 8, None),
    (7, "enum_values", 9, 1, None),
    (8, "unit", 9, 0, None),
    (9, "default_value", 9, 0, None),
))
setup(HardwareCapabilities, (
    (1, "gpio", 11, 0, GpioInfo),
    (2, "interfaces", 9, 1, None),
    (3, "sensors", 9, 1, None),
    (4, "actuators", 9, 1, None),
))
setup(GpioInfo, (
    (1, "available_pins", 5, 3, None),
    (2, "digital", 8, 0, None),
    (3, "analog", 8, 0, None),
    (4, "pwm", 8, 0, None),
))
setup(ResourceLimits, (
    (1, "max_memory_kb", 13, 0, None),
    (2, "max_cpu_percent", 13, 0, None),
    (3, "max_concurrent_tools", 13, 0, None),
))
setup(ProtocolFeatures, (
    (1, "streaming", 8, 0, None),
    (2, "compression", 8, 0, None),
    (3, "encryption", 8, 0, None),
))
setup(CapabilityRequest, ())
setup(CapabilityResponse, (
    (1, "capabilities", 11, 0, JotunheimCapabilities),
))
setup(CapabilityUpdateEvent, (
    (1, "event_type", 9, 0, None),
    (2, "capabilities", 11, 0, JotunheimCapabilities),
))
