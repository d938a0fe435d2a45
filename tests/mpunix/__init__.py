# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Runs Jotunheim under MicroPython's Unix port on real sockets (see README.md)."""
