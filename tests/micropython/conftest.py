# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The files under suite/, fakes/ and runner/ run inside MicroPython, not under pytest:
tests/test_micropython_suite.py runs them through run.mjs."""

collect_ignore_glob = ["suite/*", "fakes/*", "runner/*", "node_modules/*"]
