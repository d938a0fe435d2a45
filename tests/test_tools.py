# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""tests/tools.py: a missing test tool skips on a laptop and fails the run in CI."""

import os
import subprocess
import sys

import pytest

from tests.tools import in_ci, require_tool, uninstrumented_env

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PROBE = """
from tests.tools import require_tool

def test_needs_a_missing_tool():
    require_tool("no-such-tool-jh", "probing the helper")

def test_needs_a_present_tool():
    require_tool("sh", "probing the helper")
"""

MODULE_PROBE = """
from tests.tools import require_tool

require_tool("no-such-tool-jh", "probing module level")

def test_never_runs():
    pass
"""


def _pytest(tmp_path, source, ci):
    (tmp_path / "test_probe.py").write_text(source)
    env = dict(os.environ, PYTHONPATH=ROOT)
    env.pop("CI", None)
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(tmp_path),
        timeout=120,
        check=False,
    )


def test_missing_tool_skips_outside_ci(tmp_path):
    proc = _pytest(tmp_path, PROBE, None)
    assert proc.returncode == 0, proc.stdout
    assert "1 passed, 1 skipped" in proc.stdout
    assert "no-such-tool-jh is not available (probing the helper)" in proc.stdout


@pytest.mark.parametrize("value", ["true", "1"])
def test_missing_tool_fails_in_ci(tmp_path, value):
    proc = _pytest(tmp_path, PROBE, value)
    assert proc.returncode == 1, proc.stdout
    assert "1 failed, 1 passed" in proc.stdout
    assert "no-such-tool-jh is not available (probing the helper): CI must have" in proc.stdout


def test_missing_tool_at_module_level(tmp_path):
    local = _pytest(tmp_path, MODULE_PROBE, "false")
    # the whole module is skipped, so pytest ran no test (exit 5) and says why
    assert local.returncode == 5 and "1 skipped" in local.stdout, local.stdout
    ci = _pytest(tmp_path, MODULE_PROBE, "true")
    assert ci.returncode == 2 and "1 error" in ci.stdout, ci.stdout  # a collection error
    assert "no-such-tool-jh is not available (probing module level)" in ci.stdout


def test_in_ci_reads_the_environment(monkeypatch):
    for value, expected in (
        ("true", True),
        ("TRUE", True),
        ("yes", True),
        ("", False),
        ("0", False),
    ):
        monkeypatch.setenv("CI", value)
        assert in_ci() is expected, value
    monkeypatch.delenv("CI")
    assert in_ci() is False


def test_available_overrides_the_path_lookup(monkeypatch):
    monkeypatch.setenv("CI", "true")
    require_tool("no-such-tool-jh", "checked by the caller", available=True)  # no failure
    with pytest.raises(pytest.fail.Exception, match="sh is not available \\(told so\\)"):
        require_tool("sh", "told so", available=False)


def test_uninstrumented_env_drops_only_coverage_variables(monkeypatch):
    monkeypatch.setenv("COVERAGE_PROCESS_CONFIG", "{}")
    monkeypatch.setenv("JH_KEEP_ME", "1")
    env = uninstrumented_env()
    assert "COVERAGE_PROCESS_CONFIG" not in env and env["JH_KEEP_ME"] == "1"
    probe = "import sys; print('coverage' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
