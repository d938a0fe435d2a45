# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""What a board is: chip id, type, firmware, pins, interfaces, memory.

:meth:`DeviceCapabilityBuilder.detect` runs :func:`detect` once per boot and caches the
result, so this module is imported on first use. Everything it reads can be handed in
(fake ``board``/``microcontroller`` modules, platform facts) for simulators and tests.
"""

try:
    from typing import Optional  # noqa: F401  (annotations only)
except ImportError:  # a board: no typing, and no need to load collections
    pass
else:
    from collections.abc import Callable  # noqa: F401

# "marker=device type" (the marker upper case, as in os.uname().machine); first match
# wins. One string, split when a type is looked up (once per boot).
_TYPES = (
    "ESP32S3=ESP32-S3 ESP32S2=ESP32-S2 ESP32C3=ESP32-C3 ESP32C6=ESP32-C6 ESP32=ESP32 "
    "RP2350=RP2350 RP2040=RP2040 NRF52840=nRF52840 SAMD51=SAMD51 SAMD21=SAMD21"
)


def device_type_from(
    machine: str, implementation: str = "circuitpython", board_id: str = "", sysname: str = ""
) -> str:
    """Device type for an ``os.uname().machine`` text.

    :param str machine: ``os.uname().machine`` (``"Adafruit Feather ESP32S3 with ESP32S3"``)
    :param str implementation: ``sys.implementation.name``
    :param str board_id: ``board.board_id`` (named on CPython and MicroPython)
    :param str sysname: ``os.uname().sysname`` (named on CPython)

    Example::

        device_type_from("Raspberry Pi Pico W with rp2040")   # -> "RP2040 (Pico W)"
    """
    if implementation == "cpython":
        return "Blinka (%s) on %s %s" % (board_id or "no board", sysname or "?", machine)
    key = machine.upper().replace("-", "").replace("_", "")
    for name in _TYPES.split():
        marker, name = name.split("=")
        if marker in key:
            if marker.startswith("RP") and "PICO" in key:  # RP2040, RP2350
                words = key.split()
                at = words.index("PICO") + 1 if "PICO" in words else len(words)
                model = "Pico"
                if words[at : at + 1] == ["2"]:
                    model = "Pico 2"
                    at += 1
                if words[at : at + 1] == ["W"]:
                    model += " W"
                return "%s (%s)" % (name, model)
            return name
    if implementation == "micropython":
        return "MicroPython (%s) on %s" % (board_id or "no board", machine or "?")
    return machine or "unknown"


def _has_module(name):
    try:
        __import__(name)
        return True
    except Exception:  # noqa: BLE001 - ImportError, or Blinka's NotImplementedError on a host it does not know
        return False


def detect(
    *,
    board=None,
    microcontroller=None,
    platform: "Optional[dict]" = None,
    total_memory: "Optional[int]" = None,
    interfaces: "Optional[list]" = None,
    has_module: "Optional[Callable[[str], bool]]" = None,
) -> dict:
    """Facts about this board: ``device_id``, ``board_id``, ``device_type``,
    ``implementation``, ``firmware_version``, ``library_version``, ``pins`` (``[(number
    or None, name)]``), ``interfaces``, ``memory_total`` and ``fingerprint``.

    :param board: the ``board`` module (default: imported)
    :param microcontroller: the ``microcontroller`` module (default: imported if present)
    :param dict platform: replaces what ``sys``/``os`` say (keys ``implementation``,
        ``version``, ``sysname``, ``release``, ``machine``)
    :param int total_memory: heap size in bytes (default: ``gc.mem_free() + gc.mem_alloc()``)
    :param list interfaces: replaces interface detection
    :param has_module: callable(name) -> bool for interface probes (default: try import)
    """
    import hashlib
    import os
    import sys
    from binascii import hexlify

    from jotunheim.capability import identity, pins

    if board is None:
        import board
    if microcontroller is None:
        try:
            import microcontroller
        except ImportError:  # a port without one
            pass
    given = platform or {}
    implementation = given.get("implementation") or sys.implementation.name
    try:
        uname = os.uname()
        uname = {"sysname": uname[0], "release": uname[2], "machine": uname[4]}
    except AttributeError:  # some ports have no uname
        uname = {}
    if not uname.get("machine"):
        # MicroPython ports without os.uname() name the machine here.
        uname["machine"] = getattr(sys.implementation, "_machine", "")
    for key in ("sysname", "release", "machine"):
        if key in given:
            uname[key] = given[key]
    version = given.get("version") or ".".join(
        str(p) for p in tuple(sys.implementation.version)[:3]
    )
    if implementation == "circuitpython":
        # os.uname().release is CircuitPython's own version ("9.2.1"), also for betas.
        firmware = "CircuitPython " + (uname.get("release") or version)
    elif implementation == "micropython":
        firmware = "MicroPython " + version
    else:
        firmware = "CPython %s (Blinka)" % version
    board_id = getattr(board, "board_id", "") or ""
    device_id, key = identity.identity(board, microcontroller)
    if total_memory is None:
        try:
            import gc

            total_memory = gc.mem_free() + gc.mem_alloc()
        except (AttributeError, ImportError):
            pass
    return {
        "device_id": device_id,
        "board_id": board_id,
        "device_type": device_type_from(
            uname.get("machine", ""), implementation, board_id, uname.get("sysname", "")
        ),
        "implementation": implementation,
        "firmware_version": firmware,
        # The release version lives in one place, jotunheim/__init__.py. That package is
        # always loaded before any of its modules; importing it by name here would close an
        # import loop through its lazy Device attribute, so read the loaded module.
        "library_version": sys.modules["jotunheim"].__version__,
        "pins": [(number, name) for number, name, _ in pins.board_pins(board, microcontroller)],
        "interfaces": _interfaces(board, interfaces, has_module or _has_module),
        "memory_total": total_memory,
        "fingerprint": hexlify(
            hashlib.sha256(b"jotunheim-hw:" + key + board_id.encode()).digest()[:16]
        ).decode(),
    }


def _interfaces(board, given, has_module):
    if given is not None:
        return list(given)
    names = dir(board)

    def has(*wanted):
        return all(n in names for n in wanted)

    out = []
    if has("I2C") or has("SDA", "SCL"):
        out.append("I2C")
    if has("SPI") or has("SCK", "MOSI") or has("SCK", "MISO"):
        out.append("SPI")
    if has("UART") or has("TX", "RX") or has("UART_TX", "UART_RX"):
        out.append("UART")
    for module, label in (
        ("analogio", "ADC"),
        ("pwmio", "PWM"),
        ("wifi", "WiFi"),
        ("_bleio", "BLE"),
    ):
        if has_module(module):
            out.append(label)
    return out
