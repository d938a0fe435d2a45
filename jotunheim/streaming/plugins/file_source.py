# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""``file``: a file's bytes, chunk by chunk (uplink; seekable, so resumes are exact).

Options: ``path`` (required).
"""

KIND = "data"
DIRECTION = "up"
SAMPLE_FORMAT = "raw"
CHUNK_SIZE = 4096
_open_file = open  # the plugin interface's open() below shadows the built-in


class FileSource:
    """:param dict options: ``path``"""

    def __init__(self, options) -> None:
        path = options.get("path")
        if not path:
            raise ValueError("the file plugin needs a path option")
        self.file = _open_file(path, "rb")  # noqa: SIM115 - held for the stream's life
        self.at = 0  # file position

    def read_into(self, view, sequence) -> int:
        """Chunk ``sequence`` (``len(view)`` bytes each); 0 at the end of the file."""
        offset = sequence * len(view)
        if offset != self.at:
            self.file.seek(offset)
        n = self.file.readinto(view) or 0
        self.at = offset + n
        return n

    def seek(self, sequence) -> bool:
        """Chunks are re-read from the file: always True."""
        return sequence >= 0

    def close(self) -> None:
        """Close the file."""
        self.file.close()


def open(options):  # noqa: A001 - the plugin interface's name
    """A :class:`FileSource`."""
    return FileSource(options)
