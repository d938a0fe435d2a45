# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""``speaker``: a downlink of PCM 16-bit LE mono audio played on ``audiopwmio`` or ``audioio``.

Each frame's samples become one ``audiocore.RawSample`` played to its end; the sink is
ready for the next frame once the previous one finished, so playback paces the stream.
Where neither audio module exists (the host, ``simulate=True``) playback is simulated on
the clock: the sink is busy for the frame's duration and counts what it "played".

Options: ``pin`` (default ``"A0"``), ``sample_rate`` (default 8000), ``simulate``.
"""

from jotunheim.compat import IS_CPYTHON, monotonic_ms

KIND = "audio"
DIRECTION = "down"
SAMPLE_FORMAT = "pcm16le/1/8000"
CHUNK_SIZE = 512


class Speaker:
    """:param dict options: see the module docstring"""

    def __init__(self, options) -> None:
        self.sample_rate = int(options.get("sample_rate", 8000))
        self.out = None
        self.samples = None
        self.busy_until = 0
        self.played = 0  # samples played (or simulated)
        self.peak = 0
        simulate = bool(options.get("simulate", False))
        if not simulate:
            try:
                self.out = _audio_out(str(options.get("pin", "A0")))
            except (ImportError, ValueError, RuntimeError, NotImplementedError) as exc:
                if not IS_CPYTHON:  # on a board a missing output is an error; the host simulates
                    raise ValueError("speaker plugin: no audio output: %s" % exc) from None
        if self.out is not None:
            import array

            self.samples = array.array("h", [0] * (int(options.get("chunk_size", CHUNK_SIZE)) // 2))

    @property
    def simulated(self) -> bool:
        """True when playback is simulated."""
        return self.out is None

    def ready(self) -> bool:
        """True once the previous frame has been played."""
        if self.out is not None:
            return not self.out.playing
        return monotonic_ms() >= self.busy_until

    def write(self, payload, frame) -> None:
        """Play ``payload`` (signed 16-bit little-endian samples)."""
        count = len(payload) // 2
        peak = 0
        for k in range(count):
            v = payload[2 * k] | (payload[2 * k + 1] << 8)
            if v >= 32768:
                v -= 65536
            if self.samples is not None and k < len(self.samples):
                self.samples[k] = v
            peak = max(peak, v if v >= 0 else -v)
        self.peak = peak
        self.played += count
        if self.out is not None:
            import audiocore

            sample = audiocore.RawSample(self.samples, sample_rate=self.sample_rate)
            self.out.play(sample)
            return
        now = monotonic_ms()
        self.busy_until = max(now, self.busy_until) + count * 1000 // self.sample_rate

    def close(self) -> None:
        """Stop playback and release the pin."""
        if self.out is not None:
            self.out.stop()
            self.out.deinit()
            self.out = None


def _audio_out(pin_name):
    import board

    try:
        from audiopwmio import PWMAudioOut as AudioOut
    except ImportError:
        from audioio import AudioOut
    pin = getattr(board, pin_name, None)
    if pin is None:
        raise ValueError("speaker plugin: board has no pin %s" % pin_name)
    return AudioOut(pin)


def open(options):  # noqa: A001 - the plugin interface's name
    """A :class:`Speaker` sink."""
    return Speaker(options)
