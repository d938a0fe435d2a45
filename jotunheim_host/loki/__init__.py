# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Reference Loki: ``loki.LokiService`` over gRPC-Web, running real Lua.

Start one in-process (tests, the demo)::

    from jotunheim_host.loki import LokiServer, Limits

    with LokiServer("scripts/", host="127.0.0.1", port=0) as srv:
        srv.url        # "http://127.0.0.1:PORT" — point a LokiClient here
        srv.address    # "127.0.0.1:PORT"
        srv.service    # the LokiService object (call its RPC methods with messages)

Keyword options: ``ota_dir`` (served at ``/ota/``), ``policy``
(:class:`~.access.AccessPolicy`: admin and device tokens, quotas; None = open mode),
``limits`` (:class:`Limits`: max_instructions, max_seconds, max_memory, max_output),
``threads`` (HTTP worker threads), ``workers`` (script worker processes),
``max_connections`` (idle keep-alive connections held), ``gate`` (head-gate options),
``device_timeout``.

From the shell: ``jotunheim loki --listen 127.0.0.1:50051 --scripts DIR``.

Modules: :mod:`.server` (HTTP: cheroot + sonora's WSGI app), :mod:`.headgate` (no HTTP
thread before a whole head), :mod:`.service` (the six RPCs on betterproto messages),
:mod:`.workers` (runs in killable worker processes), :mod:`.sandbox` (Lua through lupa
with limits), :mod:`.access` (tokens, ownership, quotas), :mod:`.endpoints` (where
registered devices are), :mod:`.store` (the scripts folder), :mod:`.device_client`
(``device.call``'s gRPC-Web CallTool), :mod:`.children` (Fenrir, Jörmungandr, Hel
checks), :mod:`.ota_files`.
See docs/loki.md for the Lua API and the sandbox.
"""

from jotunheim import __repo__, __version__  # noqa: F401  (one version for the whole project)

__all__ = ["Limits", "LokiServer", "LokiService", "ScriptFailure", "run_script"]


def __getattr__(name):
    # Lazy: `jotunheim --help` must not pay for lupa, sonora and cheroot.
    if name == "LokiServer":
        from .server import LokiServer

        return LokiServer
    if name == "LokiService":
        from .service import LokiService

        return LokiService
    if name in ("Limits", "ScriptFailure", "run_script"):
        from . import sandbox

        return getattr(sandbox, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
