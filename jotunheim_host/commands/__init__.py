# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Subcommands of the ``jotunheim`` CLI, one module per concern."""
