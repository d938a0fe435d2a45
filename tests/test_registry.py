# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""ToolRegistry: naming rule, generic fallbacks, GPIO, user-only tools, calls, exports."""

import json

import board
import pytest

from jotunheim.capability import export
from jotunheim.capability.drivers.environment import BME280, DHT22
from jotunheim.capability.drivers.io import Led, Relay
from jotunheim.capability.drivers.pwm import Servo
from jotunheim.capability.drivers.simulated import (
    SimulatedButton,
    SimulatedClimateSensor,
    SimulatedLed,
    SimulatedRelay,
)
from jotunheim.capability.errors import ToolParameterError, ToolPermissionError, UnknownToolError
from jotunheim.capability.export import lua_string
from jotunheim.capability.gpio import GpioTools
from jotunheim.capability.registry import ToolRegistry
from jotunheim.capability.removal import remove, remove_provider
from jotunheim.capability.schema import NUMBER, STRING, Field, slug, validate
from jotunheim.capability.system import SystemTools
from jotunheim.pb import einherjar, loki
from jotunheim_host.reference_pb import einherjar as ref_einherjar
from jotunheim_host.reference_pb import loki as ref_loki


def part_kinds(reg):
    """The sensors' part kinds as the capability summary lists them ("Custom" if none)."""
    from jotunheim.capability.builder import DeviceCapabilityBuilder

    return list(DeviceCapabilityBuilder(name="t").build(reg).hardware.sensors)


def tool_names(reg):
    """Every tool name, in the registry's order."""
    return [tool.name for tool in reg.tools()]


class Dht:
    def __init__(self, t, h):
        self.temperature, self.humidity = t, h


class Pin:
    def __init__(self):
        self.value = False


class ServoDev:
    angle = None


class Bme:
    temperature, pressure, altitude, relative_humidity = 22.0, 1000.0, 110.0, 40.0


def test_slug():
    assert slug("DHT22") == "dht22"
    assert slug("DHT22-sim") == "dht22_sim"
    assert slug("  Kitchen  Window #2 ") == "kitchen_window_2"
    assert slug("SHT4x") == "sht4x"
    assert slug("--") == ""


def test_upstream_style_names_for_single_parts():
    reg = ToolRegistry()
    reg.add_sensor("kitchen", DHT22(device=Dht(21.5, 40.0)))
    reg.add_actuator("status", Led(io=Pin()))
    reg.add_actuator("pump", Relay(io=Pin()))
    reg.add_actuator("vent", Servo(device=ServoDev()))
    assert tool_names(reg) == [
        "read_dht22_temperature",
        "read_dht22_humidity",
        "set_led",
        "get_led_state",
        "set_relay",
        "get_relay_state",
        "set_servo_angle",
        "get_servo_state",
    ]
    assert reg.call("read_dht22_temperature") == 21.5
    assert reg.call("set_led", {"on": True}) == {"on": True}
    assert reg.call("get_led_state") == {"on": True}
    assert reg.call("set_servo_angle", '{"angle": 90}') == {"angle": 90}
    tool = reg.get("read_dht22_humidity")
    assert (tool.return_type, tool.unit, tool.kind, tool.instance) == (
        "Number",
        "%",
        "sensor",
        "kitchen",
    )
    assert tool.description == "Read humidity (%) from DHT22 sensor 'kitchen'"


