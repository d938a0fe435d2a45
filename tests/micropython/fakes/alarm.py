# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Fake of CircuitPython's ``alarm`` module, on a simulated clock.

Runs under MicroPython (the test interpreter) and CPython (tests load this file by
path), so a day of duty cycles takes a second:

- ``clock``: a :class:`SimClock` (seconds; moves only by ``advance`` and by sleeping);
  give the device the same clock (``Device(clock=alarm.clock)``).
- ``time.TimeAlarm(monotonic_time=...)``, ``pin.PinAlarm(pin, value, edge, pull)``.
- ``light_sleep_until_alarms(*alarms)``: the clock jumps to the first alarm due (a
  ``press_pin_at`` event or the earliest TimeAlarm); returns that alarm; recorded in
  ``light_sleeps`` as ``(start, seconds)``.
- ``exit_and_deep_sleep_until_alarms(*alarms)``: recorded in ``deep_sleeps``; raises
  :class:`DeepSleep`, a BaseException (on a board the program ends here and code.py runs
  again at the wake). :func:`wake` then moves the clock to the alarm that fires, sets
  ``wake_alarm`` to it and returns it, keeping ``sleep_memory``, as a board does.
- ``sleep_memory``: 4096 bytes that survive deep sleeps (not ``_reset``).
"""

SLEEP_MEMORY_SIZE = 4096


class SimClock:
    """A clock that moves only when told: ``clock()`` reads it, ``advance(s)`` moves it."""

    def __init__(self, start=1000.0):
        self.now = float(start)

    def __call__(self):
        return self.now

    def advance(self, seconds):
        """Move the clock forward by ``seconds`` (never back)."""
        if seconds > 0:
            self.now += seconds


class DeepSleep(BaseException):
    """Raised by ``exit_and_deep_sleep_until_alarms``: the board would stop here."""

    def __init__(self, alarms):
        super().__init__("deep sleep until %d alarm(s)" % len(alarms))
        self.alarms = alarms


class TimeAlarm:
    """Fires when the clock reaches ``monotonic_time``."""

    def __init__(self, *, monotonic_time=None, epoch_time=None):
        if (monotonic_time is None) == (epoch_time is None):
            raise ValueError("give exactly one of monotonic_time and epoch_time")
        self.monotonic_time = monotonic_time
        self.epoch_time = epoch_time


class PinAlarm:
    """Fires when ``pin`` reaches ``value`` (a :func:`press_pin_at` event)."""

    def __init__(self, pin, value, edge=False, pull=False):
        self.pin = pin
        self.value = value
        self.edge = edge
        self.pull = pull


class _Submodule:
    def __init__(self, **names):
        for key in names:
            setattr(self, key, names[key])


time = _Submodule(TimeAlarm=TimeAlarm)
pin = _Submodule(PinAlarm=PinAlarm)

clock = SimClock()
sleep_memory = bytearray(SLEEP_MEMORY_SIZE)
wake_alarm = None
light_sleeps = []
deep_sleeps = []
pin_events = []  # (time, pin) presses still to come


def use_clock(new_clock):
    """Use ``new_clock`` (e.g. a fresh SimClock) from now on."""
    global clock
    clock = new_clock


def press_pin_at(when, which):
    """Pull ``which`` low at clock time ``when`` (wakes a PinAlarm on it)."""
    pin_events.append((when, which))
    pin_events.sort(key=lambda item: item[0])


def _due(alarms):
    # (time, alarm) of the alarm that fires first.
    best = None
    for item in alarms:
        if isinstance(item, TimeAlarm):
            when = item.monotonic_time
            if when is None:
                raise ValueError("this fake knows monotonic_time alarms only")
            if best is None or when < best[0]:
                best = (when, item)
    for when, which in pin_events:
        for item in alarms:
            if isinstance(item, PinAlarm) and item.pin == which:
                if best is None or when < best[0]:
                    best = (when, item)
                break
    if best is None:
        raise ValueError("no alarm that can fire: the board would sleep for ever")
    return best


def _fire(alarms):
    when, fired = _due(alarms)
    if isinstance(fired, PinAlarm):
        for i in range(len(pin_events)):
            if pin_events[i][0] == when and pin_events[i][1] == fired.pin:
                pin_events.pop(i)
                break
    clock.advance(when - clock())
    return fired


def light_sleep_until_alarms(*alarms):
    """Sleep (move the clock) until the first alarm; returns it."""
    start = clock()
    fired = _fire(alarms)
    light_sleeps.append((start, clock() - start))
    return fired


def exit_and_deep_sleep_until_alarms(*alarms, preserve_dios=()):
    """Record the sleep and raise :class:`DeepSleep` (the program ends on a board)."""
    _due(alarms)  # a sleep no alarm can end is an error at once, as on a board
    deep_sleeps.append((clock(), alarms))
    raise DeepSleep(alarms)


def wake(sleep):
    """End the deep sleep ``sleep`` (a :class:`DeepSleep`): move the clock to the alarm
    that fires and make it ``wake_alarm``; returns it."""
    global wake_alarm
    wake_alarm = _fire(sleep.alarms)
    return wake_alarm


def _reset():
    """Power-on: fresh clock, empty sleep memory, nothing woke us."""
    global clock, sleep_memory, wake_alarm
    clock = SimClock()
    sleep_memory = bytearray(SLEEP_MEMORY_SIZE)
    wake_alarm = None
    del light_sleeps[:]
    del deep_sleeps[:]
    del pin_events[:]
