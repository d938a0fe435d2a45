# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The Device's scheduler: priorities, starvation-freedom, the queue bound, the per-step
CPU budget with a task that overruns, one-shot tasks, load figures, failing tasks, and
the Device conveniences ``every``/``later``."""

import os
import socket
import time

import pytest

from jotunheim.device.core import Device
from jotunheim.device.report import scheduler_report
from jotunheim.device.scheduler import Scheduler
from jotunheim.net.wifi import HostNetwork
from jotunheim.power.profiles import IDLE_WAIT, next_due
from jotunheim.resources import SYSTEM, USER, ResourceExhausted


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_system_tasks_run_before_user_tasks():
    clock = Clock()
    s = Scheduler(clock)
    ran = []
    s.every("user", 1.0, lambda: ran.append("user") or True)
    s.every("system", 1.0, lambda: ran.append("system") or True, priority=SYSTEM)
    assert s.run_due() is True
    assert ran == ["system"]  # both due: the system task goes first, and did work
    assert s.run_due() is True
    assert ran == ["system", "user"]  # the system task is not due again yet


def test_a_user_task_is_not_starved_by_system_work_that_is_always_due():
    clock = Clock()
    s = Scheduler(clock, max_wait=2.0)
    ran = []
    # Two system tasks due at every step (interval 0) that always work.
    s.every("sys1", 0.0, lambda: ran.append("sys1") or True, priority=SYSTEM)
    s.every("sys2", 0.0, lambda: ran.append("sys2") or True, priority=SYSTEM)
    s.every("user", 1.0, lambda: ran.append("user") or True, first=1.0)
    for _ in range(20):
        clock.now += 0.1
        s.run_due()
    assert "user" not in ran  # due at 1.0, waited 1 s: system work still first
    for _ in range(30):
        clock.now += 0.1
        s.run_due()
    assert "user" in ran  # waited past max_wait: it ran anyway
    first = ran.index("user")
    # It ran within a few steps of passing the bound (3.0 s, i.e. step 30 of 50).
    assert first <= 30 + 3, first


def test_the_queue_is_bounded_with_a_clear_error():
    s = Scheduler(Clock(), max_queued=4)
    tasks = [s.every("t%d" % i, 1.0, lambda: True) for i in range(4)]
    with pytest.raises(ResourceExhausted) as err:
        s.later("one_more", 1.0, lambda: True)
    assert "4 tasks queued" in str(err.value) and "scheduler.max_queued" in str(err.value)
    assert "one_more" in str(err.value)
    assert s.cancel(tasks[0]) and not s.cancel(tasks[0])
    s.later("one_more", 1.0, lambda: True)  # room again


def test_a_task_that_overruns_ends_the_step_and_the_next_step_runs_the_others():
    clock = Clock()
    s = Scheduler(clock, step_budget_ms=20)
    ran = []

    def slow():
        ran.append("slow")
        time.sleep(0.05)  # 50 ms: over the 20 ms budget
        return False

    s.every("slow", 0.0, slow)
    s.every("a", 0.0, lambda: ran.append("a") and False)
    s.every("b", 0.0, lambda: ran.append("b") and False)
    s.run_due()
    assert ran == ["slow"]  # it did no work, but used up the step
    ran.clear()
    s.run_due()
    assert ran[:2] == ["a", "b"]  # the turn moved past it: the others run first
    report = scheduler_report(s)
    assert report["tasks"]["slow"]["overruns"] >= 1
    assert report["tasks"]["a"]["overruns"] == 0


def test_within_its_budget_a_step_runs_every_due_task_that_finds_nothing_to_do():
    clock = Clock()
    s = Scheduler(clock, step_budget_ms=1000)
    ran = []
    for name in ("a", "b", "c"):
        s.every(name, 1.0, lambda name=name: ran.append(name) and False)
    assert s.run_due() is False
    assert ran == ["a", "b", "c"]  # each once per step
    assert s.run_due() is False and ran == ["a", "b", "c"]


def test_one_shot_tasks_run_once_and_next_due_says_when():
    clock = Clock()
    s = Scheduler(clock)
    assert next_due(s) == IDLE_WAIT
    ran = []
    s.later("once", 2.0, lambda: ran.append(1) or True)
    assert next_due(s) == 2.0
    assert s.run_due() is False and ran == []
    clock.now = 2.5
    assert next_due(s) == 0.0
    assert s.run_due() is True and ran == [1]
    clock.now = 10.0
    assert s.run_due() is False and ran == [1] and s.tasks == []


def test_load_is_busy_time_over_wall_time_overall_and_per_task():
    s = Scheduler(time.monotonic)

    def busy():
        end = time.monotonic() + 0.03
        while time.monotonic() < end:
            pass
        return True

    s.every("busy", 0.0, busy)
    s.every("idle", 0.0, lambda: False)
    started = time.monotonic()
    while time.monotonic() - started < 0.2:
        s.run_due()
        time.sleep(0.01)
    report = scheduler_report(s)
    assert 0.3 < report["load"] <= 1.0, report["load"]
    assert report["tasks"]["busy"]["load"] > 0.3
    assert report["tasks"]["idle"]["load"] < 0.05
    assert report["tasks"]["busy"]["runs"] >= 3


def test_a_failing_task_is_reported_and_the_others_go_on():
    failures = []

    class Logger:
        def error(self, text):
            failures.append(text)

    s = Scheduler(Clock(), Logger())
    ran = []

    def broken():
        raise ValueError("sensor gone")

    s.every("broken", 1.0, broken)
    s.every("fine", 1.0, lambda: ran.append("fine") or True)
    assert s.run_due() is True
    assert failures == ["task broken failed: ValueError: sensor gone"] and ran == ["fine"]
    assert scheduler_report(s)["errors"] == 1
    bare = Scheduler(Clock())
    bare.every("broken", 1.0, broken)
    with pytest.raises(ValueError):
        bare.run_due()  # without a logger the exception is the caller's


def test_device_every_and_later_run_user_code_between_the_devices_own_work(tmp_path):
    root = str(tmp_path / "root")
    os.makedirs(root)
    device = Device(
        "sched",
        root=root,
        host="127.0.0.1",
        port=0,
        pool=socket,
        network=HostNetwork(probe_interval=0),
        token="",
        loki_url="",
    )
    ticks, once = [], []
    task = device.every(0.01, lambda: ticks.append(1))
    device.later(0.02, lambda: once.append(1))
    device.start()
    try:
        end = time.monotonic() + 1.0
        while time.monotonic() < end and (len(ticks) < 5 or not once):
            device.step()
            time.sleep(0.005)
        assert len(ticks) >= 5 and once == [1]
        names = scheduler_report(device.scheduler)["tasks"]
        assert names["<lambda>"]["priority"] == USER and names["sample"]["priority"] == SYSTEM
        assert device.scheduler.cancel(task)
        count = len(ticks)
        for _ in range(5):
            device.step()
            time.sleep(0.02)
        assert len(ticks) == count
    finally:
        device.stop()
