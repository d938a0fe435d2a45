# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Driver adapters: injected fakes, the lazy-import path with fake Adafruit modules in
sys.modules, Blinka's generic board for the digitalio/analogio/pwmio paths, and the
simulated parts."""

import subprocess
import sys
import types

import board
import pytest

from jotunheim.capability.drivers import environment, io, pixels, pwm, simulated
from jotunheim.capability.drivers.base import Actuator, DriverError
from jotunheim.capability.drivers.hardware import DriverMissingError
from jotunheim.capability.errors import ToolParameterError
from jotunheim.capability.schema import NUMBER, Field
from tests.tools import uninstrumented_env


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class FakeDHT:
    """adafruit_dht.DHT22 stand-in: scripted values; an Exception in the script is raised."""

    def __init__(self, script):
        self.script = list(script)
        self.reads = 0
        self.exited = False

    @property
    def temperature(self):
        self.reads += 1
        item = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(item, Exception):
            raise item
        self._h = item[1]
        return item[0]

    @property
    def humidity(self):
        return self._h

    def exit(self):
        self.exited = True


def fake_module(monkeypatch, name, **attrs):
    module = types.ModuleType(name)
    for key, value in attrs.items():
        setattr(module, key, value)
    monkeypatch.setitem(sys.modules, name, module)
    if "." in name:
        parent_name, child = name.rsplit(".", 1)
        parent = sys.modules.get(parent_name) or fake_module(monkeypatch, parent_name)
        monkeypatch.setattr(parent, child, module, raising=False)
    return module


# ------------------------------------------------------------------ environment sensors


def test_dht22_reads_caches_and_retries_checksum_errors():
    clock = Clock()
    dev = FakeDHT([(21.5, 40.0), RuntimeError("Checksum did not validate"), (22.0, 41.0)])
    sensor = environment.DHT22(device=dev, clock=clock)
    assert sensor.read() == {"temperature": 21.5, "humidity": 40.0}
    clock.now += 1.0  # within the part's 2 s: no new measurement
    assert sensor.read() == {"temperature": 21.5, "humidity": 40.0}
    assert dev.reads == 1
    clock.now += 1.5
    assert sensor.read() == {"temperature": 22.0, "humidity": 41.0}
    assert dev.reads == 3  # the checksum failure was retried
    sensor.deinit()
    assert dev.exited


def test_dht_failures_serve_recent_value_then_raise():
    clock = Clock()
    dev = FakeDHT([(20.0, 50.0), RuntimeError("timed out")])
    sensor = environment.DHT22(device=dev, clock=clock)
    sensor.read()
    clock.now += 3  # stale, and every measurement fails: last value still served
    assert sensor.read()["temperature"] == 20.0
    clock.now += 20  # too old now
    with pytest.raises(DriverError, match="DHT22: read failed after 3 attempts: timed out"):
        sensor.read()


def test_dht_none_values_count_as_failures():
    sensor = environment.DHT11(device=FakeDHT([(None, None)]), clock=Clock())
    with pytest.raises(DriverError, match="DHT11: no data"):
        sensor.read()
    assert [f.name for f in sensor.readings] == ["temperature", "humidity"]
    assert sensor.readings[0].maximum == 50


def test_adapters_import_driver_libraries_only_when_built():
    code = (
        "import sys\n"
        "import jotunheim.capability.drivers.environment, jotunheim.capability.drivers.io\n"
        "import jotunheim.capability.drivers.pwm, jotunheim.capability.drivers.pixels\n"
        "import jotunheim.capability.drivers.simulated, jotunheim.capability.registry\n"
        "import jotunheim.capability.gpio, jotunheim.capability.system\n"
        "bad = [m for m in ('adafruit_dht', 'adafruit_bmp280', 'neopixel', 'digitalio',\n"
        "       'pwmio', 'analogio', 'adafruit_motor', 'board', 'json') if m in sys.modules]\n"
        "print(bad)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=".",
        env=uninstrumented_env(),  # coverage's hook would import hashlib/json itself
    )
    assert out.stdout.strip() == "[]"


def test_missing_library_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "adafruit_dht", None)  # import fails
    with pytest.raises(DriverMissingError, match="circup install adafruit_dht"):
        environment.DHT22(board.D4 if hasattr(board, "D4") else object())
    with pytest.raises(ValueError, match="needs a pin"):
        environment.DHT22()


def test_dht22_lazy_path_builds_the_library_object(monkeypatch):
    made = []

    def dht22(pin, use_pulseio=True):
        made.append((pin, use_pulseio))
        return FakeDHT([(19.0, 60.0)])

    fake_module(monkeypatch, "adafruit_dht", DHT22=dht22)
    sensor = environment.DHT22("PIN4", use_pulseio=False)
    assert made == [("PIN4", False)]
    assert sensor.read()["humidity"] == 60.0


def test_bmp280_and_bme280_both_library_layouts(monkeypatch):
    class Chip:
        def __init__(self, i2c, address):
            self.i2c, self.address = i2c, address
            self.temperature, self.pressure, self.altitude = 24.25, 1001.5, 98.0
            self.relative_humidity = 33.0

    fake_module(monkeypatch, "adafruit_bmp280", Adafruit_BMP280_I2C=Chip)
    bmp = environment.BMP280("bus", 0x76, sea_level_pressure=1020.0)
    assert bmp._device.address == 0x76 and bmp._device.sea_level_pressure == 1020.0
    assert bmp.read() == {"temperature": 24.25, "pressure": 1001.5, "altitude": 98.0}
    # adafruit_bme280 >= 2.6 has the class in adafruit_bme280.basic
    fake_module(monkeypatch, "adafruit_bme280.basic", Adafruit_BME280_I2C=Chip)
    bme = environment.BME280("bus")
    assert bme.read()["humidity"] == 33.0
    assert [f.name for f in bme.readings] == ["temperature", "humidity", "pressure", "altitude"]
    # older layout: no .basic, class at the top, humidity attribute
    monkeypatch.delitem(sys.modules, "adafruit_bme280.basic")
    monkeypatch.setitem(sys.modules, "adafruit_bme280.basic", None)

    class OldChip(Chip):
        def __init__(self, i2c, address):
            Chip.__init__(self, i2c, address)
            del self.relative_humidity
            self.humidity = 44.0

        def __getattr__(self, name):
            raise AttributeError(name)

    fake_module(monkeypatch, "adafruit_bme280", Adafruit_BME280_I2C=OldChip)
    assert environment.BME280("bus").read()["humidity"] == 44.0


def test_default_i2c_comes_from_board(monkeypatch):
    fake_module(monkeypatch, "board", I2C=lambda: "the-bus")

    class Chip:
        def __init__(self, i2c, address):
            self.i2c = i2c
            self.temperature, self.relative_humidity = 25.0, 55.5

    fake_module(monkeypatch, "adafruit_sht31d", SHT31D=Chip)
    sht = environment.SHT31()
    assert sht._device.i2c == "the-bus"
    assert sht.read() == {"temperature": 25.0, "humidity": 55.5}


def test_sht4x_and_ds18b20(monkeypatch):
    class Sht4x:
        measurements = (23.5, 48.25)

    assert environment.SHT4x(device=Sht4x()).read() == {"temperature": 23.5, "humidity": 48.25}

    class Bus:
        def __init__(self, pin):
            self.pin = pin

        def scan(self):
            return ["rom-a", "rom-b"]

    class Ds:
        def __init__(self, bus, rom):
            self.rom = rom
            self.temperature = 18.0625

    fake_module(monkeypatch, "adafruit_onewire.bus", OneWireBus=Bus)
    fake_module(monkeypatch, "adafruit_ds18x20", DS18X20=Ds)
    second = environment.DS18B20("D5", index=1)
    assert second._device.rom == "rom-b"
    assert second.read() == {"temperature": 18.0625}
    with pytest.raises(ValueError, match="2 device"):
        environment.DS18B20("D5", index=2)


def test_i2c_errors_are_driver_errors():
    class Broken:
        @property
        def measurements(self):
            raise OSError(19, "No such device")

    with pytest.raises(DriverError, match="SHT4x: read failed after 2 attempts"):
        environment.SHT4x(device=Broken()).read()


# ------------------------------------------------------------------ pin parts


class Io:
    def __init__(self, value=False):
        self.value = value
        self.duty_cycle = 0
        self.frequency = 0


class DigitalIo:
    def __init__(self, value=False):
        self.value = value


def test_analog_and_digital_inputs():
    adc = Io(32768)
    sensor = io.AnalogInput(io=adc, reference_voltage=3.3, part="Photoresistor")
    values = sensor.read()
    assert values["value"] == 32768
    assert values["voltage"] == pytest.approx(1.65, abs=0.001)
    assert sensor.part == "Photoresistor"
    assert sensor.readings[1].maximum == 3.3
    button = io.Button(io=DigitalIo(True))  # pulled up, released
    assert button.read() == {"pressed": False}
    button._io.value = False
    assert button.read() == {"pressed": True}
    plain = io.DigitalInput(io=DigitalIo(True))
    assert plain.read() == {"value": True}


def test_pins_through_blinka_generic_board():
    # Blinka's OS-agnostic board: fixed input levels, outputs that remember their value.
    led = io.Led(board.Dx_OUTPUT)
    assert led.set(on=True) == {"on": True}
    assert led._io.value is True
    assert io.Button(board.Dx_INPUT_TRUE_PULL_UP).read() == {"pressed": False}
    assert io.DigitalInput(board.Dx_INPUT_FALSE).read() == {"value": False}
    analog = io.AnalogInput(board.Ax_INPUT_FIXED_INT_PI)
    assert analog.read()["value"] == 31415
    for part in (led,):
        part.deinit()


def test_led_digital_and_pwm():
    pin = DigitalIo()
    led = io.Led(io=pin, pwm=False)
    assert [f.name for f in led.settings] == ["on"]
    assert led.set(on=True) == {"on": True} and pin.value is True
    with pytest.raises(ToolParameterError, match="'brightness' expected one of: on"):
        led.set(on=False, brightness=0.5)
    assert pin.value is True  # refused call changed nothing
    dimmer = Io()
    dimmable = io.Led(io=dimmer)  # a duty_cycle attribute means PWM
    assert dimmable.pwm
    assert dimmable.set(on=True, brightness=0.5) == {"on": True, "brightness": 0.5}
    assert dimmer.duty_cycle == 32768
    dimmable.set(on=False)
    assert dimmer.duty_cycle == 0
    dimmable.set(on=True)
    assert dimmer.duty_cycle == 32768  # brightness kept
    with pytest.raises(ToolParameterError, match=r"expected Number in 0\.\.1, found 1.5"):
        dimmable.set(on=True, brightness=1.5)
    assert dimmer.duty_cycle == 32768


def test_neopixel_colors_index_and_bad_color():
    class Strip:
        def __init__(self, n):
            self.pixels = [(0, 0, 0)] * n
            self.brightness = 0.2
            self.shows = 0

        def fill(self, c):
            self.pixels = [c] * len(self.pixels)

        def __setitem__(self, i, c):
            self.pixels[i] = c

        def show(self):
            self.shows += 1

    strip = Strip(3)
    px = pixels.NeoPixel(n=3, device=strip)
    assert px.set(color="red")["colors"] == ["#ff0000"] * 3
    assert px.set(color="#00FF80", index=1, brightness=0.5) == {
        "colors": ["#ff0000", "#00ff80", "#ff0000"],
        "brightness": 0.5,
    }
    assert strip.pixels[1] == (0, 255, 128) and strip.brightness == 0.5
    shows = strip.shows
    with pytest.raises(ToolParameterError, match="expected #RRGGBB or a color name"):
        px.set(color="chartreuse-ish")
    with pytest.raises(ToolParameterError, match=r"'index' expected Number in 0\.\.2, found 3"):
        px.set(color="blue", index=3)
    with pytest.raises(ToolParameterError, match="whole number"):
        px.set(color="blue", index=0.5)
    assert strip.shows == shows  # nothing written by refused calls


def test_neopixel_lazy_path(monkeypatch):
    made = {}

    class Lib:
        def __init__(self, pin, n, brightness, auto_write):
            made.update(pin=pin, n=n, brightness=brightness, auto_write=auto_write)

        def fill(self, c):
            made["fill"] = c

        def show(self):
            made["shown"] = True

    fake_module(monkeypatch, "neopixel", NeoPixel=Lib)
    pixels.NeoPixel("NEOPIXEL", 8, brightness=0.1).set(color="green")
    assert made == {
        "pin": "NEOPIXEL",
        "n": 8,
        "brightness": 0.1,
        "auto_write": False,
        "fill": (0, 255, 0),
        "shown": True,
    }


def test_relay_active_low():
    pin = DigitalIo(False)
    relay = io.Relay(io=pin, active_low=True)
    assert pin.value is True  # off at start
    assert relay.set(on=True) == {"on": True} and pin.value is False
    assert relay.set(on="off") == {"on": False} and pin.value is True


def test_servo_buzzer_pwm_gpio(monkeypatch):
    made = {}

    class PWMOut:
        def __init__(self, pin, duty_cycle=0, frequency=500, variable_frequency=False):
            made["pwm"] = (pin, duty_cycle, frequency)
            self.duty_cycle, self.frequency = duty_cycle, frequency

    class Servo:
        def __init__(self, pwm, actuation_range, min_pulse, max_pulse):
            made["servo"] = (actuation_range, min_pulse, max_pulse)
            self.angle = None

    fake_module(monkeypatch, "pwmio", PWMOut=PWMOut)
    fake_module(monkeypatch, "adafruit_motor.servo", Servo=Servo)
    servo = pwm.Servo("D9", actuation_range=270)
    assert made == {"pwm": ("D9", 2**15, 50), "servo": (270, 750, 2250)}
    assert servo.action == "angle"
    assert servo.set(angle="135") == {"angle": 135}
    assert servo._device.angle == 135
    with pytest.raises(ToolParameterError, match="0..270 deg"):
        servo.set(angle=300)

    tone = Io()
    buzzer = pwm.Buzzer(io=tone)
    assert buzzer.set(frequency=440) == {"frequency": 440, "volume": 0.5}
    assert (tone.frequency, tone.duty_cycle) == (440, 16384)
    with pytest.raises(ToolParameterError, match="0 or 20..20000 Hz"):
        buzzer.set(frequency=5)
    assert tone.frequency == 440
    buzzer.set(frequency=0)
    assert tone.duty_cycle == 0

    out = Io()
    fan = pwm.PwmOutput(io=out, variable_frequency=True)
    assert fan.set(duty=0.25, frequency=25000) == {"duty": 0.25, "frequency": 25000}
    assert out.duty_cycle == 16384 and out.frequency == 25000

    gpio = io.GpioOutput(io=DigitalIo())
    assert gpio.set(value=True) == {"value": True} and gpio._io.value is True
    with pytest.raises(ToolParameterError, match="set_gpio: parameter 'value' expected Boolean"):
        gpio.set()


def test_custom_actuator_subclass():
    class Fan(Actuator):
        part = "Fan"
        settings = (Field("speed", NUMBER, minimum=0, maximum=1, required=True),)

        def __init__(self):
            self.speed = 0

        def _apply(self, values):
            self.speed = values["speed"]

        def state(self):
            return {"speed": self.speed}

    assert Fan().set(speed="0.5") == {"speed": 0.5}

    class Dimmer(Fan):
        part = "Dimmer 2"
        settings = (Field("level", NUMBER, minimum=0, maximum=1),)

    with pytest.raises(ValueError, match="set_dimmer_2 needs at least one value"):
        Dimmer().set()

    class Valve(Actuator):  # no state(): each setting's self._<setting> is the state
        part = "Valve"
        settings = (Field("open", NUMBER, minimum=0, maximum=1), Field("speed", NUMBER))

        def _apply(self, values):
            self._open = values["open"]

    valve = Valve()
    assert valve.state() == {"open": None, "speed": None}
    assert valve.set(open="1") == {"open": 1, "speed": None}
    with pytest.raises(ToolParameterError, match="set_valve: parameter 'open' expected"):
        valve.set(open=2)
    assert valve.state() == {"open": 1, "speed": None}


# ------------------------------------------------------------------ simulated parts


def test_simulated_climate_is_deterministic_plausible_and_changing():
    def series(seed):
        clock = Clock()
        sensor = simulated.SimulatedClimateSensor(seed=seed, clock=clock)
        out = []
        for _ in range(2000):
            clock.now += 2.0
            out.append(sensor.read())
        return out

    a, b, c = series(7), series(7), series(8)
    assert a == b
    assert a != c
    temps = [r["temperature"] for r in a]
    hums = [r["humidity"] for r in a]
    assert all(17.0 <= t <= 25.0 for t in temps)
    assert all(30.0 <= h <= 60.0 for h in hums)
    assert len(set(temps)) > 20  # it moves
    steps = [abs(x - y) for x, y in zip(temps, temps[1:])]
    assert max(steps) <= 0.5  # and it moves gently, like air does


def test_simulated_climate_caches_within_interval():
    clock = Clock()
    sensor = simulated.SimulatedClimateSensor(seed=1, clock=clock)
    first = sensor.read()
    clock.now += 1.0
    assert sensor.read() == first
    assert sensor.part == "DHT22-sim"
    assert simulated.SimulatedClimateSensor(part="Thermo").part == "Thermo"


def test_simulated_led_relay_button():
    led = simulated.SimulatedLed()
    led.set(on=True)
    led.set(on=False)
    assert led.pin.history[-2:] == [True, False]
    dim = simulated.SimulatedLed(pwm=True)
    assert dim.set(on=True, brightness=0.25) == {"on": True, "brightness": 0.25}
    assert dim.pin.duty_cycle == 16384
    relay = simulated.SimulatedRelay()
    assert relay.set(on=True) == {"on": True} and relay.pin.value is True
    button = simulated.SimulatedButton()
    assert button.read() == {"pressed": False}
    button.press()
    assert button.read() == {"pressed": True}
    button.release()
    assert button.read() == {"pressed": False}
    assert button.press_count == 1
    noisy = simulated.SimulatedButton(seed=3, press_probability=0.5)
    seen = {noisy.read()["pressed"] for _ in range(50)}
    assert seen == {True, False}
    assert noisy.press_count > 0


def test_rng_matches_reference_xorshift():
    class Part:
        rng = simulated.seeded(1)

    part = Part()
    x = (1 * 2654435761 + 1) & 0xFFFFFFFF
    for _ in range(5):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        assert simulated.random(part) == x / 4294967296.0 and part.rng == x


def test_simulated_parts_behave_as_the_real_adapters():
    # The simulated LED, relay and button stand alone (no drivers.io); they must keep the
    # real adapters' schemas, states and pin levels.
    for dimmable in (False, True):
        real_pin = Io() if dimmable else DigitalIo()
        real = io.Led(io=real_pin, pwm=dimmable)
        sim = simulated.SimulatedLed(pwm=dimmable)
        assert sim.settings == real.settings and sim.state() == real.state()
        calls = [{"on": True}, {"on": "off"}, {"on": 1}]
        if dimmable:
            calls += [{"on": True, "brightness": 0.25}, {"on": False, "brightness": 0.5}]
        for values in calls:
            assert sim.set(**values) == real.set(**values)
            if dimmable:
                assert sim.pin.duty_cycle == real_pin.duty_cycle
            else:
                assert sim.pin.value == real_pin.value
    for active_low in (False, True):
        real_pin = DigitalIo()
        real = io.Relay(io=real_pin, active_low=active_low)
        sim = simulated.SimulatedRelay(active_low=active_low)
        assert sim.settings == real.settings and sim.pin.value == real_pin.value
        for on in (True, False, "on"):
            assert sim.set(on=on) == real.set(on=on) and sim.pin.value == real_pin.value
    real_pin = DigitalIo(True)
    real = io.Button(io=real_pin)
    sim = simulated.SimulatedButton()
    assert sim.readings == real.readings and sim.read() == real.read()
    sim.press()
    real_pin.value = False
    assert sim.read() == real.read() == {"pressed": True}


def test_a_simulated_pin_keeps_only_its_last_writes():
    from jotunheim.capability.drivers.simulated import SimulatedPin

    pin = SimulatedPin()
    for i in range(1000):
        pin.write(i % 2 == 0)
    pin.deinit()
    assert len(pin.history) == SimulatedPin.HISTORY and pin.history[-1] == "deinit"
    assert pin.history[-2] is False and pin.value is False
