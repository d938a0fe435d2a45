# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The hostile-client battery (tests/hostile_clients.py) against the device's gRPC-Web
server: (a) the CPython simulated device (``jotunheim simulate``, the SimulatedDevice, in a
subprocess so a hung server can be killed) and (b) the Device under MicroPython's Unix port.

After every case a normal call from a third-party client (connect-node) must succeed within
2 s, the device must not spin (CPU over an idle half second) and its open file descriptors
must stay near where they started. Where a status is asserted it is the one the device
server promises: oversize head -> 431 and close, body over max_request_size -> grpc-status
8 (RESOURCE_EXHAUSTED), a head not complete within the head timeout -> closed.
"""

import time

import pytest

from tests import hostile_clients as hostile
from tests.interop import node_peer
from tests.mpunix import runner

TOKEN = "hostile-token"
AUTH = {"authorization": "Bearer " + TOKEN}
FOLLOW_UP_MS = 2000
FD_SLACK = 6  # fds over the baseline a device may hold after a case (its own caches)
IDLE_CPU_LIMIT = 0.3  # share of a core an idle device may use (idle: ~0.05-0.07; a
# spinning one takes all it gets, 0.6+ on this shared 2-core machine)


@pytest.fixture(scope="module", params=["cpython", "micropython"])
def target(request, tmp_path_factory):
    runner.require_node()
    workdir = tmp_path_factory.mktemp("hostile-" + request.param)
    if request.param == "micropython":
        runner.require()
        device = runner.MpDevice(workdir, token=TOKEN)
    else:
        device = runner.SimulatorProcess(workdir, token=TOKEN)
    descriptors = node_peer.descriptor_set(str(workdir))
    with device:
        with runner.NodeClient(descriptors, device.url) as node:
            first = follow_up(node)
            assert "ok" in first, first
            yield Target(device, node)


class Target:
    """The device under test, its connect-node client, and the fd/CPU record."""

    def __init__(self, device, node):
        self.device = device
        self.node = node
        self.host, self.port = device.address
        self.base_fds = device.fds()
        self.samples = []  # (case, fds, idle cpu share)

    def idle_cpu(self, seconds=0.5):
        before = self.device.cpu_seconds()
        time.sleep(seconds)
        return (self.device.cpu_seconds() - before) / seconds

    def record(self, case):
        """Sample fds and idle CPU after ``case``; assert neither grows without bound."""
        assert self.device.alive(), "the device process died"
        fds, cpu = self.device.fds(), self.idle_cpu()
        self.samples.append((case, fds, cpu))
        assert fds <= self.base_fds + FD_SLACK, "fds grew: %r (base %d)" % (
            self.samples,
            self.base_fds,
        )
        assert cpu < IDLE_CPU_LIMIT, "device spins after %s: %r" % (case, self.samples)


def follow_up(node, keep_alive=True):
    return node.call(
        "callTool",
        {"toolName": "read_dht22_sim_temperature"},
        AUTH,
        keep_alive=keep_alive,
        timeout_ms=FOLLOW_UP_MS,
    )


def assert_follow_up(target, case):
    # Both keep-alive and a fresh connection: a reused socket must not hide a dead server.
    calls = [follow_up(target.node, keep_alive) for keep_alive in (True, False)]
    target.record(case)  # first: a spinning device is the clearer message
    for out in calls:
        assert "ok" in out and out["ms"] < FOLLOW_UP_MS, "after %s: %r" % (case, out)
        assert out["ok"]["success"] is True, out


def _during(target):
    return lambda: follow_up(target.node, keep_alive=False)


# ------------------------------------------------------------ cases that only need survival


@pytest.mark.parametrize(
    "case",
    [
        hostile.bare_connect_close,
        hostile.newline_close,
        hostile.partial_head_close,
        hostile.short_body_close,
    ],
    ids=lambda fn: fn.__name__,
)
def test_half_open_clients_do_not_stop_the_device(target, case):
    out = case(target.host, target.port)
    assert out["seconds"] < 5
    assert_follow_up(target, case.__name__)


def test_rapid_connect_close(target):
    # Up to 2,000 connect/close as fast as the client can, for at most 30 s. A polling
    # server's listen backlog overflows in such a burst (the kernel then drops SYNs and
    # the client retries after 1 s), so the count reached in 30 s measures the backlog, not
    # correctness: what must hold is that the server kept accepting all along (no refusal,
    # no stall) and serves the next call at once.
    out = hostile.rapid_connect_close(target.host, target.port, count=2000, limit=30.0)
    assert out["refused"] == 0, out
    assert out["connections"] >= 100, out
    print("rapid connect/close: %d in %.1f s" % (out["connections"], out["seconds"]))
    assert_follow_up(target, "rapid_connect_close")


# ------------------------------------------------------------ clients that hold connections


def test_slowloris_is_closed_and_others_are_served_meanwhile(target):
    out = hostile.slowloris(target.host, target.port, interval=0.5, limit=12.0,
                            during=_during(target))  # fmt: skip
    during = out["during"]
    assert during is not None and "ok" in during and during["ms"] < FOLLOW_UP_MS, out
    assert out["closed"], "a head dripping one byte per 0.5 s was never closed: %r" % out
    assert_follow_up(target, "slowloris")


def test_eight_idle_connections(target):
    out = hostile.idle_connections(target.host, target.port, count=8, hold=3.0,
                                   during=_during(target))  # fmt: skip
    assert out["opened"] == 8, out
    during = out["during"]
    # More clients than slots: the newcomer is served (an idle slot reclaimed) or told 503;
    # either way it hears back in time, never a hang.
    assert during["ms"] < FOLLOW_UP_MS + 500, out
    assert "ok" in during or during.get("code") in (8, 14), out
    assert all(status in (503, 408) for status in out["answers"]), out  # busy, or head timeout
    assert_follow_up(target, "idle_connections")


# ------------------------------------------------------------ limits and odd requests


def _closed_or_431(out):
    # The 431 may be lost when the server closes while our bytes are still arriving (the
    # kernel then resets the connection); a different status is a wrong answer.
    assert out["status"] in (431, None), out
    assert out["closed"], "the connection stayed open after an oversize head: %r" % out


def test_100kb_header_line(target):
    _closed_or_431(hostile.huge_header_line(target.host, target.port, 100 * 1024))
    assert_follow_up(target, "huge_header_line")


def test_1000_headers(target):
    _closed_or_431(hostile.many_headers(target.host, target.port, 1000))
    assert_follow_up(target, "many_headers")


def test_frame_length_prefix_ffffffff(target):
    out = hostile.huge_frame_prefix(target.host, target.port, TOKEN)
    assert out["status"] == 200 and out["grpc_status"] == 8, out
    assert_follow_up(target, "huge_frame_prefix")


def test_10mb_content_length(target):
    out = hostile.huge_content_length(target.host, target.port)
    assert out["grpc_status"] == 8 or out["status"] == 413, out
    assert out["closed"], out
    assert_follow_up(target, "huge_content_length")


def test_get_is_answered_not_served(target):
    out = hostile.get_request(target.host, target.port)
    assert out["status"] is not None and 400 <= out["status"] < 500, out
    assert_follow_up(target, "get_request")


def test_options_is_answered(target):
    out = hostile.options_request(target.host, target.port)
    # 204/200 with CORS switched on, a 4xx without; never a 5xx, never silence.
    assert out["status"] is not None and out["status"] < 500, out
    assert_follow_up(target, "options_request")


def test_fds_and_cpu_stay_bounded_over_the_battery(target):
    assert target.samples, "no case ran before this summary"
    fds = [s[1] for s in target.samples]
    assert max(fds) <= target.base_fds + FD_SLACK, target.samples
    assert fds[-1] <= fds[0] + 2, "fds drift upwards over the battery: %r" % target.samples
    spinning = [s for s in target.samples if s[2] >= IDLE_CPU_LIMIT]
    assert not spinning, "the device spun after: %r" % spinning
