# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Networking glue: the socket pool / SSL context helper, a TCP client and the WiFi manager.

- ``jotunheim.net.session``: ``get_pool()``, ``get_ssl_context(ca_pem)``, ``new_session()``,
  ``set_nodelay(sock)``, ``close_all()``: the right pool and SSL context on a board
  (``wifi.radio``) and on CPython (``socket`` / ``ssl``), so user code never picks one.
- ``jotunheim.net.tcp``: :class:`TCPClient` (connect with timeout, send all, recv_into, close).
- ``jotunheim.net.wifi``: :class:`WiFiManager` (credentials from settings.toml, reconnect with
  backoff, dead-link detection) and :class:`HostNetwork`, its CPython twin.

Nothing is imported here, so importing one module does not pull in the others.
"""
