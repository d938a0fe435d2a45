# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""What a :class:`~jotunheim.loki.link.LokiLink` says about itself: its part of
GetDeviceStatus (:func:`status`) and the answer of the ``announce`` device command
(:func:`announce`). Loaded by those two calls only: a link that is never asked keeps
none of it."""


def announce(link) -> dict:
    """Re-send capabilities now (the ``announce`` device command): ``announced``,
    ``error`` and, after a negotiation, ``registered`` and ``failed``."""
    out = {"announced": link.sync(True), "error": link.error}
    result = link.last_negotiation
    if result is not None:
        out["registered"] = result.registered
        out["failed"] = result.failed  # (name, reason) pairs: lists in JSON
    return out


def status(link) -> dict:
    """What GetDeviceStatus reports about Loki: url, state, error, deferred steps, the
    last negotiation's counts and the figures of its resilience endpoint."""
    out = {"url": link.url, "state": link.state, "error": link.error, "deferred": link.deferred}
    result = link.last_negotiation
    if result is not None:
        out["registered"] = len(result.registered)
        out["failed"] = result.failed
    # The figures of a resilience endpoint; "state" is the breaker's, worked out here
    # (jotunheim.loki.failure.breaker).
    endpoint = out["endpoint"] = {
        "endpoint": "loki",
        "state": "closed",
        "successes": link.successes,
        "failures": 0,
        "consecutive_failures": link.failing,
        "last_error": None,
        "last_category": None,
        "next_delay": 0.0,
        "recent_delays": [],  # the last few backoff delays, newest last (bounded)
    }
    if link.endpoint is not None:  # failed since forget(): the failure figures
        endpoint.update(link.endpoint)
        endpoint["recent_delays"] = list(endpoint["recent_delays"])
    if not link.failing:  # the last call worked: no delay, the breaker closed
        endpoint["next_delay"] = 0.0
    else:
        from jotunheim.loki import failure

        endpoint["state"] = failure.breaker(link)[0]
    return out
