# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""PluginRegistry: stream plugins by name and module path, imported on first use.

A plugin is a module (or any object) with:

- ``KIND``: ``"audio"``, ``"video"``, ``"sensor"`` or ``"data"``;
- ``DIRECTION``: ``"up"`` (the device produces: ``open()`` returns a source) or ``"down"``
  (the device consumes: ``open()`` returns a sink);
- ``SAMPLE_FORMAT``: e.g. ``"pcm16le/1/8000"``, ``"jpeg"``, ``"raw"``;
- ``open(options)``: a source with ``read_into(view, sequence) -> int`` (0 = the stream
  ended), ``seek(sequence) -> bool`` (False for a live source that cannot go back) and
  ``close()``; or a sink with ``ready() -> bool``, ``write(payload, frame)`` and ``close()``.
- optionally ``CHUNK_SIZE`` and ``RATE`` (chunks per second) defaults.

Registering costs a dict entry: the module is imported the first time a stream uses it
(or :meth:`PluginRegistry.load` is called), so an unused plugin costs no RAM.
"""

from jotunheim.streaming.errors import PluginError

KINDS = ("audio", "video", "sensor", "data")
DIRECTIONS = ("up", "down")
MODULE_NAMES = ("KIND", "DIRECTION", "SAMPLE_FORMAT", "open")
SOURCE_METHODS = ("read_into", "seek", "close")
SINK_METHODS = ("ready", "write", "close")

# The plugins that ship with jotunheim: name -> (module, kind, direction, sample format).
# Their kinds are known without importing them, so listing costs no import.
BUILTIN = (
    ("signal", "jotunheim.streaming.plugins.tone", "sensor", "up", "pcm16le/1/8000"),
    ("adc", "jotunheim.streaming.plugins.adc", "sensor", "up", "u16le/1/1000"),
    ("mic", "jotunheim.streaming.plugins.pdm_mic", "audio", "up", "pcm16le/1/16000"),
    ("file", "jotunheim.streaming.plugins.file_source", "data", "up", "raw"),
    ("file_out", "jotunheim.streaming.plugins.file_sink", "data", "down", "raw"),
    ("speaker", "jotunheim.streaming.plugins.speaker", "audio", "down", "pcm16le/1/8000"),
    ("pixels", "jotunheim.streaming.plugins.pixels", "video", "down", "rgb888"),
)


class PluginRegistry:
    """Stream plugins by name.

    :param bool builtin: start with the plugins that ship with jotunheim (:data:`BUILTIN`)
    """

    def __init__(self, builtin: bool = True) -> None:
        self.entries = {}  # name -> [module path or object, kind, direction, format, loaded]
        if builtin:
            for name, module, kind, direction, fmt in BUILTIN:
                self.entries[name] = [module, kind, direction, fmt, None]

    def register(self, name: str, module, kind=None, direction=None, sample_format=None):
        """Add plugin ``name``: a module path (imported on first use) or a plugin object.
        ``kind``/``direction``/``sample_format`` let :meth:`list` describe it unimported."""
        if not name or not isinstance(name, str):
            raise PluginError("a stream plugin needs a name")
        if module == "":
            raise PluginError("plugin %r: empty module path" % name)
        self.entries[name] = [module, kind, direction, sample_format, None]
        if not isinstance(module, str):
            self.load(name)

    def register_text(self, text: str) -> int:
        """Register ``name=module.path`` pairs separated by commas (the
        ``streaming.plugins`` setting); returns how many."""
        count = 0
        for item in text.split(","):
            item = item.strip()
            if not item:
                continue
            if "=" not in item:
                raise PluginError("streaming.plugins: %r is not name=module.path" % item)
            name, module = item.split("=", 1)
            self.register(name.strip(), module.strip())
            count += 1
        return count

    def names(self) -> list:
        """Registered plugin names, sorted."""
        return sorted(self.entries)

    def loaded(self, name: str) -> bool:
        """True once ``name``'s module has been imported and checked."""
        entry = self.entries.get(name)
        return entry is not None and entry[4] is not None

    def load(self, name: str):
        """The plugin ``name`` (imported and checked on the first call)."""
        entry = self.entries.get(name)
        if entry is None:
            known = ", ".join(self.names()) or "none"
            raise PluginError("no stream plugin %r; registered: %s" % (name, known))
        if entry[4] is None:
            plugin = entry[0]
            if isinstance(plugin, str):
                plugin = _import(name, plugin)
            check_plugin(name, plugin)
            entry[1], entry[2], entry[3] = plugin.KIND, plugin.DIRECTION, plugin.SAMPLE_FORMAT
            entry[4] = plugin
        return entry[4]

    def describe(self, name: str, load: bool = False) -> dict:
        """``{"name", "module", "kind", "direction", "sample_format", "loaded"}``; kinds
        of a plugin registered without them are read by importing it when ``load``."""
        entry = self.entries[name]
        if load and entry[1] is None:
            self.load(name)
        module = entry[0] if isinstance(entry[0], str) else type(entry[0]).__name__
        return {
            "name": name,
            "module": module,
            "kind": entry[1] or "",
            "direction": entry[2] or "",
            "sample_format": entry[3] or "",
            "loaded": entry[4] is not None,
        }

    def list(self, load: bool = True) -> list:
        """Every plugin described (see :meth:`describe`); a plugin that fails to import
        is listed with its ``error`` instead of stopping the listing."""
        out = []
        for name in self.names():
            try:
                out.append(self.describe(name, load))
            except PluginError as exc:
                info = self.describe(name, False)
                info["error"] = str(exc)
                out.append(info)
        return out

    def kinds(self) -> list:
        """The stream kinds of the plugins whose kind is known, sorted."""
        found = []
        for entry in self.entries.values():
            if entry[1] and entry[1] not in found:
                found.append(entry[1])
        found.sort()
        return found


def _import(name, path):
    try:
        module = __import__(path)
    except ImportError as exc:
        raise PluginError("plugin %r: cannot import %s: %s" % (name, path, exc)) from None
    for part in path.split(".")[1:]:  # __import__("a.b") returns a; walk to a.b
        module = getattr(module, part)
    return module


def check_plugin(name, plugin) -> None:
    """Raise :class:`PluginError` naming every missing or wrong part of ``plugin``."""
    missing = [attr for attr in MODULE_NAMES if not hasattr(plugin, attr)]
    if missing:
        raise PluginError(
            "plugin %r does not implement the stream plugin interface: missing %s"
            % (name, ", ".join(missing))
        )
    if plugin.KIND not in KINDS:
        raise PluginError("plugin %r: KIND %r is not one of %s" % (name, plugin.KIND, KINDS))
    if plugin.DIRECTION not in DIRECTIONS:
        raise PluginError(
            "plugin %r: DIRECTION %r is not 'up' or 'down'" % (name, plugin.DIRECTION)
        )


def check_stream(name, direction, obj) -> None:
    """Raise :class:`PluginError` if the source/sink ``obj`` lacks an interface method."""
    wanted = SOURCE_METHODS if direction == "up" else SINK_METHODS
    missing = [m for m in wanted if not callable(getattr(obj, m, None))]
    if missing:
        role = "source" if direction == "up" else "sink"
        raise PluginError(
            "plugin %r: its %s (from open()) is missing %s" % (name, role, ", ".join(missing))
        )
