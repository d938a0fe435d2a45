"""DeviceCapabilityBuilder: what this board is and can do, as ``JotunheimCapabilities``.

::

    builder = DeviceCapabilityBuilder(name="greenhouse", settings=settings)
    caps = builder.build(registry)          # JotunheimCapabilities
    builder.info()                          # board id, versions, memory now, fingerprint

Detected on the board:

- ``device_id``: ``microcontroller.cpu.uid`` as upper-case hex (stable per chip). Without a
  uid (Blinka on a desktop) it is ``HOST-`` + 12 hex digits of SHA-256 over the machine's
  MAC (``uuid.getnode()``) and the board id: stable per machine, and saying it is not a
  microcontroller. ``capabilities.device_id`` in settings (or ``device_id=``) overrides.
- ``device_type``: from ``os.uname().machine`` ("... with ESP32S3" -> ``"ESP32-S3"``,
  "Raspberry Pi Pico W with rp2040" -> ``"RP2040 (Pico W)"``); on CPython
  ``"Blinka (<board id>) on Linux x86_64"``.
- ``firmware_version``: ``"CircuitPython 9.2.1; jotunheim <version>"`` (the interpreter
  and its version, then this library's version).
- pins: every pin object of ``board`` with its number where one can be derived (see
  :mod:`jotunheim.capability.pins`); interfaces: I2C/SPI/UART from the board's pins,
  ADC/PWM/WiFi/BLE from the ``analogio``/``pwmio``/``wifi``/``_bleio`` modules.
- memory: total heap (``gc.mem_free() + gc.mem_alloc()``) gives ``max_memory_kb`` unless
  settings set a lower limit. Free memory changes all the time, so it is reported by
  :meth:`info`, not in the capabilities (whose hash must only change when they do).

From the user and settings (``capabilities``/``resources`` sections, a plain nested dict
or a ``jotunheim.settings`` object): device name, id and type overrides, resource limits,
protocol features.
"""

from jotunheim.capability import PROTOCOL_VERSION

_TYPES = (
    # (upper-case marker in os.uname().machine, device type); first match wins
    ("ESP32S3", "ESP32-S3"),
    ("ESP32S2", "ESP32-S2"),
    ("ESP32C3", "ESP32-C3"),
    ("ESP32C6", "ESP32-C6"),
    ("ESP32", "ESP32"),
    ("RP2350", "RP2350"),
    ("RP2040", "RP2040"),
    ("NRF52840", "nRF52840"),
    ("SAMD51", "SAMD51"),
    ("SAMD21", "SAMD21"),
)
_SETTINGS_DEFAULT_TYPE = "circuitpython"  # jotunheim.settings' default: means "detect"
_SETTINGS_DEFAULT_NAME = "jotunheim"


def device_type_from(machine, implementation="circuitpython", board_id="", sysname=""):
    """Device type for an ``os.uname().machine`` text (see the module docstring)."""
    if implementation == "cpython":
        return "Blinka (%s) on %s %s" % (board_id or "no board", sysname or "?", machine)
    key = machine.upper().replace("-", "").replace("_", "")
    for marker, name in _TYPES:
        if marker in key:
            if marker in ("RP2040", "RP2350") and "PICO" in key:
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


def _get(settings, path, default=None):
    """``path`` ("capabilities.device_name") from a nested dict or a Settings object."""
    if settings is None:
        return default
    if hasattr(settings, "section") and hasattr(settings, "get"):
        value = settings.get(path)
        return default if value is None else value
    node = settings
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return default
        node = node[key]
    return node


def _has_module(name):
    try:
        __import__(name)
        return True
    except ImportError:
        return False


def _hex(data):
    return "".join("%02X" % b for b in data)


