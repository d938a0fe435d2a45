# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Shared pytest configuration: CI runs report which test tools they found."""

from tests.tools import in_ci


def pytest_report_header(config):
    """Say in the header whether missing tools skip (a laptop) or fail (CI).

    :param config: pytest's configuration (unused).
    """
    return "missing test tools: %s" % ("fail the run (CI)" if in_ci() else "skip the test")
