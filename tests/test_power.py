# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Battery operation: a simulated day of deep-sleep duty cycles against the reference Loki,
light sleep between scheduler ticks, the sleep-memory record.

The board's ``alarm`` module is tests/micropython/fakes/alarm.py (a simulated clock:
sleeping moves it), loaded here by path; each wake builds a fresh Device, as code.py
running again after a deep sleep would, so only what sleep memory holds survives.
"""

import importlib.util
import json
import socket
from pathlib import Path

import pytest

from jotunheim.capability.drivers.simulated import SimulatedClimateSensor, SimulatedRelay
from jotunheim.device import Device
from jotunheim.grpc.client import GrpcWebClient
from jotunheim.net.wifi import HostNetwork
from jotunheim.power.mailbox import MailboxClient
from jotunheim.power.state import SIZE, SleepState, fnv1a
from jotunheim_host.loki.server import LokiServer

FAKE_ALARM = Path(__file__).resolve().parent / "micropython" / "fakes" / "alarm.py"
DAY = 24 * 3600
DEVICE_ID = "sleepy-1"
REPORT = "return 'stored ' .. tostring(climate)"


def fake_alarm():
    """A fresh copy of the fake ``alarm`` module (power-on state)."""
    spec = importlib.util.spec_from_file_location("fake_alarm", FAKE_ALARM)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def settings(loki_url, **power):
    values = {
        "profile": "deep-sleep",
        "cycle_seconds": 600,
        "low_battery_volts": 3.5,
        "low_battery_cycle_seconds": 1800,
        "report_script": "store_reading",
    }
    values.update(power)
    return {
        "capabilities": {"device_id": DEVICE_ID, "announce_interval": 86400},
        "network": {"loki_url": loki_url, "request_timeout": 5},
        "remote": {"enabled": False},
        "power": values,
    }


class Board:
    """Boots the device again at every wake, like code.py after a deep sleep."""

    def __init__(self, alarm, root, config, volts=lambda now: 4.0, extra_part=None):
        self.alarm = alarm
        self.root = root
        self.config = config
        self.volts = volts
        self.extra_part = extra_part  # (from wake number, name, driver)
        self.wakes = []  # one record per wake

    def boot(self):
        """One wake: build the Device, run it until it deep-sleeps; returns the DeepSleep."""
        alarm = self.alarm
        device = Device(
            "sleepy",
            settings=self.config,
            root=str(self.root),
            clock=alarm.clock,
            alarm=alarm,
            battery=lambda: self.volts(alarm.clock()),
            network=HostNetwork(probe_interval=0),
            pool=socket,
            host="127.0.0.1",
            port=0,
        )
        device.add_sensor("climate", SimulatedClimateSensor(seed=1))
        if self.extra_part is not None and len(self.wakes) + 1 >= self.extra_part[0]:
            device.add_actuator(self.extra_part[1], self.extra_part[2])
        with pytest.raises(alarm.DeepSleep) as caught:
            device.run()
        cycle = device.power
        self.wakes.append(
            {
                "at": alarm.clock(),
                "reason": cycle.reason,
                "announced": cycle.announced,
                "handled": list(cycle.handled),
                "report": cycle.report,
                "state": cycle.state.as_dict(),
                "errors": list(cycle.errors),
                "sleep": caught.value.alarms[0].monotonic_time - alarm.clock(),
            }
        )
        return caught.value

    def run_until(self, end, between=None):
        """Wake and sleep until the clock passes ``end``; ``between(board)`` runs while
        the board sleeps."""
        while self.alarm.clock() < end:
            sleep = self.boot()
            if between is not None:
                between(self)
            self.alarm.wake(sleep)


@pytest.fixture
def loki(tmp_path):
    with LokiServer(str(tmp_path / "scripts"), host="127.0.0.1", port=0) as srv:
        srv.service.store.register(
            "store_reading",
            inline_script=REPORT,
            parameters=[{"name": "climate", "type": "string", "required": True, "description": ""}],
        )
        yield srv


def mailbox_for(loki):
    return MailboxClient(GrpcWebClient(loki.url, timeout=5), timeout=5)


def results(loki):
    from jotunheim_host.reference_pb.jotunheim import mailbox as pb

    return loki.service.mailbox.get_command_results(
        pb.GetCommandResultsRequest(device_id=DEVICE_ID)
    ).results


def test_a_simulated_day_of_duty_cycles_wakes_on_schedule_works_and_sleeps(loki, tmp_path):
    alarm = fake_alarm()
    start = alarm.clock()
    board = Board(alarm, tmp_path, settings(loki.url))
    board.run_until(start + DAY)
    wakes = board.wakes
    assert len(wakes) == DAY // 600
    assert [w["reason"] for w in wakes[:2]] == ["power-on", "timer"]
    assert all(w["reason"] == "timer" for w in wakes[1:])
    # Every wake starts exactly one cycle after the previous one and asks for the next.
    starts = [start] + [start + 600 * i for i in range(1, len(wakes))]
    assert [round(w["at"] - s, 6) for w, s in zip(wakes, starts)] == [0.0] * len(wakes)
    assert {w["sleep"] for w in wakes} == {600}
    # The work of each wake: the readings went to Loki's script, nothing failed.
    assert all(w["errors"] == [] for w in wakes), wakes[0]["errors"]
    assert all(w["report"].startswith("stored ") for w in wakes)
    assert len(alarm.deep_sleeps) == len(wakes)


def test_state_survives_the_sleeps_and_capabilities_are_announced_only_when_they_change(
    loki, tmp_path
):
    alarm = fake_alarm()
    board = Board(alarm, tmp_path, settings(loki.url), extra_part=(5, "pump", SimulatedRelay()))
    board.run_until(alarm.clock() + 8 * 600)
    wakes = board.wakes
    assert [w["state"]["cycles"] for w in wakes] == list(range(1, 9))
    # Announced at the first wake, not again until the pump appeared at wake 5.
    assert [w["announced"] for w in wakes] == [True, False, False, False, True, False, False, False]
    hashes = [w["state"]["caps_hash"] for w in wakes]
    assert len(set(hashes[:4])) == 1 and hashes[4] != hashes[3] and len(set(hashes[4:])) == 1
    names = [r.name for r in loki.service.store.list()]
    assert "set_relay_sim" in names, names  # the new part's tools reached Loki
    record = SleepState(alarm.sleep_memory).load()
    assert record.cycles == 8 and not record.fresh


def test_a_command_queued_while_asleep_is_handled_on_the_next_wake(loki, tmp_path):
    alarm = fake_alarm()
    board = Board(alarm, tmp_path, settings(loki.url))
    queued = {}

    def between(board):
        if len(board.wakes) == 3 and not queued:
            assert results(loki) == []
            mailbox = mailbox_for(loki)
            queued["seq"] = mailbox.queue(
                DEVICE_ID, "call_tool", json.dumps({"tool": "read_dht22_sim_temperature"})
            )
            queued["bad"] = mailbox.queue(DEVICE_ID, "reboot", "{}")  # owner-only

    board.run_until(alarm.clock() + 6 * 600, between)
    wakes = board.wakes
    assert [len(w["handled"]) for w in wakes] == [0, 0, 0, 2, 0, 0]
    seqs = [item[0] for item in wakes[3]["handled"]]
    assert seqs == [queued["seq"], queued["bad"]]
    assert wakes[3]["state"]["command_seq"] == queued["bad"]
    done = {r.seq: r for r in results(loki)}
    assert done[queued["seq"]].success
    assert 15 < json.loads(done[queued["seq"]].result) < 30  # degrees C, simulated
    assert not done[queued["bad"]].success
    assert "owner token" in done[queued["bad"]].error_message
    assert all(w["errors"] == [] for w in wakes)


def test_a_low_battery_reading_lengthens_the_cycle(loki, tmp_path):
    alarm = fake_alarm()
    start = alarm.clock()
    sag = start + 3 * 600 - 1  # the battery sags before the fourth wake

    def volts(now):
        return 3.9 if now < sag else 3.3

    board = Board(alarm, tmp_path, settings(loki.url), volts=volts)
    board.run_until(start + 3 * 600 + 3 * 1800)
    sleeps = [w["sleep"] for w in board.wakes]
    assert sleeps[:3] == [600, 600, 600]
    assert set(sleeps[3:]) == {1800} and len(sleeps) >= 5
    assert [w["state"]["low_battery"] for w in board.wakes[2:4]] == [False, True]


def test_an_unreachable_loki_backs_the_cycle_off_and_a_pin_wakes_the_board(tmp_path):
    alarm = fake_alarm()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = "http://127.0.0.1:%d" % probe.getsockname()[1]
    board = Board(alarm, tmp_path, settings(dead, wake_pin="SCK"))
    import board as board_pins

    start = alarm.clock()
    # Failed wakes double the cycle: 1200, 2400, 4800 s; a press 100 s into the third
    # sleep wakes the board early.
    pressed = start + 1200 + 2400 + 100
    alarm.press_pin_at(pressed, board_pins.SCK)
    board.run_until(pressed)
    wakes = board.wakes
    assert [w["sleep"] for w in wakes] == [1200, 2400, 4800]
    assert [w["state"]["failures"] for w in wakes] == [1, 2, 3]
    assert all(w["errors"] for w in wakes)
    board.boot()
    assert board.wakes[3]["reason"] == "pin"
    assert board.wakes[3]["at"] == pressed
    assert board.wakes[3]["sleep"] == 4800  # backoff stays at 8x


def test_sleep_state_round_trips_and_rejects_garbage():
    memory = bytearray(64)
    state = SleepState(memory, offset=8).load()
    assert state.fresh and state.cycles == 0
    state.cycles, state.caps_hash, state.command_seq, state.failures = 70000, 0xDEADBEEF, 12, 2
    state.flags = 1
    state.save()
    again = SleepState(memory, offset=8).load()
    assert again.as_dict() == state.as_dict() and not again.fresh
    assert len(state.encode()) == SIZE == 20
    memory[8 + 5] ^= 0xFF  # one flipped byte: the checksum catches it
    broken = SleepState(memory, offset=8).load()
    assert broken.fresh and broken.cycles == 0
    assert fnv1a(b"") == 0x811C9DC5 and fnv1a(b"a") == 0xE40C292C


def test_light_sleep_sleeps_until_the_next_scheduler_task(tmp_path):
    alarm = fake_alarm()
    device = Device(
        "dozy",
        settings={"power": {"profile": "light-sleep"}},
        root=str(tmp_path),
        clock=alarm.clock,
        alarm=alarm,
        network=HostNetwork(probe_interval=0),
        pool=socket,
        host="127.0.0.1",
        port=0,
    )
    ticks = []

    def every():
        ticks.append(alarm.clock())
        if len(ticks) == 5:
            device.stopping = True

    start = alarm.clock()
    device.run(every=every, interval=60)
    device.stop()
    assert [round(t - start) for t in ticks] == [0, 60, 120, 180, 240]
    # Between the ticks the board slept; no single sleep was longer than allowed.
    assert alarm.light_sleeps and max(s for _, s in alarm.light_sleeps) <= 30
    slept = sum(s for _, s in alarm.light_sleeps)
    assert slept >= 0.95 * (ticks[-1] - start)


def test_a_loki_without_the_mailbox_is_no_failure(loki, tmp_path):
    from jotunheim_host.loki import mailbox

    loki.app.handler.methods.pop("/%s/FetchCommands" % mailbox.SERVICE)  # like the Rust Loki
    alarm = fake_alarm()
    board = Board(alarm, tmp_path, settings(loki.url))
    board.run_until(alarm.clock() + 3 * 600)
    assert [w["sleep"] for w in board.wakes] == [600, 600, 600]
    assert all(w["state"]["failures"] == 0 and w["errors"] == [] for w in board.wakes)
    assert all(w["report"].startswith("stored ") for w in board.wakes)


def test_battery_pin_names_the_pin_and_the_divider_ratio():
    from jotunheim.power.battery import Battery
    from jotunheim.settings.loader import Settings
    from jotunheim.settings.schema import defaults, set_path

    def battery(text):
        data = defaults()
        set_path(data, "power.battery_pin", text)
        return Battery.from_settings(Settings(data))

    assert battery("") is None
    pico = battery("VOLTAGE_MONITOR*3")
    assert (pico.pin, pico.divider) == ("VOLTAGE_MONITOR", 3.0)
    feather = battery("A2")
    assert (feather.pin, feather.divider) == ("A2", 2.0)
    with pytest.raises(ValueError, match="PIN or PIN\\*RATIO"):
        battery("A2*half")
    missing = battery("NO_SUCH_PIN")
    assert missing.volts() is None and "NO_SUCH_PIN" in missing.error
    assert Battery(read=lambda: 3.71).volts() == 3.71


def test_mailbox_access_in_token_mode():
    from jotunheim_host.loki import access
    from jotunheim_host.loki.mailbox import MAX_QUEUED, CommandMailbox
    from jotunheim_host.reference_pb.jotunheim import mailbox as pb

    box = CommandMailbox()
    admin = access.Caller(access.ADMIN)
    mine = access.Caller(access.DEVICE_PREFIX + "dev-a")
    queued = box.queue_command(
        pb.QueueCommandRequest(device_id="dev-a", command="announce"), None, admin
    )
    assert queued.success and queued.seq == 1
    with pytest.raises(access.AccessError, match="may not queue"):
        box.queue_command(pb.QueueCommandRequest(device_id="dev-a", command="x"), None, mine)
    with pytest.raises(access.AccessError, match="may not use the mailbox of dev-b"):
        box.fetch_commands(pb.FetchCommandsRequest(device_id="dev-b"), None, mine)
    got = box.fetch_commands(pb.FetchCommandsRequest(device_id="dev-a"), None, mine)
    assert [c.command for c in got.commands] == ["announce"]
    done = pb.CommandResult(seq=1, success=True, result=b"{}")
    box.fetch_commands(
        pb.FetchCommandsRequest(device_id="dev-a", after_seq=1, results=[done]), None, mine
    )
    seen = box.get_command_results(pb.GetCommandResultsRequest(device_id="dev-a"), None, admin)
    assert seen.last_handled_seq == 1 and [r.seq for r in seen.results] == [1]
    assert (
        box.fetch_commands(
            pb.FetchCommandsRequest(device_id="dev-a", after_seq=1), None, mine
        ).commands
        == []
    )
    for _ in range(MAX_QUEUED):
        box.queue_command(
            pb.QueueCommandRequest(device_id="dev-c", command="announce"), None, admin
        )
    full = box.queue_command(
        pb.QueueCommandRequest(device_id="dev-c", command="announce"), None, admin
    )
    assert not full.success and "already wait" in full.error_message
    empty = box.queue_command(pb.QueueCommandRequest(device_id="dev-c", command=" "), None, admin)
    assert not empty.success
