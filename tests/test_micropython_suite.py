# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Runs the MicroPython suite (tests/micropython/suite/) in the WebAssembly interpreter."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "micropython"))

from harness import RUN_MJS, MicroPython, check_installed  # noqa: E402

from tests.tools import require_tool  # noqa: E402

require_tool("node", "Node runs the MicroPython (WebAssembly) interpreter")


def _run(*args, timeout=900):
    check_installed()  # a missing node_modules is an error that says to bootstrap
    return subprocess.run(
        ["node", RUN_MJS, *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=HERE.parent,
    )


def test_micropython_suite_passes():
    proc = _run()
    output = proc.stdout + proc.stderr
    summary = re.search(r"^(\d+) passed, (\d+) failed$", proc.stdout, re.M)
    assert summary, "no summary line from run.mjs:\n" + output
    passed, failed = int(summary.group(1)), int(summary.group(2))
    print(output)
    assert passed > 0, "no MicroPython tests ran:\n" + output
    assert failed == 0 and proc.returncode == 0, output


def test_runner_reports_failures_import_errors_and_hangs(tmp_path):
    (tmp_path / "test_mp_selfcheck.py").write_text(
        "def test_good():\n    print('visible output')\n\n"
        "def test_bad():\n    assert 1 + 1 == 3, 'arithmetic'\n\n"
        "def test_hangs():\n    while True:\n        pass\n\n"
        "def test_after_hang():\n    import fake_net\n    fake_net.assert_no_leaks()\n"
    )
    (tmp_path / "test_mp_broken.py").write_text("import no_such_module_here\n")
    proc = _run("--timeout", "3", str(tmp_path))
    out = proc.stdout
    assert proc.returncode == 1
    assert "PASS test_mp_selfcheck::test_good\n    visible output" in out
    assert "FAIL test_mp_selfcheck::test_bad" in out and "AssertionError: arithmetic" in out
    assert "FAIL test_mp_selfcheck::test_hangs\n    timed out after 3 s" in out
    assert "PASS test_mp_selfcheck::test_after_hang" in out
    assert "FAIL test_mp_broken::<import>" in out and "no_such_module_here" in out
    assert out.rstrip().endswith("2 passed, 3 failed")


def test_no_tests_is_a_failure(tmp_path):
    (tmp_path / "test_mp_empty.py").write_text("X = 1\n")
    proc = _run(str(tmp_path))
    assert proc.returncode == 1
    assert "0 passed, 1 failed" in proc.stdout


def test_harness_exec_errors_and_heap():
    with MicroPython(timeout=60) as mp:
        assert mp.exec("print(1 + 1)") == "2\n"
        assert mp.eval("[sys.implementation.name, 3]") == ["micropython", 3]
        with pytest.raises(Exception) as info:
            mp.exec("raise ValueError('bad input')")
        assert info.value.type == "ValueError" and "bad input" in info.value.traceback
        # 64 KB kept alive shows up in the retained heap (give or take the few dozen bytes
        # of leftovers from earlier calls); garbage does not.
        kept = mp.heap_of("_keep = bytearray(65536)")
        assert 65536 - 512 <= kept < 65536 + 4096
        assert mp.heap_of("_tmp = [bytearray(1000) for _ in range(20)]\ndel _tmp") < 2048
        # Allocation per run counts garbage too.
        per_run = mp.alloc_of("bytearray(5000)", repeat=4)
        assert 5000 <= per_run < 5600
        assert mp.time_of("sum(range(100))", repeat=10) > 0
        mp.write_file("/data/blob.bin", b"\x00\x01\x02")
        assert mp.eval("len(open('/data/blob.bin', 'rb').read())") == 3


def test_harness_survives_a_hang():
    with MicroPython(timeout=60) as mp:
        mp.exec("_state = 1")
        with pytest.raises(Exception) as info:
            mp.exec("while True:\n    pass", timeout=2)
        assert info.value.type == "Timeout"
        # A fresh interpreter took over: earlier state is gone, the session still works.
        assert mp.eval("'_state' in globals()") is False
        assert mp.exec("print('alive')") == "alive\n"
