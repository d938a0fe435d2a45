"""Scheduler: the Device's periodic tasks, each owning its due time."""

# A task is a list [due, interval, fn, name], not an object: a board holds a handful of
# them for the whole run, and a class per task would cost more heap than the lists.
DUE = 0
INTERVAL = 1


class Scheduler:
    """Runs at most one due task per :meth:`run_due`, round robin, so a step stays short.
    A task's ``fn()`` returns True when it did work, False when it had nothing to do.

    :param clock: a function returning seconds (``jotunheim.compat.monotonic``)

    Example::

        scheduler = Scheduler(monotonic)
        scheduler.every("sample", 5.0, sample)
        while True:
            scheduler.run_due()
    """

    def __init__(self, clock) -> None:
        self.clock = clock
        self.tasks = []
        self.turn = 0

    def every(self, name: str, interval: float, fn, first: float = 0.0) -> list:
        """Run ``fn`` every ``interval`` seconds, the first time ``first`` seconds from now;
        returns the task (``task[DUE]`` may be changed to move its next run)."""
        task = [self.clock() + first, interval, fn, name]
        self.tasks.append(task)
        return task

    def run_due(self) -> bool:
        """Run due tasks in turn until one did work; True if one did."""
        tasks = self.tasks
        now = self.clock()
        for _ in range(len(tasks)):
            task = tasks[self.turn % len(tasks)]
            self.turn += 1
            if now < task[DUE]:
                continue
            task[DUE] = now + task[INTERVAL]
            if task[2]():
                return True
        return False
