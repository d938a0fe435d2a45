# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Raw GPIO tools: ``gpio_read(pin)`` / ``gpio_write(pin, value)`` for allowed pins only.

::

    gpio = registry.add_provider(GpioTools([5, "D6"]))   # user-only by default
    gpio.allow([5], user_only=False)                     # pin 6 released; models may call
    gpio.allow([])                                       # no GPIO tools

:class:`GpioTools` is a provider (:meth:`ToolRegistry.add_provider`): it owns the allowed
pins and the ``digitalio`` objects it made for them (made on first use, released when a
pin is no longer allowed) and tells the registry when its tools change.
"""

from jotunheim.capability.schema import BOOLEAN, NUMBER, Field, Tool

try:
    from typing import Optional  # noqa: F401  (annotations only)
except ImportError:  # a board: no typing, and no need to load collections
    pass
else:
    from collections.abc import Callable  # noqa: F401


class GpioTools:
    """Provider of the raw GPIO tools.

    :param pins: pin numbers, board pin names (``"D4"``, ``"GP15"``) or pin objects, or a
        dict ``{number: pin}``
    :param bool user_only: only the device owner may call them (the default)
    :param board: the ``board`` module (default: imported when a pin is resolved)
    :param pin_factory: callable(pin) -> a ``digitalio.DigitalInOut``-like object
        (default: ``digitalio.DigitalInOut``)
    """

    kind = "gpio"

    def __init__(
        self,
        pins=(),
        *,
        user_only: bool = True,
        board=None,
        pin_factory: "Optional[Callable]" = None,
    ):
        self._board = board
        self._factory = pin_factory
        self._pins = {}  # pin number -> pin object
        self._io = {}  # pin number -> DigitalInOut made for it
        self._notify = None
        self.user_only = user_only
        self.allow(pins, user_only=user_only)

    def attach(self, notify: "Callable[[str], object]"):
        """Called by the registry: ``notify(reason)`` after every change of the pins."""
        self._notify = notify

    def allow(self, pins, *, user_only: "Optional[bool]" = None):
        """Offer exactly ``pins`` (see the class); pins no longer offered are released.
        An empty list removes the GPIO tools.

        :param pins: as for the constructor
        :param user_only: change whether the tools are user-only (None: keep)
        :raises ValueError: a pin that is not a pin of this board, or has no number
        """
        if isinstance(pins, dict):
            allowed = dict(pins)
        else:
            allowed = {}
            for item in pins:
                number, obj = self._resolve(item)
                allowed[number] = obj
        for number in list(self._io):
            if number not in allowed:
                # Release pins no longer offered, so user code can claim them.
                _release(self._io.pop(number))
        self._pins = allowed
        if user_only is not None:
            self.user_only = user_only
        if self._notify is not None:
            self._notify("gpio_changed")

    def pins(self) -> "list[int]":
        """The allowed pin numbers, sorted."""
        return sorted(self._pins)

    def tools(self) -> list:
        """``gpio_read`` and ``gpio_write`` for the allowed pins (none when no pin is)."""
        if not self._pins:
            return []
        numbers = [str(n) for n in sorted(self._pins)]
        pin = Field("pin", NUMBER, enum=numbers, required=True, description="GPIO pin number")
        level = Field("value", BOOLEAN, required=True, description="Output level")
        return [
            Tool(
                "gpio_read",
                lambda v: bool(self._pin_io(int(v["pin"]), False).value),
                description="Read the level of an allowed GPIO pin",
                params=(pin,),
                return_type=BOOLEAN,
                user_only=self.user_only,
                kind="gpio",
            ),
            Tool(
                "gpio_write",
                lambda v: self._write(int(v["pin"]), v["value"]),
                description="Drive an allowed GPIO pin high (true) or low (false)",
                params=(pin, level),
                return_type=BOOLEAN,
                user_only=self.user_only,
                kind="gpio",
            ),
        ]

    def deinit(self):
        """Release every pin object made so far (the pins stay allowed)."""
        for number in list(self._io):
            _release(self._io.pop(number))

    # ------------------------------------------------------------ pins

    def _pin_io(self, number, output):
        io = self._io.get(number)
        if io is None:
            pin = self._pins[number]
            if self._factory is not None:
                io = self._factory(pin)
            else:
                import digitalio

                io = digitalio.DigitalInOut(pin)
            if not output and hasattr(io, "switch_to_input"):
                io.switch_to_input()
            self._io[number] = io
        if output and hasattr(io, "switch_to_output"):
            io.switch_to_output()
        return io

    def _write(self, number, value):
        self._pin_io(number, True).value = value
        return bool(value)

    def _resolve(self, item):
        from jotunheim.capability import pins

        board = self._board_module()
        mcu = _microcontroller()
        if isinstance(item, int) and not isinstance(item, bool):
            table = pins.numbered_pins(board, mcu)
            if item not in table:
                raise ValueError("pin %d is not a pin of this board" % item)
            return item, table[item][1]
        if isinstance(item, str):
            obj = getattr(board, item, None)
            if obj is None:
                raise ValueError("board has no pin %r" % item)
            item = obj
        for number, _, obj in pins.board_pins(board, mcu):
            if obj is item:
                if number is None:
                    raise ValueError("no pin number known for %r" % item)
                return number, obj
        raise ValueError("%r is not a pin of this board" % (item,))

    def _board_module(self):
        if self._board is None:
            import board

            self._board = board
        return self._board


def _release(io):
    if hasattr(io, "deinit"):
        io.deinit()


def _microcontroller():
    try:
        import microcontroller

        return microcontroller
    except ImportError:
        return None
