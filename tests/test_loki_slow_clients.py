# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Slow and idle clients cannot starve the reference Loki (issue 16, item 4).

Before the head gate, 40 connections trickling a head one byte per 5 s, or 200 idle
connections, held all 32 cheroot threads (30 s per-recv timeout) and every other
client timed out. Now a connection reaches a thread only with its whole head in, a head
has ``head_seconds`` to arrive, and one client's waiting connections are bounded (the
oldest is closed first). Bounded in time: about 10 s. Figures are printed (-s).
"""

import socket
import threading
import time

import pytest

from jotunheim_host.loki import Limits, LokiServer
from tests.test_loki_limits import Rpc

HEAD_SECONDS = 3.0
TRICKLERS = 40
IDLE = 200
PER_CLIENT = 64


def _trickle(sock, stop, head=b"POST /loki.LokiService/ListScripts HTTP/1.1\r\nHost: x\r\n"):
    """Send the head one byte a second until told to stop or the server hangs up."""
    for byte in head:
        if stop.wait(1.0):
            return
        try:
            sock.send(bytes([byte]))
        except OSError:
            return


@pytest.fixture
def loki(tmp_path):
    gate = {"head_seconds": HEAD_SECONDS, "per_client": PER_CLIENT}
    with LokiServer(
        str(tmp_path / "scripts"), port=0, limits=Limits(max_seconds=3), gate=gate
    ) as srv:
        assert Rpc(srv.port).register("ok", "return 'fine'")[1].success
        yield srv


def _latencies(port, count=10):
    rpc = Rpc(port, timeout=5)
    out = []
    for _ in range(count):
        started = time.monotonic()
        assert rpc.execute("ok")[1].output == "fine"
        out.append(time.monotonic() - started)
    return out


def test_trickling_and_idle_clients_do_not_starve_others(loki):
    stop = threading.Event()
    socks = []
    threads = []
    try:
        for _ in range(TRICKLERS):
            sock = socket.create_connection(("127.0.0.1", loki.port))
            socks.append(sock)
            thread = threading.Thread(target=_trickle, args=(sock, stop), daemon=True)
            thread.start()
            threads.append(thread)
        idle = [socket.create_connection(("127.0.0.1", loki.port)) for _ in range(IDLE)]
        socks.extend(idle)
        time.sleep(0.5)
        waiting = loki.gate.pending()
        during = _latencies(loki.port)
        print(
            f"\n{TRICKLERS} trickling + {IDLE} idle connections:"
            f" {waiting} waiting in the gate (cap {PER_CLIENT} per client),"
            f" other calls answered in {min(during) * 1000:.1f}-{max(during) * 1000:.1f} ms,"
            f" gate counts {loki.gate.counts}"
        )
        assert max(during) < 1.0, during
        assert waiting <= PER_CLIENT
        # After head_seconds every one of them is gone: closed with 408 or evicted.
        time.sleep(HEAD_SECONDS + 1.0)
        assert loki.gate.pending() == 0
        counts = loki.gate.counts
        assert counts["timed_out"] + counts["evicted"] >= TRICKLERS + IDLE - 5, counts
        closed = 0
        for sock in socks:
            sock.settimeout(2)
            try:
                data = sock.recv(4096)
            except OSError:
                data = b""
            if data == b"" or data.startswith(b"HTTP/1.1 408"):
                closed += 1
        assert closed == len(socks)
        after = _latencies(loki.port)
        print(f"after: {max(after) * 1000:.1f} ms; gate counts {counts}")
    finally:
        stop.set()
        for sock in socks:
            sock.close()
        for thread in threads:
            thread.join(3)


def test_a_trickled_body_is_cut_off(loki):
    sock = socket.create_connection(("127.0.0.1", loki.port))
    try:
        sock.sendall(
            b"POST /loki.LokiService/ListScripts HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/grpc-web+proto\r\nContent-Length: 100\r\n\r\n"
        )
        started = time.monotonic()
        sock.settimeout(0.2)
        reply = b""
        for _ in range(50):  # one byte per 0.2 s until the server answers
            try:
                sock.send(b"\x00")
            except OSError:
                break
            try:
                reply += sock.recv(4096)
            except socket.timeout:
                continue
            if not reply or b"\r\n\r\n" in reply:
                break
        took = time.monotonic() - started
    finally:
        sock.close()
    assert reply.startswith(b"HTTP/1.1 408") and took < HEAD_SECONDS + 1.0, (reply, took)
    assert Rpc(loki.port).execute("ok")[1].output == "fine"
