# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""gRPC-Web round trips per second on CPython loopback, side by side, against one server.

    .venv/bin/python benchmarks/bench_grpc.py                 # CPython rows
    .venv/bin/python benchmarks/bench_grpc.py --micropython   # plus heap per call under MicroPython

The server is a threaded ``http.server`` speaking HTTP/1.1 keep-alive that answers every
POST with an ``ExecuteScriptResponse`` in gRPC-Web framing, head and body in one write.
Rows: ``LokiClient.execute_script`` (our client), a raw ``adafruit_requests`` POST of the
same request bytes (plain socket pool, then the TCP_NODELAY pool of jotunheim.net.session),
and ``http.client`` keep-alive. Prints a Markdown table.
"""

import http.client
import http.server
import os
import socket
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from jotunheim.grpc import framing  # noqa: E402
from jotunheim.pb import loki  # noqa: E402

RESPONSE = framing.encode_frame(
    loki.ExecuteScriptResponse(success=True, output="21.5").encode()
) + framing.encode_trailer_frame({"grpc-status": "0"})
HEAD = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/grpc-web+proto\r\n"
    b"content-length: %d\r\n\r\n" % len(RESPONSE)
)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers["content-length"]))
        self.wfile.write(HEAD + RESPONSE)  # one write: the server does not pay Nagle


def run(label, fn, seconds=2.0, max_calls=200000):
    fn()  # connect / warm up
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while count < max_calls and time.perf_counter() < deadline:
        fn()
        count += 1
    elapsed = time.perf_counter() - start
    return label, count / elapsed, elapsed / count * 1e6


def cpython_rows(port):
    import adafruit_requests

    from jotunheim.loki.client import LokiClient
    from jotunheim.net import session as net_session

    url = "http://127.0.0.1:%d" % port
    request = loki.ExecuteScriptRequest(script_id="temperature_monitor", parameters={"s": "1"})
    body = framing.encode_frame(request.encode())
    headers = {"content-type": "application/grpc-web+proto", "x-grpc-web": "1"}
    rows = []

    client = LokiClient(url, timeout=10)
    rows.append(
        run(
            "jotunheim LokiClient.execute_script",
            lambda: client.execute_script("temperature_monitor", {"s": "1"}),
        )
    )
    client.close()

    plain = adafruit_requests.Session(socket, None, session_id="bench-plain")

    def requests_post(session):
        def call():
            with session.post(
                url + "/loki.LokiService/ExecuteScript", data=body, headers=headers
            ) as r:
                assert r.content == RESPONSE

        return call

    rows.append(
        run("adafruit_requests POST (plain pool)", requests_post(plain), seconds=2.0, max_calls=60)
    )
    nodelay = adafruit_requests.Session(
        net_session.nodelay_pool(socket), None, session_id="bench-nodelay"
    )
    rows.append(run("adafruit_requests POST (TCP_NODELAY pool)", requests_post(nodelay)))

    conn = http.client.HTTPConnection("127.0.0.1", port)

    def http_client_call():
        conn.request("POST", "/loki.LokiService/ExecuteScript", body, headers)
        assert conn.getresponse().read() == RESPONSE

    rows.append(run("http.client keep-alive", http_client_call))
    conn.close()
    return rows


MP_SETUP = """
import fake_net, adafruit_connection_manager
from jotunheim.grpc import framing
from jotunheim.grpc.client import GrpcWebClient
from jotunheim.pb import loki
RESPONSE = %r
HEAD = %r
pool = fake_net.FakeSocketPool()
client = GrpcWebClient("http://loki.local:8080", socket_pool=pool, timeout=5)
req = loki.ExecuteScriptRequest(script_id="temperature_monitor", parameters={"s": "1"})
def serve():
    fake_net.serve("loki.local", 8080, fake_net.respond(HEAD + RESPONSE))
def call():
    return client.unary("/loki.LokiService/ExecuteScript", req,
                        decode=loki.ExecuteScriptResponse.decode)
serve(); call()
"""


def micropython_rows():
    sys.path.insert(0, os.path.join(ROOT, "tests", "micropython"))
    from harness import MicroPython

    with MicroPython() as mp:
        retained = mp.heap_of("import jotunheim.grpc.client, jotunheim.pb.loki")
        mp.exec(MP_SETUP % (RESPONSE, HEAD))
        # A fresh connection each call (fake_net closes after one response): the
        # worst case, with connect and buffers; keep-alive calls allocate less.
        per_call = mp.alloc_of("serve()\ncall()\nclient.close()", repeat=20)
        serve_only = mp.alloc_of("serve()\nfake_net.connections.clear()", repeat=20)
        micros = mp.time_of("serve()\ncall()\nclient.close()", repeat=50)
    return retained, per_call - serve_only, micros


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        rows = cpython_rows(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
    print(
        "| client (CPython %s, loopback, keep-alive) | round trips/s | µs/call |"
        % sys.version.split()[0]
    )
    print("|---|---:|---:|")
    for label, rate, micros in rows:
        print("| %s | %.0f | %.0f |" % (label, rate, micros))
    if "--micropython" in sys.argv:
        retained, per_call, micros = micropython_rows()
        print()
        print("| MicroPython (WebAssembly), fake socket pool | value |")
        print("|---|---:|")
        print("| heap kept after importing client + loki codec | %d B |" % retained)
        print("| bytes allocated per unary call (new connection each time) | %d B |" % per_call)
        print("| time per unary call in the interpreter | %.0f µs |" % micros)


if __name__ == "__main__":
    main()
