# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Resources: what the device has (heap, buffers, CPU time, bandwidth) and the rules that
keep it inside its limits. Priorities of work and traffic, smaller first:
``SYSTEM`` (the device's own upkeep), ``HIGH`` (tool calls, OTA confirm), ``USER`` (a
code.py's own tasks), ``LOW`` (announcements, telemetry, OTA downloads: deferred first)."""

SYSTEM = 0
HIGH = 1
USER = 2
LOW = 3
