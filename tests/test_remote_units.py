# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Units of the remote service and its leaves, each with the behaviour its name promises:
the one error->status function, status names, the rate limit's buckets, the capability
group's refusals and Einherjar answer, and the Device's scheduler."""

import pytest

from jotunheim.capability.drivers.simulated import SimulatedLed
from jotunheim.capability.registry import ToolRegistry
from jotunheim.device.scheduler import Scheduler
from jotunheim.grpc.status import GrpcError, StatusCode
from jotunheim.grpc.trailers import status_of
from jotunheim.pb.jotunheim import ToolCallRequest, ToolCallResponse
from jotunheim.remote.capabilities import CapabilityService
from jotunheim.remote.handler import RemoteCommandHandler


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class Board:
    """Stands in for the Device: the handler asks it for this device's id."""

    def device_id_now(self):
        return "pico-1"


class Ctx:
    headers = {}
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
    # Names to numbers: attributes read from the one name table (StatusCode.value went:
    # nothing on the device or the host looked a code up by name).
    assert getattr(StatusCode, StatusCode.name(14)) == 14
    err = GrpcError(StatusCode.ABORTED, "lost the sensor")
    assert (str(err), StatusCode.name(err.code), err.message) == (
        "ABORTED: lost the sensor",
        "ABORTED",
        "lost the sensor",
    )
    assert str(GrpcError(StatusCode.CANCELLED)) == "CANCELLED"


def limited(per_minute, clock, **options):
    return RemoteCommandHandler(
        ToolRegistry(), rate_limit_per_minute=per_minute, clock=clock, **options
    )


def test_rate_limit_bursts_refuses_with_the_wait_and_refills():
    clock = Clock()
    limiter = limited(60, clock, burst=2)
    assert limiter.throttle("a") == 0 and limiter.throttle("a") == 0
    wait = limiter.throttle("a")
    assert wait == pytest.approx(1.0) and limiter.rate_limited == 1
    assert limiter.throttle("b") == 0  # another client has its own bucket
    clock.now += 1.0
    assert limiter.throttle("a") == 0  # one token back after a second at 60/min


def test_rate_limit_unlimited_and_bounded_in_clients():
    clock = Clock()
    unlimited = limited(0, clock)
    assert all(unlimited.throttle("a") == 0 for _ in range(100))
    limiter = limited(60, clock)
    limiter.max_clients = 3
    for key in "abcd":
        clock.now += 1
        limiter.throttle(key)
    assert sorted(limiter.buckets) == ["b", "c", "d"]  # "a", the least recently seen, went
    limiter.limit(30, burst=1)
    assert limiter.buckets == {} and limiter.per_minute == 30 and limiter.burst == 1
    limiter.limit(30)
    assert limiter.burst == 10 and limited(5, clock).burst == 5  # min(per_minute, 10)


def served(gate, name, parameters=""):
    request = ToolCallRequest(tool_name=name, parameters=parameters)
    return ToolCallResponse.decode(bytes(gate.call_tool(request, Ctx)))


def test_rate_limit_only_on_tools_that_change_state_per_client_host():
    registry = ToolRegistry()
    registry.add_actuator("status", SimulatedLed())
    gate = RemoteCommandHandler(
        registry, Board(), open_access=True, rate_limit_per_minute=60, burst=1, clock=Clock()
    )
    assert served(gate, "set_led_sim", '{"on": true}').success
    with pytest.raises(GrpcError) as info:
        served(gate, "set_led_sim", '{"on": false}')
    assert info.value.code == StatusCode.RESOURCE_EXHAUSTED
    assert info.value.message == (
        "rate limit: at most 60 state-changing calls per minute per client; retry in 1.0 s"
    )
    assert gate.rate_limited == 1 and list(gate.buckets) == ["10.0.0.2"]  # the host part
    assert served(gate, "get_led_sim_state").success  # reads are never limited


def test_capabilities_group_refuses_until_ready_and_builds_einherjar_from_tools():
    registry = ToolRegistry()
    registry.add_actuator("status", SimulatedLed())
    gate = RemoteCommandHandler(registry, Board(), open_access=True)
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


def test_constant_time_equal_and_bearer_parsing():
    from jotunheim.remote.handler import constant_time_equal

    assert constant_time_equal("tok", b"tok") and constant_time_equal(b"", "")
    assert not constant_time_equal("tok", "tox") and not constant_time_equal("", "a")
    check = RemoteCommandHandler(ToolRegistry(), token="abc", owner_token="own", auth_mode="bearer")

    def decide(metadata):  # (level, None) for a caller let in, (None, why) for one refused
        context = Ctx()
        context.headers = metadata
        try:
            return check.authorize(context), None
        except GrpcError as exc:
            assert exc.code == StatusCode.UNAUTHENTICATED
            return None, exc.message

    assert decide({"authorization": "  Bearer  abc "}) == ("user", None)
    assert decide({"authorization": "Bearer own"}) == ("owner", None)
    missing = decide({})
    assert missing[0] is None and "needs a token" in missing[1]
    # Not a bearer token at all, or an empty one: refused as "no token", not "wrong token".
    for metadata in ({"authorization": "Basic abc"}, {"authorization": "Bearer "}, None):
        assert decide(metadata) == missing
    wrong = decide({"authorization": "Bearer nope"})
    assert wrong[0] is None and wrong[1] != missing[1]


