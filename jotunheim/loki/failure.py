# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""What a :class:`~jotunheim.loki.link.LokiLink` does when a call to Loki failed (loaded
at the first failure, with the backoff and error modules): count the failure in the link's
endpoint figures, back off, log, and fail over to the next upstream (discovery)."""

from jotunheim.resilience import backoff, errors


def record(link, exc) -> None:
    """Account for ``exc``, a failed call of ``link`` (public attributes only): the link
    turns "offline" (or "connecting" to the upstream ``link.on_lost`` names) and waits out
    a backoff delay before its next call; after ``breaker_threshold`` failures in a row its
    breaker keeps it from calling for ``breaker_cooldown`` (:meth:`LokiLink.step`)."""
    device = link.device
    endpoint = link.endpoint
    if endpoint is None:  # the first failure since the link's forget()
        endpoint = link.endpoint = {
            "failures": 0,
            "last_error": None,
            "last_category": None,
            "next_delay": 0.0,
            "recent_delays": [],
        }
    settings = device.settings.get("network.resilience")
    limit = settings["max_delay"]
    # The backoff's attempt number is the count of failures since the last success.
    delay = backoff.Backoff(
        settings["base_delay"],
        limit,
        jitter=backoff.FULL if settings["jitter"] else backoff.NONE,
    ).delay(link.failing)
    info = errors.default_handler().handle(exc)
    endpoint["last_error"] = info.reason[:120]
    endpoint["last_category"] = info.category
    if delay < info.delay:  # the error's own floor, within the longest backoff
        delay = min(info.delay, limit)
    endpoint["failures"] += 1
    link.failing += 1
    endpoint["next_delay"] = delay
    delays = endpoint["recent_delays"]
    delays.append(delay)
    if len(delays) > 8:
        delays.pop(0)
    link.failed_at = device.clock()
    first = link.state == "ok"  # the first failure of an outage
    link.state = "offline"
    link.error = "%s: %s" % (type(exc).__name__, exc)
    log = device.logger.warning
    log("Loki: " + link.error)
    # The leader lost: the next upstream now, not after a backoff. Later failures of the
    # same outage move on after the backoff, so a network with nothing reachable costs one
    # attempt per backoff period, as without discovery.
    url = link.on_lost(link.url) if link.on_lost is not None else None
    if url and url != link.url:
        link.close()
        link.url = url
        link.grpc = link.client = None  # made again from the new URL
        link.state = "connecting"
        if first:
            link.forget()
        log("Loki: failing over to " + url)


def breaker(link) -> tuple:
    """``(state, seconds)`` of ``link``'s breaker after a failure: "closed", "open" (for
    ``breaker_cooldown`` after the last failure, once ``breaker_threshold`` failures in a
    row opened it) or "half-open" (a trial call may go), and how long the next call still
    waits (the backoff delay, at least the cooldown while open; 0 or less: it may go)."""
    device = link.device
    get = device.settings.get
    wait = link.endpoint["next_delay"]
    elapsed = device.clock() - link.failed_at
    state = "closed"
    if link.failing >= get("network.resilience.breaker_threshold"):
        cooldown = get("network.resilience.breaker_cooldown")
        state = "open" if elapsed < cooldown else "half-open"
        wait = max(wait, cooldown)
    return state, wait - elapsed
