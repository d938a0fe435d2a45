# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Scheduler: the Device's cooperative tasks, periodic and one-shot, by priority.

One :meth:`Scheduler.run_due` is the task part of one device step. It runs due tasks,
best priority first (``SYSTEM`` before ``USER``; round robin among equals), until one
did work (``fn()`` returned True), the step's CPU budget (``scheduler.step_budget_ms``)
is spent, or nothing due is left; each task at most once per step. A task that overruns
the budget ends the step; the turn has moved past it, so the next step starts with the
others. A task due for longer than ``max_wait`` seconds runs before everything else, so
user tasks never starve behind system work. At most ``max_queued`` tasks are held.
Busy time is measured per task and overall (``busy_ms``; the load is in
:func:`jotunheim.device.report.scheduler_report`).
"""

from jotunheim.compat import monotonic_ms
from jotunheim.resources import SYSTEM, USER

# A task is a list, not an object: a board holds a handful of them for the whole run,
# and a class per task (or a name per field) would cost more heap than the lists:
#   [0] due (clock seconds)   [1] interval (seconds; None for a one-shot task)
#   [2] fn   [3] name   [4] priority   [5] busy ms   [6] runs   [7] overruns
#   [8] the run_due (step number) during which it last ran
# (When the next task is due, for a sleeping device: jotunheim.power.profiles.next_due.)


class Scheduler:
    """Runs tasks cooperatively within a per-step budget.

    :param clock: a function returning seconds (``jotunheim.compat.monotonic``)
    :param max_queued: most tasks held at once (``every``/``later`` beyond it raise
        :class:`~jotunheim.resources.ResourceExhausted`)
    :param step_budget_ms: CPU time one :meth:`run_due` may spend in tasks
    :param max_wait: seconds a due task may wait behind better-priority work
    :param logger: logs an exception a task raised as an error (the other tasks go on);
        None lets it propagate

    Example::

        scheduler = Scheduler(monotonic)
        scheduler.every("sample", 5.0, sample, priority=SYSTEM)
        scheduler.later("hello", 2.0, say_hello)
        while True:
            scheduler.run_due()
    """

    turn = 0
    steps = 0
    busy_ms = 0
    errors = 0

    def __init__(self, clock, logger=None, max_queued=16, step_budget_ms=50, max_wait=5.0):
        self.clock = clock
        self.logger = logger
        self.max_queued = max_queued
        self.step_budget_ms = step_budget_ms
        self.max_wait = max_wait
        self.tasks = []
        self.started_ms = monotonic_ms()

    def every(self, name: str, interval: float, fn, first: float = 0.0, priority=USER) -> list:
        """Run ``fn`` every ``interval`` seconds, the first time ``first`` seconds from now;
        returns the task (``task[0]`` may be changed to move its next run)."""
        tasks = self.tasks
        if len(tasks) >= self.max_queued:
            from jotunheim.resources import ResourceExhausted

            raise ResourceExhausted(
                "scheduler: %d tasks queued, the scheduler.max_queued limit; %r refused"
                % (len(tasks), name)
            )
        task = [self.clock() + first, interval, fn, name, priority, 0, 0, 0, -1]
        tasks.append(task)
        return task

    def later(self, name: str, delay: float, fn, priority=USER) -> list:
        """Run ``fn`` once, ``delay`` seconds from now; returns the task."""
        return self.every(name, None, fn, delay, priority)  # no interval: runs once

    def cancel(self, task) -> bool:
        """Forget ``task``; False if it was not held (already ran, or cancelled)."""
        tasks = self.tasks
        for i in range(len(tasks)):
            if tasks[i] is task:
                tasks.pop(i)
                return True
        return False

    def run_due(self) -> bool:
        """Run due tasks (see the module doc); True if one did work."""
        steps = self.steps = self.steps + 1
        start = monotonic_ms()
        now = self.clock()
        tasks = self.tasks
        while tasks:
            # The due task of best effective priority, first in round-robin order; one
            # that waited beyond max_wait counts as SYSTEM, so the turn reaches it within
            # a few steps even while system work is always due.
            size = len(tasks)
            found = None
            priority = 99  # the best (lowest) effective priority found so far
            for k in range(size):
                i = (self.turn + k) % size
                task = tasks[i]
                if now < task[0] or task[8] == steps:
                    continue
                value = SYSTEM if now - task[0] > self.max_wait else task[4]  # priority
                if value < priority:
                    found, priority = i, value
            if found is None:
                return False
            task = tasks[found]
            if task[1] is None:
                tasks.pop(found)  # the turn stays: the next task moved to this index
            else:
                task[0] = now + task[1]
                found += 1
            self.turn = found
            task[8] = steps
            n = monotonic_ms()
            try:
                done = task[2]()
            except Exception as exc:  # noqa: BLE001 - one task's failure must not stop the rest
                if self.logger is None:
                    raise
                self.errors += 1
                self.logger.error("task %s failed: %s: %s" % (task[3], type(exc).__name__, exc))
                done = False
            finally:
                n = monotonic_ms() - n  # the task's busy ms
                task[5] += n  # busy ms
                task[6] += 1  # runs
                self.busy_ms += n
            if n >= self.step_budget_ms:
                task[7] += 1  # overruns
            if done:
                return True
            if monotonic_ms() - start >= self.step_budget_ms:
                return False
        return False
