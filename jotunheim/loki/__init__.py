# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Loki, the Edda script service, from the device's side: ``client`` (LokiClient, the six
Loki RPCs and ``client.scripts.<name>``) and ``link`` (LokiLink, announcement and
heartbeat, built by the Device only when a Loki URL is set)."""
