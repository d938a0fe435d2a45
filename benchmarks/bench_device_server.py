# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""CallTool round trips per second: the device server before and after, and connect-node.

One run, three servers on 127.0.0.1, each called the same way:

- "before": ``jotunheim simulate`` from the commit before the server was replaced
  (adafruit_httpserver; extracted with ``git archive`` into a temporary folder);
- "after": ``jotunheim simulate`` from this tree (jotunheim.http.server);
- connect-node: a connect-node JotunheimService doing the same work (token check, JSON
  parameters, JSON reading), as a reference (tests/interop/node/peer.mjs).

Two client modes: keep-alive (our GrpcWebClient, one connection for all calls when the
server allows it) and a new TCP connection per call (a raw request with
``Connection: close``).

    .venv/bin/python benchmarks/bench_device_server.py            # print the table
    .venv/bin/python benchmarks/bench_device_server.py --write    # also docs/benchmarks/device-server.md
"""

import io
import json
import os
import socket
import subprocess
import sys
import tarfile
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

BEFORE = "8974dac"  # the last commit with the adafruit_httpserver-based server
N = 500
TOKEN = "bench-token"
TOOL = "read_dht22_sim_temperature"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def extract(commit, into):
    data = subprocess.run(
        ["git", "archive", commit, "jotunheim", "jotunheim_host"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")


def start_simulator(tree, root, remote):
    port = free_port()
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, "jotunheim.json"), "w") as f:
        json.dump({"remote": dict(remote, rate_limit_per_minute=0)}, f)
    env = dict(os.environ, PYTHONPATH=tree, BLINKA_OS_AGNOSTIC="1")
    cmd = [sys.executable, "-m", "jotunheim_host.cli", "simulate", "--token", TOKEN]
    cmd += ["--listen", "127.0.0.1:%d" % port, "--root", root]
    proc = subprocess.Popen(
        cmd, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_listening(port, proc)
    return proc, "http://127.0.0.1:%d" % port


def wait_listening(port, proc, timeout=30):
    # A real request, not a bare connect: a connect+close is exactly what hangs the
    # "before" server for ever (adafruit_httpserver spins on a client that sent nothing).
    end = time.monotonic() + timeout
    data = request_bytes()
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError("simulator exited with %s" % proc.returncode)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                s.sendall(data)
                if s.recv(12).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("simulator did not listen on %d" % port)


def request_bytes():
    from jotunheim.grpc.framing import encode_frame
    from jotunheim.pb import jotunheim as jpb

    body = encode_frame(jpb.ToolCallRequest(tool_name=TOOL).encode())
    head = (
        "POST /jotunheim.JotunheimService/CallTool HTTP/1.1\r\nHost: b\r\n"
        "Content-Type: application/grpc-web+proto\r\nAuthorization: Bearer %s\r\n"
        "Connection: close\r\nContent-Length: %d\r\n\r\n" % (TOKEN, len(body))
    )
    return head.encode() + body


def keep_alive_rate(url):
    from jotunheim.grpc.client import GrpcWebClient
    from jotunheim.pb import jotunheim as jpb

    client = GrpcWebClient(url, socket_pool=socket, timeout=5)
    client.metadata["authorization"] = "Bearer " + TOKEN
    request = jpb.ToolCallRequest(tool_name=TOOL)

    def call():
        r = client.unary(
            "/jotunheim.JotunheimService/CallTool", request, decode=jpb.ToolCallResponse.decode
        )
        assert r.success, r.error_message

    return timed(call)


def new_connection_rate(url):
    port = int(url.rsplit(":", 1)[1])
    data = request_bytes()

    def call():
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(data)
            reply = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
        assert reply.startswith(b"HTTP/1.1 200") and b"grpc-status: 0" in reply, reply[:200]

    return timed(call)


def timed(call):
    for _ in range(20):
        call()
    times = []
    for _ in range(N):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    times.sort()
    return {"per_s": N / sum(times), "p50_ms": times[N // 2] * 1000}


def figures():
    from tests.interop import node_peer

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        before = os.path.join(tmp, "before")
        extract(BEFORE, before)
        # Both called with a bearer token, as the "before" tree was: this tree takes signed
        # requests by default since then (remote.auth_mode), so it is told to take bearer.
        for name, tree, remote in (
            ("before", before, {}),
            ("after", ROOT, {"auth_mode": "bearer"}),
        ):
            proc, url = start_simulator(tree, os.path.join(tmp, name + "-root"), remote)
            try:
                out[name] = (keep_alive_rate(url), new_connection_rate(url))
            finally:
                proc.terminate()
                proc.wait(10)
        with node_peer.NodeServer(node_peer.descriptor_set(tmp)) as node:
            out["connect-node"] = (keep_alive_rate(node.url), new_connection_rate(node.url))
    return out


def report(out):
    lines = [
        "# Device server: CallTool round trips per second",
        "",
        "Regenerate with `.venv/bin/python benchmarks/bench_device_server.py --write`. One run,",
        "%d sequential `%s` calls per cell after 20 warm-up calls, on 127.0.0.1;" % (N, TOOL),
        "`before` is `jotunheim simulate` at %s (adafruit_httpserver, answers" % BEFORE,
        "`Connection: close`), `after` is this tree (jotunheim.http.server), connect-node is",
        "a connect-node JotunheimService doing the same work (the reference). Calls carry a",
        "bearer token (`remote.auth_mode` bearer on this tree; signed calls add an HMAC each).",
        "",
        "| server | keep-alive calls/s | p50 ms | new connection calls/s | p50 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in ("before", "after", "connect-node"):
        keep, new = out[name]
        lines.append(
            "| %s | %.0f | %.2f | %.0f | %.2f |"
            % (name, keep["per_s"], keep["p50_ms"], new["per_s"], new["p50_ms"])
        )
    after, before, node = out["after"], out["before"], out["connect-node"]
    lines += [
        "",
        "after / before: keep-alive %.2f×, new connection %.2f×; after / connect-node: "
        "keep-alive %.2f×, new connection %.2f×."
        % (
            after[0]["per_s"] / before[0]["per_s"],
            after[1]["per_s"] / before[1]["per_s"],
            after[0]["per_s"] / node[0]["per_s"],
            after[1]["per_s"] / node[1]["per_s"],
        ),
        "",
    ]
    return "\n".join(lines)


def main(argv):
    text = report(figures())
    print(text)
    if "--write" in argv:
        with open(os.path.join(ROOT, "docs", "benchmarks", "device-server.md"), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main(sys.argv[1:])
