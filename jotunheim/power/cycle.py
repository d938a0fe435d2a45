# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""DutyCycle: one wake of a deep-sleeping device (``power.profile`` deep-sleep).

Each wake: load the state from sleep memory, join the network and start serving, read
the sensors, and, with a Loki configured: re-announce the capabilities only when their
hash changed (or every ``capabilities.announce_interval``), run ``power.report_script``
with the readings, fetch and run pending commands (:mod:`jotunheim.power.mailbox`), check
for an OTA update every ``ota.check_interval``; then read the battery, save the state and
deep-sleep until ``power.cycle_seconds`` pass (``power.low_battery_cycle_seconds`` when
the battery is below ``power.low_battery_volts``; doubled per failed wake, at most 8x) or
``power.wake_pin`` is pulled low. All of a wake's network work shares one deadline, 20 s.
"""

from jotunheim.power.state import FLAG_LOW_BATTERY, SleepState, fnv1a, memory_region

MAX_BACKOFF_SHIFT = 3  # a wake that failed doubles the next cycle, at most 8x
LONGEST_SLEEP = 604800
AWAKE_SECONDS = 20.0  # deadline of one wake's network work
MAX_COMMANDS = 8  # pending commands run per wake at most (the rest wait for the next)


def wake_reason(alarm) -> str:
    """``timer``, ``pin`` or ``power-on`` (no alarm woke us: first start, reset)."""
    woke = getattr(alarm, "wake_alarm", None) if alarm is not None else None
    if woke is None:
        return "power-on"
    name = type(woke).__name__
    return "pin" if name == "PinAlarm" else "timer" if name == "TimeAlarm" else name


class DutyCycle:
    """One wake's work and the sleep after it.

    :param device: the :class:`jotunheim.device.core.Device` (public API only)
    :param alarm: the ``alarm`` module (or a stand-in); None = sleep with ``sleep``
    :param battery: a :class:`jotunheim.power.battery.Battery` or None
    :param sleep: ``time.sleep``-like, used where there is no ``alarm``
    :param every: the maker's own function, called once per wake
    """

    def __init__(self, device, alarm=None, battery=None, sleep=None, every=None) -> None:
        self.device = device
        self.alarm = alarm
        self.battery = battery
        self.sleep_fn = sleep
        self.every = every
        self.clock = device.clock
        memory, offset = memory_region(alarm)
        self.state = SleepState(memory, offset)
        self.reason = None
        self.readings = {}
        self.report = None
        self.handled = []
        self.announced = False
        self.volts = None
        self.errors = []
        self.awake = 0.0

    # ------------------------------------------------------------ one wake

    def wake(self) -> float:
        """Do the due work of this wake; returns the seconds to sleep next."""
        started = self.clock()
        settings = self.device.settings
        deadline = started + AWAKE_SECONDS
        state = self.state.load()
        state.cycles += 1
        self.reason = wake_reason(self.alarm)
        self.errors = []
        self.handled = []
        self.announced = False
        ok = self._online()
        self.readings = self._read_sensors()
        if self.every is not None:
            self._guard("every", self.every)
        if ok and self.device.loki_link is not None:
            ok = self._upstream(deadline)
        self._ota(settings)
        self.volts = self.battery.volts() if self.battery is not None else None
        low = settings.get("power.low_battery_volts")
        state.flags = FLAG_LOW_BATTERY if self.volts is not None and self.volts < low else 0
        state.failures = 0 if ok else state.failures + 1
        state.save()
        self.device.stop()
        self.awake = self.clock() - started
        seconds = self.next_cycle()
        self.device.logger.info(
            "wake %d (%s): awake %.2f s, %d command(s), %d error(s); sleeping %d s"
            % (state.cycles, self.reason, self.awake, len(self.handled), len(self.errors), seconds)
        )
        return seconds

    def next_cycle(self) -> float:
        """Seconds to the next wake: the (low-battery) cycle, backed off after failures."""
        settings = self.device.settings
        seconds = settings.get("power.cycle_seconds")
        if self.state.low_battery:
            seconds = max(seconds, settings.get("power.low_battery_cycle_seconds"))
        shift = min(self.state.failures, MAX_BACKOFF_SHIFT)
        return min(seconds * (1 << shift), LONGEST_SLEEP)

    def _wakes_per(self, key) -> int:
        """How many cycles the interval setting ``key`` (seconds) spans, at least 1."""
        settings = self.device.settings
        return max(1, settings.get(key) // settings.get("power.cycle_seconds"))

    def _guard(self, what, fn):
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - one failed part never stops the cycle
            error = "%s: %s: %s" % (what, type(exc).__name__, exc)
            self.errors.append(error)
            self.device.logger.warning("wake: " + error)
            return None

    def _online(self) -> bool:
        device = self.device
        self._guard("start", device.start)
        return device.network is not None and device.network.connected

    def _read_sensors(self) -> dict:
        out = {}
        for name, driver, kind in self.device.registry.parts:
            if kind == "sensor":
                value = self._guard("read " + name, driver.read)
                if value is not None:
                    out[name] = value
        return out

    # ------------------------------------------------------------ Loki

    def _upstream(self, deadline) -> bool:
        link = self.device.loki_link
        ok = self._guard("announce", self._announce_if_changed) is True
        ok = ok and link.state != "offline"
        script = self.device.settings.get("power.report_script")
        if ok and script and self.readings:
            self.report = self._guard(
                "report", lambda: link.loki().run_script(script, self.readings)
            )
            ok = self.report is not None
        if ok:
            ok = self._guard("commands", lambda: self._commands(deadline)) is not None
        return ok

    def _announce_if_changed(self) -> bool:
        device = self.device
        state = self.state
        digest = fnv1a(device.capabilities().encode())
        every = self._wakes_per("capabilities.announce_interval")
        state.announce_age += 1
        if not state.fresh and digest == state.caps_hash and state.announce_age < every:
            return True
        if not device.loki_link.connect():
            self.errors.append("announce: %s" % device.loki_link.error)
            return False
        state.caps_hash = digest
        state.announce_age = 0
        self.announced = True
        return True

    def _commands(self, deadline) -> int:
        from jotunheim.grpc.status import GrpcError, StatusCode
        from jotunheim.power.commands import run_command
        from jotunheim.power.mailbox import MailboxClient

        device = self.device
        settings = device.settings
        limit = MAX_COMMANDS
        timeout = min(5.0, settings.get("network.request_timeout"))
        mailbox = MailboxClient(device.loki_link.loki().grpc, timeout=timeout)
        state = self.state
        results = []
        while len(self.handled) < limit and self.clock() < deadline:
            try:
                pending = mailbox.fetch(device.device_id, state.command_seq, results, limit)
            except GrpcError as exc:
                if exc.code != StatusCode.UNIMPLEMENTED:
                    raise
                return 0  # this Loki has no mailbox: no commands, not a failure
            results = []
            if not pending:
                return len(self.handled)
            for command in pending:
                if len(self.handled) >= limit or self.clock() >= deadline:
                    break
                outcome = run_command(device, command.command, command.parameters)
                results.append((command.seq,) + outcome)
                self.handled.append((command.seq, command.command) + outcome)
                state.command_seq = command.seq
                state.save()  # at most once: never run it again, even if we crash now
        if results:
            mailbox.fetch(device.device_id, state.command_seq, results, 1)
        return len(self.handled)

    def _ota(self, settings) -> None:
        if not settings.get("ota.enabled"):
            return
        if self.state.cycles % self._wakes_per("ota.check_interval") == 0:
            from jotunheim.device import ota_wiring

            self._guard("ota", lambda: ota_wiring.ota_check(self.device, {"install": True}))

    # ------------------------------------------------------------ sleeping

    def alarms(self, seconds: float) -> list:
        """The alarms for the next deep sleep: a TimeAlarm, and a PinAlarm with
        ``power.wake_pin``."""
        alarm = self.alarm
        out = [alarm.time.TimeAlarm(monotonic_time=self.clock() + seconds)]
        pin_name = self.device.settings.get("power.wake_pin")
        if pin_name:
            import board

            pin = getattr(board, pin_name, None)
            if pin is None:
                self.device.logger.error("power.wake_pin: board has no pin %r" % pin_name)
            else:
                out.append(alarm.pin.PinAlarm(pin=pin, value=False, pull=True))
        return out

    def sleep(self, seconds: float) -> None:
        """Deep-sleep ``seconds`` (never returns on a board: the next wake starts
        code.py again); without ``alarm``, ``sleep`` and return."""
        if self.alarm is not None:
            self.alarm.exit_and_deep_sleep_until_alarms(*self.alarms(seconds))
            return
        self.sleep_fn(seconds)

    def run(self, cycles=None) -> None:
        """Wake, work, sleep; again ``cycles`` times (None = for ever, the board's way)."""
        done = 0
        while cycles is None or done < cycles:
            self.sleep(self.wake())
            done += 1
