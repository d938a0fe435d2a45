# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Capabilities under MicroPython: builder (fake board/microcontroller), tool registry,
drivers, conflicts and resolver.

``realistic_device()`` is also used from CPython (tests/test_capability_interop.py loads
this file) and by benchmarks/bench_capability.py: a Pico W-like board with 20 GPIO pins
and 8 sensors/actuators, with fake driver objects. It imports nothing CircuitPython-only.
"""

from jotunheim.capability.builder import DeviceCapabilityBuilder
from jotunheim.capability.drivers.environment import BME280, DHT22, DS18B20, SHT4x
from jotunheim.capability.drivers.io import Button, Led, Relay
from jotunheim.capability.drivers.pwm import Servo
from jotunheim.capability.errors import ToolParameterError
from jotunheim.capability.gpio import GpioTools
from jotunheim.capability.registry import ToolRegistry
from jotunheim.capability.system import SystemTools


class _Pin:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "board." + self.name


class Pin(_Pin):
    """Named ``Pin`` so the builder's duck-typed pin check accepts it."""


class _Namespace:
    pass


class _Cpu:
    uid = b"\xe6\x61\x38\x52\x83\x4d\x2a\x21"


class _Dht:
    def __init__(self, t, h):
        self.temperature = t
        self.humidity = h


class _Bme:
    temperature = 18.5
    pressure = 1008.25
    altitude = 43.0
    relative_humidity = 61.0
    sea_level_pressure = 1013.25


class _Sht:
    measurements = (22.75, 44.5)


class _Ds:
    temperature = 12.0625


class _Io:
    def __init__(self, value=False):
        self.value = value
        self.duty_cycle = 0


class _Digital:
    def __init__(self, value=False):
        self.value = value


class _Servo:
    angle = None


def realistic_board():
    """``(board, microcontroller)`` stand-ins: GP0..GP19 (GPIO0..GPIO19 on the chip), an
    LED alias, I2C/SPI/UART names."""
    board = _Namespace()
    mcu = _Namespace()
    mcu.pin = _Namespace()
    mcu.cpu = _Cpu()
    mcu.Pin = Pin
    for n in range(20):
        pin = Pin("GP%d" % n)
        setattr(board, "GP%d" % n, pin)
        setattr(mcu.pin, "GPIO%d" % n, pin)
    board.LED = board.GP15
    board.SDA = board.GP4
    board.SCL = board.GP5
    board.SCK = board.GP18
    board.MOSI = board.GP19
    board.MISO = board.GP16
    board.TX = board.GP0
    board.RX = board.GP1
    board.board_id = "raspberry_pi_pico_w"
    return board, mcu


def realistic_device():
    """``(builder, registry)`` of a greenhouse controller: 8 parts, 20 pins, GPIO tools."""
    board, mcu = realistic_board()
    registry = ToolRegistry()
    registry.add_sensor("kitchen", DHT22(device=_Dht(21.5, 40.0)))
    registry.add_sensor("greenhouse", DHT22(device=_Dht(27.0, 71.5)))
    registry.add_sensor("outdoor", BME280(device=_Bme()))
    registry.add_sensor("bench", SHT4x(device=_Sht()))
    registry.add_sensor("water", DS18B20(device=_Ds()))
    registry.add_sensor("door", Button(io=_Digital(True)))
    registry.add_actuator("status", Led(io=_Io()))
    registry.add_actuator("pump", Relay(io=_Digital()))
    registry.add_actuator("vent", Servo(device=_Servo()))
    registry.add_provider(GpioTools({14: board.GP14, 17: board.GP17}))
    registry.add_provider(SystemTools(reboot=lambda: "ok"))
    builder = DeviceCapabilityBuilder(
        name="greenhouse-controller",
        settings={
            "capabilities": {"features": {"streaming": True, "encryption": True}},
            "resources": {"max_memory_kb": 100, "max_cpu_percent": 80, "max_concurrent_tools": 2},
        },
        board=board,
        microcontroller=mcu,
        has_module=lambda name: name in ("analogio", "pwmio", "wifi"),
        platform={
            "implementation": "circuitpython",
            "machine": "Raspberry Pi Pico W with rp2040",
            "release": "9.2.1",
            "sysname": "rp2040",
        },
        total_memory=126 * 1024 + 512,
    )
    return builder, registry


def realistic_capabilities():
    builder, registry = realistic_device()
    return builder.build(registry)


