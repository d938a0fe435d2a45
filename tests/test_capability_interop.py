# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The capabilities of a realistic board (8 sensors/actuators, 20 pins) decode with
betterproto and Google protobuf to the same content."""

import importlib.util
from pathlib import Path

from google.protobuf import json_format

from jotunheim.pb import jotunheim_capability as cap
from jotunheim_host.reference_pb.jotunheim import capability as ref
from tests import pb_support

SUITE = Path(__file__).parent / "micropython" / "suite" / "test_capability.py"


def load_board_module():
    spec = importlib.util.spec_from_file_location("mp_capability_board", SUITE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_realistic_board_decodes_with_betterproto():
    caps = load_board_module().realistic_capabilities()
    data = caps.encode()
    assert len(caps.hardware.gpio.available_pins) == 20
    assert len(caps.hardware.sensors) + len(caps.hardware.actuators) == 9  # 8 parts + button
    decoded = ref.JotunheimCapabilities().parse(data)
    # every field, recursively, equals ours
    assert pb_support.from_betterproto(decoded, cap.JotunheimCapabilities) == caps
    # and spot checks straight on betterproto's objects
    assert decoded.device_id == "E6613852834D2A21"
    assert decoded.device_type == "RP2040 (Pico W)"
    assert list(decoded.hardware.gpio.available_pins) == list(range(20))
    tools = {t.name: t for t in decoded.tools}
    angle = tools["set_servo_angle"].parameters[0]
    assert (angle.minimum, angle.maximum, angle.unit, angle.required) == (0.0, 180.0, "deg", True)
    on = tools["set_led"].parameters[0]
    assert on.minimum is None and on.maximum is None  # proto3 optional: unset stays unset
    assert tools["read_bme280_pressure"].unit == "hPa"
    assert tools["reboot"].user_only and tools["gpio_write"].user_only
    assert tools["gpio_write"].parameters[0].enum_values == ["14", "17"]
    # betterproto's own encoding reads back as the same message with our decoder
    assert cap.JotunheimCapabilities.decode(bytes(decoded)) == caps


def test_realistic_board_decodes_with_google_protobuf():
    caps = load_board_module().realistic_capabilities()
    google = pb_support.google_class("jotunheim.capability.JotunheimCapabilities")()
    google.ParseFromString(caps.encode())
    as_dict = json_format.MessageToDict(google, preserving_proto_field_name=True)
    assert as_dict["device_name"] == "greenhouse-controller"
    assert as_dict["resources"] == {
        "max_memory_kb": 100,
        "max_cpu_percent": 80,
        "max_concurrent_tools": 2,
    }
    assert len(as_dict["tools"]) == len(caps.tools)
    servo = [t for t in as_dict["tools"] if t["name"] == "set_servo_angle"][0]
    assert servo["parameters"][0]["minimum"] == 0.0  # present although 0: optional field
    assert google.SerializeToString(deterministic=True) == caps.encode()


def test_capability_response_and_update_event_round_trip():
    caps = load_board_module().realistic_capabilities()
    for msg, ref_cls in (
        (cap.CapabilityResponse(capabilities=caps), ref.CapabilityResponse),
        (
            cap.CapabilityUpdateEvent(event_type="updated", capabilities=caps),
            ref.CapabilityUpdateEvent,
        ),
    ):
        decoded = ref_cls().parse(msg.encode())
        assert decoded.capabilities.device_id == caps.device_id
        assert pb_support.from_betterproto(decoded, type(msg)) == msg
