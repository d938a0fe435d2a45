# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Logging: levels, adafruit_logging compatibility, the fallback Logger, and the error ring
persisted on flash (file) or in microcontroller.nvm, surviving a simulated reboot."""

import json
import os

import pytest

from jotunheim import errorring, log, logconfig, loghandler
from jotunheim.errorring import ErrorRing
from jotunheim.log import Logger
from jotunheim.loghandler import PrintHandler


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class ListHandler(loghandler.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append((record.levelname, record.name, record.msg))


@pytest.fixture(autouse=True)
def _restore_level():
    yield
    logconfig.set_level("WARNING")


def test_default_level_is_warning_and_switchable(capsys):
    lg = log.getLogger("jotunheim.t1")
    assert lg.getEffectiveLevel() == log.WARNING
    lg.info("hidden")
    lg.warning("shown %d", 1)
    logconfig.set_level("DEBUG")
    lg.debug("now %s", "visible")
    err = capsys.readouterr()
    out = err.out + err.err
    assert "hidden" not in out
    assert "WARNING - shown 1" in out and "DEBUG - now visible" in out


def test_uses_adafruit_logging_when_present():
    import adafruit_logging

    lg = log.getLogger("jotunheim.t2")
    assert isinstance(lg, adafruit_logging.Logger)
    assert lg is log.getLogger("jotunheim.t2")
    assert lg is adafruit_logging.getLogger("jotunheim.t2")  # shares its handlers


def test_fallback_logger_mirrors_the_api(capsys):
    lg = Logger("fallback")
    h = ListHandler()
    lg.addHandler(h)
    lg.addHandler(h)  # no duplicates
    lg.addHandler(PrintHandler())
    lg.setLevel("INFO")
    lg.debug("no")
    lg.info("a %s", "b")
    lg.warning("w")
    lg.error("bad %d%%", 5)
    lg.critical("crit")
    lg.exception(ValueError("boom"))
    lg.info("mismatched %d", "x")  # bad format args never raise
    assert h.records == [
        ("INFO", "fallback", "a b"),
        ("WARNING", "fallback", "w"),
        ("ERROR", "fallback", "bad 5%"),
        ("CRITICAL", "fallback", "crit"),
        ("ERROR", "fallback", "ValueError: boom"),
        ("INFO", "fallback", "mismatched %d ('x',)"),
    ]
    assert "INFO - a b" in capsys.readouterr().out
    lg.removeHandler(h)
    assert lg.hasHandlers()
    assert lg.isEnabledFor(log.INFO) and not lg.isEnabledFor(log.DEBUG)


def test_fallback_is_used_without_adafruit_logging(monkeypatch, capsys):
    monkeypatch.setattr(log, "adafruit_logging", None)
    monkeypatch.setattr(log, "loggers", {})
    monkeypatch.setattr(log, "state", [log.WARNING, None])
    lg = log.getLogger("solo")
    assert isinstance(lg, Logger)
    assert lg.hasHandlers()  # the console: print itself, no Handler object
    lg.warning("to the %s", "console")
    lg.info("below the level")
    assert capsys.readouterr().out.endswith(": WARNING - to the console\n")


def test_level_names():
    assert logconfig.level_number("warn") == 30 and logconfig.level_number(10) == 10
    with pytest.raises(ValueError):
        logconfig.level_number("LOUD")
    assert loghandler.LogRecord("n", 40, "m", ()).levelname == "ERROR"
    assert loghandler.LogRecord("n", 35, "m", ()).levelname == "LEVEL35"


# -- error ring -------------------------------------------------------------------------
def test_ring_survives_a_simulated_reboot(tmp_path):
    ring = ErrorRing(size=3, root=str(tmp_path), min_write_interval=0)
    assert ring.boot == 1
    for i in range(5):
        ring.add("failure %d" % i, name="jotunheim.loki")
    assert [e["msg"] for e in ring.entries()] == ["failure 2", "failure 3", "failure 4"]
    assert ring.storage == "file"
    path = tmp_path / ".jotunheim_errors.json"
    assert json.loads(path.read_text())["entries"][-1]["msg"] == "failure 4"
    assert not (tmp_path / ".jotunheim_errors.json.tmp").exists()  # temp renamed away
    del ring
    # reboot: brand-new objects read the same file
    after = ErrorRing(size=3, root=str(tmp_path), min_write_interval=0)
    assert after.boot == 2
    assert [e["msg"] for e in after.entries()] == ["failure 2", "failure 3", "failure 4"]
    assert all(e["boot"] == 1 for e in after.entries())  # from before the reboot
    after.add("after reboot")
    assert after.entries()[-1]["boot"] == 2 and after.entries()[-1]["seq"] == 6
    third = ErrorRing(size=3, root=str(tmp_path))
    assert third.boot == 3 and third.entries()[-1]["msg"] == "after reboot"


def test_ring_recovers_from_a_write_cut_by_power_loss(tmp_path):
    ring = ErrorRing(size=4, root=str(tmp_path), min_write_interval=0)
    ring.add("one")
    # power cut between "remove old" and "rename tmp": only the .tmp exists
    main = tmp_path / ".jotunheim_errors.json"
    os.replace(main, str(main) + ".tmp")
    assert [e["msg"] for e in ErrorRing(root=str(tmp_path)).entries()] == ["one"]
    # a corrupt file is ignored, not fatal
    (tmp_path / ".jotunheim_errors.json.tmp").unlink()
    main.write_text("{garbage")
    assert ErrorRing(root=str(tmp_path)).entries() == []


def test_ring_falls_back_to_nvm_on_read_only_flash(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    nvm = bytearray(8192)
    try:
        if os.access(str(ro), os.W_OK):  # running as root: simulate with a missing folder
            ro_root = str(tmp_path / "missing" / "dir")
        else:
            ro_root = str(ro)
        ring = ErrorRing(size=8, root=ro_root, nvm=nvm, min_write_interval=0)
        ring.add("stored in nvm", name="wifi")
        assert ring.storage == "nvm" and ring.write_errors >= 1
        assert nvm[-1024:-1020] == b"JER1"
        assert nvm[:7168] == bytearray(7168)  # the rest of nvm is left alone
        rebooted = ErrorRing(size=8, root=ro_root, nvm=nvm)
        assert [e["msg"] for e in rebooted.entries()] == ["stored in nvm"]
        assert rebooted.boot == 2
    finally:
        ro.chmod(0o700)


def test_nvm_region_keeps_the_newest_entries_that_fit(tmp_path):
    nvm = bytearray(2048)
    ring = ErrorRing(size=64, path=str(tmp_path / "no" / "x.json"), nvm=nvm, nvm_size=512,
                     min_write_interval=0)  # fmt: skip
    for i in range(40):
        ring.add("error number %d with some text" % i)
    back = ErrorRing(size=64, path=str(tmp_path / "no" / "x.json"), nvm=nvm, nvm_size=512)
    msgs = [e["msg"] for e in back.entries()]
    assert msgs and msgs[-1] == "error number 39 with some text"
    assert len(msgs) < 40  # older ones dropped to fit 512 bytes


def test_ring_write_rate_limit_protects_flash(tmp_path):
    clock = Clock()
    ring = ErrorRing(size=16, root=str(tmp_path), min_write_interval=5, clock=clock)
    for i in range(50):  # an error storm
        ring.add("storm %d" % i)
    assert ring.writes == 1
    clock.now = 5
    ring.poll()
    assert ring.writes == 2
    assert ErrorRing(root=str(tmp_path)).entries()[-1]["msg"] == "storm 49"


@pytest.fixture
def detach_ring():
    """Detaches the error ring a test attached (loggers are shared between tests)."""
    yield
    log.state[1] = None


def test_ring_handler_captures_logger_errors(tmp_path, detach_ring):
    ring = logconfig.enable_error_ring(ErrorRing(size=4, root=str(tmp_path), min_write_interval=0))
    lg = log.getLogger("jotunheim.ringtest")
    lg.warning("not an error")
    lg.error("socket %s failed", "x")
    lg.exception(OSError(104, "reset"))
    msgs = [(e["level"], e["name"], e["msg"]) for e in ring.entries()]
    assert ("ERROR", "jotunheim.ringtest", "socket x failed") in msgs
    assert any("104" in m[2] for m in msgs)
    assert all(m[2] != "not an error" for m in msgs)
    assert log.error_ring() is ring
    logconfig.apply_settings({"level": "INFO", "ring_size": 1})
    assert len(ring) == 1
    # a reboot: the errors are still there to be read remotely
    assert ErrorRing(root=str(tmp_path)).entries()[-1]["level"] == "ERROR"


def test_ring_from_kwargs_is_made_with_the_first_error(tmp_path, detach_ring):
    root = str(tmp_path)
    before = ErrorRing(size=8, root=root, min_write_interval=0)
    before.add("from the last boot", name="jotunheim.net")
    assert logconfig.enable_error_ring(root=root, size=8, min_write_interval=0) is None
    lg = log.getLogger("jotunheim.lazyring")
    lg.warning("not an error")
    assert log.error_ring(load=False) is None  # no error yet: no ring made
    logconfig.apply_settings({"level": "WARNING", "ring_size": 2})  # sizes the ring to come
    lg.error("first %s", "error")
    lg.critical("second")
    ring = log.error_ring(load=False)
    assert ring is not None and ring.size == 2 and ring.boot == before.boot + 1
    assert [e["msg"] for e in ring.entries()] == ["first error", "second"]
    assert [e["msg"] for e in ErrorRing(root=root).entries()] == ["first error", "second"]


def test_ring_from_kwargs_reports_the_last_boot_when_read(tmp_path, detach_ring):
    root = str(tmp_path)
    ErrorRing(root=root, min_write_interval=0).add("from the last boot", name="jotunheim.net")
    logconfig.enable_error_ring(root=root, size=4)
    assert log.error_ring(load=False) is None
    ring = log.error_ring()  # read (the status does): made now, with what was stored
    assert [(e["name"], e["msg"]) for e in ring.entries()] == [
        ("jotunheim.net", "from the last boot")
    ]
    assert log.error_ring(load=False) is ring and ring.size == 4


def test_ring_hook_of_adafruit_loggers(detach_ring):
    ring = ErrorRing(size=2, path="/nonexistent-dir/x.json", min_write_interval=0)
    hook = loghandler.RingHook(log.error_ring)
    record = loghandler.LogRecord("jotunheim.x", 40, "lost", ())
    hook.emit(record)  # no ring enabled: nothing to do
    logconfig.enable_error_ring(ring)
    assert hook.level == log.ERROR
    hook.emit(record)
    assert [(e["name"], e["msg"]) for e in ring.entries()] == [("jotunheim.x", "lost")]


def test_ring_handler_works_with_plain_records(detach_ring):
    ring = ErrorRing(size=2, path="/nonexistent-dir/x.json", min_write_interval=0)
    logconfig.enable_error_ring(ring)
    lg = Logger("p")  # the fallback Logger: it feeds the ring itself
    lg.warning("w")
    lg.critical("c")
    assert [e["msg"] for e in ring.entries()] == ["c"]
    assert ring.storage is None  # nowhere to persist: kept in RAM, no crash
    ring.clear()
    assert len(ring) == 0


def test_long_messages_are_truncated(tmp_path):
    ring = ErrorRing(root=str(tmp_path), min_write_interval=0)
    ring.add("x" * 1000, name="n" * 100)
    e = ring.entries()[0]
    assert len(e["msg"]) == errorring.MAX_MESSAGE and len(e["name"]) == 24


def test_a_write_whose_tmp_another_writer_moved_keeps_the_ring_file(tmp_path, monkeypatch):
    ring = ErrorRing(size=4, root=str(tmp_path), min_write_interval=0)
    ring.add("first")
    real_rename = os.rename

    def moved_by_another_thread(src, dst):
        real_rename(src, dst)  # the other writer's rename wins ...
        raise FileNotFoundError(src)  # ... and ours finds no .tmp left

    monkeypatch.setattr(errorring.os, "rename", moved_by_another_thread)
    ring.add("second")
    monkeypatch.setattr(errorring.os, "rename", real_rename)
    assert os.path.exists(ring.path), "the ring file was removed"
    assert [e["msg"] for e in ErrorRing(root=str(tmp_path)).entries()] == ["first", "second"]