def test_two_sensors_of_one_kind_get_instance_suffixes():
    reg = ToolRegistry()
    reasons = []
    reg.add_listener(reasons.append)
    reg.add_sensor("kitchen", DHT22(device=Dht(21.0, 45.0)))
    assert "read_dht22_temperature" in tool_names(reg)
    reg.add_sensor("Garage Door", DHT22(device=Dht(9.5, 80.0)))
    reg.add_sensor("climate", BME280(device=Bme()))
    names = tool_names(reg)
    assert names[:4] == [
        "read_dht22_temperature_kitchen",
        "read_dht22_humidity_kitchen",
        "read_dht22_temperature_garage_door",
        "read_dht22_humidity_garage_door",
    ]
    assert "read_dht22_temperature" not in names  # renamed: a capability change
    assert "read_bme280_pressure" in names  # one BME280: no suffix
    assert reg.call("read_dht22_temperature_kitchen") == 21.0
    assert reg.call("read_dht22_temperature_garage_door") == 9.5
    assert reasons == ["sensor_added", "sensor_added", "sensor_added"]
    assert part_kinds(reg) == ["DHT22", "DHT22", "BME280"]
    with pytest.raises(ValueError, match="already registered"):
        reg.add_sensor("KITCHEN", DHT22(device=Dht(1, 1)))
    remove(reg, "Garage Door")
    assert "read_dht22_temperature" in tool_names(reg)


def test_unknown_sensor_and_actuator_types_get_generic_tools():
    class Geiger:  # no part, no declarations: a driver the registry knows nothing about
        def read(self):
            return {"cpm": 17}

    class Mystery:
        part = "Mystery"  # a name but no declared readings

        def read(self):
            return {"x": 1}

    class Valve:
        def __init__(self):
            self.open = False

        def set(self, **values):
            self.open = values["open"]
            return {"open": self.open}

        def state(self):
            return {"open": self.open}

    reg = ToolRegistry()
    reg.add_sensor("geiger", Geiger())
    reg.add_sensor("box", Mystery())
    reg.add_actuator("valve", Valve())
    assert tool_names(reg) == ["read_sensor", "set_actuator", "get_actuator_state"]
    read = reg.get("read_sensor")
    assert read.params[0].enum == ("geiger", "box")
    assert reg.call("read_sensor", {"sensor": "geiger"}) == {"cpm": 17}
    assert reg.call("set_actuator", {"actuator": "valve", "values": '{"open": true}'}) == {
        "open": True
    }
    assert reg.call("get_actuator_state", {"actuator": "valve"}) == {"open": True}
    with pytest.raises(ToolParameterError, match="one of geiger, box"):
        reg.call("read_sensor", {"sensor": "attic"})
    assert part_kinds(reg) == ["Custom", "Mystery"]
    with pytest.raises(TypeError, match="no read"):
        reg.add_sensor("bad", object())
    with pytest.raises(TypeError, match="no set"):
        reg.add_actuator("bad", object())


def test_user_defined_part_with_declarations_gets_own_tools():
    from jotunheim.capability.drivers.base import Sensor

    class Co2(Sensor):
        part = "SCD-41"
        readings = (Field("co2", NUMBER, unit="ppm", minimum=400, maximum=5000),)

        def _measure(self):
            return {"co2": 612}

    reg = ToolRegistry()
    reg.add_sensor("office", Co2())
    assert tool_names(reg) == ["read_scd_41_co2"]
    assert reg.call("read_scd_41_co2") == 612


