# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""jotunheim.resources on CPython: the heap lines (measured on a HostHeap squeezed with real
allocations), the buffer pool, bandwidth counting and the budget, the gRPC status of
ResourceExhausted, and a Device that refuses new CallTools below the exhaustion line,
answers status meanwhile, and serves again once memory returns."""

import time
import tracemalloc

import pytest

from jotunheim.grpc.status import GrpcError, StatusCode
from jotunheim.grpc.trailers import status_of
from jotunheim.resources import HIGH, LOW, SYSTEM, USER, ResourceExhausted
from jotunheim.resources.host import HostHeap
from jotunheim.resources.monitor import (
    MAX_ENDPOINTS,
    Bandwidth,
    BufferPool,
    MemoryMonitor,
    ResourceMonitor,
)
from jotunheim.resources.report import (
    bandwidth_report,
    memory_report,
    monitor_report,
    pool_report,
    totals,
)
from tests.test_device import Loop, call_tool, client, make_device, status


@pytest.fixture
def traced():
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()


def test_host_heap_measures_real_allocations_while_tracing(traced):
    heap = HostHeap(limit=10 << 20)
    before = heap.used()
    ballast = bytearray(2 << 20)
    assert heap.used() - before >= 2 << 20
    assert heap.free() <= (10 << 20) - (2 << 20)
    del ballast
    assert heap.used() - before < 64 * 1024


def test_memory_lines_in_bytes_warn_shed_and_refuse_then_recover(traced):
    heap = HostHeap()
    memory = MemoryMonitor(warning=300 * 1024, exhausted=100 * 1024, heap=heap)
    heap.limit = heap.used() + 1024 * 1024
    assert memory.level() == "ok" and not memory.shed()
    memory.require("CallTool")
    ballast = bytearray(800 * 1024)  # ~224 KB left: under the warning line
    assert memory.level() == "warning" and memory.shed()
    memory.require("CallTool")  # still above the exhaustion line
    more = bytearray(150 * 1024)  # ~74 KB left
    assert memory.level() == "exhausted"
    with pytest.raises(ResourceExhausted) as err:
        memory.require("CallTool")
    text = str(err.value)
    assert text.startswith("heap: ") and "KB free, below the 100 KB exhaustion line" in text
    assert "CallTool refused" in text
    del ballast, more
    assert memory.level() == "ok" and not memory.shed()
    memory.require("CallTool")
    report = memory_report(memory)
    assert report["warnings"] == 1 and report["refused"] == 1
    assert report["exhausted_line"] == 100 * 1024 and report["lowest_free"] < 100 * 1024


def test_memory_lines_as_a_percentage_of_the_heap(traced):
    heap = HostHeap()
    heap.limit = heap.used() + 1000 * 1000
    memory = MemoryMonitor(warning=50, exhausted=20, heap=heap)
    total = memory.free() + memory.used()
    assert memory.line(50) == int(total * 0.5) and memory.line(20) == int(total * 0.2)
    assert memory.line(4096) == 4096 and memory.line(0) == 0
    ballast = bytearray(max(0, memory.free() - int(total * 0.1)))
    assert memory.level() == "exhausted"
    del ballast
    assert memory.level() == "ok"


def test_a_zero_line_is_off():
    heap = HostHeap(limit=0)  # nothing free at all
    memory = MemoryMonitor(warning=0, exhausted=0, heap=heap)
    assert memory.level() == "ok"
    memory.require("anything")


def test_status_of_answers_resource_exhausted_with_its_message():
    code, message = status_of(ResourceExhausted("heap: 3 KB free, below the 8 KB line"))
    assert code == StatusCode.RESOURCE_EXHAUSTED and message.startswith("heap: 3 KB free")
    assert status_of(MemoryError())[0] == StatusCode.RESOURCE_EXHAUSTED


def test_pool_reuses_its_buffers():
    pool = BufferPool(256, 2)
    a = pool.acquire(100)
    b = pool.acquire(256)
    assert len(a) == 256 and a is not b
    assert any(a is p for p in pool.pooled) and any(b is p for p in pool.pooled)
    pool.release(a)
    pool.release(a)  # twice: still one entry
    assert pool.acquire(10) is a
    pool.release(a)
    pool.release(b)
    seen = set()
    for _ in range(100):
        buf = pool.acquire(200)
        seen.add(id(buf))
        pool.release(buf)
    assert len(seen) <= 2 and pool_report(pool)["misses"] == 0


def test_pool_degrades_to_a_smaller_buffer_allocates_beyond_it_and_refuses_when_heap_is_out(
    traced,
):
    heap = HostHeap()
    memory = MemoryMonitor(warning=0, exhausted=64 * 1024, heap=heap)
    heap.limit = heap.used() + 1024 * 1024
    pool = BufferPool(512, 1, memory)
    small = pool.acquire(4096, minimum=256)  # a big download chunk: the pool gives 512
    assert len(small) == 512 and pool_report(pool)["degraded"] == 1
    fresh = pool.acquire(300)  # the only pooled buffer is out: a fresh one
    assert len(fresh) == 300 and pool_report(pool)["misses"] == 1
    pool.release(fresh)  # not pooled: dropped
    assert pool_report(pool)["free"] == 0
    big = pool.acquire(2000)  # beyond the pooled size, no minimum: fresh
    assert len(big) == 2000
    heap.limit = heap.used() + 32 * 1024  # squeezed under the 64 KB line
    with pytest.raises(ResourceExhausted) as err:
        pool.acquire(300)
    assert "buffers: 1 of 1 in use" in str(err.value) and "KB free" in str(err.value)
    pool.release(small)
    assert pool.acquire(300) is small  # a pooled buffer needs no heap


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_bandwidth_counts_per_endpoint_and_defers_only_low_priority_traffic():
    clock = Clock()
    bw = Bandwidth(budget=1000, window=10.0, clock=clock)
    bw.count("client:10.0.0.2", sent=300, received=200)
    bw.count("loki", sent=400)
    assert totals(bw) == (700, 200)
    assert bw.allow("loki", 100, LOW)  # 900 + 100 fits
    assert not bw.allow("loki", 200, LOW)  # 1100 would not
    assert not bw.allow("ota", 200, USER)
    assert bw.allow("client:10.0.0.2", 5000, HIGH)  # tool calls are never deferred
    assert bw.allow("ota", 5000, SYSTEM)  # nor is an OTA confirm
    report = bandwidth_report(bw)
    assert report["deferred"] == 2 and report["endpoints"]["loki"]["deferred"] == 1
    assert report["endpoints"]["client:10.0.0.2"] == {"sent": 300, "received": 200}
    clock.now = 10.5  # a new window
    assert bw.allow("loki", 200, LOW)
    assert bandwidth_report(bw)["last_window_bytes"] == 900


def test_bandwidth_without_a_budget_defers_nothing_and_bounds_its_endpoints():
    bw = Bandwidth()
    for i in range(MAX_ENDPOINTS + 10):
        bw.count("client:10.0.0.%d" % i, sent=1, received=1)
    assert bw.allow("loki", 10**9, LOW)
    assert len(bw.endpoints) == MAX_ENDPOINTS + 1  # the rest counted as "other"
    assert bw.endpoints["other"][0] == 10 and totals(bw) == (MAX_ENDPOINTS + 10,) * 2


def test_monitor_reads_its_settings_and_reports_every_part(tmp_path):
    from jotunheim.settings.loader import Settings
    from jotunheim.settings.schema import defaults, set_path

    data = defaults()
    set_path(data, "resources.buffer_size", 512)
    set_path(data, "resources.buffer_count", 3)
    set_path(data, "resources.bandwidth_budget", 5000)
    monitor = ResourceMonitor(Settings(data), root=str(tmp_path), cpu=lambda: {"load": 0.5})
    assert monitor.buffers.size == 512 and pool_report(monitor.buffers)["count"] == 3
    assert monitor.bandwidth.budget == 5000
    report = monitor_report(monitor)
    assert report["heap"]["level"] == "ok" and report["buffers"]["count"] == 3
    assert report["flash"]["free"] > 0 and report["flash"]["total"] >= report["flash"]["free"]
    assert report["cpu"] == {"load": 0.5} and report["bandwidth"]["budget"] == 5000
    set_path(data, "resources.heap_exhausted", 20000)
    from jotunheim.resources import setup

    setup.configure(monitor, Settings(data))
    assert monitor.memory.exhausted == 20000


def test_device_refuses_calltool_below_the_line_answers_status_and_recovers(tmp_path, traced):
    from jotunheim.capability.drivers.simulated import SimulatedRelay

    device = make_device(str(tmp_path / "root"))
    device.add_actuator("pump", SimulatedRelay())
    heap = device.resources.memory.heap
    with Loop(device):
        c = client(device)
        assert call_tool(c, "set_relay_sim", '{"on": true}').success
        heap.limit = heap.used() // 2  # nothing free: under the 8 KB exhaustion line
        with pytest.raises(GrpcError) as err:
            call_tool(c, "set_relay_sim", '{"on": false}')
        assert err.value.code == StatusCode.RESOURCE_EXHAUSTED
        assert "KB free, below the 8 KB exhaustion line" in err.value.message
        st, doc = status(c)  # status is still answered, and says why
        assert st.status == "degraded"
        heap_doc = doc["runtime"]["resources"]["heap"]
        assert heap_doc["level"] == "exhausted" and heap_doc["refused"] >= 1
        heap.limit = 1 << 30  # memory returns
        assert call_tool(c, "set_relay_sim", '{"on": false}').success
        st, doc = status(c)
        assert st.status == "ok"
        endpoints = doc["runtime"]["resources"]["bandwidth"]["endpoints"]
        assert endpoints["client:127.0.0.1"]["received"] > 100
        # The pool is reported: the server's receive buffer came from it (a body that
        # arrives whole with its head is read in that buffer, taking none of its own).
        assert doc["runtime"]["resources"]["buffers"]["acquired"] >= 1


def test_client_and_server_count_the_same_bytes_of_each_call(tmp_path):
    from jotunheim.capability.drivers.simulated import SimulatedRelay

    device = make_device(str(tmp_path / "root"))
    device.add_actuator("pump", SimulatedRelay())
    mine = Bandwidth()
    with Loop(device):
        c = client(device)
        c.meter, c.endpoint = mine, "device"
        for _ in range(5):
            assert call_tool(c, "set_relay_sim", '{"on": true}').success
        c.close()  # the server counts each answered request; closing adds nothing more
        sent, received = mine.endpoints["device"][:2]
        theirs = device.resources.bandwidth.endpoints["client:127.0.0.1"]
    assert sent > 5 * 50 and received > 5 * 50
    assert (theirs[0], theirs[1]) == (received, sent)  # the server's sent is our received


def test_ota_fetcher_downloads_through_a_pooled_buffer_and_counts_its_bytes(tmp_path):
    from jotunheim_host import ota_tools
    from tests.test_ota_fetch import FILES, _server
    from tests.test_ota_support import fetcher, files_hash, make_key, publish, tree_hash

    key, pub = make_key()
    www = tmp_path / "www"
    publish(www / "rel", key, FILES, 1)
    server = _server(www, ota_tools.RangeHandler)
    pool = BufferPool(512, 1)
    meter = Bandwidth()
    try:
        url = "http://127.0.0.1:%d/rel/manifest.json" % server.server_address[1]
        (tmp_path / "root").mkdir()
        f = fetcher(url, pub, tmp_path / "root", buffers=pool, meter=meter, buffer_size=4096)
        assert f.buf is pool.pooled[0]  # degraded to the pool's 512 bytes
        f.apply()
        f.close()
    finally:
        server.shutdown()
        server.server_close()
    assert tree_hash(tmp_path / "root") == files_hash(FILES)
    assert pool_report(pool)["free"] == 1 and pool_report(pool)["degraded"] == 1
    assert meter.endpoints["ota"][1] == sum(len(v) for v in FILES.values())


def test_capabilities_resource_limits_give_the_heap_tools_really_have(tmp_path):
    device = make_device(str(tmp_path / "root"))
    heap = device.resources.memory.heap
    heap.limit = 300 * 1024
    caps = device.capabilities()
    assert caps.resources.max_memory_kb == 300 - 8  # the heap less the 8 KB exhaustion line
    heap.limit = 1 << 30
    assert device.capabilities().resources.max_memory_kb == (1 << 20) - 8


def test_over_the_budget_ota_work_is_deferred_and_tool_calls_never_are(tmp_path):
    from jotunheim.capability.drivers.simulated import SimulatedRelay

    root = str(tmp_path / "root")
    device = make_device(root, ota_check=lambda params: {"update": False})
    device.resources.bandwidth.budget = 2000  # bytes per 60 s window
    device.add_actuator("pump", SimulatedRelay())
    ota_steps = []
    device.ota.step = lambda: ota_steps.append(1) or True
    with Loop(device):
        c = client(device)
        for _ in range(30):  # well over 2000 bytes: every call still answered
            assert call_tool(c, "get_relay_sim_state").success
        bw = device.resources.bandwidth
        assert bw.window_bytes > 2000
        task = [t for t in device.scheduler.tasks if t[3] == "ota"][0]
        ota_steps.clear()
        task[0] = 0.0  # due now
        deadline = device.clock() + 5
        while bw.deferred == 0 and device.clock() < deadline:
            task[0] = 0.0
            time.sleep(0.01)
        assert bw.deferred >= 1 and ota_steps == []
        _, doc = status(c)
        assert doc["runtime"]["resources"]["bandwidth"]["deferred"] >= 1
        assert doc["runtime"]["resources"]["bandwidth"]["endpoints"]["ota"]["deferred"] >= 1
        bw.budget = 0  # no budget: the OTA check runs again
        task[0] = 0.0
        while not ota_steps and device.clock() < deadline + 5:
            task[0] = 0.0
            time.sleep(0.01)
        assert ota_steps


def test_over_the_budget_loki_announcements_wait_and_resume_after(tmp_path):
    """Loki announcements and heartbeats are low priority: with the window's budget spent
    the device does not announce (counted as deferred, in status) and serves tool calls;
    with budget again it announces to the real reference Loki."""
    from jotunheim.capability.drivers.simulated import SimulatedRelay
    from jotunheim_host.loki import LokiServer

    with LokiServer(str(tmp_path / "scripts"), host="127.0.0.1", port=0) as loki:
        device = make_device(str(tmp_path / "root"), loki_url=loki.url)
        device.add_actuator("pump", SimulatedRelay())
        bw = device.resources.bandwidth
        bw.budget = 1  # spent by the first bytes anyone counts
        bw.count("client:127.0.0.1", sent=10)
        with Loop(device):
            c = client(device)
            deadline = time.monotonic() + 5
            while device.loki_link.deferred < 3 and time.monotonic() < deadline:
                time.sleep(0.02)
            assert device.loki_link.deferred >= 3 and device.loki_link.state != "ok"
            assert call_tool(c, "get_relay_sim_state").success  # tool calls never wait
            _, doc = status(c)
            assert doc["runtime"]["loki"]["deferred"] >= 3
            assert doc["runtime"]["resources"]["bandwidth"]["endpoints"]["loki"]["deferred"] >= 3
            bw.budget = 0  # no budget: it announces now
            deadline = time.monotonic() + 10
            while device.loki_link.state != "ok" and time.monotonic() < deadline:
                time.sleep(0.05)
            assert device.loki_link.state == "ok", device.loki_link.error
