# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The run loops of the power profiles: the Device's ``run()`` hands over to
:func:`run_profile` when ``power.profile`` is not ``always-on``."""

from jotunheim.power import DEEP_SLEEP, LIGHT_SLEEP

MAX_LIGHT_SLEEP = 30.0  # light-sleep: longest single sleep, so calls wait at most this long
IDLE_WAIT = 60.0  # what next_due() says when the scheduler holds no task


def next_due(scheduler) -> float:
    """Seconds until the next task of ``scheduler`` (a
    :class:`jotunheim.device.scheduler.Scheduler`) is due: 0 if one is due now,
    ``IDLE_WAIT`` when it holds none (a task is a list, ``task[0]`` its due time)."""
    if not scheduler.tasks:
        return IDLE_WAIT
    now = scheduler.clock()
    return max(0.0, min(task[0] for task in scheduler.tasks) - now)


def platform_alarm():
    """CircuitPython's ``alarm`` module, or None where the port has none (CPython)."""
    try:
        import alarm

        return alarm
    except ImportError:
        return None


def _battery(device, battery):
    from jotunheim.power.battery import Battery

    return Battery.from_settings(device.settings, read=battery)


def run_light_sleep(device, alarm, every=None, interval=1.0):
    """Serve like ``Device.run``, light-sleeping between scheduler ticks."""
    import time

    from jotunheim.power.light import LightSleeper

    sleeper = LightSleeper(alarm, device.clock, time.sleep, MAX_LIGHT_SLEEP)
    device.power = sleeper
    device.start()
    next_user = device.clock()
    while not device.stopping:
        try:
            served = device.step()
        except Exception as exc:  # noqa: BLE001 - a board must keep running
            device.logger.error("device step failed: %s: %s" % (type(exc).__name__, exc))
            served = 0
        wait = next_due(device.scheduler)
        if every is not None:
            if device.clock() >= next_user:
                next_user = device.clock() + interval
                every()
            wait = min(wait, next_user - device.clock())
        if not served:
            sleeper.idle(wait)


def run_profile(device, profile, every=None, interval=1.0, alarm=None, battery=None, cycles=None):
    """Run ``device`` under ``profile`` (``light-sleep`` or ``deep-sleep``).

    :param alarm: the ``alarm`` module (default: the platform's, if any)
    :param battery: callable returning battery volts (default: ``power.battery_pin``)
    :param cycles: deep-sleep wakes to do before returning (None = for ever; on a board
        the first deep sleep ends the program anyway)
    """
    if alarm is None:
        alarm = platform_alarm()
    if profile == LIGHT_SLEEP:
        return run_light_sleep(device, alarm, every, interval)
    if profile == DEEP_SLEEP:
        import time

        from jotunheim.power.cycle import DutyCycle

        cycle = DutyCycle(device, alarm, _battery(device, battery), time.sleep, every)
        device.power = cycle
        return cycle.run(cycles)
    raise ValueError("power.profile: unknown profile %r" % profile)
