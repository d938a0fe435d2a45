# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""DeviceResolver / JsonFileDeviceResolver: cryptic ids to names and capabilities."""

import json
import os

import pytest

from jotunheim.capability.resolver import (
    AmbiguousDeviceError,
    DeviceResolver,
    JsonFileDeviceResolver,
    UnknownDeviceError,
    normalize,
)
from jotunheim.pb import jotunheim_capability as cap


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("ESP-7F2A", "7F2A"),
        ("esp-7f2a", "7F2A"),
        ("PICO_W-0B7F2A", "0B7F2A"),
        ("7c:df:a1:0b:7f:2a", "7CDFA10B7F2A"),
        ("7C-DF-A1-0B-7F-2A", "7CDFA10B7F2A"),
        ("mac: 7cdf.a10b.7f2a", "7CDFA10B7F2A"),
        ("0x7CDFA10B7F2A", "7CDFA10B7F2A"),
        ("uid:e6613852834d2a21", "E6613852834D2A21"),
        ("HOST-995994BD0F09", "995994BD0F09"),
        ("kitchen-node", "KITCHENNODE"),  # not hex after the name: kept whole
        ("cafe-beef", "CAFEBEEF"),  # all hex: just separators removed
        ("  ", ""),
    ],
)
def test_normalize(raw, key):
    assert normalize(raw) == key


def greenhouse_caps():
    return cap.JotunheimCapabilities(
        device_id="E6613852834D2A21",
        device_name="greenhouse",
        device_type="RP2040 (Pico W)",
        tools=[cap.Tool(name="read_dht22_temperature", return_type="Number", unit="C")],
    )


def test_resolves_ids_aliases_names_and_unique_suffixes():
    devices = DeviceResolver()
    devices.add("E6613852834D2A21", "Greenhouse", greenhouse_caps(), ["7c:df:a1:0b:7f:2a"])
    devices.add("HOST-995994BD0F09", "Desk simulator")
    for query in (
        "E6613852834D2A21",
        "e6613852834d2a21",
        "uid:E6:61:38:52:83:4D:2A:21",
        "7C-DF-A1-0B-7F-2A",
        "ESP-7F2A",  # hostname with the MAC's last two bytes
        "esp-0b7f2a",
        "greenhouse",
        "GREENHOUSE",
        "2a21",  # end of the uid
    ):
        record = devices.resolve(query)
        assert record is not None and record.device_id == "E6613852834D2A21", query
    assert devices.resolve("desk simulator").device_id == "HOST-995994BD0F09"
    assert devices.resolve("host-995994bd0f09").name == "Desk simulator"
    assert devices.resolve("ESP-1234") is None
    assert devices.resolve("") is None
    assert devices.resolve("7F") is None  # too short to guess from
    assert devices.require("esp-7f2a").capabilities.tools[0].unit == "C"
    with pytest.raises(UnknownDeviceError, match="no device matches 'ESP-9999'"):
        devices.require("ESP-9999")
    assert devices.display_name("esp-7f2a") == "Greenhouse"
    assert devices.display_name("ESP-9999") == "ESP-9999"


def test_ambiguous_suffix_names_the_candidates():
    devices = DeviceResolver()
    devices.add("AA00007F2A", "one")
    devices.add("BB00007F2A", "two")
    with pytest.raises(AmbiguousDeviceError) as info:
        devices.resolve("ESP-7F2A")
    assert info.value.candidates == ["AA00007F2A", "BB00007F2A"]
    assert "fits several devices: AA00007F2A, BB00007F2A" in str(info.value)
    assert devices.display_name("ESP-7F2A") == "ESP-7F2A"
    assert devices.resolve("AA00007F2A").name == "one"  # exact ids still work


def test_updates_learn_and_remove():
    devices = DeviceResolver()
    record = devices.learn(greenhouse_caps(), aliases=["ESP-7F2A"])
    assert record.name == "greenhouse"
    devices.add("E6613852834D2A21", "Greenhouse 2", aliases=["7c:df:a1:0b:7f:2a"])
    assert record.name == "Greenhouse 2" and record.capabilities is not None
    assert record.aliases == ["ESP-7F2A", "7c:df:a1:0b:7f:2a"]
    devices.add("OTHER-01", "other")
    with pytest.raises(ValueError, match="already belongs to device 'E6613852834D2A21'"):
        devices.add("OTHER-01", aliases=["esp-7f2a"])
    devices.remove("OTHER-01")
    with pytest.raises(UnknownDeviceError):
        devices.remove("OTHER-01")
    with pytest.raises(ValueError, match="no letters or digits"):
        devices.add("--")


def test_json_file_persists_atomically(tmp_path):
    path = str(tmp_path / "devices.json")
    devices = JsonFileDeviceResolver(path)
    assert devices.records() == []
    assert not os.path.exists(path)  # nothing written until something changes
    devices.add("E6613852834D2A21", "Greenhouse", greenhouse_caps(), ["7c:df:a1:0b:7f:2a"])
    devices.add("HOST-995994BD0F09", "Desk")
    data = json.load(open(path))
    assert data["version"] == 1
    assert [d["device_id"] for d in data["devices"]] == ["E6613852834D2A21", "HOST-995994BD0F09"]
    assert not os.path.exists(path + ".tmp")
    again = JsonFileDeviceResolver(path)
    record = again.resolve("ESP-7F2A")
    assert record.name == "Greenhouse"
    assert record.capabilities == greenhouse_caps()
    assert again.resolve("desk").capabilities is None
    again.remove("HOST-995994BD0F09")
    assert [r.device_id for r in JsonFileDeviceResolver(path).records()] == ["E6613852834D2A21"]


def test_json_file_on_fat_rename_semantics(tmp_path, monkeypatch):
    real_rename = os.rename

    def fat_rename(src, dst):
        if os.path.exists(dst):
            raise OSError(17, "EEXIST")
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", fat_rename)
    path = str(tmp_path / "devices.json")
    devices = JsonFileDeviceResolver(path)
    devices.add("A1", "one")
    devices.add("B2", "two")
    assert len(JsonFileDeviceResolver(path).records()) == 2


def test_json_file_after_a_power_cut_between_remove_and_rename(tmp_path):
    # FAT: the old file was removed, the new one is still named .tmp.
    path = str(tmp_path / "devices.json")
    JsonFileDeviceResolver(path).add("A1", "one")
    os.rename(path, path + ".tmp")
    devices = JsonFileDeviceResolver(path)
    assert devices.resolve("a1").name == "one"
    devices.add("B2", "two")
    assert [r.device_id for r in JsonFileDeviceResolver(path).records()] == ["A1", "B2"]


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        '{"devices": 3}',
        '{"devices": [{"name": "no id"}]}',
        '{"devices": [{"device_id": "A", "capabilities": "zz"}]}',
        '{"devices": [{"device_id": "A", "capabilities": "0a"}]}',
    ],
)
def test_broken_file_is_a_clear_error_and_not_overwritten(tmp_path, content):
    path = tmp_path / "devices.json"
    path.write_text(content)
    with pytest.raises(ValueError, match="devices.json: not a device list"):
        JsonFileDeviceResolver(str(path))
    assert path.read_text() == content
