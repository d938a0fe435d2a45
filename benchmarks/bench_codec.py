# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Codec benchmark: jotunheim.pb side by side with betterproto 2.0.0b7, minipb 2.0.0 and
Google protobuf (pure-Python and upb backends), in one run.

Workloads (encode + decode + read every field):
  * caps  — a realistic JotunheimCapabilities: 10 tools, 20 pins;
  * chunk — one ScriptChunk of a script's output stream.

Google protobuf picks its backend once per process, so each peer runs in its own
subprocess of this file (``--peer NAME``); the parent prints the table.

    .venv/bin/python benchmarks/bench_codec.py            # CPython table
    .venv/bin/python benchmarks/bench_codec.py --micropython   # adds the MicroPython rows
"""

import json
import os
import subprocess
import sys
import timeit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

PEERS = ("jotunheim.pb", "betterproto", "minipb", "protobuf-python", "protobuf-upb")


def sample_capabilities():
    from jotunheim.pb import jotunheim_capability as cap

    tools = []
    for i in range(10):
        params = [
            cap.ParameterDefinition(
                name="level",
                type="Number",
                required=True,
                description="target level",
                minimum=0.0,
                maximum=100.0,
            ),
            cap.ParameterDefinition(name="mode", type="String", enum_values=["on", "off", "blink"]),
        ]
        tools.append(
            cap.Tool(
                name="set_actuator_%d" % i,
                description="Set actuator %d on the kitchen board" % i,
                parameters=params,
                return_type="Object",
                unit="%",
            )
        )
    return cap.JotunheimCapabilities(
        device_id="e6614103e7452d2f",
        device_name="kitchen",
        device_type="RP2040 (Pico W)",
        firmware_version="9.2.1",
        protocol_version="1.0",
        tools=tools,
        hardware=cap.HardwareCapabilities(
            gpio=cap.GpioInfo(available_pins=list(range(20)), digital=True, analog=True, pwm=True),
            interfaces=["I2C", "SPI", "UART", "ADC", "PWM", "WiFi"],
            sensors=["DHT22", "BMP280"],
            actuators=["LED", "Relay"],
        ),
        resources=cap.ResourceLimits(max_memory_kb=64, max_cpu_percent=50, max_concurrent_tools=2),
        features=cap.ProtocolFeatures(streaming=True, compression=False, encryption=True),
    )


def sample_chunk():
    from jotunheim.pb import loki

    return loki.ScriptChunk(
        output=loki.ScriptOutput(data="temperature=21.5C humidity=40%", is_final=False),
        timestamp=1764230400123,
    )


def _walk_ours(msg):
    from jotunheim import pb
    from jotunheim_host import protogen as pt

    n = 0
    for _num, name, ftype, flags, _sub in pb.fields_of(msg):
        value = getattr(msg, name)
        if ftype == pt.MESSAGE and not flags & pt.MAP:
            for item in value if flags & pt.REPEATED else ([value] if value is not None else []):
                n += _walk_ours(item)
        elif flags & pt.REPEATED:
            n += len(value)
        n += 1
    return n


def _walk_like(msg, table_cls):
    """Read every field of a betterproto or Google message, using our table for names."""
    from jotunheim import pb
    from jotunheim_host import protogen as pt

    n = 0
    for _num, name, ftype, flags, sub in pb.fields_of(table_cls):
        try:
            value = getattr(msg, name)
        except AttributeError:  # betterproto: an unset oneof member
            value = None
        if ftype == pt.MESSAGE and not flags & pt.MAP:
            for item in value if flags & pt.REPEATED else ([value] if value is not None else []):
                n += _walk_like(item, sub)
        elif flags & pt.REPEATED:
            n += len(value)
        n += 1
    return n


def _walk_dict(value):
    if isinstance(value, dict):
        return sum(_walk_dict(v) for v in value.values()) + 1
    if isinstance(value, list):
        return sum(_walk_dict(v) for v in value) + 1
    return 1


def _workloads(peer):
    """{workload: (zero-arg callable doing encode + decode + read, encoded size)}."""
    from jotunheim.pb import jotunheim_capability as cap
    from jotunheim.pb import loki

    samples = {
        "caps": (sample_capabilities(), cap.JotunheimCapabilities),
        "chunk": (sample_chunk(), loki.ScriptChunk),
    }
    out = {}
    for name, (msg, cls) in samples.items():
        data = msg.encode()
        if peer == "jotunheim.pb":

            def run(msg=msg, cls=cls):
                return _walk_ours(cls.decode(msg.encode()))

        elif peer == "betterproto":
            out[name] = _betterproto_run(msg, cls, data)
            continue
        elif peer == "minipb":
            out[name] = _minipb_run(name, data)
            continue
        else:
            out[name] = _google_run(cls, data)
            continue
        out[name] = (run, len(data))
    return out


def _betterproto_run(msg, cls, data):
    from jotunheim_host.reference_pb import loki as bl
    from jotunheim_host.reference_pb.jotunheim import capability as bc

    ref_cls = getattr(bc if cls.__module__.endswith("capability") else bl, cls.__name__)
    ref = ref_cls().parse(data)

    def run():
        return _walk_like(ref_cls().parse(bytes(ref)), cls)

    return run, len(bytes(ref))


def _google_run(cls, data):
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    from tests import pb_support

    gcls = pb_support.google_class(pb_support.full_name(cls))
    g = gcls()
    g.ParseFromString(data)

    def run():
        g2 = gcls()
        g2.ParseFromString(g.SerializeToString())
        return _walk_like(g2, cls)

    return run, len(g.SerializeToString())


MINIPB_PARAM = [
    ("name", "U"),
    ("type", "U"),
    ("required", "b"),
    ("description", "U"),
    ("minimum", "d"),
    ("maximum", "d"),
    ("enum_values", "+U"),
    ("unit", "U"),
    ("default_value", "U"),
]
MINIPB_CAPS = [
    ("device_id", "U"),
    ("device_name", "U"),
    ("device_type", "U"),
    ("firmware_version", "U"),
    ("protocol_version", "U"),
    (
        "tools",
        "+[",
        [
            ("name", "U"),
            ("description", "U"),
            ("parameters", "+[", MINIPB_PARAM),
            ("return_type", "U"),
            ("user_only", "b"),
            ("unit", "U"),
        ],
    ),
    (
        "hardware",
        [
            ("gpio", [("available_pins", "#t"), ("digital", "b"), ("analog", "b"), ("pwm", "b")]),
            ("interfaces", "+U"),
            ("sensors", "+U"),
            ("actuators", "+U"),
        ],
    ),
    (
        "resources",
        [("max_memory_kb", "T"), ("max_cpu_percent", "T"), ("max_concurrent_tools", "T")],
    ),
    ("features", [("streaming", "b"), ("compression", "b"), ("encryption", "b")]),
]
MINIPB_CHUNK = [
    (
        "result",
        [("success", "b"), ("output", "U"), ("metadata", "+[", [("key", "U"), ("value", "U")])],
    ),
    ("output", [("data", "U"), ("is_final", "b")]),
    ("error", [("error_message", "U"), ("error_type", "U")]),
    ("timestamp", "t"),
]


def _minipb_run(name, data):
    import minipb

    wire = minipb.Wire(MINIPB_CAPS if name == "caps" else MINIPB_CHUNK, allow_sparse_dict=True)
    value = wire.decode(data)

    def run():
        return _walk_dict(wire.decode(wire.encode(value)))

    return run, len(wire.encode(value))


def measure(peer, number=300):
    results = {}
    for name, (run, size) in _workloads(peer).items():
        run()
        count = number if name == "caps" else number * 10
        best = min(timeit.repeat(run, number=count, repeat=5)) / count
        results[name] = {"us": best * 1e6, "bytes": size}
    return results


def run_peer_subprocess(peer):
    env = dict(os.environ)
    if peer == "protobuf-python":
        env["PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION"] = "python"
    elif peer == "protobuf-upb":
        env["PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION"] = "upb"
    out = subprocess.run(
        [sys.executable, __file__, "--peer", peer],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def micropython_rows():
    """µs and bytes allocated per decode + encode + decode under the MicroPython
    interpreter (tests/micropython/harness.py), ours and minipb side by side."""
    import shutil
    import tempfile

    import minipb

    sys.path.insert(0, os.path.join(ROOT, "tests", "micropython"))
    from harness import MicroPython

    data = {"caps": sample_capabilities().encode(), "chunk": sample_chunk().encode()}
    rows = {}
    with tempfile.TemporaryDirectory() as vendor, MicroPython(timeout=300) as mp:
        # minipb (a peer, not ours) plus the two stdlib stand-ins it needs there
        shutil.copy(minipb.__file__, vendor)
        for shim in ("logging.py", "bisect.py"):
            shutil.copy(os.path.join(ROOT, "benchmarks", "mpy_shims", shim), vendor)
        mp.mount(vendor, "/vendor")
        mp.exec(
            "import minipb\n"
            "from jotunheim.pb import jotunheim_capability as cap, loki\n"
            "DATA = %r\n"
            "WIRES = {'caps': minipb.Wire(%r, allow_sparse_dict=True),"
            " 'chunk': minipb.Wire(%r, allow_sparse_dict=True)}\n"
            "CLASSES = {'caps': cap.JotunheimCapabilities, 'chunk': loki.ScriptChunk}\n"
            % (data, MINIPB_CAPS, MINIPB_CHUNK)
        )
        ops = {
            "jotunheim.pb": ("CLASSES[%r].decode(DATA[%r])", "M[%r].encode()"),
            "minipb": ("WIRES[%r].decode(DATA[%r])", "WIRES[%r].encode(M[%r])"),
        }
        for peer, (decode, encode) in ops.items():
            mp.exec("M = {}")
            for name in ("caps", "chunk"):
                mp.exec("M[%r] = %s" % (name, decode.replace("%r", repr(name))))
                repeat = 20 if name == "caps" else 200
                row = rows.setdefault(peer, {}).setdefault(name, {})
                for what, code in (("decode", decode), ("encode", encode)):
                    code = code.replace("%r", repr(name))
                    row[what + "_us"] = mp.time_of(code, repeat=repeat)
                    row[what + "_alloc"] = mp.alloc_of(code, repeat=5)
    return rows


def main():
    if "--peer" in sys.argv:
        print(json.dumps(measure(sys.argv[sys.argv.index("--peer") + 1])))
        return
    results = {peer: run_peer_subprocess(peer) for peer in PEERS}
    ours = results["jotunheim.pb"]
    print("CPython %s — encode + decode + read every field (best of 5)" % sys.version.split()[0])
    print()
    print("| codec | caps µs | caps × ours | chunk µs | chunk × ours | caps bytes |")
    print("|---|---:|---:|---:|---:|---:|")
    for peer in PEERS:
        r = results[peer]
        print(
            "| %s | %.1f | %.2f | %.2f | %.2f | %d |"
            % (
                peer,
                r["caps"]["us"],
                r["caps"]["us"] / ours["caps"]["us"],
                r["chunk"]["us"],
                r["chunk"]["us"] / ours["chunk"]["us"],
                r["caps"]["bytes"],
            )
        )
    if "--micropython" in sys.argv:
        _print_micropython()


def _print_micropython():
    rows = micropython_rows()
    print()
    print("MicroPython 1.27 (WebAssembly, Node): µs and bytes allocated per operation")
    print()
    print("| codec | message | decode µs | decode bytes | encode µs | encode bytes |")
    print("|---|---|---:|---:|---:|---:|")
    for peer, by_name in rows.items():
        for name, r in by_name.items():
            print(
                "| %s | %s | %.0f | %d | %.0f | %d |"
                % (peer, name, r["decode_us"], r["decode_alloc"], r["encode_us"], r["encode_alloc"])
            )
    o, t = rows["jotunheim.pb"]["caps"], rows["minipb"]["caps"]
    print()
    print(
        "caps decode: minipb/ours time %.2f×, allocation %.2f×; encode: time %.2f×, allocation %.2f×"
        % (
            t["decode_us"] / o["decode_us"],
            t["decode_alloc"] / o["decode_alloc"],
            t["encode_us"] / o["encode_us"],
            t["encode_alloc"] / o["encode_alloc"],
        )
    )


if __name__ == "__main__":
    main()
