# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""LokiLink's endpoint figures: backoff after a failure, the breaker's states, forget()."""

from jotunheim.loki import report
from jotunheim.loki.link import LokiLink


class _Settings:
    def __init__(self):
        self.data = {
            "network.resilience.breaker_threshold": 2,
            "network.resilience.breaker_cooldown": 30,
            "network.resilience": {"base_delay": 0.5, "max_delay": 30, "jitter": False},
        }

    def get(self, key, default=None):
        return self.data.get(key, default)


class _Logger:
    def __init__(self):
        self.lines = []

    def warning(self, text):
        self.lines.append(text)


class _Network:
    connected = True


class _Device:
    """The public attributes LokiLink.step reads before it calls Loki."""

    server = object()
    network = _Network()

    def __init__(self):
        self.settings = _Settings()
        self.logger = _Logger()
        self.now = 100.0

    def clock(self):
        return self.now


def _fail(link):
    # What LokiLink.sync does with a failed call.
    from jotunheim.loki import failure

    failure.record(link, OSError(104, "reset"))


def test_backoff_breaker_and_forget_in_the_status():
    device = _Device()
    link = LokiLink(device, "http://127.0.0.1:1")
    assert report.status(link)["endpoint"]["state"] == "closed"
    _fail(link)
    endpoint = report.status(link)["endpoint"]
    assert endpoint["state"] == "closed" and endpoint["failures"] == 1
    assert endpoint["next_delay"] == 0.5 and endpoint["last_category"] == "network"
    assert link.state == "offline" and "reset" in device.logger.lines[0]
    assert link.step() is False  # backing off: no call
    _fail(link)  # the second failure in a row opens the breaker for its cooldown
    endpoint = report.status(link)["endpoint"]
    assert endpoint["state"] == "open" and endpoint["recent_delays"] == [0.5, 1.0]
    device.now += 29
    assert link.step() is False
    device.now += 2  # the cooldown is over: half-open, a trial call may go
    assert report.status(link)["endpoint"]["state"] == "half-open"
    link.forget()
    endpoint = report.status(link)["endpoint"]
    assert endpoint["state"] == "closed" and endpoint["failures"] == 0
