# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""jotunheim.resources under MicroPython, heap squeezed for real: ballast (real
allocations) takes the heap under the exhaustion line, a CallTool is refused with
RESOURCE_EXHAUSTED naming the free heap while status is still answered; the ballast is
freed and, once the collection took effect (between runPython calls in this build), calls
are served again. Also the buffer pool and the bandwidth budget on this interpreter.

This WebAssembly build grows its heap on demand (gc.mem_free() jumps up as allocations
pass it), unlike a board's fixed heap; BoardHeap models the board: a fixed size over the
interpreter's real gc.mem_alloc()."""

import gc
import json
import os

import fake_net
import wifi

from jotunheim.capability.drivers.simulated import SimulatedRelay
from jotunheim.device import Device
from jotunheim.pb import jotunheim as jpb
from jotunheim.resources import HIGH, LOW, SYSTEM, ResourceExhausted
from jotunheim.resources.monitor import Bandwidth, BufferPool, MemoryMonitor

ROOT = "/jh_resources_test"
PORT = 8080
STATE = {}


class BoardHeap:
    """A fixed-size heap over this interpreter's real allocations."""

    def __init__(self, size):
        self.size = size

    def used(self):
        return gc.mem_alloc()

    def free(self):
        return max(0, self.size - gc.mem_alloc())


def _root():
    try:
        os.mkdir(ROOT)
    except OSError:
        pass
    with open(ROOT + "/settings.toml", "w") as f:
        f.write(
            'CIRCUITPY_WIFI_SSID = "home"\nCIRCUITPY_WIFI_PASSWORD = "pw"\nJOTUNHEIM_TOKEN = "tok"\n'
        )
    with open(ROOT + "/jotunheim.json", "w") as f:
        # Bearer: the requests below are made by hand (signing is tests/test_security.py's).
        settings = {"resources": {"heap_warning": 65536, "heap_exhausted": 32768}}
        settings["remote"] = {"auth_mode": "bearer"}
        f.write(json.dumps(settings))
    return ROOT


