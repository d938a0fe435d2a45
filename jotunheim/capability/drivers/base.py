# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The adapter interface by the name the docs gave it first: :class:`Sensor`,
:class:`Actuator`, :class:`DriverError` and the pin parts' fields are defined in
:mod:`jotunheim.capability.drivers` (the package, loaded with any driver module); this
module names the same objects, for drivers written against it. The library imports them
from the package.
"""

from jotunheim.capability.drivers import (  # noqa: F401 - the same objects, by their old name
    BRIGHTNESS,
    DUTY_MAX,
    PRESSED,
    SWITCH,
    Actuator,
    DriverError,
    Sensor,
)