def test_gpio_only_for_allowed_pins_and_user_only_by_default():
    made = {}

    class Dio:
        def __init__(self, pin):
            self.pin = pin
            self.value = False
            self.mode = None
            made[id(pin)] = self

        def switch_to_input(self):
            self.mode = "in"

        def switch_to_output(self):
            self.mode = "out"

        def deinit(self):
            self.mode = "released"

    reg = ToolRegistry()
    reasons = []
    reg.add_listener(reasons.append)
    gpio = reg.add_provider(GpioTools(pin_factory=Dio))
    assert "gpio_read" not in tool_names(reg)  # no pin allowed yet: no tools
    # Blinka's generic board: Dx_OUTPUT is pin 4, Dx_INPUT_TRUE pin 0 (Blinka Pin.id)
    gpio.allow([4, "Dx_INPUT_TRUE"])
    assert reasons == ["gpio_added", "gpio_changed"]
    assert gpio.pins() == [0, 4]
    write = reg.get("gpio_write")
    assert write.user_only and reg.get("gpio_read").user_only
    assert write.params[0].enum == ("0", "4")
    with pytest.raises(ToolPermissionError, match="gpio_write is a user-only tool"):
        reg.call("gpio_write", {"pin": 4, "value": True})
    assert reg.call("gpio_write", {"pin": 4, "value": True}, allow_user_only=True) is True
    dio = made[id(board.Dx_OUTPUT)]
    assert (dio.value, dio.mode) == (True, "out")
    assert reg.call("gpio_read", {"pin": "4"}, allow_user_only=True) is True
    with pytest.raises(ToolParameterError, match="'pin' expected Number, one of 0, 4, found 5"):
        reg.call("gpio_read", {"pin": 5}, allow_user_only=True)
    # user-only: not offered to models
    assert export.loki_register_requests(reg.tools(), "d:1") == []
    gpio.allow([0], user_only=False)
    assert dio.mode == "released"  # pin 4 no longer allowed: released
    names = [r.name for r in export.loki_register_requests(reg.tools(), "d:1")]
    assert names == ["gpio_read", "gpio_write"]
    assert reg.call("gpio_read", {"pin": 0}) is False
    gpio.allow([])
    assert "gpio_read" not in tool_names(reg)
    with pytest.raises(ValueError, match="pin 99 is not a pin of this board"):
        gpio.allow([99])
    with pytest.raises(ValueError, match="no pin 'NOPE'"):
        gpio.allow(["NOPE"])
    with pytest.raises(ValueError, match="no pin number known"):
        gpio.allow([board.SDA])
    assert gpio.pins() == []  # a refused call changes nothing
    gpio.allow([4])
    reg.call("gpio_write", {"pin": 4, "value": False}, allow_user_only=True)
    remove_provider(reg, gpio)
    assert "gpio_write" not in tool_names(reg) and reasons[-1] == "gpio_removed"
    gpio.deinit()
    assert made[id(board.Dx_OUTPUT)].mode == "released"


def test_system_and_custom_tools():
    reboots = []
    reg = ToolRegistry()
    system = reg.add_provider(
        SystemTools(
            reboot=lambda: reboots.append(1) or "rebooting",
            ota_update=lambda manifest_url: "installing " + manifest_url,
        )
    )
    reg.add_tool(
        "water_plants",
        lambda seconds: {"watered": seconds},
        "Run the pump",
        (Field("seconds", NUMBER, minimum=1, maximum=60, default=10),),
    )
    assert tool_names(reg) == ["reboot", "ota_update", "water_plants"]
    assert reg.call("water_plants") == {"watered": 10}
    with pytest.raises(ToolPermissionError):
        reg.call("reboot")
    assert reg.call("reboot", allow_user_only=True) == "rebooting" and reboots == [1]
    url = {"manifest_url": "http://x/m.json"}
    assert reg.call("ota_update", url, allow_user_only=True) == "installing http://x/m.json"
    caps = {t.name: t for t in export.capability_tools(reg.tools())}
    assert caps["reboot"].user_only and caps["ota_update"].user_only
    assert not caps["water_plants"].user_only
    assert caps["water_plants"].parameters[0].default_value == "10"
    assert [r.name for r in export.loki_register_requests(reg.tools(), "x:1")] == ["water_plants"]
    assert [f.name for f in export.einherjar_functions(reg.tools())] == ["water_plants"]
    everything = export.einherjar_functions(reg.tools(), include_user_only=True)
    assert [f.name for f in everything] == ["reboot", "ota_update", "water_plants"]
    with pytest.raises(ValueError, match="already registered"):
        reg.add_provider(system)
    with pytest.raises(ValueError, match="two tools would be named 'reboot'"):
        reg.add_provider(SystemTools())
    with pytest.raises(TypeError, match="no tools"):
        reg.add_provider(object())
    remove_provider(reg, system)
    assert tool_names(reg) == ["water_plants"]
    with pytest.raises(KeyError):
        remove_provider(reg, system)
    with pytest.raises(ValueError, match="must be lower case"):
        reg.add_tool("Water Plants", print)
    with pytest.raises(ValueError, match="already registered"):
        reg.add_tool("water_plants", print)
    with pytest.raises(UnknownToolError, match="no tool named 'fly'"):
        reg.call("fly")