def _frame(payload):
    n = len(payload)
    return bytes([0, (n >> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255]) + payload


def _queue(method, message):
    body = _frame(message.encode())
    head = (
        "POST /jotunheim.JotunheimService/%s HTTP/1.1\r\nHost: b\r\n"
        "Content-Type: application/grpc-web+proto\r\nAuthorization: Bearer tok\r\n"
        "Content-Length: %d\r\n\r\n" % (method, len(body))
    )
    fake_net.accept_from(PORT, head.encode() + body)


def _reply():
    return bytes(fake_net.connections[-1].sent)


def _call(device, on):
    _queue("CallTool", jpb.ToolCallRequest(tool_name="set_relay_sim", parameters='{"on": %s}' % on))
    for _ in range(3):
        device.step()
    return _reply()


def _squeeze(memory, line):
    # Real ballast, in 16 KB pieces, until free heap is under the line.
    ballast = []
    while memory.free() >= line:
        ballast.append(bytearray(16384))
    return ballast


def test_1_below_the_exhaustion_line_a_calltool_is_refused_and_status_still_answers():
    wifi.radio.add_network("home", "pw")
    device = Device.from_settings(_root(), error_ring=False)
    device.add_actuator("pump", SimulatedRelay())
    device.step()
    assert b"grpc-status: 0" in _call(device, "true")
    memory = device.resources.memory
    memory.heap = BoardHeap(gc.mem_alloc() + 1024 * 1024)  # 1 MB free on this "board"
    assert memory.level() == "ok"
    STATE["ballast"] = _squeeze(memory, 32768)
    assert memory.free() < 32768
    reply = _call(device, "false")
    assert reply.startswith(b"HTTP/1.1 200") and b"grpc-status: 8" in reply, reply[:300]
    assert b"KB free, below the " in reply and b"exhaustion line" in reply, reply[:300]
    _queue("GetDeviceStatus", jpb.DeviceStatusRequest())
    device.step()
    reply = _reply()
    _, _, body = reply.partition(b"\r\n\r\n")
    n = (body[1] << 24) | (body[2] << 16) | (body[3] << 8) | body[4]
    status = jpb.DeviceStatusResponse.decode(body[5 : 5 + n])
    assert status.status == "degraded"
    heap = json.loads(status.capabilities)["runtime"]["resources"]["heap"]
    assert heap["level"] == "exhausted" and heap["refused"] >= 1
    STATE["device"] = device
    STATE["ballast"] = None  # freed: the collection takes effect once this call returns
    gc.collect()


def test_2_once_memory_returns_calls_are_served_again():
    device = STATE.pop("device")
    # The fakes were reset between tests: restart on the new radio and network.
    wifi.radio.add_network("home", "pw")
    device.stop()
    device.network = None
    device.start()
    assert device.resources.memory.free() > 512 * 1024  # the ballast was collected
    reply = _call(device, "false")
    assert b"grpc-status: 0" in reply, reply[:300]
    assert device.resources.memory.level() == "ok"
    device.stop()


def test_pool_buffers_are_reused_and_refused_when_the_heap_is_out():
    memory = MemoryMonitor(warning=0, exhausted=gc.mem_free() * 2)  # always "exhausted"
    pool = BufferPool(256, 2, memory)
    a = pool.acquire(200)
    b = pool.acquire(100)
    pool.release(a)
    assert pool.acquire(50) is a
    try:
        pool.acquire(10)
    except ResourceExhausted as exc:
        assert "buffers: 2 of 2 in use" in str(exc), str(exc)
    else:
        raise AssertionError("an empty pool with no heap must refuse")
    pool.release(b)
    assert pool.acquire(256) is b


def test_bandwidth_defers_low_priority_traffic_only():
    now = [0.0]
    bw = Bandwidth(budget=500, window=1.0, clock=lambda: now[0])
    bw.count("loki", sent=450)
    assert not bw.allow("loki", 100, LOW)
    assert bw.allow("client:10.0.0.9", 10000, HIGH) and bw.allow("ota", 10000, SYSTEM)
    assert bw.deferred == 1
    now[0] = 1.5
    assert bw.allow("loki", 100, LOW)


def _clock():
    now = [0.0]
    return now, lambda: now[0]


def test_scheduler_priorities_starvation_bound_and_queue_limit():
    from jotunheim.device.scheduler import Scheduler
    from jotunheim.resources import USER

    now, clock = _clock()
    s = Scheduler(clock, max_queued=4, max_wait=2.0)
    ran = []
    s.every("sys1", 0.0, lambda: ran.append("sys1") or True, priority=SYSTEM)
    s.every("sys2", 0.0, lambda: ran.append("sys2") or True, priority=SYSTEM)
    s.every("user", 1.0, lambda: ran.append("user") or True, first=1.0, priority=USER)
    for _ in range(20):
        now[0] += 0.1
        s.run_due()
    assert "user" not in ran  # system work first while the user task waited < 2 s
    for _ in range(30):
        now[0] += 0.1
        s.run_due()
    assert "user" in ran and ran.index("user") <= 33, ran.index("user") if "user" in ran else ran
    s.later("fourth", 1.0, lambda: True)
    try:
        s.later("fifth", 1.0, lambda: True)
    except ResourceExhausted as exc:
        assert "4 tasks queued" in str(exc) and "scheduler.max_queued" in str(exc)
    else:
        raise AssertionError("a fifth task must be refused")


def test_scheduler_step_budget_ends_a_step_with_a_task_that_overruns():
    import time

    from jotunheim.device.scheduler import Scheduler

    now, clock = _clock()
    s = Scheduler(clock, step_budget_ms=10)
    ran = []

    def slow():
        ran.append("slow")
        end = time.ticks_add(time.ticks_ms(), 30)
        while time.ticks_diff(end, time.ticks_ms()) > 0:
            pass
        return False

    s.every("slow", 0.0, slow)
    s.every("a", 0.0, lambda: ran.append("a") and False)
    s.every("b", 0.0, lambda: ran.append("b") and False)
    s.run_due()
    assert ran == ["slow"], ran
    del ran[:]
    s.run_due()
    assert ran[:2] == ["a", "b"], ran
    assert s.tasks[0][7] >= 1  # overruns
