# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""A simulated day of deep-sleep duty cycles: the work one wake does, measured.

Runs the real Device under ``power.profile = deep-sleep`` against the reference Loki
(in-process, 127.0.0.1) on the fake ``alarm`` module's simulated clock
(tests/micropython/fakes/alarm.py), boots the Device afresh at every wake as code.py
would, and counts per wake: RPCs and bytes on the wire (both directions, gRPC-Web bodies),
host CPU time. Two commands are queued during the day. docs/power.md turns these into
the board's awake time and the energy budget.

    python benchmarks/bench_power.py [--write]   # --write: docs/benchmarks/power.md
"""

import importlib.util
import json
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("BLINKA_OS_AGNOSTIC", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jotunheim.capability.drivers.simulated import SimulatedClimateSensor  # noqa: E402
from jotunheim.device import Device  # noqa: E402
from jotunheim.grpc.client import GrpcWebClient  # noqa: E402
from jotunheim.net.wifi import HostNetwork  # noqa: E402
from jotunheim.power.mailbox import MailboxClient  # noqa: E402
from jotunheim_host.loki.server import LokiServer  # noqa: E402

CYCLE = 300
DAY = 24 * 3600
OUT = ROOT / "docs" / "benchmarks" / "power.md"


def fake_alarm():
    spec = importlib.util.spec_from_file_location(
        "fake_alarm", ROOT / "tests" / "micropython" / "fakes" / "alarm.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Meter:
    """WSGI middleware counting requests and bytes per gRPC method."""

    def __init__(self, app):
        self.app = app
        self.calls = {}
        self.sent = 0
        self.received = 0

    def __call__(self, environ, start_response):
        method = environ.get("PATH_INFO", "").rsplit("/", 1)[-1]
        self.calls[method] = self.calls.get(method, 0) + 1
        self.received += int(environ.get("CONTENT_LENGTH") or 0)
        for chunk in self.app(environ, start_response):
            self.sent += len(chunk)
            yield chunk


def main(write=False):
    alarm = fake_alarm()
    tmp = tempfile.mkdtemp(prefix="bench-power-")
    srv = LokiServer(os.path.join(tmp, "scripts"), host="127.0.0.1", port=0)
    meter = Meter(srv.app)
    srv.app = meter
    srv.start()
    srv.service.store.register(
        "store_reading",
        inline_script="return 'ok'",
        parameters=[{"name": "climate", "type": "string", "required": True, "description": ""}],
    )
    config = {
        "capabilities": {"device_id": "bench-1", "announce_interval": 3600},
        "network": {"loki_url": srv.url, "request_timeout": 5},
        "remote": {"enabled": False},
        "power": {
            "profile": "deep-sleep",
            "cycle_seconds": CYCLE,
            "report_script": "store_reading",
        },
    }
    mailbox = MailboxClient(GrpcWebClient(srv.url, timeout=5))
    wakes = []
    start = alarm.clock()
    try:
        while alarm.clock() < start + DAY:
            if len(wakes) in (40, 200):
                mailbox.queue(
                    "bench-1", "call_tool", json.dumps({"tool": "read_dht22_sim_humidity"})
                )
            before = (sum(meter.calls.values()), meter.sent + meter.received)
            cpu = time.process_time()
            device = Device(
                "bench", settings=config, root=tmp, clock=alarm.clock, alarm=alarm,
                network=HostNetwork(probe_interval=0), pool=socket, host="127.0.0.1", port=0,
            )  # fmt: skip
            device.add_sensor("climate", SimulatedClimateSensor(seed=1))
            try:
                device.run()
            except alarm.DeepSleep as sleep:
                cycle = device.power
                wakes.append(
                    {
                        "rpcs": sum(meter.calls.values()) - before[0],
                        "bytes": meter.sent + meter.received - before[1],
                        "cpu_ms": (time.process_time() - cpu) * 1000,
                        "announced": cycle.announced,
                        "commands": len(cycle.handled),
                        "errors": len(cycle.errors),
                    }
                )
                alarm.wake(sleep)
    finally:
        srv.stop()
    quiet = [w for w in wakes if not w["announced"] and not w["commands"]]
    loud = [w for w in wakes if w["announced"]]
    lines = [
        "# Power: the work of one deep-sleep wake",
        "",
        "`python benchmarks/bench_power.py --write`: a simulated day (%d wakes, one every %d s)"
        % (len(wakes), CYCLE),
        "of the real Device against the reference Loki on 127.0.0.1, a fresh Device per wake.",
        "Bytes are gRPC-Web request and response bodies (HTTP heads not counted). Host CPU",
        "is CPython on the build machine: it shows the relative cost, not a board's time.",
        "",
        "| wake | count | RPCs per wake | bytes per wake | host CPU ms per wake |",
        "|---|---|---|---|---|",
    ]
    for label, group in (
        ("plain (report + mailbox check)", quiet),
        ("with announcement", loud),
        ("with a pending command", [w for w in wakes if w["commands"]]),
    ):
        if group:
            n = len(group)
            lines.append(
                "| %s | %d | %.1f | %.0f | %.1f |"
                % (
                    label,
                    n,
                    sum(w["rpcs"] for w in group) / n,
                    sum(w["bytes"] for w in group) / n,
                    sum(w["cpu_ms"] for w in group) / n,
                )
            )
    lines += [
        "",
        "RPCs over the day: "
        + ", ".join("%s %d" % item for item in sorted(meter.calls.items()))
        + "; failed wakes: %d." % sum(1 for w in wakes if w["errors"]),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if write:
        OUT.write_text(text, encoding="utf-8")
        print("wrote", OUT)


if __name__ == "__main__":
    main(write="--write" in sys.argv)
