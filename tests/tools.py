# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Test tools that may be missing on a laptop but never in CI.

``require_tool("node", "runs the MicroPython suite")`` skips the test (or, at module level,
the module) when the tool is missing on a developer's machine, and fails it when ``CI`` is
set: a CI run that silently skipped the interop or MicroPython tests would report green
without having checked them.
"""

import os
import shutil

import pytest


def in_ci():
    """True when the ``CI`` environment variable says this is a CI run (``true``/``1``/``yes``).

    :returns: whether a missing tool must fail rather than skip.
    """
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def require_tool(name, why, available=None):
    """Skip locally, fail in CI, when a tool the calling test needs is missing.

    :param name: the tool's name; looked up on ``PATH`` unless ``available`` is given.
    :param why: what the tool is needed for, shown in the skip or failure message.
    :param available: the result of a check the caller made itself (e.g. "node_modules
        installed"); ``None`` means "is ``name`` an executable on PATH".
    """
    if available is None:
        available = shutil.which(name) is not None
    if available:
        return
    message = "%s is not available (%s)" % (name, why)
    if in_ci():
        pytest.fail(
            message + ": CI must have every test tool (scripts/bootstrap.sh)", pytrace=False
        )
    pytest.skip(message, allow_module_level=True)


def uninstrumented_env():
    """``os.environ`` without coverage's hand-over variables, for a child Python whose
    imports a test inspects (coverage itself imports ``json``, ``hashlib``, ...).

    :returns: a new dict to pass as ``env=`` to ``subprocess.run``.
    """
    return {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
