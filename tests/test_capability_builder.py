# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""DeviceCapabilityBuilder: detection on Blinka, on faked CircuitPython boards, settings."""

import os
import platform
import sys
import types

import board
import microcontroller
import pytest

from jotunheim import __version__
from jotunheim.capability import pins
from jotunheim.capability.builder import DeviceCapabilityBuilder
from jotunheim.capability.detect import device_type_from
from jotunheim.capability.drivers.simulated import SimulatedClimateSensor, SimulatedRelay
from jotunheim.capability.registry import ToolRegistry
from jotunheim.capability.system import SystemTools
from jotunheim.settings.validator import validate as validate_settings
from tests.tools import uninstrumented_env


def fake_board(names, chip_names=None, board_id="adafruit_feather_esp32s3_4mbflash_2mbpsram"):
    """A ``board`` module of Pin objects; ``chip_names`` maps board name -> chip name."""

    class Pin:
        def __init__(self, name):
            self.name = name

    mcu = types.ModuleType("microcontroller")
    mcu.Pin = Pin
    mcu.pin = types.ModuleType("microcontroller.pin")
    mcu.cpu = types.SimpleNamespace(uid=bytearray(b"\x7c\xdf\xa1\x0b\x7f\x2a"))
    brd = types.ModuleType("board")
    brd.board_id = board_id
    made = {}
    for name in names:
        target = (chip_names or {}).get(name, name)
        if target not in made:
            made[target] = Pin(target)
            if chip_names and name in chip_names:
                setattr(mcu.pin, target, made[target])
        setattr(brd, name, made[target])
    brd.I2C = lambda: None  # a function, not a pin: must not be listed as one
    return brd, mcu


ESP32S3 = {
    "implementation": "circuitpython",
    "machine": "Adafruit Feather ESP32-S3 4MB Flash 2MB PSRAM with ESP32S3",
    "release": "9.2.1",
    "sysname": "ESP32S3",
}


def test_esp32s3_board_numbers_from_chip_names():
    names = ["D5", "D6", "LED", "D13", "A0", "SDA", "SCL", "SCK", "MOSI", "MISO", "TX", "RX"]
    chip = {"D5": "GPIO5", "D6": "GPIO6", "D13": "GPIO13", "LED": "GPIO13", "A0": "GPIO18",
            "SDA": "GPIO3", "SCL": "GPIO4", "SCK": "GPIO36", "MOSI": "GPIO35", "MISO": "GPIO37",
            "TX": "GPIO39", "RX": "GPIO38"}  # fmt: skip
    brd, mcu = fake_board(names, chip)
    builder = DeviceCapabilityBuilder(
        name="feather",
        board=brd,
        microcontroller=mcu,
        platform=ESP32S3,
        has_module=lambda m: m in ("analogio", "pwmio", "wifi", "_bleio"),
        total_memory=2 * 1024 * 1024,
    )
    caps = builder.build()
    assert caps.device_id == "7CDFA10B7F2A"
    assert caps.device_type == "ESP32-S3"
    assert caps.firmware_version == "CircuitPython 9.2.1; jotunheim " + __version__
    # A0 is GPIO18 on this board, so it has a number; LED and D13 are one pin
    assert caps.hardware.gpio.available_pins == [3, 4, 5, 6, 13, 18, 35, 36, 37, 38, 39]
    assert caps.hardware.interfaces == ["I2C", "SPI", "UART", "ADC", "PWM", "WiFi", "BLE"]
    gpio = caps.hardware.gpio
    assert gpio.digital and gpio.analog and gpio.pwm
    assert caps.resources.max_memory_kb == 2048
    assert caps.resources.max_concurrent_tools == 1
    info = builder.info()
    assert info["board_id"] == "adafruit_feather_esp32s3_4mbflash_2mbpsram"
    assert info["library_version"] == __version__
    assert len(info["fingerprint"]) == 32


def test_pico_w_board_names_only():
    brd, mcu = fake_board(["GP%d" % n for n in range(29)] + ["LED", "A0"])
    del mcu.pin  # no chip table: numbers from board names
    builder = DeviceCapabilityBuilder(
        board=brd,
        microcontroller=mcu,
        has_module=lambda m: m == "wifi",
        platform={"implementation": "circuitpython", "machine": "Raspberry Pi Pico W with rp2040"},
    )
    caps = builder.build()
    assert caps.device_type == "RP2040 (Pico W)"
    assert caps.hardware.gpio.available_pins == list(range(29))
    assert caps.hardware.interfaces == ["I2C", "WiFi"]  # board.I2C() exists; no SPI/UART names
    assert not caps.hardware.gpio.analog
    assert caps.device_name == "jotunheim-0b7f2a"  # no name anywhere: from the id


@pytest.mark.parametrize(
    ("machine", "expected"),
    [
        ("Adafruit QT Py ESP32-S2 with ESP32S2", "ESP32-S2"),
        ("Adafruit QT Py ESP32-S3 no psram with ESP32S3", "ESP32-S3"),
        ("Raspberry Pi Pico W with rp2040", "RP2040 (Pico W)"),
        ("Raspberry Pi Pico with rp2040", "RP2040 (Pico)"),
        ("Raspberry Pi Pico 2 W with rp2350a", "RP2350 (Pico 2 W)"),
        ("Adafruit Feather RP2040 with rp2040", "RP2040"),
        ("Seeed XIAO ESP32C3 with ESP32-C3FN4", "ESP32-C3"),
        ("Adafruit Feather nRF52840 Express with nRF52840", "nRF52840"),
        ("Mystery Board with MYCHIP", "Mystery Board with MYCHIP"),
    ],
)
def test_device_type_mapping(machine, expected):
    assert device_type_from(machine) == expected


