# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Field declarations and the validation every tool call goes through."""

import math

import pytest

from jotunheim.capability import wording
from jotunheim.capability.errors import ToolParameterError
from jotunheim.capability.export import json_text
from jotunheim.capability.schema import (
    ARRAY,
    BOOLEAN,
    NUMBER,
    OBJECT,
    STRING,
    Field,
    validate,
)
from jotunheim.capability.textinput import parse_params
from jotunheim.capability.wording import expected, value_text

ANGLE = Field("angle", NUMBER, unit="deg", minimum=0, maximum=180, required=True)
MODE = Field("mode", STRING, enum=("auto", "manual"), default="auto")
ON = Field("on", BOOLEAN)
PIN = Field("pin", NUMBER, enum=("4", "5"))


def test_numbers_from_json_and_from_loki_strings():
    assert validate((ANGLE,), {"angle": 90}, "t") == {"angle": 90}
    assert validate((ANGLE,), {"angle": 12.5}, "t") == {"angle": 12.5}
    assert validate((ANGLE,), {"angle": "45"}, "t") == {"angle": 45}
    assert validate((ANGLE,), {"angle": " 7.25 "}, "t") == {"angle": 7.25}
    assert validate((ANGLE,), {"angle": "-0"}, "t") == {"angle": 0}


@pytest.mark.parametrize(
    ("value", "found"),
    [
        (200, "200"),
        (-1, "-1"),
        (True, "Boolean True"),
        ("ninety", "String 'ninety'"),
        ([90], "Array"),
        (float("nan"), "nan"),
        (math.inf, "inf"),
    ],
)
def test_bad_numbers_name_parameter_expected_and_found(value, found):
    with pytest.raises(ToolParameterError) as info:
        validate((ANGLE,), {"angle": value}, "set_servo_angle")
    err = info.value
    assert err.tool == "set_servo_angle"
    assert err.parameter == "angle"
    assert err.expected == "Number in 0..180 deg"
    assert err.found == found
    assert str(err) == (
        "set_servo_angle: parameter 'angle' expected Number in 0..180 deg, found " + found
    )
    assert isinstance(err, ValueError)


def test_required_missing_and_unknown_names():
    with pytest.raises(ToolParameterError, match=r"'angle' expected .* found nothing \(it is"):
        validate((ANGLE,), {}, "t")
    with pytest.raises(ToolParameterError, match=r"'speed' expected one of: angle, found an"):
        validate((ANGLE,), {"angle": 1, "speed": 2}, "t")
    with pytest.raises(ToolParameterError, match="expected an object of parameters, found Array"):
        validate((ANGLE,), [1], "t")
    # null counts as missing
    with pytest.raises(ToolParameterError, match="nothing"):
        validate((ANGLE,), {"angle": None}, "t")


def test_defaults_enums_and_booleans():
    assert validate((MODE,), None, "t") == {"mode": "auto"}
    assert validate((MODE,), {"mode": "manual"}, "t") == {"mode": "manual"}
    with pytest.raises(ToolParameterError) as info:
        validate((MODE,), {"mode": "turbo"}, "t")
    assert info.value.expected == "String, one of auto, manual"
    for text, value in (("true", True), ("ON", True), ("0", False), ("off", False), (1, True)):
        assert validate((ON,), {"on": text}, "t") == {"on": value}
    with pytest.raises(ToolParameterError, match="expected Boolean"):
        validate((ON,), {"on": "maybe"}, "t")
    with pytest.raises(ToolParameterError, match="expected Boolean"):
        validate((ON,), {"on": 2}, "t")
    # numeric enums compare by their text (enum_values are strings on the wire)
    assert validate((PIN,), {"pin": 5}, "t") == {"pin": 5}
    assert validate((PIN,), {"pin": "4"}, "t") == {"pin": 4}
    with pytest.raises(ToolParameterError, match="one of 4, 5"):
        validate((PIN,), {"pin": 6}, "t")


def test_objects_and_arrays_accept_json_text():
    obj = Field("values", OBJECT, required=True)
    arr = Field("xs", ARRAY)
    assert validate((obj,), {"values": '{"a": 1}'}, "t") == {"values": {"a": 1}}
    assert validate((obj, arr), {"values": {}, "xs": (1, 2)}, "t") == {"values": {}, "xs": [1, 2]}
    with pytest.raises(ToolParameterError, match=r"Object \(JSON\), found invalid JSON"):
        validate((obj,), {"values": "{nope"}, "t")
    with pytest.raises(ToolParameterError, match="expected Object, found Array"):
        validate((obj,), {"values": "[1]"}, "t")


def test_field_texts():
    assert wording.summary(ANGLE) == "Number in 0..180 deg"
    described = Field("t", NUMBER, minimum=-40.5, unit="C", default=20, description="Target")
    assert wording.summary(described) == "Target (Number >= -40.5 C, default 20)"
    assert expected(Field("x", NUMBER, maximum=1.0)) == "Number <= 1"
    assert json_text(None) == ""
    assert json_text(True) == "true"
    assert json_text("auto") == '"auto"'
    with pytest.raises(ValueError, match="type must be one of"):
        Field("x", "Integer")


def test_parameters_as_json_text():
    assert parse_params('{"angle": 90}', "set_servo_angle") == {"angle": 90}
    assert parse_params(b'{"on": true}') == {"on": True}
    assert parse_params("  ") == {}
    with pytest.raises(ToolParameterError) as info:
        parse_params("{angle", "set_servo_angle")
    assert str(info.value) == (
        "set_servo_angle expected a JSON object of parameters, found invalid JSON"
    )
    # Parsed but not an object: validate() names what came.
    with pytest.raises(ToolParameterError, match="an object of parameters, found Array"):
        validate((ANGLE,), parse_params("[1]"), "set_servo_angle")


def test_value_text_is_how_schemas_write_values():
    assert [value_text(v) for v in (True, False, 12.0, 0.5, 7, "eco")] == [
        "true",
        "false",
        "12",
        "0.5",
        "7",
        "eco",
    ]