def test_name_clash_is_refused_by_the_call_that_causes_it():
    reg = ToolRegistry()
    reg.add_tool("set_led", lambda on: on, "mine", (Field("on", STRING),))
    with pytest.raises(ValueError, match="two tools would be named 'set_led'"):
        reg.add_actuator("status", Led(io=Pin()))
    assert [entry for entry in reg.parts if entry[2] == "actuator"] == []
    assert tool_names(reg) == ["set_led"]


def test_call_errors_are_clear():
    reg = ToolRegistry()
    reg.add_actuator("vent", Servo(device=ServoDev()))
    with pytest.raises(ToolParameterError) as info:
        reg.call("set_servo_angle", {"angle": 200})
    assert str(info.value) == (
        "set_servo_angle: parameter 'angle' expected Number in 0..180 deg, found 200"
    )
    with pytest.raises(ToolParameterError, match="a JSON object of parameters, found invalid JSON"):
        reg.call("set_servo_angle", "{angle")
    assert validate(reg.get("set_servo_angle").params, {"angle": "10"}) == {"angle": 10}
    assert reg.call("get_servo_state") == {"angle": None}  # nothing was applied


def test_capability_tool_schema_fields():
    reg = ToolRegistry()
    reg.add_actuator("vent", Servo(device=ServoDev()))
    reg.add_tool(
        "mode",
        lambda mode: mode,
        "Pick a mode",
        (Field("mode", STRING, enum=("eco", "boost"), default="eco"),),
    )
    tools = {t.name: t for t in export.capability_tools(reg.tools())}
    angle = tools["set_servo_angle"].parameters[0]
    assert (angle.name, angle.type, angle.required) == ("angle", "Number", True)
    assert (angle.minimum, angle.maximum, angle.unit) == (0.0, 180.0, "deg")
    assert angle.enum_values == [] and angle.default_value == ""
    mode = tools["mode"].parameters[0]
    assert mode.minimum is None and mode.maximum is None
    assert mode.enum_values == ["eco", "boost"] and mode.default_value == '"eco"'
    assert tools["get_servo_state"].parameters == []


def test_loki_export_and_forwarding_script():
    reg = ToolRegistry()
    reg.add_sensor("greenhouse", SimulatedClimateSensor(seed=2))
    reg.add_actuator("fan", SimulatedRelay())
    requests = export.loki_register_requests(reg.tools(), "192.168.1.42:8080", prefix="gh_")
    assert [r.name for r in requests] == [
        "gh_read_dht22_sim_temperature",
        "gh_read_dht22_sim_humidity",
        "gh_set_relay_sim",
        "gh_get_relay_sim_state",
    ]
    first = requests[0]
    assert first.language == "lua" and first.return_type == "Number"
    assert first.which_oneof("script_source") == "inline_script"
    # the stub forwards with the device's tool name (no prefix)
    assert first.inline_script == (
        'return device.call("192.168.1.42:8080", "read_dht22_sim_temperature", params)'
    )
    setter = requests[2]
    assert [(p.name, p.type, p.required) for p in setter.parameters] == [("on", "Boolean", True)]
    assert setter.parameters[0].description == "Switch on (true) or off (false) (Boolean)"
    # bytes decode with betterproto to the same request
    ref = ref_loki.RegisterScriptRequest().parse(setter.encode())
    assert ref.name == "gh_set_relay_sim" and ref.parameters[0].required is True
    assert ref.inline_script.startswith("return device.call(")
    assert isinstance(setter, loki.RegisterScriptRequest)


def test_lua_strings_are_escaped():
    assert lua_string('a"b\\c\nd\x01') == '"a\\"b\\\\c\\nd\\001"'
    reg = ToolRegistry()
    reg.add_actuator("fan", SimulatedRelay())
    request = export.loki_register_requests(reg.tools(), 'evil"); os.exit(1) --')[0]
    assert request.inline_script == (
        'return device.call("evil\\"); os.exit(1) --", "set_relay_sim", params)'
    )
    request = export.loki_register_requests(reg.tools(), "d:1", device_id='x"\n')[0]
    assert request.inline_script == 'return device.call("d:1", "set_relay_sim", params, "x\\"\\n")'


