# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Script runs in worker processes, so a limit is a guarantee.

A thread cannot be stopped from outside: a Lua script stuck in one C call (a pattern
match that backtracks for hours, ``string.rep('', math.maxinteger)``) or in a message
handler that loops, or Python code converting a huge value inside lupa (which holds the
GIL) would keep its thread — and with the GIL the whole Loki — for as long as it likes.
A process can: each run goes to a worker process of a bounded :class:`WorkerPool`; the
parent waits for it with the run's deadline, and at the deadline (or when the client
hangs up) kills it and starts a fresh one when one is next needed. A worker also runs
under an OS address-space limit (``RLIMIT_AS``), so memory the Lua cap does not see
(Python's side of a conversion) is bounded too.

A worker is a fresh ``python -m jotunheim_host.loki.workers`` (not ``multiprocessing``,
which re-imports the parent's main module in every child): starting one takes ~0.2 s,
so the pool starts a replacement in the background as soon as it kills one. Between
the parent and a worker, a ``multiprocessing.connection.Connection`` over a socket pair
carries tuples:

* parent -> worker: ``("run", source, chunkname, params, raw, limits, stream)``;
* worker -> parent: ``("out", kind, text)`` per print/emit (only when streaming),
  ``("call", address, tool, params, device_id, seconds_left)`` for ``device.call`` —
  answered with ``("reply", ok, value_or_message)`` — and finally
  ``("done", value, text, printed, stats)`` or ``("fail", error_type, message)``.

The worker never holds a credential: ``device.call`` is performed by the parent.
"""

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection

log = logging.getLogger("jotunheim.loki")

# Extra seconds the parent waits past the run's wall-time limit (the in-worker hook
# normally reports the timeout itself) before it kills the worker.
GRACE_SECONDS = 0.5
# How often the parent looks at the cancel flag while a worker runs.
POLL_SECONDS = 0.05
# Address space a worker may add on top of what it had at start, per MiB of Lua cap.
ADDRESS_SPACE_FACTOR = 4
ADDRESS_SPACE_MIN = 256 * 1024 * 1024


class WorkerBusy(Exception):
    """Every worker is in use and too many callers are already waiting for one."""


def _address_space_now() -> int:
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _limit_address_space(extra: int) -> None:
    try:
        import resource  # noqa: PLC0415  (POSIX only)
    except ImportError:
        return
    now = _address_space_now()
    if now:
        resource.setrlimit(resource.RLIMIT_AS, (now + extra, now + extra))


def serve(conn, extra_address_space: int) -> None:
    """A worker's main loop: run jobs from ``conn`` until the parent goes away.

    :param conn: the worker's end of the pipe
    :param int extra_address_space: bytes of address space allowed on top of the
        worker's size at start (``RLIMIT_AS``)
    """
    # Ctrl-C in a terminal reaches the whole process group; the parent decides.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _limit_address_space(extra_address_space)
    from . import sandbox  # noqa: PLC0415  (already imported by the fork server)

    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(_run_job(conn, sandbox, job))


def _run_job(conn, sandbox, job):
    _, source, chunkname, params, raw, limit_args, stream = job
    limits = sandbox.Limits(*limit_args)

    def on_output(kind, text):
        conn.send(("out", kind, text))

    def device_call(address, tool, args, device_id, budget):
        conn.send(("call", address, tool, args, device_id, budget.remaining()))
        _, ok, value = conn.recv()
        if not ok:
            raise RuntimeError(value)
        return value

    try:
        result = sandbox.run_script(
            source,
            params,
            limits,
            chunkname=chunkname,
            raw_params=raw,
            on_output=on_output if stream else None,
            device_call=device_call,
        )
    except sandbox.ScriptFailure as failure:
        return ("fail", failure.error_type, failure.message)
    except MemoryError:
        return ("fail", "memory", f"memory limit exceeded ({limits.max_memory} bytes)")
    except Exception as exc:  # a bug here must still answer the caller
        return ("fail", "internal", f"internal error: {type(exc).__name__}: {exc}")
    return ("done", result.value, result.text, result.printed, result.stats)


# The folder holding the jotunheim_host package, so a worker imports this very code.
_PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Worker:
    """One worker process and the parent's end of its connection.

    :param int extra_address_space: see :func:`serve`
    """

    def __init__(self, extra_address_space: int):
        parent_end, child_end = socket.socketpair()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH", "")) if p
        )
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "jotunheim_host.loki.workers",
                    str(child_end.fileno()),
                    str(extra_address_space),
                ],
                stdin=subprocess.DEVNULL,
                pass_fds=(child_end.fileno(),),
                env=env,
            )
        finally:
            child_end.close()
        self.conn = Connection(parent_end.detach())
        self.pid = self.process.pid
        self.runs = 0
        self.waited = 0.0  # seconds the last acquire queued for this worker

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """Stop the process for certain (SIGKILL) and reap it."""
        try:
            self.process.kill()
        except OSError:
            pass
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            log.error("script worker %s did not die after SIGKILL", self.pid)
        self.conn.close()


class WorkerPool:
    """At most ``size`` live worker processes; at most ``max_waiting`` callers queue.

    :param limits: the sandbox ``Limits`` the workers' address-space cap is sized for
    :param int size: most worker processes alive at once
    :param int max_waiting: most callers waiting for a free worker (others are refused
        at once with :class:`WorkerBusy`, so script runs never tie up every HTTP thread)
    """

    def __init__(self, limits, size: int = 8, max_waiting: int = 8):
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.size = size
        self.max_waiting = max_waiting
        self.extra_address_space = max(ADDRESS_SPACE_MIN, ADDRESS_SPACE_FACTOR * limits.max_memory)
        self._cond = threading.Condition()
        self._idle = []
        self._busy = set()
        self._starting = 0
        self._waiting = 0
        self._closed = False
        self.spawned = 0
        self.killed = 0
        self.killed_pids = []  # the most recent ones, for checks
        self._spares = []  # threads starting a spare worker; close() waits for them
        # One warm worker from the start, so the first run does not wait for it.
        self._starting += 1
        self._spawn_spare()

    # -- records ------------------------------------------------------------------------

    def stats(self) -> dict:
        """Counts and pids: ``idle``/``busy`` pids, ``spawned``, ``killed``, ``waiting``."""
        with self._cond:
            return {
                "idle": [w.pid for w in self._idle],
                "busy": [w.pid for w in self._busy],
                "spawned": self.spawned,
                "killed": self.killed,
                "killed_pids": list(self.killed_pids),
                "waiting": self._waiting,
            }

    # -- acquiring and giving back ------------------------------------------------------

    def _live(self) -> int:
        return len(self._idle) + len(self._busy) + self._starting

    def acquire(self, wait_seconds: float) -> Worker:
        """A worker for one run: an idle one, a new one, or the first freed in time."""
        deadline = time.monotonic() + max(0.0, wait_seconds)
        queued = time.monotonic()
        waited = 0.0
        with self._cond:
            if self._closed:
                raise WorkerBusy("Loki is shutting down")
            if not self._idle and self._live() >= self.size:
                if self._waiting >= self.max_waiting:
                    raise WorkerBusy(
                        f"all {self.size} script workers are busy and"
                        f" {self._waiting} callers are waiting"
                    )
                self._waiting += 1
                try:
                    while not self._idle and self._live() >= self.size and not self._closed:
                        left = deadline - time.monotonic()
                        if left <= 0:
                            raise WorkerBusy(
                                f"all {self.size} script workers stayed busy for"
                                f" {wait_seconds:.3g} s"
                            )
                        self._cond.wait(left)
                finally:
                    self._waiting -= 1
                    waited = time.monotonic() - queued
                if self._closed:
                    raise WorkerBusy("Loki is shutting down")
            if self._idle:
                worker = self._idle.pop()
                self._busy.add(worker)
                worker.waited = waited
                return worker
            self._starting += 1
        try:
            worker = Worker(self.extra_address_space)
        except BaseException:
            with self._cond:
                self._starting -= 1
                self._cond.notify()
            raise
        with self._cond:
            self._starting -= 1
            self.spawned += 1
            self._busy.add(worker)
        worker.waited = waited
        return worker

    def release(self, worker: Worker, healthy: bool) -> None:
        """Give ``worker`` back; one that is not ``healthy`` is killed (and replaced
        by the next :meth:`acquire` that needs one)."""
        with self._cond:
            self._busy.discard(worker)
            keep = healthy and not self._closed and worker.alive()
            if keep:
                worker.runs += 1
                self._idle.append(worker)
            self._cond.notify()
        if not keep:
            worker.kill()
            with self._cond:
                self.killed += 1
                self.killed_pids = (self.killed_pids + [worker.pid])[-32:]
                spare = not self._closed and not self._idle and self._live() < self.size
                if spare:
                    self._starting += 1
            if spare:
                self._spawn_spare()

    def _spawn_spare(self) -> None:
        thread = threading.Thread(target=self._start_spare, name="loki-spare", daemon=True)
        with self._cond:
            self._spares = [t for t in self._spares if t.is_alive()] + [thread]
        thread.start()

    def _start_spare(self) -> None:
        """Start an idle worker now, so the next run does not wait for Python to boot."""
        try:
            worker = Worker(self.extra_address_space)
        except OSError as exc:
            log.warning("cannot start a spare script worker: %s", exc)
            worker = None
        with self._cond:
            self._starting -= 1
            if worker is not None:
                self.spawned += 1
                if not self._closed:
                    self._idle.append(worker)
                    worker = None
            self._cond.notify()
        if worker is not None:  # the pool closed meanwhile
            worker.kill()

    def close(self, wait_seconds: float = 10.0) -> None:
        """Kill every idle worker now, and one still starting once it has started
        (waiting at most ``wait_seconds``); busy ones are killed when their run returns.

        Waiting matters at exit: a spare left starting on a daemon thread would outlive
        Loki's process, holding its stdout and stderr open for whoever reads them.
        """
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            spares = list(self._spares)
            self._cond.notify_all()
        for worker in idle:
            worker.kill()
        deadline = time.monotonic() + wait_seconds
        for thread in spares:
            thread.join(max(0.0, deadline - time.monotonic()))

    # -- one run ------------------------------------------------------------------------

    def run(self, job: tuple, limits, *, on_output=None, device_call=None, cancel=None):
        """Run ``job`` (see the module doc) and return the worker's final tuple.

        :param limits: the run's ``Limits``; the worker is killed ``GRACE_SECONDS``
            after ``limits.max_seconds`` if it has not answered
        :param on_output: ``on_output(kind, text)`` for each print/emit (streaming)
        :param device_call: ``device_call(address, tool, params, device_id, seconds)``
            returns the result data or raises; its message becomes the Lua error
        :param cancel: a ``threading.Event``; once set the worker is killed
        :returns: ``("done", value, text, printed, stats)`` or ``("fail", type, msg)``
        """
        started = time.monotonic()
        worker = self.acquire(limits.max_seconds)
        # Time spent queueing for a worker comes out of the run's wall time.
        seconds = limits.max_seconds - worker.waited
        if seconds <= 0.01:
            self.release(worker, True)
            return ("fail", "busy", "Loki is busy: no script worker was free in time")
        limit_args = job[5]
        job = job[:5] + ((limit_args[0], seconds) + tuple(limit_args[2:]),) + job[6:]
        deadline = time.monotonic() + seconds + GRACE_SECONDS
        healthy = False
        try:
            worker.conn.send(job)
            answer = self._follow(worker, deadline, on_output, device_call, cancel)
            # After a Python-side MemoryError or a bug, start afresh rather than reuse.
            healthy = answer[0] == "done" or answer[1] not in ("internal", "memory")
            return answer
        except _Stopped as stop:
            message = stop.message
            if stop.error_type == "timeout":
                message = (
                    f"time limit exceeded ({limits.max_seconds:.3g} s;"
                    " the script's worker was stopped)"
                )
            return ("fail", stop.error_type, message)
        except (EOFError, OSError) as exc:
            waited = time.monotonic() - started
            log.warning("script worker %s died after %.1f s: %s", worker.pid, waited, exc)
            return (
                "fail",
                "memory",
                f"the script's worker process died ({exc or 'killed'});"
                f" memory limit exceeded ({limits.max_memory} bytes)?",
            )
        finally:
            self.release(worker, healthy)

    def _follow(self, worker, deadline, on_output, device_call, cancel):
        """Serve one worker's messages until its final answer; raise _Stopped if the run
        has to be cut short."""
        conn = worker.conn
        while True:
            if cancel is not None and cancel.is_set():
                raise _Stopped("cancelled", "script cancelled (client went away)")
            left = deadline - time.monotonic()
            if left <= 0:
                raise _Stopped("timeout", "time limit exceeded")
            if not conn.poll(min(POLL_SECONDS, left)):
                continue
            message = conn.recv()
            kind = message[0]
            if kind == "out":
                if on_output is not None:
                    try:
                        on_output(message[1], message[2])
                    except Exception as exc:
                        raise _Stopped("cancelled", f"output consumer failed: {exc}") from None
            elif kind == "call":
                conn.send(_answer_call(device_call, message))
            else:
                return message


def _answer_call(device_call, message):
    _, address, tool, args, device_id, seconds = message
    if device_call is None:
        return ("reply", False, "device.call: not available in this Loki")
    try:
        return ("reply", True, device_call(address, tool, args, device_id, seconds))
    except Exception as exc:  # the message becomes a catchable Lua error
        return ("reply", False, str(exc))


class _Stopped(Exception):
    def __init__(self, error_type: str, message: str):
        super().__init__(message)
        self.error_type = error_type
        self.message = message


if __name__ == "__main__":
    serve(Connection(int(sys.argv[1])), int(sys.argv[2]))
