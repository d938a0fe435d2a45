# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Battery operation: the power profiles (``power.profile`` in settings).

- ``always-on`` (default): the Device loop as it always was;
- ``light-sleep``: between scheduler ticks the board sleeps until the next task is due
  (``alarm.light_sleep_until_alarms`` where the port has ``alarm``, else ``time.sleep``);
- ``deep-sleep``: a duty cycle. Each wake does the due work (sensors, report to Loki,
  pending commands, OTA now and then) and deep-sleeps until a timer or a pin wakes it;
  what must survive lives compactly in ``alarm.sleep_memory``.

The Device imports this package only when the profile is not ``always-on``.
See docs/power.md for the energy budget.
"""

ALWAYS_ON = "always-on"
LIGHT_SLEEP = "light-sleep"
DEEP_SLEEP = "deep-sleep"
