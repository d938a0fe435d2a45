# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Host-side (CPython only) tools for Jotunheim: reference Loki, OTA signing,
device simulator, demo and bundle builder. Never copied to a board."""
