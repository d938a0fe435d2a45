# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The attack suite: every test in this folder is one attack; a passing test means the
defence held. At the end of the run pytest prints ``attacks tried: N, held: M``
(counting every test under this folder, whichever file it is in)."""

import os

HERE = os.path.dirname(os.path.abspath(__file__))


def _in_suite(config, nodeid: str) -> bool:
    path = nodeid.split("::", 1)[0]
    return os.path.abspath(os.path.join(str(config.rootpath), path)).startswith(HERE + os.sep)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Print how many attacks ran and how many held (passed, nothing else failed)."""
    outcomes = {}
    for key in ("passed", "failed", "error", "skipped", "xfailed", "xpassed"):
        for report in terminalreporter.stats.get(key, ()):
            nodeid = getattr(report, "nodeid", "")
            if not nodeid or not _in_suite(config, nodeid):
                continue
            seen = outcomes.setdefault(nodeid, set())
            if key == "passed" and getattr(report, "when", "call") != "call":
                continue  # a passing setup or teardown is not the attack itself
            seen.add(key)
    if not outcomes:
        return
    held = sum(1 for seen in outcomes.values() if seen == {"passed"})
    skipped = sum(1 for seen in outcomes.values() if "skipped" in seen)
    line = f"attacks tried: {len(outcomes)}, held: {held}"
    if skipped:
        line += f" ({skipped} skipped, counted as not held)"
    terminalreporter.write_sep("=", line)
