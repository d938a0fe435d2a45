# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Many devices against one reference Loki, on 127.0.0.1 only.

Each simulated device is a thread with ONE kept-alive HTTP/1.1 connection (as a board
keeps its socket): it registers its own script, executes it ``rounds`` times, and runs
one StreamScriptExecution; all devices start together (barrier) and hold their
connections to the end. Frames are built by hand from betterproto bytes, so the
figures measure the server, not a client library.

Measured: requests/s over the whole run, latency percentiles, and the largest number of
ESTABLISHED server-side sockets seen (sampled from /proc/net/tcp on Linux). Every
request is checked; ``run_load`` returns the failures so a test can assert none.

    python benchmarks/bench_loki_load.py --clients 50 --rounds 20
"""

import argparse
import http.client
import json
import os
import struct
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from jotunheim_host.loki import Limits, LokiServer  # noqa: E402
from jotunheim_host.reference_pb import loki as pb  # noqa: E402

HEADERS = {"content-type": "application/grpc-web+proto", "x-grpc-web": "1"}
SCRIPT = (
    "local n = tonumber(params.n)\n"
    "local acc = 0\n"
    "for i = 1, n do acc = acc + i end\n"
    "return {device = params.device, sum = acc}\n"
)
STREAM_SCRIPT = "for i = 1, 5 do emit(i) end return params.device"


def _frame(message) -> bytes:
    payload = bytes(message)
    return struct.pack(">BI", 0, len(payload)) + payload


def _frames(body: bytes):
    out, pos = [], 0
    while pos < len(body):
        flags, length = struct.unpack_from(">BI", body, pos)
        out.append((flags, body[pos + 5 : pos + 5 + length]))
        pos += 5 + length
    return out


def _call(conn, method, request, reply_cls):
    conn.request("POST", f"/loki.LokiService/{method}", body=_frame(request), headers=HEADERS)
    resp = conn.getresponse()
    body = resp.read()
    if resp.status != 200:
        raise RuntimeError(f"{method}: HTTP {resp.status}")
    frames = _frames(body)
    if not frames or frames[-1] != (0x80, b"grpc-status: 0\r\n"):
        raise RuntimeError(f"{method}: bad trailers {frames[-1:]!r}")
    return [reply_cls().parse(payload) for flags, payload in frames[:-1]]


def established(port: int) -> int:
    """ESTABLISHED TCP sockets whose local port is ``port`` (server side), or -1."""
    count = 0
    found = False
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as handle:
                lines = handle.readlines()[1:]
        except OSError:
            continue
        found = True
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                count += 1
    return count if found else -1


def _device(index, url_port, rounds, barrier, stats, lock, deadline):
    name = f"dev_{index:03d}"
    conn = http.client.HTTPConnection("127.0.0.1", url_port, timeout=60)
    latencies = []
    failures = []
    reconnects = 0
    try:
        conn.connect()
        first_sock = conn.sock
        barrier.wait(timeout=60)

        def timed(method, request, reply_cls):
            nonlocal reconnects
            started = time.perf_counter()
            replies = _call(conn, method, request, reply_cls)
            latencies.append(time.perf_counter() - started)
            if conn.sock is not first_sock:
                reconnects += 1
            return replies

        (reg,) = timed(
            "RegisterScript",
            pb.RegisterScriptRequest(name=name, language="lua", inline_script=SCRIPT),
            pb.RegisterScriptResponse,
        )
        if not reg.success:
            failures.append(f"{name}: register: {reg.error_message}")
        (reg2,) = timed(
            "RegisterScript",
            pb.RegisterScriptRequest(name=name + "_s", language="lua", inline_script=STREAM_SCRIPT),
            pb.RegisterScriptResponse,
        )
        if not reg2.success:
            failures.append(f"{name}: register stream: {reg2.error_message}")
        for r in range(rounds):
            if time.monotonic() > deadline:
                failures.append(f"{name}: ran out of time at round {r}")
                break
            n = 100 + index + r
            (res,) = timed(
                "ExecuteScript",
                pb.ExecuteScriptRequest(
                    script_id=f"Script_{name}", parameters={"n": str(n), "device": name}
                ),
                pb.ExecuteScriptResponse,
            )
            want = {"device": name, "sum": n * (n + 1) // 2}
            if not res.success or json.loads(res.output) != want:
                failures.append(f"{name}: round {r}: {res.error or res.output}")
        chunks = timed(
            "StreamScriptExecution",
            pb.StreamScriptExecutionRequest(
                script_name=name + "_s", input=pb.ScriptInput(parameters={"device": name})
            ),
            pb.ScriptChunk,
        )
        data = [c.output.data for c in chunks[:5]]
        last = chunks[-1].result if chunks else None
        if data != ["1", "2", "3", "4", "5"] or not last or last.output != name:
            failures.append(f"{name}: stream gave {chunks!r}")
    except Exception as exc:  # recorded, so the caller sees every failing device
        failures.append(f"{name}: {type(exc).__name__}: {exc}")
    finally:
        conn.close()
    with lock:
        stats["latencies"].extend(latencies)
        stats["failures"].extend(failures)
        stats["reconnects"] += reconnects
        stats["requests"] += len(latencies)


def run_load(port: int, clients: int = 50, rounds: int = 10, time_limit: float = 120.0) -> dict:
    """Drive ``clients`` devices against the Loki on 127.0.0.1:``port``; return figures."""
    stats = {"latencies": [], "failures": [], "reconnects": 0, "requests": 0}
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    deadline = time.monotonic() + time_limit
    threads = [
        threading.Thread(
            target=_device,
            args=(i, port, rounds, barrier, stats, lock, deadline),
            name=f"load-device-{i}",
            daemon=True,
        )
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    peak = [0]
    sampling = threading.Event()

    def sample():
        while not sampling.is_set():
            peak[0] = max(peak[0], established(port))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    barrier.wait(timeout=60)  # every device is connected now
    started = time.perf_counter()
    for thread in threads:
        thread.join(max(0.1, deadline - time.monotonic()))
    elapsed = time.perf_counter() - started
    sampling.set()
    sampler.join(2)
    alive = [t.name for t in threads if t.is_alive()]
    if alive:
        stats["failures"].append(f"{len(alive)} device thread(s) still running at the limit")
    lat = sorted(stats["latencies"]) or [0.0]
    return {
        "clients": clients,
        "rounds": rounds,
        "requests": stats["requests"],
        "seconds": elapsed,
        "requests_per_s": stats["requests"] / elapsed if elapsed else 0.0,
        "p50_ms": lat[len(lat) // 2] * 1000,
        "p99_ms": lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000,
        "max_ms": lat[-1] * 1000,
        "peak_established": peak[0],
        "reconnects": stats["reconnects"],
        "failures": stats["failures"],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[50])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--threads", type=int, default=32, help="Loki HTTP worker threads")
    args = parser.parse_args(argv)
    print(
        "| devices | requests | seconds | req/s | p50 ms | p99 ms | max ms | peak conns | "
        "reconnects | failures |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for clients in args.clients:
        with tempfile.TemporaryDirectory() as scripts:
            limits = Limits(max_seconds=10)
            with LokiServer(scripts, port=0, threads=args.threads, limits=limits) as srv:
                r = run_load(srv.port, clients, args.rounds)
        print(
            f"| {r['clients']} | {r['requests']} | {r['seconds']:.2f} | "
            f"{r['requests_per_s']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
            f"{r['max_ms']:.1f} | {r['peak_established']} | {r['reconnects']} | "
            f"{len(r['failures'])} |",
            flush=True,
        )
        for failure in r["failures"][:5]:
            print("   ", failure)
    return 0


if __name__ == "__main__":
    sys.exit(main())