def test_pin_numbers_rule():
    assert pins.number_from_name("GP15") == 15
    assert pins.number_from_name("GPIO5") == 5
    assert pins.number_from_name("IO5") == 5
    assert pins.number_from_name("D4") == 4
    assert pins.number_from_name("P0_13") == 13
    assert pins.number_from_name("P1_02") == 34
    for name in ("A0", "SDA", "NEOPIXEL", "GPX", "D", None):
        assert pins.number_from_name(name) is None


def test_blinka_generic_board_reported_honestly():
    builder = DeviceCapabilityBuilder(name="desk")
    caps = builder.build()
    sysname, machine = os.uname().sysname, os.uname().machine
    assert caps.device_type == "Blinka (%s) on %s %s" % (board.board_id, sysname, machine)
    assert caps.device_type.startswith("Blinka (OS_AGNOSTIC_BOARD) on Linux ")
    assert caps.firmware_version == "CPython %s (Blinka); jotunheim %s" % (
        platform.python_version(),
        __version__,
    )
    assert not hasattr(microcontroller, "cpu")  # Blinka has no uid: id from the host
    assert caps.device_id.startswith("HOST-") and len(caps.device_id) == 17
    assert DeviceCapabilityBuilder().build().device_id == caps.device_id  # stable
    # Blinka's generic board numbers its pins (Pin.id); SDA/SCL have none
    numbered = pins.numbered_pins(board, microcontroller)
    assert numbered[4][1] is board.Dx_OUTPUT
    assert caps.hardware.gpio.available_pins == sorted(numbered)
    assert "I2C" in caps.hardware.interfaces and "SPI" in caps.hardware.interfaces
    assert caps.resources.max_memory_kb == 0  # CPython has no heap figure


def test_settings_and_user_values():
    settings, errors = validate_settings(
        {
            "version": 1,
            "capabilities": {
                "device_name": "Greenhouse",
                "device_id": "gh-01",
                "features": {"streaming": False, "encryption": True},
            },
            "resources": {"max_memory_kb": 64, "max_cpu_percent": 70, "max_concurrent_tools": 3},
        }
    )
    assert errors == []
    builder = DeviceCapabilityBuilder(settings=settings, total_memory=200 * 1024)
    caps = builder.build()
    assert caps.device_name == "Greenhouse"
    assert caps.device_id == "gh-01"
    assert caps.device_type.startswith("Blinka")  # settings default "circuitpython" = detect
    assert (caps.resources.max_memory_kb, caps.resources.max_cpu_percent) == (64, 70)
    assert caps.resources.max_concurrent_tools == 3
    assert (caps.features.streaming, caps.features.compression, caps.features.encryption) == (
        False,
        False,
        True,
    )
    # user arguments win over settings; a limit above the heap is capped to the heap
    mine = DeviceCapabilityBuilder(
        "Bench",
        settings,
        device_id="bench-7",
        limits={"max_memory_kb": 4096},
        features={"compression": True},
        total_memory=200 * 1024,
    ).build()
    assert (mine.device_name, mine.device_id) == ("Bench", "bench-7")
    assert mine.resources.max_memory_kb == 200
    assert mine.features.compression
    # the fingerprint follows the hardware, not the configured id
    assert builder.fingerprint() == DeviceCapabilityBuilder(device_id="other").fingerprint()


def test_plain_dict_settings_with_defaults_do_not_hide_detection():
    settings = {"capabilities": {"device_name": "jotunheim", "device_type": "circuitpython"}}
    caps = DeviceCapabilityBuilder(settings=settings).build()
    assert caps.device_name.startswith("jotunheim-")
    assert caps.device_type.startswith("Blinka")
    custom = {"capabilities": {"device_type": "Greenhouse Node v2"}}
    assert DeviceCapabilityBuilder(settings=custom).build().device_type == "Greenhouse Node v2"


def test_registry_parts_and_tools_in_capabilities():
    registry = ToolRegistry()
    registry.add_sensor("room", SimulatedClimateSensor())
    registry.add_actuator("heater", SimulatedRelay())
    registry.add_provider(SystemTools(reboot=lambda: None))
    caps = DeviceCapabilityBuilder(name="sim").build(registry)
    assert caps.hardware.sensors == ["DHT22-sim"]
    assert caps.hardware.actuators == ["Relay-sim"]
    assert [t.name for t in caps.tools] == [
        "read_dht22_sim_temperature",
        "read_dht22_sim_humidity",
        "set_relay_sim",
        "get_relay_sim_state",
        "reboot",
    ]
    assert caps.tools[0].unit == "C" and caps.tools[-1].user_only


def test_refresh_redetects():
    brd, mcu = fake_board(["D1"])
    builder = DeviceCapabilityBuilder(board=brd, microcontroller=mcu, platform=ESP32S3)
    assert builder.build().hardware.gpio.available_pins == [1]
    brd.D2 = mcu.Pin("D2")
    assert builder.build().hardware.gpio.available_pins == [1]  # cached
    builder.refresh()
    assert builder.build().hardware.gpio.available_pins == [1, 2]


def test_builder_module_imports_nothing_heavy():
    code = (
        "import sys\nimport jotunheim.capability.builder\n"
        "print([m for m in ('board', 'microcontroller', 'hashlib', 'jotunheim.pb') "
        "if m in sys.modules])"
    )
    import subprocess

    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=uninstrumented_env(),  # coverage's hook would import hashlib/json itself
    )
    assert out.stdout.strip() == "[]"
