# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""LightSleeper: sleep between scheduler ticks (``power.profile`` light-sleep).

With ``alarm`` (CircuitPython on ESP32-S2/S3, RP2040) the CPU light-sleeps until a
``TimeAlarm``; elsewhere ``time.sleep`` does. WiFi stays joined; calls that arrive while
the board sleeps are answered when it wakes (at most 30 s later).
"""


class LightSleeper:
    """Sleeps for a bounded time.

    :param alarm: the ``alarm`` module, or None (then ``sleep`` is used)
    :param clock: seconds, the clock ``alarm.time.TimeAlarm`` compares with
    :param sleep: ``time.sleep``-like fallback
    :param float max_sleep: longest single sleep
    """

    def __init__(self, alarm, clock, sleep, max_sleep: float = 30.0) -> None:
        self.alarm = alarm
        self.clock = clock
        self.sleep_fn = sleep
        self.max_sleep = max_sleep
        self.slept = 0.0

    def idle(self, seconds: float) -> float:
        """Sleep up to ``seconds`` (capped at ``max_sleep``); returns the seconds asked."""
        seconds = min(max(0.0, seconds), self.max_sleep)
        if seconds <= 0:
            return 0.0
        self.slept += seconds
        if self.alarm is not None:
            wake = self.alarm.time.TimeAlarm(monotonic_time=self.clock() + seconds)
            self.alarm.light_sleep_until_alarms(wake)
        else:
            self.sleep_fn(seconds)
        return seconds
