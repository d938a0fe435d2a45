"""Units of the remote service and its leaves, each with the behaviour its name promises:
the one error->status function, status names, the rate limiter's buckets, the capability
group's refusals and Einherjar answer, and the Device's scheduler."""

import pytest

from jotunheim.capability.drivers.simulated import SimulatedLed
from jotunheim.capability.registry import ToolRegistry
from jotunheim.device.scheduler import Scheduler
from jotunheim.grpc.status import GrpcError, StatusCode, status_of
from jotunheim.remote.capabilities import CapabilityService
from jotunheim.remote.gate import Gate
from jotunheim.remote.ratelimit import RateLimiter


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class Ctx:
    metadata = {}
    client_address = ("10.0.0.2", 1)


def test_status_of_is_the_one_ladder():
    assert status_of(GrpcError(StatusCode.NOT_FOUND, "no such tool")) == (5, "no such tool")
    assert status_of(MemoryError()) == (StatusCode.RESOURCE_EXHAUSTED, "out of memory")
    assert status_of(ValueError("secret /flash/code.py"), "/a.B/C") == (
        StatusCode.INTERNAL,
        "internal error in /a.B/C",
    )
    assert status_of(KeyError("x")) == (StatusCode.INTERNAL, "internal error")


def test_status_names_and_errors_read_well():
    assert StatusCode.name(14) == "UNAVAILABLE" and StatusCode.name(99) == "CODE_99"
    assert StatusCode.value("unavailable") == 14
    with pytest.raises(ValueError, match="unknown gRPC status name: 'NOPE'"):
        StatusCode.value("NOPE")
    err = GrpcError(StatusCode.ABORTED, "lost the sensor")
    assert (str(err), repr(err), err.code_name) == (
        "ABORTED: lost the sensor",
        "GrpcError(ABORTED, 'lost the sensor')",
        "ABORTED",
    )
    assert str(GrpcError(StatusCode.CANCELLED)) == "CANCELLED"


def test_rate_limiter_bursts_refuses_with_the_wait_and_refills():
    clock = Clock()
    limiter = RateLimiter(60, burst=2, clock=clock)
    assert limiter.take("a") == 0 and limiter.take("a") == 0
    wait = limiter.take("a")
    assert wait == pytest.approx(1.0) and limiter.refused == 1
    assert limiter.take("b") == 0  # another client has its own bucket
    clock.now += 1.0
    assert limiter.take("a") == 0  # one token back after a second at 60/min


def test_rate_limiter_unlimited_and_bounded_in_clients():
    clock = Clock()
    assert all(RateLimiter(0, clock=clock).take("a") == 0 for _ in range(100))
    limiter = RateLimiter(60, max_clients=3, clock=clock)
    for key in "abcd":
        clock.now += 1
        limiter.take(key)
    assert limiter.clients() == 3  # "a", the least recently seen, was forgotten
    limiter.configure(30, burst=1)
    assert limiter.clients() == 0 and limiter.per_minute == 30 and limiter.burst == 1


def test_capabilities_group_refuses_until_ready_and_builds_einherjar_from_tools():
    registry = ToolRegistry()
    registry.add_actuator("status", SimulatedLed())
    gate = Gate("pico-1", None, None, 4096)
    service = CapabilityService(gate, None, None, registry)
    with pytest.raises(GrpcError) as info:
        service.get_capabilities(None, Ctx())
    assert info.value.code == StatusCode.UNAVAILABLE and gate.refused == {14: 1}

    from jotunheim.pb import jotunheim_capability as cap

    def caps():
        return cap.JotunheimCapabilities(device_name="pico", device_type="circuitpython")

    service = CapabilityService(gate, caps, None, registry)
    answer = service.einherjar_capabilities(None, Ctx())
    assert answer.god_name == "pico" and answer.purpose == "circuitpython device"
    assert "set_led_sim" in [f.name for f in answer.functions]
    given = CapabilityService(gate, caps, lambda: "given answer", registry)
    assert given.einherjar_capabilities(None, Ctx()) == "given answer"


def test_scheduler_runs_one_task_that_worked_per_step_in_turn():
    clock = Clock()
    scheduler = Scheduler(clock)
    ran = []
    scheduler.every("idle", 1.0, lambda: ran.append("idle") and False)
    scheduler.every("busy", 1.0, lambda: ran.append("busy") or True)
    scheduler.every("later", 10.0, lambda: ran.append("later") or True, first=5.0)
    assert scheduler.run_due() is True
    assert ran == ["idle", "busy"]  # idle did nothing, so busy ran in the same step
    assert scheduler.run_due() is False  # nothing due until the clock moves
    clock.now += 5.0
    ran.clear()
    assert scheduler.run_due() is True
    assert ran == ["later"]  # round robin: the turn moved past busy
    ran.clear()
    scheduler.run_due()
    assert ran == ["idle", "busy"]
