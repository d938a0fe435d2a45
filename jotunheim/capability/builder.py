# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
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

# The Jotunheim capability protocol this builder writes (JotunheimCapabilities'
# protocol_version).
PROTOCOL_VERSION = "1.0"

try:
    from typing import Optional  # noqa: F401  (annotations only)
except ImportError:
    pass


def _get(settings, path, default=None):
    """``path`` ("capabilities.device_name") from a nested dict or a Settings object."""
    if settings is None:
        return default
    if hasattr(settings, "section") and hasattr(settings, "get"):
        value = settings.get(path)
        return default if value is None else value
    for key in path.split("."):
        if not isinstance(settings, dict) or key not in settings:
            return default
        settings = settings[key]
    return settings


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
        self.name = name
        self.device_id_override = device_id
        self.limits = limits or {}
        self.features = features or {}
        # What detect() is handed (fakes in tests and simulators; None: the real ones).
        self.given = {
            "board": board,
            "microcontroller": microcontroller,
            "platform": platform or {},
            "total_memory": total_memory,
            "interfaces": interfaces,
            "has_module": has_module,
        }
        self._facts = None
        self._id = None  # the detected id, once known
        # A jotunheim.resources.memory.MemoryMonitor (the Device hands its own): with it,
        # max_memory_kb is the heap tools can have, above the exhaustion line.
        self.memory = None

    # ------------------------------------------------------------ detection

    def detect(self) -> dict:
        """Facts about the hardware and firmware (cached; :meth:`refresh` re-detects).
        See :func:`jotunheim.capability.detect.detect` for the keys."""
        if self._facts is None:
            # Runs once per boot (and after refresh()): its code loads on first use.
            from jotunheim.capability.detect import detect

            self._facts = detect(**self.given)
        return self._facts

    def refresh(self):
        """Forget detected facts (after an OTA update or a settings change)."""
        self._facts = None
        self._id = None

    # ------------------------------------------------------------ results

    def device_id(self) -> str:
        """The configured id (``device_id=``, ``capabilities.device_id``) or the detected
        one."""
        configured = self.device_id_override or _get(self.settings, "capabilities.device_id")
        if configured:
            return configured
        if self._id is None:
            # The id alone needs no pin or interface detection (jotunheim.capability.identity).
            from jotunheim.capability import identity

            given = self.given
            self._id = identity.identity(given["board"], given["microcontroller"])[0]
        return self._id

    def device_name(self) -> str:
        """The given name, ``capabilities.device_name``, or ``jotunheim-`` + the end of
        the device id."""
        if self.name:
            return self.name
        configured = _get(self.settings, "capabilities.device_name")
        if configured and configured != "jotunheim":  # the settings' default: "make one"
            return configured
        return "jotunheim-" + self.device_id()[-6:].lower()

    def device_type(self) -> str:
        """``capabilities.device_type`` when set, else the detected type."""
        configured = _get(self.settings, "capabilities.device_type")
        if configured and configured != "circuitpython":  # the settings' default: "detect"
            return configured
        return self.detect()["device_type"]

    def fingerprint(self) -> str:
        """Hardware fingerprint (chip uid + board id): tells two boards apart even when
        both were configured with the same ``device_id``."""
        return self.detect()["fingerprint"]

    def build(self, registry=None):
        """``JotunheimCapabilities`` for the board plus ``registry``'s tools and parts.

        :param registry: a :class:`~jotunheim.capability.registry.ToolRegistry`, or None
        """
        from jotunheim.pb import jotunheim_capability as cap

        facts = self.detect()
        interfaces = facts["interfaces"]
        hardware = cap.HardwareCapabilities(
            gpio=cap.GpioInfo(
                available_pins=sorted({n for n, _ in facts["pins"] if n is not None}),
                digital=bool(facts["pins"]),
                analog="ADC" in interfaces,
                pwm="PWM" in interfaces,
            ),
            interfaces=list(interfaces),
        )
        tools = []
        if registry is not None:
            from jotunheim.capability.export import capability_tools

            tools = capability_tools(registry.tools())
            # Part kinds, one per instance ("DHT22"; "Custom" for parts naming none).
            for _, driver, kind in registry.parts:
                part = getattr(driver, "part", None) or "Custom"
                (hardware.sensors if kind == "sensor" else hardware.actuators).append(part)
        size = (facts["memory_total"] or 0) // 1024
        memory = self.memory
        if memory is not None:  # the heap the device really has, less its reserve
            size = max(0, memory.free() + memory.used() - memory.line(memory.exhausted)) // 1024
        # User arguments win over settings; defaults: no memory or CPU limit, one tool at once.
        limits = {}
        for key, value in (
            ("max_memory_kb", 0),
            ("max_cpu_percent", 0),
            ("max_concurrent_tools", 1),
        ):
            limits[key] = int(
                self.limits.get(key, _get(self.settings, "resources." + key)) or value
            )
        if size and (not limits["max_memory_kb"] or limits["max_memory_kb"] > size):
            limits["max_memory_kb"] = size  # never more than the heap
        features = {}
        for key, value in (("streaming", True), ("compression", False), ("encryption", False)):
            value = _get(self.settings, "capabilities.features." + key, value)
            features[key] = bool(self.features.get(key, value))
        return cap.JotunheimCapabilities(
            device_id=self.device_id(),
            device_name=self.device_name(),
            device_type=self.device_type(),
            firmware_version=facts["firmware_version"] + "; jotunheim " + facts["library_version"],
            protocol_version=PROTOCOL_VERSION,
            tools=tools,
            hardware=hardware,
            resources=cap.ResourceLimits(**limits),
            features=cap.ProtocolFeatures(**features),
        )

    def info(self) -> dict:
        """Facts for status reports: detected values plus free memory right now."""
        from jotunheim import compat

        out = dict(self.detect())
        out["device_id"] = self.device_id()
        out["device_name"] = self.device_name()
        out["memory_free"] = compat.free_memory()
        return out