class DeviceCapabilityBuilder:
    """Builds ``JotunheimCapabilities`` for this board.

    :param str name: display name (default: ``capabilities.device_name`` from settings)
    :param settings: nested dict or ``jotunheim.settings`` object, or None
    :param str device_id: overrides the detected id
    :param dict limits: ``max_memory_kb``, ``max_cpu_percent``, ``max_concurrent_tools``
    :param dict features: ``streaming``, ``compression``, ``encryption``
    :param list interfaces: replaces interface detection
    :param board: the ``board`` module (default: imported on first use); tests pass fakes
    :param microcontroller: the ``microcontroller`` module (default: imported if present)
    :param has_module: callable(name) -> bool for interface probes (default: try import)
    :param dict platform: replaces what ``sys``/``os`` say (keys ``implementation``,
        ``version``, ``sysname``, ``release``, ``machine``): simulators and tests
    :param total_memory: heap size in bytes, replacing ``gc.mem_free() + gc.mem_alloc()``
    """

    def __init__(
        self,
        name=None,
        settings=None,
        *,
        device_id=None,
        limits=None,
        features=None,
        interfaces=None,
        board=None,
        microcontroller=None,
        has_module=None,
        platform=None,
        total_memory=None,
    ):
        self.settings = settings
        self.platform = platform or {}
        self.total_memory = total_memory
        self.name = name
        self.device_id_override = device_id
        self.limits = limits or {}
        self.features = features or {}
        self.interfaces_override = interfaces
        self._board = board
        self._mcu = microcontroller
        self._has_module = has_module or _has_module
        self._facts = None

    # ------------------------------------------------------------ detection

    def _modules(self):
        if self._board is None:
            import board

            self._board = board
        if self._mcu is None:
            try:
                import microcontroller

                self._mcu = microcontroller
            except ImportError:
                self._mcu = False
        return self._board, (self._mcu or None)

    def detect(self):
        """Facts about the hardware and firmware (cached; :meth:`refresh` re-detects)."""
        if self._facts is None:
            self._facts = self._detect()
        return self._facts

    def refresh(self):
        """Forget detected facts (after an OTA update or a settings change)."""
        self._facts = None

    def _detect(self):
        import os
        import sys

        from jotunheim import __version__ as library_version
        from jotunheim.capability import pins

        board, mcu = self._modules()
        given = self.platform
        implementation = given.get("implementation") or sys.implementation.name
        uname = _uname(os)
        if not uname.get("machine"):
            # MicroPython ports without os.uname() name the machine here.
            uname["machine"] = getattr(sys.implementation, "_machine", "")
        for key in ("sysname", "release", "machine"):
            if key in given:
                uname[key] = given[key]
        version = given.get("version") or ".".join(
            str(p) for p in tuple(sys.implementation.version)[:3]
        )
        board_id = getattr(board, "board_id", "") or ""
        uid = _cpu_uid(mcu)
        if uid:
            detected_id = _hex(uid)
            identity = uid
        else:
            identity = _host_identity()
            detected_id = "HOST-" + _sha256_hex(identity + board_id.encode())[:12].upper()
        pin_list = pins.board_pins(board, mcu)
        total = self.total_memory if self.total_memory is not None else _total_memory()
        return {
            "device_id": detected_id,
            "board_id": board_id,
            "device_type": device_type_from(
                uname.get("machine", ""), implementation, board_id, uname.get("sysname", "")
            ),
            "implementation": implementation,
            "firmware_version": _firmware(implementation, uname, version),
            "library_version": library_version,
            "pins": [(number, name) for number, name, _ in pin_list],
            "interfaces": self._interfaces(board),
            "memory_total": total,
            "fingerprint": _sha256_hex(b"jotunheim-hw:" + identity + board_id.encode())[:32],
        }

    def _interfaces(self, board):
        if self.interfaces_override is not None:
            return list(self.interfaces_override)
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
        for module, label in (("analogio", "ADC"), ("pwmio", "PWM"), ("wifi", "WiFi")):
            if self._has_module(module):
                out.append(label)
        if self._has_module("_bleio"):
            out.append("BLE")
        return out

    # ------------------------------------------------------------ results

    def device_id(self):
        return (
            self.device_id_override
            or _get(self.settings, "capabilities.device_id")
            or self.detect()["device_id"]
        )

    def device_name(self):
        if self.name:
            return self.name
        configured = _get(self.settings, "capabilities.device_name")
        if configured and configured != _SETTINGS_DEFAULT_NAME:
            return configured
        return "jotunheim-" + self.device_id()[-6:].lower()

    def device_type(self):
        configured = _get(self.settings, "capabilities.device_type")
        if configured and configured != _SETTINGS_DEFAULT_TYPE:
            return configured
        return self.detect()["device_type"]

    def fingerprint(self):
        """Hardware fingerprint (chip uid + board id): tells two boards apart even when
        both were configured with the same ``device_id``."""
        return self.detect()["fingerprint"]

    def _limit(self, key, default):
        if key in self.limits:
            return self.limits[key]
        value = _get(self.settings, "resources." + key)
        return default if value is None else value

    def build(self, registry=None):
        """``JotunheimCapabilities`` for the board plus ``registry``'s tools and parts."""
        from jotunheim.pb import jotunheim_capability as cap

        facts = self.detect()
        numbers = sorted({n for n, _ in facts["pins"] if n is not None})
        interfaces = facts["interfaces"]
        hardware = cap.HardwareCapabilities(
            gpio=cap.GpioInfo(
                available_pins=numbers,
                digital=bool(facts["pins"]),
                analog="ADC" in interfaces,
                pwm="PWM" in interfaces,
            ),
            interfaces=list(interfaces),
        )
        tools = []
        if registry is not None:
            tools = registry.to_capability_tools()
            hardware.sensors = registry.part_names("sensor")
            hardware.actuators = registry.part_names("actuator")
        total_kb = (facts["memory_total"] or 0) // 1024
        limit_kb = self._limit("max_memory_kb", 0) or 0
        if total_kb and (not limit_kb or limit_kb > total_kb):
            limit_kb = total_kb
        return cap.JotunheimCapabilities(
            device_id=self.device_id(),
            device_name=self.device_name(),
            device_type=self.device_type(),
            firmware_version=facts["firmware_version"] + "; jotunheim " + facts["library_version"],
            protocol_version=PROTOCOL_VERSION,
            tools=tools,
            hardware=hardware,
            resources=cap.ResourceLimits(
                max_memory_kb=int(limit_kb),
                max_cpu_percent=int(self._limit("max_cpu_percent", 0) or 0),
                max_concurrent_tools=int(self._limit("max_concurrent_tools", 1) or 1),
            ),
            features=cap.ProtocolFeatures(
                streaming=self._feature("streaming", True),
                compression=self._feature("compression", False),
                encryption=self._feature("encryption", False),
            ),
        )

    def _feature(self, key, default):
        if key in self.features:
            return bool(self.features[key])
        return bool(_get(self.settings, "capabilities.features." + key, default))

    def info(self):
        """Facts for status reports: detected values plus free memory right now."""
        from jotunheim import compat

        out = dict(self.detect())
        out["device_id"] = self.device_id()
        out["device_name"] = self.device_name()
        out["memory_free"] = compat.free_memory()
        return out


def _uname(os_module):
    try:
        u = os_module.uname()
    except AttributeError:  # some ports have no uname
        return {}
    return {"sysname": u[0], "release": u[2], "version": u[3], "machine": u[4]}


def _firmware(implementation, uname, version):
    if implementation == "circuitpython":
        # os.uname().release is CircuitPython's own version ("9.2.1"), also for betas.
        return "CircuitPython " + (uname.get("release") or version)
    if implementation == "micropython":
        return "MicroPython " + version
    return "CPython %s (Blinka)" % version


def _cpu_uid(mcu):
    cpu = getattr(mcu, "cpu", None) if mcu is not None else None
    uid = getattr(cpu, "uid", None) if cpu is not None else None
    if not uid:
        return None
    return bytes(uid)


def _host_identity():
    """Bytes that identify a desktop machine (its MAC via uuid.getnode)."""
    try:
        import uuid

        node = uuid.getnode()
    except ImportError:
        return b"unknown-host"
    return ("%012x" % node).encode()


def _total_memory():
    try:
        import gc

        return gc.mem_free() + gc.mem_alloc()
    except (AttributeError, ImportError):
        return None


def _sha256_hex(data):
    import hashlib

    return "".join("%02x" % b for b in hashlib.sha256(data).digest())
