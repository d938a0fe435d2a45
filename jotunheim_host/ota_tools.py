# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Host side of OTA: Ed25519 keys, building and signing update folders, serving them
over HTTP with Range support (CPython only; signing uses the ``cryptography`` package)."""

import hashlib
import http.server
import json
import os
import pathlib
import shutil
import socket
import threading
import time

from jotunheim.ota.manifest import FORMAT_VERSION, key_id
from jotunheim.ota.paths import check_boot_file, check_path

SKIP_NAMES = {"__pycache__", ".ota", ".git", ".DS_Store"}


# ---------------------------------------------------------------------- keys
def generate_key(out_path):
    """Write an Ed25519 private key (PKCS#8 PEM) and ``<out>.pub`` (raw key, hex)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    out = pathlib.Path(out_path)
    if out.parent != pathlib.Path(""):
        out.parent.mkdir(parents=True, exist_ok=True)  # keys/release.pem: keys/ may be new
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    pub = raw_public_key(key)
    pathlib.Path(str(out) + ".pub").write_text(pub.hex() + "\n")
    return pub


def raw_public_key(private_key):
    from cryptography.hazmat.primitives import serialization

    return private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def load_private_key(path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = serialization.load_pem_private_key(pathlib.Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("%s is not an Ed25519 private key" % path)
    return key


def load_public_key(path):
    """Raw 32-byte public key from the hex string ``ota keygen`` prints, a .pub file (hex),
    a raw file, or a PEM key.

    :param path: a file, or the key itself as 64 hex digits
    :raises ValueError: neither an existing file nor a 64-hex-digit key
    """
    source = str(path)
    if not os.path.exists(source):
        text = source.strip()
        if len(text) == 64:
            try:
                return bytes.fromhex(text)
            except ValueError:
                pass
        raise ValueError(
            "%r is neither a key file nor a public key of 64 hex digits (as `jotunheim ota"
            " keygen` prints it)" % source
        )
    data = pathlib.Path(source).read_bytes()
    text = data.strip()
    if len(text) == 64:
        try:
            return bytes.fromhex(text.decode())
        except ValueError:
            pass
    if len(data) == 32:
        return data
    from cryptography.hazmat.primitives import serialization

    if b"PRIVATE KEY" in data:
        return raw_public_key(serialization.load_pem_private_key(data, password=None))
    pub = serialization.load_pem_public_key(data)
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


# --------------------------------------------------------------------- build
def source_files(src):
    """Relative POSIX paths of the files to ship from ``src`` (sorted)."""
    src = pathlib.Path(src)
    out = []
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if any(part in SKIP_NAMES for part in rel.parts) or not path.is_file():
            continue
        out.append(rel.as_posix())
    return out


def build_manifest(
    src,
    version,
    key_id_hex,
    package,
    version_name=None,
    boards=("*",),
    min_circuitpython="9.0.0",
    expires=None,
    allow_downgrade=False,
    boot_py=False,
):
    """The manifest dict for the files of ``src``; refuses (OTAError) a path the device
    would refuse, so a bad release fails here and not on every board.

    :param bool boot_py: declare that the update carries ``boot.py`` (devices install it
        only if their ``ota.allow_boot_py`` setting is on)
    """
    files = []
    for rel in source_files(src):
        check_path(rel)
        check_boot_file(rel, boot_py, True)
        data = (pathlib.Path(src) / rel).read_bytes()
        files.append({"path": rel, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    doc = {
        "format": FORMAT_VERSION,
        "package": package,
        "version": int(version),
        "version_name": version_name or str(version),
        "boards": list(boards),
        "min_circuitpython": min_circuitpython,
        "expires": int(expires if expires is not None else time.time() + 365 * 86400),
        "key_id": key_id_hex,
        "allow_downgrade": bool(allow_downgrade),
        "files": files,
    }
    if boot_py:
        doc["boot_py"] = True  # absent otherwise: manifests stay what older devices read
    return doc


def sign_manifest(private_key, doc):
    """(manifest bytes, signature hex line) for a manifest dict."""
    raw = (json.dumps(doc, indent=1, sort_keys=True) + "\n").encode()
    return raw, (private_key.sign(raw).hex() + "\n").encode()


def build(src, out, version, key_path, package="app", **options):
    """Write ``out/manifest.json``, ``out/manifest.json.sig`` and ``out/files/...``."""
    key = load_private_key(key_path)
    doc = build_manifest(src, version, key_id(raw_public_key(key)), package, **options)
    raw, sig = sign_manifest(key, doc)
    out = pathlib.Path(out)
    if (out / "files").exists():
        shutil.rmtree(out / "files")
    for entry in doc["files"]:
        dst = out / "files" / entry["path"]
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pathlib.Path(src) / entry["path"], dst)
    (out / "manifest.json").write_bytes(raw)
    (out / "manifest.json.sig").write_bytes(sig)
    return doc


# --------------------------------------------------------------------- serve
class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with ``Range: bytes=a-b`` support (206 / 416), HTTP/1.1 keep-alive.

    ``drop_after`` (class attribute, bytes) makes the handler cut each response body
    short and close the socket: used by tests to simulate a lost connection.
    """

    protocol_version = "HTTP/1.1"
    drop_after = None
    ignore_range = False

    def setup(self):
        super().setup()
        # Headers and body go out in separate writes: without NODELAY, Nagle + the
        # client's delayed ACK add ~40 ms to every response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):
        if getattr(self.server, "verbose", False):
            super().log_message(fmt, *args)

    def do_GET(self):
        self._serve(body=True)

    def do_HEAD(self):
        self._serve(body=False)

    def _serve(self, body):
        path = self.translate_path(self.path)
        if not os.path.isfile(path):
            self.send_error(404, "not found")
            return
        size = os.path.getsize(path)
        start, end = 0, size - 1
        status = 200
        header = self.headers.get("Range")
        if header and not self.ignore_range:
            try:
                unit, spec = header.split("=", 1)
                first, last = spec.split("-", 1)
                if unit.strip() != "bytes" or "," in spec:
                    raise ValueError
                start = int(first) if first else max(0, size - int(last))
                end = int(last) if first and last else size - 1
            except ValueError:
                self.send_error(400, "bad Range")
                return
            if start >= size or start > end:
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % size)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            end = min(end, size - 1)
            status = 206
        length = end - start + 1
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, size))
        self.end_headers()
        if not body:
            return
        limit = self.drop_after
        with open(path, "rb") as f:
            f.seek(start)
            left = length
            sent = 0
            while left:
                chunk = f.read(min(16384, left))
                if not chunk:
                    break
                if limit is not None and sent + len(chunk) > limit:
                    self.wfile.write(chunk[: max(0, limit - sent)])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(chunk)
                sent += len(chunk)
                left -= len(chunk)


class OTAServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # a device that lost power or its link mid-download: not our error
        super().handle_error(request, client_address)


def make_server(directory, host="127.0.0.1", port=0, handler=RangeHandler):
    """A threaded Range-capable server for ``directory`` (port 0 = pick a free one)."""
    directory = str(directory)

    class Bound(handler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=directory, **kwargs)

    return OTAServer((host, port), Bound)


def serve_in_thread(directory, host="127.0.0.1", port=0, handler=RangeHandler):
    server = make_server(directory, host, port, handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server
