# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Loki's children and the real checks behind ``GetChildrenStatus``.

* **Fenrir** (hardware tasks) needs hardware: a device that answered ``device.call``
  recently, or serial/GPIO character devices on this host.
* **Jörmungandr** (network tasks) needs networking: a loopback socket can be bound,
  ``localhost`` resolves, and the devices scripts talked to still accept TCP.
* **Hel** (data/storage) needs the scripts folder writable and free disk space.
"""

import glob
import os
import shutil
import socket
import threading
import time

CHILDREN = (
    ("Fenrir", "hardware tasks: device tools, serial and GPIO"),
    ("Jörmungandr", "network tasks: device reachability, loopback and name resolution"),
    ("Hel", "data and storage: the scripts folder and its disk"),
)
DEVICE_FRESH_SECONDS = 300
MIN_FREE_BYTES = 1024 * 1024
PROBE_TIMEOUT = 0.3
MAX_PROBED_DEVICES = 5
HARDWARE_GLOBS = ("/dev/ttyUSB*", "/dev/ttyACM*", "/dev/serial/by-id/*", "/dev/gpiochip*")


class DeviceBook:
    """Devices scripts have called: address -> (last success, last failure, message)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._seen = {}

    def record(self, address: str, ok: bool, message: str = "") -> None:
        now = time.time()
        with self._lock:
            last_ok, last_fail, _ = self._seen.get(address, (0.0, 0.0, ""))
            if ok:
                self._seen[address] = (now, last_fail, message)
            else:
                self._seen[address] = (last_ok, now, message)

    def snapshot(self) -> dict:
        with self._lock:
            return dict(self._seen)


def _now_ms() -> int:
    return int(time.time() * 1000)


def check_fenrir(book: DeviceBook):
    now = time.time()
    seen = book.snapshot()
    fresh = sorted(a for a, (ok, _, _) in seen.items() if ok and now - ok < DEVICE_FRESH_SECONDS)
    hardware = sorted({p for pattern in HARDWARE_GLOBS for p in glob.glob(pattern)})
    parts = []
    if fresh:
        parts.append(f"{len(fresh)} device(s) answered in the last {DEVICE_FRESH_SECONDS} s")
    else:
        parts.append("no device has answered a tool call yet")
    if hardware:
        shown = ", ".join(hardware[:4]) + (" …" if len(hardware) > 4 else "")
        parts.append(f"host hardware: {shown}")
    else:
        parts.append("no serial or GPIO devices on this host")
    return bool(fresh or hardware), "; ".join(parts)


def _tcp_probe(address: str) -> bool:
    host, _, port = address.rpartition(":")
    if "://" in host:
        host = host.split("://", 1)[1]
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=PROBE_TIMEOUT):
            return True
    except (OSError, ValueError):
        return False


def check_jormungandr(book: DeviceBook):
    problems = []
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            sock.listen(1)
    except OSError as exc:
        problems.append(f"cannot bind loopback: {exc}")
    try:
        socket.getaddrinfo("localhost", 80, type=socket.SOCK_STREAM)
    except OSError as exc:
        problems.append(f"cannot resolve localhost: {exc}")
    seen = book.snapshot()
    recent = sorted(seen, key=lambda a: -max(seen[a][0], seen[a][1]))[:MAX_PROBED_DEVICES]
    reachable = [a for a in recent if _tcp_probe(a)]
    if problems:
        return False, "; ".join(problems)
    if recent:
        return True, (
            f"loopback and resolver OK; {len(reachable)}/{len(recent)} known device(s) accept TCP"
        )
    return True, "loopback bind and localhost resolution OK; no devices known yet"


def check_hel(root: str, writable: bool):
    try:
        usage = shutil.disk_usage(root)
    except OSError as exc:
        return False, f"cannot stat {root}: {exc}"
    free_mb = usage.free // (1024 * 1024)
    if not writable:
        return False, f"scripts folder {root} is not writable ({free_mb} MiB free)"
    if usage.free < MIN_FREE_BYTES:
        return False, f"scripts folder {root} has only {usage.free} bytes free"
    count = len([e for e in os.listdir(root) if e.endswith(".lua")])
    return True, f"scripts folder writable, {free_mb} MiB free, {count} script file(s)"


def check_all(book: DeviceBook, root: str, writable: bool):
    """[(name, available, message, timestamp_ms)] for Fenrir, Jörmungandr, Hel."""
    out = []
    for name, check in (
        ("Fenrir", lambda: check_fenrir(book)),
        ("Jörmungandr", lambda: check_jormungandr(book)),
        ("Hel", lambda: check_hel(root, writable)),
    ):
        available, message = check()
        out.append((name, available, message, _now_ms()))
    return out
