# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""jotunheim.log under MicroPython: the fallback Logger (no adafruit_logging here) and the
error ring surviving a simulated reboot, on a file and in the fake microcontroller.nvm."""

import os

ROOT = "/jh_log_test"


def _root(name):
    for d in (ROOT, ROOT + "/" + name):
        try:
            os.mkdir(d)
        except OSError:
            pass
    return ROOT + "/" + name


def test_loggers_are_made_and_levels_named_by_code_then_forgotten():
    # jotunheim.logconfig makes each new logger and reads a level given by name, and is
    # forgotten each time (its code goes back to the heap); it comes back when needed.
    import sys

    import jotunheim
    from jotunheim.log import getLogger

    for name in ("jotunheim.first", "jotunheim.second"):
        lg = getLogger(name)
        assert getLogger(name) is lg
        lg.setLevel("INFO")
        assert lg.level == 20
        lg.setLevel("warn")
        assert lg.level == 30
        assert "jotunheim.logconfig" not in sys.modules
        assert "logconfig" not in jotunheim.__dict__
    try:
        lg.setLevel("LOUD")
        raised = False
    except ValueError:
        raised = True
    assert raised and "jotunheim.logconfig" not in sys.modules  # forgotten when it raised


def test_error_ring_loads_with_the_first_error():
    import sys

    from jotunheim.log import error_ring, getLogger
    from jotunheim.logconfig import apply_settings, enable_error_ring

    root = _root("lazy")
    try:
        os.remove(root + "/.jotunheim_errors.json")
    except OSError:
        pass
    enable_error_ring(root=root, size=4, min_write_interval=0)
    try:
        lg = getLogger("jotunheim.lazy")
        lg.warning("not an error")
        apply_settings({"level": "WARNING", "ring_size": 3})
        assert "jotunheim.errorring" not in sys.modules  # nothing to keep yet: not loaded
        # (this test runs first: the module's later tests import jotunheim.errorring)
        assert error_ring(load=False) is None
        lg.error("socket %s failed", "x")
        assert "jotunheim.errorring" in sys.modules
        ring = error_ring(load=False)
        assert ring.size == 3 and [e["msg"] for e in ring.entries()] == ["socket x failed"]
        assert ring.storage == "file"
    finally:
        from jotunheim.errorring import ErrorRing

        enable_error_ring(ErrorRing(size=0, path="/no/such/dir/x.json"))


def test_logger_levels_and_handlers():
    from jotunheim.log import Logger, getLogger
    from jotunheim.logconfig import set_level
    from jotunheim.loghandler import Handler

    records = []

    class Keep(Handler):
        def emit(self, record):
            records.append((record.levelname, record.msg))

    lg = getLogger("jotunheim.mp")
    assert isinstance(lg, Logger)  # adafruit_logging is not installed here
    h = Keep()
    lg.addHandler(h)
    lg.info("hidden")
    lg.warning("w %d", 1)
    set_level("DEBUG")
    lg.debug("d")
    lg.exception(OSError(104))
    set_level("WARNING")
    assert records[:2] == [("WARNING", "w 1"), ("DEBUG", "d")]
    assert records[2][0] == "ERROR" and records[2][1].startswith("OSError: ")
    assert "104" in records[2][1]
    lg.removeHandler(h)


def test_error_ring_survives_reboot_on_file():
    from jotunheim.errorring import ErrorRing

    root = _root("file")
    try:
        os.remove(root + "/.jotunheim_errors.json")
    except OSError:
        pass
    ring = ErrorRing(size=3, root=root, min_write_interval=0)
    for i in range(4):
        ring.add("e%d" % i, name="loki")
    assert ring.storage == "file"
    rebooted = ErrorRing(size=3, root=root)
    assert [e["msg"] for e in rebooted.entries()] == ["e1", "e2", "e3"]
    assert rebooted.boot == ring.boot + 1


def test_error_ring_in_nvm_when_flash_is_read_only():
    import microcontroller

    from jotunheim.errorring import ErrorRing
    from jotunheim.log import getLogger
    from jotunheim.logconfig import enable_error_ring

    ring = enable_error_ring(
        ErrorRing(
            size=4, path="/no/such/dir/errors.json", nvm=microcontroller.nvm, min_write_interval=0
        )  # fmt: skip
    )
    try:
        getLogger("jotunheim.nvm").error("radio %s", "down")
        assert ring.storage == "nvm"
        rebooted = ErrorRing(size=4, path="/no/such/dir/errors.json", nvm=microcontroller.nvm)
        assert [(e["name"], e["msg"]) for e in rebooted.entries()] == [
            ("jotunheim.nvm", "radio down")
        ]
        assert bytes(microcontroller.nvm[0:16]) == bytes(16)  # only the last 1 KB is used
    finally:
        enable_error_ring(ErrorRing(size=0, path="/no/such/dir/x.json"))
