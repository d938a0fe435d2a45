# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""StreamingHandler: starts, steps, stops and reports a device's streams.

Example (code.py)::

    device.streams.register("mic", "jotunheim.streaming.plugins.pdm_mic")
    device.streams.send_audio_stream("mic", "http://192.168.1.20:8090/kitchen")
    device.run()  # each step sends a few frames; tool calls are served in between
"""

from jotunheim.streaming.budget import StreamBudget
from jotunheim.streaming.connection import Connection
from jotunheim.streaming.errors import PluginError, StreamError
from jotunheim.streaming.registry import PluginRegistry, check_stream
from jotunheim.streaming.stream import options_of

MAX_STREAMS = 4  # a board has few sockets


def attach(device):
    """A StreamingHandler wired to ``device`` (its pool, resource monitor, logger and the
    ``capabilities.stream_plugins`` setting), stepped by its scheduler as ``streams``.

    :param device: a :class:`jotunheim.device.core.Device` (public attributes only)
    """
    from jotunheim.compat import monotonic_ms  # noqa: PLC0415

    pool = device.pool
    if pool is None and device.network is not None:
        from jotunheim.net.session import get_pool  # noqa: PLC0415

        pool = get_pool(device.network.radio)
    handler = StreamingHandler(
        resources=device.resources, pool=pool, clock=monotonic_ms, logger=device.logger
    )
    plugins = device.settings.get("capabilities.stream_plugins")
    if plugins:
        handler.registry.register_text(plugins)
    device.scheduler.every("streams", 0.0, handler.step)
    return handler


class StreamingHandler:
    """The device's streams.

    :param registry: a :class:`jotunheim.streaming.registry.PluginRegistry` (default: the
        built-in plugins)
    :param resources: the device's ResourceMonitor (``device.resources``), or None
    :param pool: socket pool (default: the platform's, via ``jotunheim.net.session``)
    :param ssl_context: SSL context for https URLs (default: the session's)
    :param clock: milliseconds, monotonic
    :param logger: a jotunheim.log logger
    """

    def __init__(
        self, registry=None, resources=None, pool=None, ssl_context=None, clock=None, logger=None
    ):
        self.registry = registry if registry is not None else PluginRegistry()
        self.budget = StreamBudget(resources)
        self.pool = pool
        self.ssl_context = ssl_context
        self.clock = clock
        self.logger = logger
        self.streams = {}  # id -> Uplink / Downlink (finished ones stay for status)

    # ------------------------------------------------------------ plugins

    def register(self, name, module, **kinds):
        """Register a plugin by module path (imported on first use) or object."""
        self.registry.register(name, module, **kinds)

    def plugins(self) -> list:
        """Every registered plugin with its kind, direction and sample format."""
        return self.registry.list()

    def kinds(self) -> list:
        """Stream kinds the registered plugins offer."""
        return self.registry.kinds()

    # ------------------------------------------------------------ starting

    def send_audio_stream(self, plugin, url, stream_id=None, **options):
        """Start an audio uplink from ``plugin`` to ``url``; returns the stream."""
        return self.start(plugin, url, options, stream_id, "up", "audio")

    def send_video_stream(self, plugin, url, stream_id=None, **options):
        """Start a video uplink (e.g. JPEG frames) from ``plugin`` to ``url``."""
        return self.start(plugin, url, options, stream_id, "up", "video")

    def receive_audio_stream(self, plugin, url, stream_id=None, **options):
        """Start an audio downlink from ``url`` into ``plugin`` (e.g. a speaker)."""
        return self.start(plugin, url, options, stream_id, "down", "audio")

    def receive_video_stream(self, plugin, url, stream_id=None, **options):
        """Start a video downlink from ``url`` into ``plugin`` (e.g. LED frames)."""
        return self.start(plugin, url, options, stream_id, "down", "video")

    def send_data_stream(self, plugin, url, stream_id=None, **options):
        """Start an uplink of any kind (sensor samples, raw bytes)."""
        return self.start(plugin, url, options, stream_id, "up")

    def receive_data_stream(self, plugin, url, stream_id=None, **options):
        """Start a downlink of any kind."""
        return self.start(plugin, url, options, stream_id, "down")

    def start(self, plugin, url, options=None, stream_id=None, direction=None, kind=None):
        """Start a stream with ``plugin`` (a registered name or a plugin object).

        :param dict options: stream options (``chunk_size``, ``rate``, ``retry_for``, ...)
            plus the plugin's own (passed to its ``open``)
        :param str stream_id: default: the plugin's name
        :param str direction: ``"up"``/``"down"`` required of the plugin, or None
        :param str kind: stream kind required of the plugin, or None
        """
        name, module = self._plugin(plugin)
        stream_id = stream_id or name
        self._check(name, module, stream_id, direction, kind)
        options = options or {}
        stream_options = options_of(options, module)
        self.budget.require()
        device_side = module.open(options)
        check_stream(name, module.DIRECTION, device_side)
        try:
            stream = self._make(stream_id, name, module, url, stream_options, device_side)
        except BaseException:
            device_side.close()
            raise
        self.streams[stream_id] = stream
        if self.logger is not None:
            self.logger.info("stream %s started: %s %s" % (stream_id, name, url))
        return stream

    def _plugin(self, plugin):
        if isinstance(plugin, str):
            return plugin, self.registry.load(plugin)
        name = getattr(plugin, "NAME", type(plugin).__name__)
        self.registry.register(name, plugin)
        return name, plugin

    def _check(self, name, module, stream_id, direction, kind) -> None:
        if direction is not None and module.DIRECTION != direction:
            raise PluginError("plugin %r streams %s, not %s" % (name, module.DIRECTION, direction))
        if kind is not None and module.KIND != kind:
            raise PluginError("plugin %r is a %s plugin, not %s" % (name, module.KIND, kind))
        old = self.streams.get(stream_id)
        if old is not None and old.active:
            raise StreamError("stream %r is already running; stop it first" % stream_id)
        running = self.running
        if running >= MAX_STREAMS:
            raise StreamError("%d streams are running, the most this device runs" % running)

    def _make(self, stream_id, name, module, url, options, device_side):
        conn = Connection(self.pool, self.ssl_context, "stream:" + stream_id)
        info = (module.KIND, module.DIRECTION, module.SAMPLE_FORMAT)
        if module.DIRECTION == "up":
            from jotunheim.streaming.uplink import Uplink  # noqa: PLC0415

            return Uplink(
                stream_id, name, info, url, options, self.budget, conn, device_side, self.clock
            )
        from jotunheim.streaming.downlink import Downlink  # noqa: PLC0415

        return Downlink(
            stream_id, name, info, url, options, self.budget, conn, device_side, self.clock
        )

    # ------------------------------------------------------------ running

    def step(self) -> bool:
        """One bounded piece of work for every running stream; True if any did work."""
        worked = False
        for stream in list(self.streams.values()):
            if stream.active and stream.step():
                worked = True
                if not stream.active and self.logger is not None:
                    self.logger.info(
                        "stream %s %s %s" % (stream.stream_id, stream.state, stream.error)
                    )
        return worked

    @property
    def running(self) -> int:
        """How many streams are running."""
        return sum(1 for s in self.streams.values() if s.active)

    def stop(self, stream_id=None) -> list:
        """Stop one stream (or all with None); returns the ids stopped."""
        if stream_id is not None and stream_id not in self.streams:
            raise StreamError(
                "no stream %r; known: %s" % (stream_id, ", ".join(sorted(self.streams)) or "none")
            )
        ids = [stream_id] if stream_id is not None else list(self.streams)
        stopped = []
        for sid in ids:
            stream = self.streams[sid]
            if stream.active:
                stream.finish("stopped")
                stopped.append(sid)
        return stopped

    def status(self, stream_id=None):
        """One stream's figures, or ``{"streams": [...], "plugins": [...]}``."""
        if stream_id is not None:
            stream = self.streams.get(stream_id)
            if stream is None:
                raise StreamError("no stream %r" % stream_id)
            return stream.status()
        return {
            "streams": [s.status() for s in self.streams.values()],
            "plugins": self.registry.list(load=False),
        }

    def advertise(self, features) -> None:
        """Fill a ``ProtocolFeatures`` message with this device's stream kinds and plugins."""
        from jotunheim.pb import jotunheim_capability as cap  # noqa: PLC0415

        features.stream_kinds = self.kinds()
        features.stream_plugins = [
            cap.StreamPluginInfo(
                name=p["name"],
                kind=p["kind"],
                direction=p["direction"],
                sample_format=p["sample_format"],
            )
            for p in self.registry.list(load=False)
        ]
        features.stream_transport = "jotunheim-stream/1"
