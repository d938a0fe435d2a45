# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Loki, the Edda script service, from the device's side: ``client`` (LokiClient, the six
Loki RPCs and ``client.scripts.<name>``), ``link`` (LokiLink, announcement and heartbeat,
built by :func:`jotunheim.loki.link.use_loki` only when a Loki URL is set) and ``tool``
(what ``Device.add_loki_tool`` adds: a tool that runs a Loki script)."""
