# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Negotiation (jotunheim.capability.negotiator.negotiate) with a LokiClient-like fake:
partial refusals, retries with backoff, timeouts, the overall deadline; the forwarding
requests it sends, and the capability answers made from the same device."""

from jotunheim.capability import export
from jotunheim.capability.builder import DeviceCapabilityBuilder
from jotunheim.capability.drivers.simulated import (
    SimulatedButton,
    SimulatedClimateSensor,
    SimulatedLed,
    SimulatedRelay,
)
from jotunheim.capability.negotiator import loki_register_requests, negotiate
from jotunheim.capability.registry import ToolRegistry
from jotunheim.capability.system import SystemTools
from jotunheim.grpc.status import GrpcError, StatusCode
from jotunheim.pb import einherjar, loki
from jotunheim.pb import jotunheim_capability as cap
from jotunheim.resilience.retry import RetryManager
from jotunheim_host.reference_pb import einherjar as ref_einherjar


class FakeLoki:
    """Behaves like jotunheim.loki.client.LokiClient.register.

    ``refuse``: names answered success=False; ``transient``: name -> how many calls fail
    with UNAVAILABLE first; ``broken``: name -> exception raised on every call."""

    def __init__(self, refuse=(), transient=None, broken=None, clock=None, cost=0.0):
        self.refuse = set(refuse)
        self.transient = dict(transient or {})
        self.broken = dict(broken or {})
        self.calls = []
        self.scripts = {}
        self.clock = clock
        self.cost = cost

    def register(self, request, timeout):
        name = request.name
        self.calls.append((name, timeout))
        if self.clock is not None:
            self.clock.now += self.cost
        if name in self.broken:
            raise self.broken[name]
        if self.transient.get(name, 0) > 0:
            self.transient[name] -= 1
            raise GrpcError(StatusCode.UNAVAILABLE, "connection reset")
        if name in self.refuse:
            return loki.RegisterScriptResponse(
                success=False, script_name=name, error_message="script name reserved"
            )
        self.scripts[name] = (
            request.inline_script,
            list(request.parameters),
            request.language,
            request.return_type,
        )
        return loki.RegisterScriptResponse(success=True, script_name=name)


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def device():
    registry = ToolRegistry()
    registry.add_sensor("room", SimulatedClimateSensor(seed=1))
    registry.add_actuator("light", SimulatedLed(pwm=True))
    registry.add_actuator("heater", SimulatedRelay())
    registry.add_sensor("door", SimulatedButton())
    registry.add_provider(SystemTools(reboot=lambda: None))
    builder = DeviceCapabilityBuilder(name="sim-room", device_id="SIM-0001")
    return registry, builder


def requests(address="d:1", prefix=""):
    registry, builder = device()
    return loki_register_requests(registry.tools(), address, prefix, builder.device_id())


def quick_retry(sleeps, clock=None):
    return RetryManager(
        attempts=3,
        base_delay=0.2,
        max_delay=2.0,
        rand=lambda: 0.5,
        sleep=sleeps.append,
        clock=clock,
    )


MODEL_TOOLS = [
    "read_dht22_sim_temperature",
    "read_dht22_sim_humidity",
    "set_led_sim",
    "get_led_sim_state",
    "set_relay_sim",
    "get_relay_sim_state",
    "read_button_sim_pressed",
]


def test_every_model_callable_tool_is_registered_with_a_forwarding_stub():
    fake = FakeLoki()
    result = negotiate(fake.register, requests("10.0.0.9:8080"))
    assert not result.failed and result.registered == MODEL_TOOLS
    assert "reboot" not in fake.scripts  # user-only
    script, params, language, return_type = fake.scripts["set_led_sim"]
    assert script == 'return device.call("10.0.0.9:8080", "set_led_sim", params, "SIM-0001")'
    assert [(p.name, p.type, p.required) for p in params] == [
        ("on", "Boolean", True),
        ("brightness", "Number", False),
    ]
    assert params[1].description == "Brightness 0..1 (Number in 0..1)"
    assert (language, return_type) == ("lua", "Object")
    assert all(timeout == 5.0 for _, timeout in fake.calls)


def test_one_refusal_does_not_stop_the_rest():
    fake = FakeLoki(refuse={"set_relay_sim"})
    result = negotiate(fake.register, requests())
    assert result.failed == [("set_relay_sim", "refused: script name reserved")]
    assert result.registered == [n for n in MODEL_TOOLS if n != "set_relay_sim"]
    assert result.attempts == len(MODEL_TOOLS)  # a refusal is not retried


def test_transient_failures_are_retried_with_backoff():
    sleeps = []
    fake = FakeLoki(transient={"set_led_sim": 2, "get_led_sim_state": 5})
    result = negotiate(fake.register, requests(), retry=quick_retry(sleeps))
    assert "set_led_sim" in result.registered  # third attempt succeeded
    assert result.failed == [("get_led_sim_state", "GrpcError: UNAVAILABLE: connection reset")]
    # two pauses for set_led_sim, two for get_led_sim_state: exponential with the 0.2 s floor
    # the error handler asks for UNAVAILABLE
    assert sleeps == [0.2, 0.2, 0.2, 0.2]
    assert result.attempts == len(MODEL_TOOLS) + 2 + 2


def test_retry_given_as_arguments_is_made_at_the_first_failure(monkeypatch):
    # (attempts, base_delay, max_delay): the RetryManager is made once a call fails, and
    # retries as the one it describes would (one retry each, then the error is recorded).
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    fake = FakeLoki(transient={"set_led_sim": 1, "get_led_sim_state": 5})
    result = negotiate(fake.register, requests(), retry=(2, 0.01, 0.01))
    assert "set_led_sim" in result.registered
    assert result.failed == [("get_led_sim_state", "GrpcError: UNAVAILABLE: connection reset")]
    assert result.attempts == len(MODEL_TOOLS) + 1 + 1
    # every call working: no retry is made at all
    result = negotiate(FakeLoki().register, requests(), retry=(2, 0.01, 0.01))
    assert result.attempts == len(MODEL_TOOLS) and not result.failed


def test_backoff_grows_exponentially():
    sleeps = []
    retry = RetryManager(
        attempts=4, base_delay=0.5, max_delay=10, rand=lambda: 0.999, sleep=sleeps.append
    )
    fake = FakeLoki(transient={"read_dht22_sim_temperature": 3})
    result = negotiate(fake.register, requests(), retry=retry)
    assert not result.failed
    assert [round(s, 2) for s in sleeps] == [0.5, 1.0, 2.0]


def test_permanent_errors_are_not_retried():
    sleeps = []
    fake = FakeLoki(
        broken={
            "set_led_sim": GrpcError(StatusCode.PERMISSION_DENIED, "bad token"),
            "get_led_sim_state": ValueError("malformed response"),
        }
    )
    result = negotiate(fake.register, requests(), retry=quick_retry(sleeps))
    assert result.failed == [
        ("set_led_sim", "GrpcError: PERMISSION_DENIED: bad token"),
        ("get_led_sim_state", "ValueError: malformed response"),
    ]
    assert sleeps == []
    assert len(result.registered) == len(MODEL_TOOLS) - 2


def test_deadline_bounds_the_whole_negotiation_and_each_call_timeout():
    clock = Clock()
    sleeps = []
    fake = FakeLoki(clock=clock, cost=4.0)  # every call takes 4 s
    result = negotiate(
        fake.register,
        requests(),
        timeout=5.0,
        deadline=10.0,
        retry=quick_retry(sleeps, clock),
        clock=clock,
    )
    assert result.registered == MODEL_TOOLS[:3]
    assert [t for _, t in fake.calls] == [5.0, 5.0, 2.0]  # the last one gets what is left
    assert result.failed == [
        (name, "not attempted: negotiation deadline passed") for name in MODEL_TOOLS[3:]
    ]


def test_memory_error_is_recorded():
    fake = FakeLoki(broken={"set_relay_sim": MemoryError()})
    sleeps = []
    result = negotiate(fake.register, requests(), retry=quick_retry(sleeps))
    assert ("set_relay_sim", "out of memory") in result.failed
    assert len(result.registered) == len(MODEL_TOOLS) - 1


def test_prefix_and_nothing_to_register():
    fake = FakeLoki()
    result = negotiate(fake.register, requests("h:2", prefix="room1_"))
    assert result.registered[0] == "room1_read_dht22_sim_temperature"
    assert fake.scripts["room1_set_led_sim"][0].startswith(
        'return device.call("h:2", "set_led_sim"'
    )
    # the stub calls the device's own tool name; only the script name has the prefix
    assert '"room1_' not in fake.scripts["room1_set_led_sim"][0]
    empty = negotiate(fake.register, [])
    assert (empty.registered, empty.failed, empty.attempts) == ([], [], 0)


def test_capability_answers():
    registry, builder = device()
    response = cap.CapabilityResponse(capabilities=builder.build(registry))
    caps = response.capabilities
    assert caps.device_id == "SIM-0001" and caps.device_name == "sim-room"
    assert [t.name for t in caps.tools] == MODEL_TOOLS + ["reboot"]
    assert cap.CapabilityResponse.decode(response.encode()) == response
    answer = export.einherjar_answer(caps, registry.tools())
    assert isinstance(answer, einherjar.CapabilityResponse)
    assert answer.god_name == "sim-room"
    assert [f.name for f in answer.functions] == MODEL_TOOLS
    assert "dht22_sim" in answer.responsibility_keywords
    assert "led_sim" in answer.responsibility_keywords
    ref = ref_einherjar.CapabilityResponse().parse(answer.encode())
    assert ref.functions[2].parameters[0].required is True
    assert ref.functions[2].parameters[0].type == "boolean"
    assert export.einherjar_answer(caps, registry.tools(), "Room climate").purpose == (
        "Room climate"
    )
