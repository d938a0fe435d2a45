# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The README's main command: `jotunheim demo` runs end to end and exits 0; a failing step
ends it non-zero with the reason."""

import io
import os
import subprocess
import sys

from jotunheim_host import demo


def test_demo_runs_every_step_and_exits_zero():
    env = dict(os.environ, BLINKA_OS_AGNOSTIC="1")
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from jotunheim_host.cli import main; sys.exit(main())",
            "demo",
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert "8/8 steps passed" in out
    for needle in (
        "tools registered as Loki scripts",
        "Loki -> Lua stub -> device: temperature",
        "| sample 3:",
        "25 frames, 12288 bytes up to a receiver",
        "trial confirmed, capabilities re-announced",
        "refused: ota_check failed: HashMismatch",
        "rolled back to v2",
    ):
        assert needle in out, needle
    # The tampered update's refusal is the step's expected outcome, not an error line.
    assert "| expected: the device refused it (ota_check failed: HashMismatch" in out
    assert "ERROR" not in out + proc.stderr


def test_demo_prints_an_unexpected_device_error_as_an_error():
    import logging

    from jotunheim_host.simulate import LOGGER_NAME

    out = io.StringIO()
    d = demo.Demo("/nonexistent", out=out)
    logger = logging.getLogger(LOGGER_NAME)
    with demo.device_log(d):
        d.expected = "HashMismatch"
        logger.error("ota_check failed: HashMismatch: lib/x.py")
        logger.error("device step failed: OSError: [Errno 5] EIO")
        d.expected = None
        logger.error("ota_check failed: HashMismatch: lib/y.py")
        logger.info("an INFO line stays out of the demo")
    assert out.getvalue().splitlines() == [
        "      | expected: the device refused it (ota_check failed: HashMismatch: lib/x.py)",
        "      device ERROR: device step failed: OSError: [Errno 5] EIO",
        "      device ERROR: ota_check failed: HashMismatch: lib/y.py",
    ]


def test_a_failing_step_stops_the_demo_with_its_reason(tmp_path, monkeypatch):
    def broken_step(self):
        raise demo.StepFailed("the LED did not change: {'on': False}")

    monkeypatch.setattr(demo.Demo, "step_tool_call", broken_step)
    out = io.StringIO()
    code = demo.Demo(tmp_path, out=out).run()
    text = out.getvalue()
    assert code == 1
    assert "FAILED: the LED did not change" in text
    assert "skip Streamed script" in text.replace("  ", " ").replace("  ", " ")
    assert "2/8 steps passed" in text
