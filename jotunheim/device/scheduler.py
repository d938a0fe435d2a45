"""Scheduler: the Device's periodic tasks, each owning its due time."""


class Task:
    """A job that runs every ``interval`` seconds: ``fn()`` returns True when it did work
    (so the step that ran it does nothing more), False when it had nothing to do."""

    def __init__(self, name: str, interval: float, fn, due: float) -> None:
        self.name = name
        self.interval = interval
        self.fn = fn
        self.due = due

    def postpone(self, until: float) -> None:
        """Do not run before ``until`` (clock seconds)."""
        self.due = until


class Scheduler:
    """Runs at most one due task per :meth:`run_due`, round robin, so a step stays short.

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
        self._next = 0

    def every(self, name: str, interval: float, fn, first: float = 0.0) -> Task:
        """Run ``fn`` every ``interval`` seconds, the first time ``first`` seconds from now."""
        task = Task(name, interval, fn, self.clock() + first)
        self.tasks.append(task)
        return task

    def get(self, name: str):
        """The task called ``name``, or None."""
        for task in self.tasks:
            if task.name == name:
                return task
        return None

    def run_due(self) -> bool:
        """Run due tasks in turn until one did work; True if one did."""
        tasks = self.tasks
        now = self.clock()
        for _ in range(len(tasks)):
            task = tasks[self._next % len(tasks)]
            self._next += 1
            if now < task.due:
                continue
            task.due = now + task.interval
            if task.fn():
                return True
        return False
