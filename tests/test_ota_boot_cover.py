# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""jotunheim.ota.boot's board paths on CPython: the update-session flag in nvm, remounting
CIRCUITPY, guard().

The CircuitPython-only modules are the MicroPython suite's fakes (tests/micropython/fakes),
loaded fresh for each test, so both interpreters see the same stand-ins. Board paths that
would need an OTA state at the real filesystem root (a trial at "/") are left to the
MicroPython suite: on CPython, root "/" is this machine's.
"""

import importlib.util
import os
import sys

import pytest

from jotunheim.ota import boot, journal
from jotunheim.ota.installer import Installer

FAKES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "micropython", "fakes")


def load_fake(monkeypatch, name):
    """A fresh copy of the fake ``name`` module, installed in sys.modules for this test."""
    spec = importlib.util.spec_from_file_location(name, os.path.join(FAKES, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setitem(sys.modules, name, module)
    return module


@pytest.fixture
def board(monkeypatch):
    """CircuitPython as far as boot.py can tell: implementation name and fake modules."""
    assert not os.path.exists("/.ota"), "an OTA state at this machine's root: refusing"
    monkeypatch.setattr(sys.implementation, "name", "circuitpython")
    mc = load_fake(monkeypatch, "microcontroller")
    storage = load_fake(monkeypatch, "storage")
    yield mc, storage
    assert not os.path.exists("/.ota"), "boot.run() wrote to this machine's root"


def test_request_update_session_sets_the_flag_and_resets(monkeypatch):
    mc = load_fake(monkeypatch, "microcontroller")
    with pytest.raises(mc.ResetCalled):
        boot.request_update_session()
    assert mc.nvm[boot.NVM_FLAG_INDEX] == 0x4F
    assert mc.resets == [mc.RunMode.NORMAL]


def test_update_session_flag_remounts_once_and_is_cleared(board):
    mc, storage = board
    mc.nvm[boot.NVM_FLAG_INDEX] = 0x4F
    result = boot.run()
    assert result["writable"] is True and result["action"] is None
    assert storage.remounts == [("/", False, False)]
    assert not storage.getmount("/").readonly
    assert mc.nvm[boot.NVM_FLAG_INDEX] == 0  # used up: the next boot leaves USB the drive
    again = boot.run()
    assert again["writable"] is False and storage.remounts == [("/", False, False)]


def test_no_flag_no_remount_on_board(board):
    mc, storage = board
    mc.nvm[boot.NVM_FLAG_INDEX] = 0x4E  # any other value is not the flag
    assert boot.run()["writable"] is False
    assert storage.remounts == [] and storage.getmount("/").readonly
    assert mc.nvm[boot.NVM_FLAG_INDEX] == 0x4E  # not ours to clear


def test_board_without_nvm_means_no_update_session(board, monkeypatch):
    mc, storage = board
    monkeypatch.setattr(mc, "nvm", None)
    assert boot.run()["writable"] is False
    monkeypatch.delattr(mc, "nvm")  # a port without the nvm module (AttributeError)
    assert boot.run()["writable"] is False
    monkeypatch.setitem(sys.modules, "microcontroller", None)  # import fails (ImportError)
    assert boot.run()["writable"] is False
    assert storage.remounts == []


def test_remount_failure_propagates_with_its_reason(board):
    mc, storage = board
    mc.nvm[boot.NVM_FLAG_INDEX] = 0x4F
    storage.remount_error = RuntimeError("Cannot remount '/' when visible via USB.")
    with pytest.raises(RuntimeError, match="visible via USB"):
        boot.run()


def _start_trial(root, version="2.0.0"):
    inst = Installer(str(root))
    state = inst.state
    state.update(trial=True, boots=0, version=version, previous="1.0.0")
    journal.makedirs(inst.ota)
    journal.write_record(inst.state_path, state)
    return inst


def test_trial_remounts_when_asked_off_board(tmp_path, monkeypatch):
    storage = load_fake(monkeypatch, "storage")
    _start_trial(tmp_path)
    # off a board, remount defaults to off ...
    assert boot.run(root=str(tmp_path))["writable"] is True
    assert storage.remounts == []
    # ... and is done when the caller asks for it (a trial must write its confirm)
    result = boot.run(root=str(tmp_path), remount=True, confirm_window_s=30)
    assert result["action"] == "trial" and result["state"]["boots"] == 2
    assert storage.remounts == [("/", False, False)]
    assert Installer(str(tmp_path)).state["confirm_window_s"] == 30


def test_nothing_to_do_does_not_remount_even_when_asked(tmp_path, monkeypatch):
    storage = load_fake(monkeypatch, "storage")
    result = boot.run(root=str(tmp_path), remount=True)
    assert result == {
        "recovered": None,
        "action": None,
        "writable": False,
        "state": Installer(str(tmp_path)).state,
    }
    assert storage.remounts == []


def test_guard_runs_main_and_reraises_a_crash(tmp_path, monkeypatch):
    (tmp_path / "jh_app_ok.py").write_text("ran = []\ndef main():\n    ran.append(1)\n")
    (tmp_path / "jh_app_plain.py").write_text("value = 7\n")
    (tmp_path / "jh_app_bad.py").write_text("def main():\n    raise ValueError('sensor on fire')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("jh_app_ok", "jh_app_plain", "jh_app_bad"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    boot.guard("jh_app_ok", root=str(tmp_path))
    assert sys.modules["jh_app_ok"].ran == [1]
    boot.guard("jh_app_plain", root=str(tmp_path))  # no main(): importing is running
    assert sys.modules["jh_app_plain"].value == 7
    _start_trial(tmp_path)
    # off a board a crash during a trial is re-raised (a board resets instead)
    with pytest.raises(ValueError, match="sensor on fire"):
        boot.guard("jh_app_bad", root=str(tmp_path))
    with pytest.raises(ImportError):
        boot.guard("jh_app_missing_module", root=str(tmp_path))


def test_enforce_window_counts_down_then_fails_the_trial(tmp_path):
    assert boot.enforce_window(5, root=str(tmp_path)) is None  # not on trial
    _start_trial(tmp_path)
    boot.run(root=str(tmp_path), confirm_window_s=60)
    assert boot.enforce_window(20, root=str(tmp_path)) == 40
    with pytest.raises(boot.TrialFailed, match=r"version 2.0.0 not confirmed within 60s"):
        boot.enforce_window(61, root=str(tmp_path))
