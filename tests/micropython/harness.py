# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Drive the MicroPython (WebAssembly) interpreter from CPython tests and benchmarks.

    from tests.micropython.harness import MicroPython

    with MicroPython() as mp:
        mp.exec("from jotunheim.pb import loki")
        retained = mp.heap_of("from jotunheim.pb import jotunheim")   # bytes kept after GC
        per_op = mp.alloc_of("loki.ScriptChunk.decode(data)", setup="data = b'...'")
        micros = mp.time_of("loki.ScriptChunk.decode(data)", repeat=200)

One Node process (``run.mjs --serve``) keeps one interpreter alive; every ``exec`` is one
``runPython`` call. In this WebAssembly build ``gc.collect()`` only takes effect once control
is back in JavaScript, so ``mem_alloc()`` collects in one call and reads ``gc.mem_alloc()``
in the next. See README.md in this folder.
"""

import base64
import json
import os
import select
import shutil
import subprocess
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
RUN_MJS = os.path.join(HERE, "run.mjs")
INTERPRETER = os.path.join(
    HERE, "node_modules", "@micropython", "micropython-webassembly-pyscript", "micropython.mjs"
)


class MicroPythonError(Exception):
    """Code run in MicroPython raised; ``type`` is the exception name, ``traceback`` its text."""

    def __init__(self, type_name, traceback, stdout=""):
        super().__init__("%s\n%s" % (traceback.rstrip(), stdout.rstrip()) if stdout else traceback)
        self.type = type_name
        self.traceback = traceback
        self.stdout = stdout


class MicroPythonUnavailable(RuntimeError):
    """Node or the npm package is missing."""


def node_path():
    return shutil.which("node")


def check_installed():
    """Raise MicroPythonUnavailable with what to do if the interpreter cannot start."""
    if node_path() is None:
        raise MicroPythonUnavailable("node is not installed (Node 20 runs the MicroPython tests)")
    if not os.path.exists(INTERPRETER):
        raise MicroPythonUnavailable(
            "tests/micropython/node_modules is missing: run scripts/bootstrap.sh"
        )


def _indent(code):
    return textwrap.indent(textwrap.dedent(code).strip("\n"), "    ") or "    pass"


class MicroPython:
    """One interpreter session; use as a context manager (or call ``close()``)."""

    def __init__(self, timeout=120.0):
        check_installed()
        self.timeout = timeout
        self._proc = subprocess.Popen(
            [node_path(), RUN_MJS, "--serve", "--timeout", str(timeout)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=os.path.dirname(os.path.dirname(HERE)),
        )
        self._buffer = b""
        self._next_id = 1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        proc = self._proc
        if proc is None:
            return
        self._proc = None
        try:
            proc.stdin.close()
            proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()

    # -- protocol ---------------------------------------------------------------------
    def _readline(self, deadline_s):
        fd = self._proc.stdout.fileno()
        while b"\n" not in self._buffer:
            ready, _, _ = select.select([fd], [], [], deadline_s)
            if not ready:
                raise TimeoutError("no answer from run.mjs --serve in %.0f s" % deadline_s)
            chunk = os.read(fd, 65536)
            if not chunk:
                err = self._proc.stderr.read().decode(errors="replace")
                raise MicroPythonUnavailable("run.mjs --serve exited:\n" + err)
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return json.loads(line)

    def _request(self, timeout=None, **request):
        if self._proc is None:
            raise RuntimeError("MicroPython session is closed")
        request["id"] = self._next_id
        self._next_id += 1
        if timeout is not None:
            request["timeout"] = timeout
        self._proc.stdin.write(json.dumps(request).encode() + b"\n")
        self._proc.stdin.flush()
        # Node enforces the timeout (and restarts the interpreter); this is a backstop.
        reply = self._readline((timeout or self.timeout) + 30)
        if not reply.get("ok"):
            raise MicroPythonError(reply.get("type"), reply.get("error") or "", reply["stdout"])
        return reply

    # -- running code -----------------------------------------------------------------
    def exec(self, code, timeout=None):
        """Run ``code`` in ``__main__`` in one runPython call; returns what it printed."""
        return self._request(op="exec", code=textwrap.dedent(code), timeout=timeout)["stdout"]

    def eval(self, expression, timeout=None):
        """Value of ``expression`` (JSON-serialisable on the MicroPython side)."""
        self._request(
            op="exec", code="_jh_v = __import__('json').dumps(%s)" % expression, timeout=timeout
        )
        return json.loads(self._request(op="read", code="pass", name="_jh_v")["value"])

    def _read_int(self, code):
        return self._request(op="read", code=code, name="_jh_v")["value"]

    def mem_alloc(self):
        """Bytes in use after a real collection (collect in one call, read in the next)."""
        self.exec("gc.collect()")
        return self._read_int("_jh_v = gc.mem_alloc()")

    def heap_of(self, code, timeout=None):
        """Bytes still held after running ``code`` (both sides measured after collection)."""
        before = self.mem_alloc()
        self.exec(code, timeout=timeout)
        return self.mem_alloc() - before

    def alloc_of(self, code, setup="", repeat=1):
        """Bytes allocated per run of ``code`` (garbage included): gc disabled, mem_alloc()
        read before and after in the same call. ``code`` runs as a function body, so its
        names are locals; ``setup`` runs first at top level."""
        if setup:
            self.exec(setup)
        self.exec("def _jh_probe():\n" + _indent(code))
        total = self._read_int(
            "gc.disable()\n"
            "try:\n"
            "    _jh_a = gc.mem_alloc()\n"
            "    for _jh_i in range(%d):\n"
            "        _jh_probe()\n"
            "    _jh_v = gc.mem_alloc() - _jh_a\n"
            "finally:\n"
            "    gc.enable()\n" % repeat
        )
        return total / repeat

    def time_of(self, code, setup="", repeat=100):
        """Microseconds per run of ``code`` (as a function body), by time.ticks_us()."""
        if setup:
            self.exec(setup)
        self.exec("def _jh_probe():\n" + _indent(code))
        total = self._read_int(
            "import time\n"
            "_jh_t = time.ticks_us()\n"
            "for _jh_i in range(%d):\n"
            "    _jh_probe()\n"
            "_jh_v = time.ticks_diff(time.ticks_us(), _jh_t)\n" % repeat
        )
        return total / repeat

    # -- files --------------------------------------------------------------------------
    def mount(self, host_dir, target, on_path=True):
        """Copy a host folder (every file) into the interpreter at ``target``; with
        ``on_path`` put it first on sys.path (e.g. a third-party codec to compare against)."""
        self._request(op="mount", host=os.path.abspath(host_dir), target=target, sys_path=on_path)

    def write_file(self, path, data):
        """Create a file in the interpreter's filesystem (parents made as needed)."""
        if isinstance(data, str):
            data = data.encode()
        self._request(op="write", path=path, data=base64.b64encode(data).decode())

    def restart(self):
        """A fresh interpreter: empty heap, nothing imported beyond the fakes."""
        self._request(op="restart")