def test_einherjar_export_keeps_its_field_order():
    reg = ToolRegistry()
    reg.add_actuator("vent", Servo(device=ServoDev()))
    reg.add_actuator("strip", SimulatedLed(pwm=True))
    reg.add_sensor("door", SimulatedButton())
    functions = export.einherjar_functions(reg.tools())
    servo = functions[0]
    assert isinstance(servo, einherjar.FunctionDefinition)
    assert servo.parameters[0].type == "number"
    ref = ref_einherjar.FunctionDefinition().parse(servo.encode())
    assert ref.name == "set_servo_angle"
    assert ref.parameters[0].required is True  # field 4 in einherjar, 3 in loki
    assert ref.parameters[0].description == "Target angle (Number in 0..180 deg)"
    assert ref.capabilities == ["actuator"]
    assert ref.responsibility_keywords == ["servo", "vent"]
    button = [f for f in functions if f.name == "read_button_sim_pressed"][0]
    assert button.return_type == "boolean"


def test_simulated_parts_through_the_registry():
    reg = ToolRegistry()
    reg.add_sensor("room", SimulatedClimateSensor(seed=5))
    reg.add_actuator("light", SimulatedLed())
    reg.add_actuator("heater", SimulatedRelay())
    button = reg.add_sensor("doorbell", SimulatedButton())
    assert 15 < reg.call("read_dht22_sim_temperature") < 27
    button.press()
    assert reg.call("read_button_sim_pressed") is True
    assert reg.call("set_relay_sim", {"on": "true"}) == {"on": True}
    assert json.dumps(reg.call("get_led_sim_state")) == '{"on": false}'


def test_a_provider_of_your_own_owns_its_state_and_announces_changes():
    from jotunheim.capability.schema import Tool

    class Counters:
        kind = "custom"

        def __init__(self):
            self.names = ["visits"]
            self.notify = None

        def attach(self, notify):
            self.notify = notify

        def add(self, name):
            self.names.append(name)
            self.notify("counters_changed")

        def tools(self):
            return [Tool("count_" + n, lambda values, n=n: n) for n in self.names]

    reg = ToolRegistry()
    reasons = []
    reg.add_listener(reasons.append)
    reg.add_actuator("status", Led(io=Pin()))
    counters = reg.add_provider(Counters())
    reg.add_tool("hello", lambda: "hi")
    assert tool_names(reg) == ["set_led", "get_led_state", "count_visits", "hello"]
    counters.add("doors")
    assert reasons == ["actuator_added", "custom_added", "tool_added", "counters_changed"]
    assert tool_names(reg)[2:4] == ["count_visits", "count_doors"]
    assert reg.call("count_doors") == "doors"

    class Clashing:
        def tools(self):
            return [Tool("hello", lambda values: "mine")]

    with pytest.raises(ValueError, match="two tools would be named 'hello'"):
        reg.add_provider(Clashing())
    assert reg.call("hello") == "hi"  # refused: the registry stays as it was
    assert reasons[-1] == "counters_changed"
    with pytest.raises(KeyError):
        remove(reg, "nothing")


def test_parts_the_registry_cannot_take_are_refused_clearly():
    reg = ToolRegistry()
    with pytest.raises(TypeError, match=r"sensor 'x' has no read\(\)"):
        reg.add_sensor("x", object())
    with pytest.raises(TypeError, match=r"actuator 'y' has no set\(\)"):
        reg.add_actuator("y", SimulatedButton())
    with pytest.raises(ValueError, match="part name '--' has no letters or digits"):
        reg.add_sensor("--", SimulatedButton())
    reg.add_sensor("Front Door", SimulatedButton())
    with pytest.raises(ValueError, match="a part named 'Front Door' is already registered"):
        reg.add_sensor("front_door", SimulatedButton())
    assert [entry[0] for entry in reg.parts] == ["Front Door"]
