# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Static files for OTA updates, as a WSGI app (mounted at ``/ota/`` by the server).

Supports ``GET`` and ``HEAD``, a single ``Range: bytes=…`` (``a-b``, ``a-``, ``-n``) with
``206``/``416`` answers so a device can resume an interrupted download, ``ETag`` and
``If-None-Match``. Paths are resolved with ``realpath`` and must stay inside the folder.
A request for a folder answers its file list as JSON (names, sizes), for tools.
"""

import json
import mimetypes
import os
import re
from urllib.parse import unquote

BLOCK = 64 * 1024
_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


# Any byte position past this is past every file: no need to read more digits (and
# Python refuses int() of more than 4300 digits, which answered HTTP 500 here).
_MAX_DIGITS = 18
_BEYOND = 10**_MAX_DIGITS


def _position(digits: str) -> int:
    digits = digits.lstrip("0") or "0"
    return _BEYOND if len(digits) > _MAX_DIGITS else int(digits)


def parse_range(header: str, size: int):
    """(start, end) inclusive for a single byte range, None to send everything,
    or "unsatisfiable". Multi-range requests are answered whole (allowed by RFC 9110)."""
    match = _RANGE_RE.match(header.strip().replace(" ", ""))
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix: the last N bytes
        length = _position(last)
        if length == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - length), size - 1
    start = _position(first)
    end = _position(last) if last else size - 1
    if start >= size or end < start:
        return "unsatisfiable"
    return start, min(end, size - 1)


class OtaFiles:
    """Serve ``root`` read-only under ``mount`` (default ``/ota``)."""

    def __init__(self, root: str, mount: str = "/ota"):
        self.root = os.path.realpath(root)
        self.mount = mount.rstrip("/")
        if not os.path.isdir(self.root):
            raise ValueError(f"OTA folder {root!r} does not exist")

    def handles(self, path: str) -> bool:
        return path == self.mount or path.startswith(self.mount + "/")

    def _simple(self, start_response, status, text, extra=()):
        body = text.encode("utf-8")
        headers = [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
        ]
        start_response(status, headers + list(extra))
        return [body]

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            return self._simple(
                start_response,
                "405 Method Not Allowed",
                "GET or HEAD only\n",
                [("Allow", "GET, HEAD")],
            )
        rel = unquote(environ.get("PATH_INFO", "")[len(self.mount) :]).lstrip("/")
        if "\x00" in rel:
            return self._simple(start_response, "400 Bad Request", "bad path\n")
        real = os.path.realpath(os.path.join(self.root, rel))
        if os.path.commonpath([real, self.root]) != self.root:
            return self._simple(start_response, "404 Not Found", "not found\n")
        if os.path.isdir(real):
            return self._listing(real, method, start_response)
        if not os.path.isfile(real):
            return self._simple(start_response, "404 Not Found", "not found\n")
        return self._file(real, environ, method, start_response)

    def _listing(self, folder, method, start_response):
        entries = []
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                entries.append({"name": name, "size": os.path.getsize(path)})
            elif os.path.isdir(path):
                entries.append({"name": name + "/"})
        body = json.dumps({"files": entries}).encode("utf-8")
        start_response(
            "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        )
        return [] if method == "HEAD" else [body]

    def _file(self, path, environ, method, start_response):
        stat = os.stat(path)
        size = stat.st_size
        etag = f'"{stat.st_mtime_ns:x}-{size:x}"'
        headers = [
            ("Content-Type", mimetypes.guess_type(path)[0] or "application/octet-stream"),
            ("Accept-Ranges", "bytes"),
            ("ETag", etag),
        ]
        if environ.get("HTTP_IF_NONE_MATCH", "") == etag:
            start_response("304 Not Modified", headers)
            return []
        wanted = None
        if "HTTP_RANGE" in environ:
            if_range = environ.get("HTTP_IF_RANGE")
            if not if_range or if_range == etag:  # a changed file is sent whole
                wanted = parse_range(environ["HTTP_RANGE"], size)
        if wanted == "unsatisfiable":
            headers.append(("Content-Range", f"bytes */{size}"))
            return self._simple(
                start_response, "416 Range Not Satisfiable", "range not satisfiable\n", headers[1:]
            )
        if wanted is None:
            start, end, status = 0, size - 1, "200 OK"
        else:
            start, end = wanted
            status = "206 Partial Content"
            headers.append(("Content-Range", f"bytes {start}-{end}/{size}"))
        length = max(0, end - start + 1)
        headers.append(("Content-Length", str(length)))
        start_response(status, headers)
        if method == "HEAD" or length == 0:
            return []
        return _read_blocks(path, start, length)


def _read_blocks(path, start, length):
    with open(path, "rb") as handle:
        handle.seek(start)
        left = length
        while left > 0:
            block = handle.read(min(BLOCK, left))
            if not block:
                break  # file shrank under us; the short body tells the client
            left -= len(block)
            yield block
