# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Capability benchmark: the realistic board of tests/micropython/suite/test_capability.py
(Pico W-like, 20 GPIO pins, 8 sensors/actuators plus a button, GPIO and reboot tools).

Reports the encoded size of its JotunheimCapabilities (and of the Loki/Einherjar exports),
and under MicroPython (tests/micropython/harness.py) the heap that importing the modules,
setting up the registry and building the capabilities keep, the bytes one build and one
encode allocate, and the time per build. CPython wall-clock figures are for comparison.

    .venv/bin/python benchmarks/bench_capability.py             # print the report
    .venv/bin/python benchmarks/bench_capability.py --write     # also docs/benchmarks/capability.md
"""

import importlib.util
import os
import sys
import timeit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests", "micropython"))
BOARD = os.path.join(ROOT, "tests", "micropython", "suite", "test_capability.py")


def board_module():
    spec = importlib.util.spec_from_file_location("capability_board", BOARD)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cpython_figures():
    from jotunheim.pb import einherjar

    board = board_module()
    builder, registry = board.realistic_device()
    caps = builder.build(registry)
    data = caps.encode()
    from jotunheim.capability import export

    loki_requests = export.loki_register_requests(registry.tools(), "192.168.1.42:8080")
    functions = export.einherjar_functions(registry.tools())
    tools_bytes = sum(len(t.encode()) + 2 for t in caps.tools)
    n = 200
    build_s = timeit.timeit(lambda: builder.build(registry), number=n) / n
    encode_s = timeit.timeit(caps.encode, number=n) / n
    return {
        "tools": len(caps.tools),
        "parameters": sum(len(t.parameters) for t in caps.tools),
        "pins": len(caps.hardware.gpio.available_pins),
        "parts": len(caps.hardware.sensors) + len(caps.hardware.actuators),
        "size": len(data),
        "tools_bytes": tools_bytes,
        "loki_bytes": sum(len(r.encode()) for r in loki_requests),
        "loki_count": len(loki_requests),
        "einherjar_bytes": len(einherjar.CapabilityResponse(functions=functions).encode()),
        "cpython_build_us": build_s * 1e6,
        "cpython_encode_us": encode_s * 1e6,
    }


def micropython_figures():
    from harness import MicroPython

    with open(BOARD) as f:
        source = f.read()
    out = {}
    with MicroPython(timeout=300) as mp:
        mp.write_file("/bench/capability_board.py", source)
        mp.exec("import gc, sys\nsys.path.insert(0, '/bench')")
        out["import"] = mp.heap_of("import capability_board")
        out["setup"] = mp.heap_of("builder, registry = capability_board.realistic_device()")
        out["detect"] = mp.heap_of("builder.detect()")
        out["table"] = mp.heap_of("registry.tools()")
        out["first_build"] = mp.heap_of("caps = builder.build(registry)")
        out["second_build"] = mp.heap_of("caps2 = builder.build(registry)")
        out["size"] = mp.eval("len(caps.encode())")
        out["build_alloc"] = mp.alloc_of("builder.build(registry)", repeat=3)
        out["encode_alloc"] = mp.alloc_of("caps.encode()", repeat=3)
        out["build_us"] = mp.time_of("builder.build(registry)", repeat=20)
        out["encode_us"] = mp.time_of("caps.encode()", repeat=20)
        mp.exec("from jotunheim.capability import export")
        out["loki_alloc"] = mp.alloc_of(
            "export.loki_register_requests(registry.tools(), '192.168.1.42:8080')", repeat=3
        )
        out["call_alloc"] = mp.alloc_of(
            "registry.call('set_servo_angle', {'angle': 90})", repeat=10
        )
        out["version"] = mp.eval("'.'.join(str(v) for v in sys.implementation.version[:3])")
        # What each module adds, imported one after another in a fresh interpreter (a row
        # includes what that module imports and earlier rows did not).
        mp.restart()
        mp.exec("import gc")
        out["modules"] = [(name, mp.heap_of("import " + name)) for name in MODULES]
    return out


MODULES = (
    "jotunheim.capability.schema",
    "jotunheim.capability.drivers.base",
    "jotunheim.capability.drivers.environment",
    "jotunheim.capability.drivers.io",
    "jotunheim.capability.drivers.simulated",
    "jotunheim.capability.errors",
    "jotunheim.capability.registry",
    "jotunheim.capability.pins",
    "jotunheim.capability.builder",
    "jotunheim.pb.jotunheim_capability",
    "jotunheim.capability.conflicts",
    "jotunheim.capability.propagator",
    "jotunheim.capability.negotiator",
    "jotunheim.capability.resolver",
)


def report(cp, mp):
    lines = [
        "# Capabilities: size and heap",
        "",
        "The realistic board of `tests/micropython/suite/test_capability.py`: a Pico W-like "
        "board (RP2040, 20 GPIO pins) with %d parts (2 x DHT22, BME280, SHT4x, DS18B20, "
        "button, LED, relay, servo), GPIO tools for 2 pins and a reboot tool: %d tools with "
        "%d parameters. Regenerate with `.venv/bin/python benchmarks/bench_capability.py --write`."
        % (cp["parts"], cp["tools"], cp["parameters"]),
        "",
        "## Encoded size",
        "",
        "| what | bytes |",
        "|---|---:|",
        "| `JotunheimCapabilities` (whole message) | %d |" % cp["size"],
        "| of which the %d tools | %d |" % (cp["tools"], cp["tools_bytes"]),
        "| %d Loki `RegisterScriptRequest`s (model-callable tools) | %d |"
        % (cp["loki_count"], cp["loki_bytes"]),
        "| Einherjar `CapabilityResponse` (functions only) | %d |" % cp["einherjar_bytes"],
        "",
    ]
    if mp is not None:
        lines += [
            "## MicroPython %s (WebAssembly) heap" % mp["version"],
            "",
            "Retained bytes are measured after `gc.collect()` in a separate `runPython` call "
            "(see tests/micropython/README.md); allocated bytes include garbage (gc disabled "
            "around the operation).",
            "",
            "| step | bytes |",
            "|---|---:|",
            "| import of the board module: builder, registry, schema, drivers (environment, io),"
            " pb runtime, and the test file itself | %d |" % mp["import"],
            "| registry with the 9 parts and their adapters (retained) | %d |" % mp["setup"],
            "| hardware detection cache (`detect()`, retained) | %d |" % mp["detect"],
            "| the tool table: %d `Tool` objects and their handlers (retained) | %d |"
            % (cp["tools"], mp["table"]),
            "| first `build()`: capabilities object + the codec's field tables (retained) | %d |"
            % mp["first_build"],
            "| each further capabilities object (retained while referenced) | %d |"
            % mp["second_build"],
            "| one `build()` (allocated, garbage included) | %d |" % mp["build_alloc"],
            "| one `encode()` of the capabilities (allocated) | %d |" % mp["encode_alloc"],
            "| Loki export of every tool (allocated) | %d |" % mp["loki_alloc"],
            "| one tool call `set_servo_angle` with validation (allocated) | %d |"
            % mp["call_alloc"],
            "",
            "Heap kept by importing each module, one after another (a row includes what it "
            "imports that earlier rows did not; the first includes `jotunheim`, "
            "`jotunheim.capability`, `jotunheim.compat`):",
            "",
            "| module | bytes |",
            "|---|---:|",
        ]
        lines += ["| `%s` | %d |" % (name, size) for name, size in mp["modules"]]
        lines += [
            "",
            "Time per `build()` under MicroPython/WebAssembly: %.0f us; per `encode()`: %.0f us "
            "(a board is slower; these are for relative comparison)."
            % (mp["build_us"], mp["encode_us"]),
            "",
        ]
        if mp["size"] != cp["size"]:
            lines.append("**MicroPython encoded size differs: %d bytes.**" % mp["size"])
            lines.append("")
    lines += [
        "CPython %s: `build()` %.0f us, `encode()` %.0f us."
        % (
            "%d.%d" % sys.version_info[:2],
            cp["cpython_build_us"],
            cp["cpython_encode_us"],
        ),
        "",
    ]
    return "\n".join(lines)


def main(argv):
    cp = cpython_figures()
    try:
        mp = micropython_figures()
    except Exception as exc:  # noqa: BLE001 - report without MicroPython when node is missing
        print("MicroPython figures unavailable: %s" % exc, file=sys.stderr)
        mp = None
    text = report(cp, mp)
    print(text)
    if "--write" in argv:
        path = os.path.join(ROOT, "docs", "benchmarks", "capability.md")
        with open(path, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
