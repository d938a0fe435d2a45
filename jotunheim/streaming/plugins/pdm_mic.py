# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""``mic``: microphone audio from ``audiobusio.PDMIn``, PCM 16-bit LE mono 16 kHz (uplink).

Each chunk is one ``PDMIn.record()`` of ``chunk_size / 2`` samples (16 ms for 512 bytes),
converted from the unsigned samples PDMIn gives to signed PCM. Live: a resumed stream
continues with fresh audio. Boards without PDM (and the host) use ``signal`` instead.

Options: ``clock_pin`` (default ``"MICROPHONE_CLOCK"``), ``data_pin`` (default
``"MICROPHONE_DATA"``), ``sample_rate`` (default 16000).
"""

KIND = "audio"
DIRECTION = "up"
SAMPLE_FORMAT = "pcm16le/1/16000"
CHUNK_SIZE = 512
RATE = 0  # record() paces the stream: each chunk takes its own duration


class MicSource:
    """:param dict options: see the module docstring; ``mic`` may hand in a PDMIn-like
    object"""

    def __init__(self, options) -> None:
        import array

        self.mic = options.get("mic")
        self.owned = self.mic is None
        if self.mic is None:
            self.mic = _pdm_in(options)
        self.samples = array.array("H", [0] * (int(options.get("chunk_size", CHUNK_SIZE)) // 2))

    def read_into(self, view, sequence) -> int:
        """Record ``len(view) // 2`` samples into ``view`` as signed 16-bit LE."""
        count = min(len(view) // 2, len(self.samples))
        samples = self.samples
        self.mic.record(samples, count)
        for k in range(count):
            v = (samples[k] - 32768) & 0xFFFF
            view[2 * k] = v & 0xFF
            view[2 * k + 1] = v >> 8
        return count * 2

    def seek(self, sequence) -> bool:
        """Live audio cannot go back: False."""
        return False

    def close(self) -> None:
        """Release the microphone (when this source made it)."""
        if self.owned and self.mic is not None:
            self.mic.deinit()
        self.mic = None


def _pdm_in(options):
    try:
        import audiobusio
        import board
    except ImportError as exc:
        raise ValueError("mic plugin: this board has no audiobusio (%s)" % exc) from None
    pins = []
    for key, default in (("clock_pin", "MICROPHONE_CLOCK"), ("data_pin", "MICROPHONE_DATA")):
        name = str(options.get(key, default))
        pin = getattr(board, name, None)
        if pin is None:
            raise ValueError("mic plugin: board has no pin %s" % name)
        pins.append(pin)
    rate = int(options.get("sample_rate", 16000))
    return audiobusio.PDMIn(pins[0], pins[1], sample_rate=rate, bit_depth=16)


def open(options):  # noqa: A001 - the plugin interface's name
    """A :class:`MicSource`."""
    return MicSource(options)
