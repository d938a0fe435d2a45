# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Python half of tests/micropython/run.mjs; imported once inside the interpreter.

It makes MicroPython look like CircuitPython where the device code and the Adafruit
libraries need it (``time.monotonic``/``monotonic_ns``, the ``ConnectionError`` and
``TimeoutError`` built-ins),
and runs test functions with the fakes reset before each one.
"""

import builtins
import sys
import time

FAKES = (
    "microcontroller",
    "board",
    "supervisor",
    "storage",
    "wifi",
    "fake_net",
    "socketpool",
    "ssl",
    "traceback",
    "json",
    "re",
)


def _install_circuitpython_builtins():
    if not hasattr(time, "monotonic_ns"):
        start = time.ticks_us()
        offset = [0, start]

        def monotonic_ns():
            # Unwrap ticks_us() so the clock never goes backwards, as on CircuitPython.
            now = time.ticks_us()
            offset[0] += time.ticks_diff(now, offset[1])
            offset[1] = now
            return offset[0] * 1000

        def monotonic():
            return monotonic_ns() / 1e9

        time.monotonic_ns = monotonic_ns
        time.monotonic = monotonic
    try:
        ConnectionError  # noqa: B018  (MicroPython lacks this CircuitPython built-in)
    except NameError:
        # getattr(builtins, ...) does not see names added this way, but lookups do.
        builtins.ConnectionError = type("ConnectionError", (OSError,), {})
    try:
        TimeoutError  # noqa: B018  (CircuitPython has it: MICROPY_PY_BUILTINS_TIMEOUTERROR)
    except NameError:
        # An OSError, as on CircuitPython and CPython. CircuitPython's sockets still raise
        # OSError(ETIMEDOUT) on a timeout (the fakes do too); `except TimeoutError` in code
        # under test must not be a NameError here when it is not on a board.
        builtins.TimeoutError = type("TimeoutError", (OSError,), {})


_install_circuitpython_builtins()
BASELINE = set(sys.modules)
BASELINE.add(__name__)


def clean(keep=()):
    """Forget every module imported since start-up (device code, libraries, fakes, tests)."""
    for name in list(sys.modules):
        if name not in BASELINE and name not in keep:
            del sys.modules[name]


def preload_fakes():
    # On a board these are built into the firmware: their RAM is not the library's cost.
    for name in FAKES:
        __import__(name)


def reset_fakes():
    for name in FAKES:
        module = sys.modules.get(name)
        hook = getattr(module, "_reset", None) if module is not None else None
        if hook is not None:
            hook()


def test_names(module_name):
    module = sys.modules[module_name]
    return [
        name for name in dir(module) if name.startswith("test_") and callable(getattr(module, name))
    ]


def run_test(module_name, test_name):
    module = sys.modules[module_name]
    reset_fakes()
    setup = getattr(module, "setup_function", None)
    teardown = getattr(module, "teardown_function", None)
    if setup is not None:
        setup()
    try:
        getattr(module, test_name)()
    finally:
        if teardown is not None:
            teardown()
