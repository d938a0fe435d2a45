# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Stream plugins: lazy loading, broken plugins refused by name, listing, settings text, the
built-in plugins on the host (generated signal, simulated speaker and pixels) and with
fake ADC / PDM hardware, and the capability fields a device advertises."""

import sys
import textwrap

import pytest

from jotunheim.streaming.errors import PluginError, StreamError
from jotunheim.streaming.handler import StreamingHandler
from jotunheim.streaming.registry import BUILTIN, PluginRegistry

GOOD = """
KIND = "sensor"
DIRECTION = "up"
SAMPLE_FORMAT = "u8/1/10"

class Counter:
    def __init__(self, options):
        self.limit = int(options.get("frames", 3))
    def read_into(self, view, sequence):
        if sequence >= self.limit:
            return 0
        view[0] = sequence & 255
        return 1
    def seek(self, sequence):
        return True
    def close(self):
        self.limit = 0

def open(options):
    return Counter(options)
"""


@pytest.fixture
def plugin_dir(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))

    def write(name, text):
        (tmp_path / (name + ".py")).write_text(textwrap.dedent(text))
        sys.modules.pop(name, None)
        return name

    yield write
    for path in tmp_path.glob("*.py"):
        sys.modules.pop(path.stem, None)


def test_a_registered_plugin_is_imported_only_on_first_use(plugin_dir):
    name = plugin_dir("jh_counter_plugin", GOOD)
    registry = PluginRegistry(builtin=False)
    registry.register("counter", name)
    assert name not in sys.modules
    assert registry.names() == ["counter"] and not registry.loaded("counter")
    plugin = registry.load("counter")
    assert name in sys.modules and registry.loaded("counter")
    assert plugin.KIND == "sensor"
    assert registry.load("counter") is plugin  # imported once


def test_listing_does_not_import_builtin_plugins_but_names_their_kinds():
    for _, module, *_ in BUILTIN:
        sys.modules.pop(module, None)
    registry = PluginRegistry()
    listed = {p["name"]: p for p in registry.list(load=False)}
    assert set(listed) == {"signal", "adc", "mic", "file", "file_out", "speaker", "pixels"}
    assert listed["mic"] == {
        "name": "mic",
        "module": "jotunheim.streaming.plugins.pdm_mic",
        "kind": "audio",
        "direction": "up",
        "sample_format": "pcm16le/1/16000",
        "loaded": False,
    }
    assert registry.kinds() == ["audio", "data", "sensor", "video"]
    assert not [m for _, m, *_ in BUILTIN if m in sys.modules]


def test_listing_a_plugin_registered_without_kinds_loads_it(plugin_dir):
    name = plugin_dir("jh_listed_plugin", GOOD)
    registry = PluginRegistry(builtin=False)
    registry.register("counter", name)
    (info,) = registry.list()
    assert info["kind"] == "sensor" and info["sample_format"] == "u8/1/10" and info["loaded"]


def test_a_plugin_missing_interface_parts_is_refused_naming_them(plugin_dir):
    name = plugin_dir("jh_broken_plugin", 'KIND = "audio"\nDIRECTION = "up"\n')
    registry = PluginRegistry(builtin=False)
    registry.register("broken", name)
    with pytest.raises(PluginError) as err:
        registry.load("broken")
    assert str(err.value) == (
        "plugin 'broken' does not implement the stream plugin interface: "
        "missing SAMPLE_FORMAT, open"
    )
    # ... and listing still works, with the error in place of the kinds
    (info,) = registry.list()
    assert "missing SAMPLE_FORMAT, open" in info["error"]


def test_a_source_missing_methods_is_refused_at_start(plugin_dir):
    text = GOOD.replace("    def seek(self, sequence):\n        return True\n", "")
    name = plugin_dir("jh_noseek_plugin", text)
    handler = StreamingHandler(registry=PluginRegistry(builtin=False))
    handler.register("noseek", name)
    with pytest.raises(PluginError, match=r"its source \(from open\(\)\) is missing seek"):
        handler.send_data_stream("noseek", "http://127.0.0.1:9/x")


def test_bad_kind_direction_import_and_unknown_names(plugin_dir):
    registry = PluginRegistry(builtin=False)
    registry.register("odd", plugin_dir("jh_odd_plugin", GOOD.replace('"sensor"', '"smell"')))
    with pytest.raises(PluginError, match="KIND 'smell' is not one of"):
        registry.load("odd")
    registry.register("gone", "jh_no_such_module_anywhere")
    with pytest.raises(PluginError, match="cannot import jh_no_such_module_anywhere"):
        registry.load("gone")
    with pytest.raises(PluginError, match="no stream plugin 'nope'; registered: gone, odd"):
        registry.load("nope")
    with pytest.raises(PluginError, match="not name=module.path"):
        registry.register_text("a=b, broken")


def test_settings_text_registers_plugins(plugin_dir):
    name = plugin_dir("jh_text_plugin", GOOD)
    registry = PluginRegistry(builtin=False)
    assert registry.register_text(" c1=%s, c2 = %s ," % (name, name)) == 2
    assert registry.names() == ["c1", "c2"] and name not in sys.modules


def test_kind_specific_starts_refuse_other_kinds_and_directions():
    handler = StreamingHandler()
    with pytest.raises(PluginError, match="'signal' is a sensor plugin, not audio"):
        handler.send_audio_stream("signal", "http://127.0.0.1:9/x")
    with pytest.raises(PluginError, match="'speaker' streams down, not up"):
        handler.send_audio_stream("speaker", "http://127.0.0.1:9/x")
    with pytest.raises(ValueError, match="chunk_size must be 1..32768"):
        handler.send_data_stream("signal", "http://127.0.0.1:9/x", chunk_size=0)


def test_a_plugin_object_from_code_py_and_one_stream_per_id():
    class Ramp:
        NAME = "ramp"
        KIND = "data"
        DIRECTION = "up"
        SAMPLE_FORMAT = "raw"

        def open(self, options):
            return self

        def read_into(self, view, sequence):
            return 0

        def seek(self, sequence):
            return True

        def close(self):
            return None

    handler = StreamingHandler()
    stream = handler.send_data_stream(Ramp(), "http://127.0.0.1:9/x")
    assert stream.stream_id == "ramp" and "ramp" in handler.registry.names()
    with pytest.raises(StreamError, match="'ramp' is already running"):
        handler.send_data_stream("ramp", "http://127.0.0.1:9/x")
    assert handler.stop("ramp") == ["ramp"] and stream.state == "stopped"


def test_signal_is_deterministic_per_sequence():
    tone = PluginRegistry().load("signal").open({"frequency": 700})
    a, b = bytearray(64), bytearray(64)
    assert tone.read_into(memoryview(a), 7) == 64
    tone.read_into(memoryview(b), 8)
    again = bytearray(64)
    tone.read_into(memoryview(again), 7)
    assert a == again and a != b
    samples = [int.from_bytes(a[i : i + 2], "little", signed=True) for i in range(0, 64, 2)]
    assert max(samples) > 5000 and min(samples) < -5000  # a real tone, not silence
    with pytest.raises(ValueError, match="frequency must be"):
        PluginRegistry().load("signal").open({"frequency": 5000})


class FakeAnalogIn:
    def __init__(self):
        self.reads = 0
        self.deinited = False

    @property
    def value(self):
        self.reads += 1
        return (self.reads * 1000) & 0xFFFF

    def deinit(self):
        self.deinited = True


def test_adc_plugin_reads_analogin_values():
    adc = FakeAnalogIn()
    source = PluginRegistry().load("adc").open({"adc": adc})
    buf = bytearray(8)
    assert source.read_into(memoryview(buf), 0) == 8
    assert [int.from_bytes(buf[i : i + 2], "little") for i in range(0, 8, 2)] == [
        1000,
        2000,
        3000,
        4000,
    ]
    assert source.seek(0) is False  # live
    source.close()
    assert not adc.deinited  # handed in: not ours to release


def test_adc_plugin_names_a_missing_pin_or_module(monkeypatch):
    import types

    fake = types.ModuleType("analogio")
    fake.AnalogIn = lambda pin: FakeAnalogIn()
    monkeypatch.setitem(sys.modules, "analogio", fake)
    with pytest.raises(ValueError, match="board has no pin Q9"):
        PluginRegistry().load("adc").open({"pin": "Q9"})


class FakePDMIn:
    def record(self, buffer, count):
        for k in range(count):
            buffer[k] = 32768 + (k - 2) * 100
        return count

    def deinit(self):
        return None


def test_mic_plugin_turns_pdm_samples_into_signed_pcm():
    source = PluginRegistry().load("mic").open({"mic": FakePDMIn(), "chunk_size": 8})
    buf = bytearray(8)
    assert source.read_into(memoryview(buf), 0) == 8
    pcm = [int.from_bytes(buf[i : i + 2], "little", signed=True) for i in range(0, 8, 2)]
    assert pcm == [-200, -100, 0, 100]


def test_speaker_and_pixels_are_simulated_on_the_host():
    from jotunheim.streaming.frames import Frame

    speaker = PluginRegistry().load("speaker").open({})
    assert speaker.simulated and speaker.ready()
    samples = b"".join(int(v).to_bytes(2, "little", signed=True) for v in (0, 800, -1200, 5))
    speaker.write(memoryview(samples * 200), Frame())  # 800 samples = 100 ms at 8 kHz
    assert speaker.played == 800 and speaker.peak == 1200
    assert not speaker.ready()  # busy "playing": a downlink waits (back-pressure)
    pixels = PluginRegistry().load("pixels").open({"count": 2})
    pixels.write(memoryview(b"\x01\x02\x03\x04\x05\x06"), Frame())
    assert bytes(pixels.frame) == b"\x01\x02\x03\x04\x05\x06" and pixels.shown == 1


def test_a_device_advertises_stream_kinds_once_streams_exist(tmp_path):
    import socket

    from jotunheim.device.core import Device
    from jotunheim.net.wifi import HostNetwork

    device = Device(
        "s",
        root=str(tmp_path),
        pool=socket,
        network=HostNetwork(probe_interval=0),
        token="",
        owner_token="",
        loki_url="",
        port=0,
        host="127.0.0.1",
    )
    caps = device.capabilities()
    assert caps.features.stream_kinds == [] and device.stream_handler is None
    device.streams.register(
        "thermo", "jh_never_imported", kind="sensor", direction="up", sample_format="u16le/1/1"
    )
    features = device.capabilities().features
    assert features.stream_transport == "jotunheim-stream/1"
    assert features.stream_kinds == ["audio", "data", "sensor", "video"]
    thermo = [p for p in features.stream_plugins if p.name == "thermo"][0]
    assert (thermo.kind, thermo.direction, thermo.sample_format) == ("sensor", "up", "u16le/1/1")
    assert "jh_never_imported" not in sys.modules


BASE_PATH = """
import socket, sys
from jotunheim.device.core import Device
from jotunheim.net.wifi import HostNetwork
d = Device("s", root=sys.argv[1], pool=socket, network=HostNetwork(probe_interval=0),
           token="", owner_token="", loki_url="", port=0, host="127.0.0.1")
d.start(); d.step(); d.capabilities(); d.status_info(); d.stop()
print(sorted(m for m in sys.modules if m.startswith("jotunheim.streaming")))
"""


def test_the_base_path_never_imports_streaming(tmp_path):
    import os
    import subprocess

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=root, BLINKA_OS_AGNOSTIC="1")
    out = subprocess.run(
        [sys.executable, "-c", BASE_PATH, str(tmp_path)],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