def _raises(exc_type, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc_type as exc:
        return exc
    raise AssertionError("%s not raised" % exc_type.__name__)


# ---------------------------------------------------------------- tests


def test_builder_with_fake_board_and_microcontroller():
    import board
    import microcontroller

    builder = DeviceCapabilityBuilder(name="fake", board=board, microcontroller=microcontroller)
    caps = builder.build()
    assert caps.device_id == "4A6F74756E01"  # the fake cpu.uid as hex
    assert caps.device_name == "fake"
    assert caps.device_type.startswith("MicroPython (jotunheim_fake_feather)")
    assert caps.firmware_version.startswith("MicroPython 1.")
    assert "; jotunheim " in caps.firmware_version
    assert caps.protocol_version == "1.0"
    # D0..D13 from the board names (the fake chip has no pin table); LED = D13, A0 unnumbered
    assert caps.hardware.gpio.available_pins == list(range(14))
    assert "I2C" in caps.hardware.interfaces and "UART" in caps.hardware.interfaces
    assert "WiFi" in caps.hardware.interfaces  # the fake wifi module imports
    assert caps.resources.max_memory_kb > 0  # total heap from gc
    decoded = type(caps).decode(caps.encode())
    assert decoded == caps


def test_realistic_board_capabilities():
    caps = realistic_capabilities()
    assert caps.device_id == "E6613852834D2A21"
    assert caps.device_type == "RP2040 (Pico W)"
    assert caps.firmware_version.startswith("CircuitPython 9.2.1; jotunheim ")
    assert caps.hardware.gpio.available_pins == list(range(20))
    assert caps.hardware.interfaces == ["I2C", "SPI", "UART", "ADC", "PWM", "WiFi"]
    assert caps.hardware.sensors == ["DHT22", "DHT22", "BME280", "SHT4x", "DS18B20", "Button"]
    assert caps.hardware.actuators == ["LED", "Relay", "Servo"]
    assert caps.resources.max_memory_kb == 100
    assert caps.features.encryption and not caps.features.compression
    names = [t.name for t in caps.tools]
    assert "read_dht22_temperature_kitchen" in names
    assert "read_dht22_humidity_greenhouse" in names
    assert "read_bme280_pressure" in names
    assert "set_servo_angle" in names
    reboot = [t for t in caps.tools if t.name == "reboot"][0]
    assert reboot.user_only
    assert type(caps).decode(caps.encode()) == caps


def test_registry_calls_and_validation():
    builder, registry = realistic_device()
    assert registry.call("read_dht22_temperature_greenhouse") == 27.0
    assert registry.call("read_sht4x_humidity") == 44.5
    assert registry.call("set_servo_angle", '{"angle": "45"}') == {"angle": 45}
    err = _raises(ToolParameterError, registry.call, "set_servo_angle", {"angle": 181})
    assert str(err) == "set_servo_angle: parameter 'angle' expected Number in 0..180 deg, found 181"
    err = _raises(ToolParameterError, registry.call, "set_led", {"on": "perhaps"})
    assert err.parameter == "on"
    assert registry.call("read_button_pressed") is False
    from jotunheim.capability import export

    requests = export.loki_register_requests(registry.tools(), "10.0.0.7:8080")
    assert len(requests) == len([t for t in registry.tools() if not t.user_only])
    assert requests[0].inline_script.startswith('return device.call("10.0.0.7:8080", ')
    functions = export.einherjar_functions(registry.tools())
    assert functions[0].parameters == [] or functions[0].parameters[0].type in (
        "number",
        "boolean",
        "string",
    )


def test_registry_loads_only_what_it_uses():
    import sys

    lazy = ("export", "generic", "gpio", "system", "builder", "detect")
    for name in lazy:  # earlier tests of this module imported some of them
        sys.modules.pop("jotunheim.capability." + name, None)
    registry = ToolRegistry()
    registry.add_actuator("status", Led(io=_Digital()))
    assert registry.call("set_led", {"on": True}) == {"on": True}
    for name in lazy:
        assert "jotunheim.capability." + name not in sys.modules, name

    class Valve:  # declares nothing: the generic tools load now
        def set(self, **values):
            return values

    registry.add_actuator("valve", Valve())
    assert "jotunheim.capability.generic" in sys.modules
    assert registry.call("set_actuator", {"actuator": "valve", "values": {"open": 1}}) == {
        "open": 1
    }


def test_the_tool_table_module_is_forgotten_after_each_use():
    # The checks and the table run from jotunheim.capability.tooltable, which the registry
    # forgets after each use (its code goes back to the heap): every later addition, a
    # refused one, a provider and a change that drops the table import it again.
    import sys

    from jotunheim.capability.drivers.simulated import SimulatedClimateSensor, SimulatedLed

    table = "jotunheim.capability.tooltable"
    registry = ToolRegistry()
    reasons = []
    registry.add_listener(reasons.append)
    registry.add_sensor("kitchen", SimulatedClimateSensor(seed=3))
    assert table not in sys.modules
    assert [t.name for t in registry.tools()] == [
        "read_dht22_sim_temperature",
        "read_dht22_sim_humidity",
    ]
    registry.add_sensor("garage", SimulatedClimateSensor(seed=4))  # renames the first's tools
    assert table not in sys.modules
    registry.add_actuator("status", SimulatedLed())
    assert table not in sys.modules
    assert [t.name for t in registry.tools()] == [
        "read_dht22_sim_temperature_kitchen",
        "read_dht22_sim_humidity_kitchen",
        "read_dht22_sim_temperature_garage",
        "read_dht22_sim_humidity_garage",
        "set_led_sim",
        "get_led_sim_state",
    ]
    assert registry.call("set_led_sim", {"on": True}) == {"on": True}
    assert registry.call("get_led_sim_state") == {"on": True}
    assert -40 <= registry.call("read_dht22_sim_temperature_garage") <= 80
    tool = registry.get("read_dht22_sim_humidity_kitchen")
    assert (tool.reading, tool.unit, tool.instance) == ("humidity", "%", "kitchen")
    _raises(ValueError, registry.add_sensor, "Kitchen", SimulatedClimateSensor())  # same slug
    assert table not in sys.modules and len(registry.parts) == 3
    gpio = registry.add_provider(GpioTools([5]))
    assert table not in sys.modules
    _raises(ValueError, registry.add_provider, gpio)
    assert table not in sys.modules
    gpio.allow([5, 6])  # the tools changed: the table is made again on next use
    assert registry.get("gpio_read").params[0].enum == ("5", "6")
    assert table not in sys.modules
    registry.add_tool("ping", lambda: "pong")
    assert table not in sys.modules and registry.call("ping") == "pong"
    assert reasons == [
        "sensor_added",
        "sensor_added",
        "actuator_added",
        "gpio_added",
        "gpio_changed",
        "tool_added",
    ]


def test_gpio_provider_owns_its_pins():
    import board

    made = []

    class Dio:
        def __init__(self, pin):
            self.pin = pin
            self.value = False
            self.released = False
            made.append(self)

        def deinit(self):
            self.released = True

    registry = ToolRegistry()
    reasons = []
    registry.add_listener(reasons.append)
    gpio = registry.add_provider(GpioTools(["D5", board.D6], pin_factory=Dio))
    assert gpio.pins() == [5, 6]
    assert registry.call("gpio_write", {"pin": "6", "value": "on"}, allow_user_only=True) is True
    assert made[0].pin is board.D6 and made[0].value is True
    gpio.allow([5])
    assert made[0].released and reasons == ["gpio_added", "gpio_changed"]
    assert registry.get("gpio_read").params[0].enum == ("5",)
    err = _raises(ValueError, gpio.allow, [99])
    assert "pin 99" in str(err)


def test_pin_numbers_from_names():
    from jotunheim.capability import pins

    assert pins.number_from_name("GP15") == 15
    assert pins.number_from_name("GPIO5") == 5
    assert pins.number_from_name("IO21") == 21
    assert pins.number_from_name("D4") == 4
    assert pins.number_from_name("P1_02") == 34
    assert pins.number_from_name("A0") is None
    assert pins.number_from_name("SDA") is None


def test_drivers_and_simulated_parts():
    from jotunheim.capability.drivers.pixels import NeoPixel, parse_color
    from jotunheim.capability.drivers.simulated import (
        SimulatedButton,
        SimulatedClimateSensor,
        SimulatedLed,
    )

    class Clock:
        now = 0.0

        def __call__(self):
            return self.now

    clock = Clock()
    a = SimulatedClimateSensor(seed=7, clock=clock)
    b = SimulatedClimateSensor(seed=7, clock=Clock())
    values = []
    for _ in range(200):
        clock.now += 2.0
        b.clock.now = clock.now
        values.append(a.read())
        assert values[-1] == b.read()
    assert all(17 <= v["temperature"] <= 25 for v in values)
    led = SimulatedLed()
    led.set(on=True)
    assert led.pin.history == [False, True]
    button = SimulatedButton()
    button.press()
    assert button.read() == {"pressed": True}
    assert parse_color("#0a0B0c") == (10, 11, 12)

    class Strip:
        brightness = 0.2

        def fill(self, c):
            self.c = c

        def show(self):
            self.shown = True

    strip = Strip()
    NeoPixel(device=strip).set(color="purple")
    assert strip.c == (128, 0, 255)


def test_missing_driver_library_is_a_clear_error():
    import sys

    from jotunheim.capability.drivers.hardware import DriverMissingError

    err = _raises(DriverMissingError, DHT22, "D4")
    assert "circup install adafruit_dht" in str(err)
    # drivers.hardware is forgotten after each use; the error class stays one class.
    assert "jotunheim.capability.drivers.hardware" not in sys.modules
    err = _raises(DriverMissingError, DHT22, "D5")
    assert "circup install adafruit_dht" in str(err)


def test_parts_built_from_pins_forget_the_hardware_module():
    # digitalio and pwmio as a board's firmware has them (only what the adapters use).
    import sys

    made = []

    class Pin:
        def __init__(self, pin):
            self.pin = pin
            self.value = False
            made.append(self)

        def switch_to_output(self, value=False):
            self.value = value

    class Pwm:
        def __init__(self, pin, frequency=500, duty_cycle=0, variable_frequency=False):
            self.pin = pin
            self.frequency = frequency
            self.duty_cycle = duty_cycle
            made.append(self)

    class Namespace:
        pass

    digitalio = Namespace()
    digitalio.DigitalInOut = Pin
    digitalio.Direction = Namespace()
    digitalio.Direction.INPUT = "input"
    digitalio.Pull = Namespace()
    digitalio.Pull.UP = "up"
    pwmio = Namespace()
    pwmio.PWMOut = Pwm

    class Motor:
        def __init__(self, pwm, actuation_range=180, min_pulse=750, max_pulse=2250):
            self.pwm = pwm
            self.actuation_range = actuation_range
            self.angle = None

    motor = Namespace()
    motor.servo = Namespace()
    motor.servo.Servo = Motor
    sys.modules["digitalio"] = digitalio
    sys.modules["pwmio"] = pwmio
    sys.modules["adafruit_motor"] = motor
    sys.modules["adafruit_motor.servo"] = motor.servo
    hardware = "jotunheim.capability.drivers.hardware"
    try:
        relay = Relay("D5", active_low=True)  # made switched off: the pin high
        assert hardware not in sys.modules and made[0].pin == "D5" and made[0].value is True
        led = Led("D6", pwm=True)
        assert hardware not in sys.modules and made[1].frequency == 5000
        button = Button("D7")
        assert hardware not in sys.modules and made[2].pull == "up"
        made[2].value = False  # pressed: pulled to ground
        assert button.read() == {"pressed": True}
        assert led.set(on=True, brightness=0.5) == {"on": True, "brightness": 0.5}
        assert made[1].duty_cycle == 32768
        relay.set(on=True)
        assert made[0].value is False
        servo = Servo("D8", actuation_range=90)
        assert hardware not in sys.modules and made[3].frequency == 50
        assert servo.set(angle=45) == {"angle": 45} and servo._device.angle == 45
        assert servo.settings[0].maximum == 90
    finally:
        for name in ("digitalio", "pwmio", "adafruit_motor", "adafruit_motor.servo"):
            del sys.modules[name]


def test_sensors_built_from_a_pin_or_a_bus_forget_the_hardware_module():
    import sys

    class Dht:
        def __init__(self, pin, use_pulseio=True):
            self.pin = pin
            self.temperature = 20.5
            self.humidity = 40.0

    class Sht:
        def __init__(self, i2c, address):
            self.i2c = i2c
            self.address = address
            self.temperature = 19.0
            self.relative_humidity = 50.0

    class Namespace:
        pass

    dht = Namespace()
    dht.DHT22 = Dht
    sht = Namespace()
    sht.SHT31D = Sht
    sys.modules["adafruit_dht"] = dht
    sys.modules["adafruit_sht31d"] = sht
    hardware = "jotunheim.capability.drivers.hardware"
    try:
        first = DHT22("D4")
        assert hardware not in sys.modules
        second = DHT22("D5")  # the module comes back for the second part
        assert hardware not in sys.modules
        assert (first._device.pin, second._device.pin) == ("D4", "D5")
        assert second.read() == {"temperature": 20.5, "humidity": 40.0}
        from jotunheim.capability.drivers.environment import SHT31

        part = SHT31("bus", address=0x45)
        assert hardware not in sys.modules and part._device.address == 0x45
        assert part.read() == {"temperature": 19.0, "humidity": 50.0}
        err = _raises(ValueError, DHT22)
        assert "needs a pin" in str(err) and hardware not in sys.modules
    finally:
        del sys.modules["adafruit_dht"]
        del sys.modules["adafruit_sht31d"]


def test_counter_in_nvm_and_store_rule():
    import microcontroller

    from jotunheim.capability.conflicts import AnnouncementCounter
    from jotunheim.capability.propagator import CapabilityPropagator
    from jotunheim.capability.store import CapabilityStore

    counter = AnnouncementCounter(nvm=microcontroller.nvm, nvm_offset=64)
    assert counter.value == 0
    counter.next()
    counter.next()
    assert AnnouncementCounter(nvm=microcontroller.nvm, nvm_offset=64).value == 2
    store = CapabilityStore(log=lambda message: None)
    builder, registry = realistic_device()
    propagator = CapabilityPropagator(
        lambda: builder.build(registry),
        store.receive,
        counter=counter,
        fingerprint=builder.fingerprint(),
    )
    assert propagator.on_connect()
    assert store.get("E6613852834D2A21").counter == 3
    assert not propagator.on_change("nothing changed")
    from jotunheim.capability.removal import remove

    remove(registry, "pump")
    assert propagator.on_change("pump removed")
    assert store.get("E6613852834D2A21").counter == 4


def test_resolver_normalisation():
    from jotunheim.capability.resolver import DeviceResolver, normalize

    assert normalize("esp-7f2a") == "7F2A"
    assert normalize("7c:df:a1:0b:7f:2a") == "7CDFA10B7F2A"
    devices = DeviceResolver()
    devices.add("E6613852834D2A21", "Greenhouse", aliases=["7c:df:a1:0b:7f:2a"])
    assert devices.resolve("ESP-7F2A").name == "Greenhouse"
    assert devices.resolve("greenhouse").device_id == "E6613852834D2A21"
    assert devices.resolve("nothing") is None


def test_negotiator_with_a_refusing_loki():
    from jotunheim.capability import export
    from jotunheim.capability.negotiator import loki_register_requests, negotiate
    from jotunheim.pb import loki
    from jotunheim.resilience.retry import RetryManager

    class FakeLoki:
        def __init__(self):
            self.names = []

        def register(self, request, timeout):
            name = request.name
            self.names.append(name)
            ok = name != "set_relay"
            return loki.RegisterScriptResponse(
                success=ok, script_name=name, error_message="" if ok else "taken"
            )

    builder, registry = realistic_device()
    fake = FakeLoki()
    retry = RetryManager(attempts=2, base_delay=0.0, max_delay=0.0, sleep=lambda s: None)
    requests = loki_register_requests(registry.tools(), "10.0.0.7:8080", "", builder.device_id())
    result = negotiate(fake.register, requests, retry=retry)
    assert result.failed == [("set_relay", "refused: taken")]
    assert len(result.registered) == len(fake.names) - 1
    answer = export.einherjar_answer(builder.build(registry), registry.tools())
    assert answer.god_name == "greenhouse-controller"


def test_file_counter_and_json_resolver_on_the_vfs():
    import os

    from jotunheim.capability.conflicts import AnnouncementCounter
    from jotunheim.capability.resolver import (
        AmbiguousDeviceError,
        JsonFileDeviceResolver,
    )

    try:
        os.mkdir("/cap_test")
    except OSError:
        pass
    counter = AnnouncementCounter("/cap_test/announce.txt")
    counter.next()
    counter.next()
    assert AnnouncementCounter("/cap_test/announce.txt").value == 2
    devices = JsonFileDeviceResolver("/cap_test/devices.json")
    devices.learn(realistic_capabilities(), aliases=["7c:df:a1:0b:7f:2a"])
    devices.add("AA00007F2A", "other")
    again = JsonFileDeviceResolver("/cap_test/devices.json")
    assert again.resolve("E6613852834D2A21").capabilities.device_type == "RP2040 (Pico W)"
    err = _raises(AmbiguousDeviceError, again.resolve, "ESP-7F2A")
    assert err.candidates == ["AA00007F2A", "E6613852834D2A21"]
