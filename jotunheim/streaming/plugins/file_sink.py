# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""``file_out``: a downlink's payloads written to a file, in sequence order.

Options: ``path`` (required; created or truncated when the stream starts).
"""

KIND = "data"
DIRECTION = "down"
SAMPLE_FORMAT = "raw"
CHUNK_SIZE = 4096
_open_file = open  # the plugin interface's open() below shadows the built-in


class FileSink:
    """:param dict options: ``path``"""

    def __init__(self, options) -> None:
        path = options.get("path")
        if not path:
            raise ValueError("the file_out plugin needs a path option")
        self.file = _open_file(path, "wb")  # noqa: SIM115 - held for the stream's life

    def ready(self) -> bool:
        """A file takes data at once: always True."""
        return self.file is not None

    def write(self, payload, frame) -> None:
        """Append ``payload``."""
        self.file.write(payload)

    def close(self) -> None:
        """Flush and close the file."""
        f, self.file = self.file, None
        if f is not None:
            f.close()


def open(options):  # noqa: A001 - the plugin interface's name
    """A :class:`FileSink`."""
    return FileSink(options)
