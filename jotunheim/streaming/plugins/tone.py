# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""``signal`` (module ``tone``): a generated tone as PCM 16-bit little-endian mono samples (uplink).

Runs anywhere (it is how the host simulates a sensor or a microphone). The samples depend
only on their index, so the source is seekable and a resumed stream is bit-exact.

Options: ``frequency`` (Hz, default 440), ``amplitude`` (0..32767, default 12000),
``sample_rate`` (default 8000), ``frames`` (how many chunks, 0 = endless; default 0).
"""

KIND = "sensor"
DIRECTION = "up"
SAMPLE_FORMAT = "pcm16le/1/8000"
CHUNK_SIZE = 512
RATE = 0  # as fast as the receiver takes; give rate=N for N chunks per second
TABLE_SIZE = 256


class Tone:
    """:param dict options: see the module docstring"""

    def __init__(self, options) -> None:
        import math

        self.frequency = int(options.get("frequency", 440))
        self.sample_rate = int(options.get("sample_rate", 8000))
        amplitude = int(options.get("amplitude", 12000))
        if not 0 < self.frequency < self.sample_rate // 2:
            raise ValueError("frequency must be 1..%d Hz" % (self.sample_rate // 2 - 1))
        if not 0 <= amplitude <= 32767:
            raise ValueError("amplitude must be 0..32767")
        self.frames = int(options.get("frames", 0))
        self.table = [
            int(amplitude * math.sin(2 * math.pi * k / TABLE_SIZE)) for k in range(TABLE_SIZE)
        ]

    def read_into(self, view, sequence) -> int:
        """Fill ``view`` with the samples of chunk ``sequence``; 0 after ``frames`` chunks."""
        if self.frames and sequence >= self.frames:
            return 0
        count = len(view) // 2
        first = sequence * count
        table = self.table
        step = self.frequency * TABLE_SIZE
        rate = self.sample_rate
        for k in range(count):
            v = table[((first + k) * step // rate) % TABLE_SIZE] & 0xFFFF
            view[2 * k] = v & 0xFF
            view[2 * k + 1] = v >> 8
        return count * 2

    def seek(self, sequence) -> bool:
        """Any chunk can be made again: always True."""
        return sequence >= 0

    def close(self) -> None:
        """Nothing is held."""
        self.table = []


def open(options):  # noqa: A001 - the plugin interface's name
    """A :class:`Tone` source."""
    return Tone(options)
