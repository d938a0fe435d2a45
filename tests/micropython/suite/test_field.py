# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
# Battery operation and discovery under MicroPython: the sleep-memory record, light
# sleep on the fake alarm's clock, the duty cycle's next-cycle rule, and the leader order
# read from CircuitPython-style mDNS answers (no TXT records: created_at in the name).
import alarm
import mdns


def setup_function():
    alarm._reset()
    mdns._reset()


def test_sleep_state_round_trips_in_sleep_memory():
    from jotunheim.power.state import SleepState, memory_region

    memory, offset = memory_region(alarm)
    assert memory is alarm.sleep_memory and offset == 0
    state = SleepState(memory, offset).load()
    assert state.fresh
    state.cycles = 123456
    state.caps_hash = 0xCAFEBABE
    state.command_seq = 9
    state.flags = 1
    state.save()
    again = SleepState(alarm.sleep_memory).load()
    assert not again.fresh
    assert again.as_dict() == state.as_dict()
    assert again.low_battery
    alarm.sleep_memory[6] ^= 0x10
    assert SleepState(alarm.sleep_memory).load().fresh


def test_nvm_is_the_fallback_and_keeps_clear_of_the_error_ring():
    import microcontroller

    from jotunheim.power.state import NVM_RESERVED_TAIL, SIZE, memory_region

    memory, offset = memory_region(None)
    assert memory is microcontroller.nvm
    assert offset + SIZE == len(memory) - NVM_RESERVED_TAIL


def test_light_sleep_moves_the_fake_clock_until_the_task_is_due():
    from jotunheim.power.light import LightSleeper

    sleeper = LightSleeper(alarm, alarm.clock, None, max_sleep=30)
    start = alarm.clock()
    sleeper.idle(12.5)  # what power.profiles.next_due(scheduler) says
    assert alarm.clock() - start == 12.5
    sleeper.idle(400)  # capped
    assert alarm.clock() - start == 42.5
    assert len(alarm.light_sleeps) == 2 and sleeper.slept == 42.5


def test_deep_sleep_alarms_and_wake_reason():
    from jotunheim.power.cycle import wake_reason

    assert wake_reason(alarm) == "power-on"
    try:
        alarm.exit_and_deep_sleep_until_alarms(
            alarm.time.TimeAlarm(monotonic_time=alarm.clock() + 300)
        )
        raise AssertionError("deep sleep returned")
    except alarm.DeepSleep as sleep:
        start = alarm.clock()
        alarm.wake(sleep)
        assert alarm.clock() - start == 300
    assert wake_reason(alarm) == "timer"


def test_leader_order_from_circuitpython_answers():
    from jotunheim.discovery.finder import Discovery

    mdns.announce("asgard-b@1750000000", "_edda-controller", "10.0.0.2", 8080)
    mdns.announce("asgard-a@1700000000", "_edda-controller", "10.0.0.1", 8080)
    mdns.announce("loki@1600000000", "_loki", "10.0.0.3", 50051)
    found = Discovery(mdns, None)
    assert found.find() == ["http://10.0.0.1:8080", "http://10.0.0.2:8080", "http://10.0.0.3:50051"]
    assert found.next_after("http://10.0.0.1:8080") == "http://10.0.0.2:8080"
    pinned = Discovery(mdns, None, configured="http://192.168.1.5:50051")
    assert pinned.leader() == "http://192.168.1.5:50051"
    assert pinned.advertise("greenhouse", 8080, {"device_id": "gh", "token": "required"})
    assert mdns.advertised == [
        ("greenhouse", "_jotunheim", "_tcp", 8080, ["device_id=gh", "token=required"])
    ]