def test_status_document_of_every_capability_part():
    from jotunheim.pb import jotunheim_capability as cap
    from jotunheim.remote.status import capabilities_dict, timestamp

    assert capabilities_dict(None) == {}
    caps = cap.JotunheimCapabilities(
        device_id="d",
        tools=[
            cap.Tool(
                name="set_x",
                parameters=[
                    cap.ParameterDefinition(
                        name="v",
                        type="Number",
                        required=True,
                        description="level",
                        minimum=0,
                        maximum=1,
                        enum_values=["0", "1"],
                        unit="%",
                        default_value="0",
                    )
                ],
                user_only=True,
                unit="%",
            )
        ],
        hardware=cap.HardwareCapabilities(
            interfaces=["I2C"], sensors=["DHT22"], actuators=["LED"], gpio=None
        ),
        resources=cap.ResourceLimits(max_memory_kb=64),
        features=cap.ProtocolFeatures(streaming=True),
    )
    doc = capabilities_dict(caps)
    param = doc["tools"][0]["parameters"][0]
    assert param == {
        "name": "v",
        "type": "Number",
        "required": True,
        "description": "level",
        "minimum": 0,
        "maximum": 1,
        "enum": ["0", "1"],
        "unit": "%",
        "default": "0",
    }
    assert doc["tools"][0]["user_only"] is True and doc["tools"][0]["unit"] == "%"
    assert doc["hardware"]["gpio_pins"] == [] and doc["resources"]["max_memory_kb"] == 64
    assert doc["features"]["streaming"] is True
    assert timestamp(1767225600) == "2026-01-01T00:00:00Z"
    assert timestamp(1000).startswith("uptime ")


def test_grpc_server_cors_trailers_and_encoding():
    import socket

    from jotunheim.grpc.server import GrpcWebServer
    from jotunheim.grpc.trailers import trailers

    assert trailers(0) == [("grpc-status", "0")]
    assert trailers(5, "café", {"X-Id": 7}) == [
        ("grpc-status", "5"),
        ("grpc-message", "caf%C3%A9"),
        ("x-id", "7"),
    ]
    server = GrpcWebServer(socket, cors_origin="*")
    server.register("t.T", "M", None, None)

    class Raw:  # a request class that hands the handler the message bytes
        decode = bytes

    # A handler's bytes-like answer goes out as the message, as it is.
    for answer in (bytearray(b"ab"), memoryview(b"c"), b"d"):
        server.register("t.T", "Raw", Raw, lambda message, context, answer=answer: answer)

        class Call:
            method = "POST"
            path = "/t.T/Raw"
            headers = {"content-type": "application/grpc-web+proto"}
            too_large = False
            body = b"\x00\x00\x00\x00\x01x"
            client_address = ("1.2.3.4", 1)

        body = server.handle(Call()).body
        size = len(answer)
        assert bytes(body[: 5 + size]) == bytes((0, 0, 0, 0, size)) + bytes(answer)
        assert body[5 + size :] == b"\x80\x00\x00\x00\x10grpc-status: 0\r\n"

    class Req:
        method = "OPTIONS"
        path = "/t.T/M"
        headers = {}
        too_large = False
        body = b""
        client_address = ("1.2.3.4", 1)

    def pairs(headers):
        # A Response's headers: (name, value) pairs, or the header lines as bytes.
        if isinstance(headers, bytes):
            return [tuple(line.split(": ", 1)) for line in headers.decode().split("\r\n") if line]
        return list(headers)

    preflight = server.handle(Req())
    names = [name for name, _ in pairs(preflight.headers)]
    assert preflight.status == 204 and "Access-Control-Allow-Methods" in names
    Req.method = "GET"
    refused = server.handle(Req())
    assert refused.status == 405 and ("Allow", "POST, OPTIONS") in pairs(refused.headers)
    Req.method = "POST"
    Req.headers = {"content-type": "text/plain"}
    wrong = server.handle(Req())
    assert wrong.status == 415 and ("Access-Control-Allow-Origin", "*") in pairs(wrong.headers)
    Req.headers = {"content-type": "application/grpc-web+proto"}
    Req.too_large = True
    big = server.handle(Req())
    assert ("grpc-status", "8") in pairs(big.headers)
