# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""``jotunheim deploy``: copy a maker's app folder onto a CIRCUITPY drive, safely.

What it does, in order:

1. validates ``APP_DIR/jotunheim.json`` with the device's own parser and validator
   (:func:`jotunheim.safejson.loads`, :func:`jotunheim.settings.validator.validate`) and
   refuses to deploy anything when it has errors;
2. copies every file of the app (``code.py``, ``boot.py``, ``jotunheim.json``, assets and
   folders; not hidden files, ``__pycache__`` or ``boot_out.txt``): each is written to a
   temporary name in its target folder, flushed and fsynced, then renamed over the old
   one, so a pulled USB cable leaves the old file or the new one, never half of one;
   files whose bytes are already there are left alone;
3. ``settings.toml`` (secrets) is never overwritten: a board without one gets the
   template; a board with one keeps every value it has and gains only the keys the
   template has and it lacks (their names are reported, their values never);
4. finds the libraries the app's ``.py`` files import (``ast``), leaves out CircuitPython's
   built-in modules and the app's own modules, and runs ``circup --path TARGET install``
   for them (circup's public command line); then checks ``TARGET/lib`` and reports the
   libraries still missing (circup offline, failed, or a library no bundle has).

Every file is reported as ``copied``, ``unchanged``, ``skipped`` or ``merged``.
"""

import ast
import hashlib
import os
import shutil
import subprocess
import sys

SETTINGS_JSON = "jotunheim.json"
SETTINGS_TOML = "settings.toml"
NEVER_COPIED = ("boot_out.txt", "__pycache__")  # the board's own file; bytecode caches

# Modules CircuitPython (and MicroPython) have built in: never asked from circup.
BUILTIN_MODULES = frozenset(
    """
    __future__ _bleio adafruit_bus_device_builtin aesio alarm analogbufio analogio array
    atexit audiobusio audiocore audiomixer audiomp3 audiopwmio binascii bitbangio bitmapfilter
    bitmaptools bitops board builtins busdisplay busio camera canio codeop collections
    countio digitalio displayio dotclockframebuffer dualbank epaperdisplay errno espcamera
    espidf espnow espulp floppyio fontio fourwire framebufferio frequencyio gc getpass
    gifio gnss hashlib i2cdisplaybus i2cperipheral i2ctarget imagecapture io ipaddress
    jpegio json keypad keypad_demux locale math max3421e mdns memorymap memorymonitor
    microcontroller micropython msgpack neopixel_write nvm onewireio os paralleldisplaybus
    ps2io pulseio pwmio qrio rainbowio random re rgbmatrix rotaryio rp2pio rtc sdcardio
    sdioio select sharpdisplay socket socketpool ssl storage struct supervisor synthio sys
    terminalio tilepalettemapper time touchio traceback ulab usb usb_cdc usb_hid usb_host
    usb_midi usb_video ustack uctypes vectorio warnings watchdog wifi zlib
    """.split()
)


class DeployError(Exception):
    """The app cannot be deployed as it is (bad settings, missing folder)."""


def validate_settings(app_dir):
    """The device's own check of ``APP_DIR/jotunheim.json``: a list of messages (empty when
    the file is valid or absent).

    :param app_dir: the app folder
    """
    return checked_settings(app_dir)[1]


def checked_settings(app_dir):
    """``(bytes to write or None, problems)`` for ``APP_DIR/jotunheim.json``: a valid file
    becomes the settings that differ from the defaults, stamped by
    :func:`jotunheim.settings.stamp.stamped`, so
    the board uses them without loading its validator (~5 KB of heap); None when absent.

    :param app_dir: the app folder
    """
    path = os.path.join(app_dir, SETTINGS_JSON)
    if not os.path.isfile(path):
        return None, []
    from jotunheim.safejson import JSONError, loads
    from jotunheim.settings.loader import MAX_FILE_BYTES
    from jotunheim.settings.stamp import stamped
    from jotunheim.settings.validator import MAX_DEPTH, validate

    with open(path, "rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    try:
        raw = loads(data, path, MAX_DEPTH, MAX_FILE_BYTES)
    except JSONError as exc:
        return None, [str(exc)]
    settings, errors = validate(raw)
    if errors:
        return None, [err.message for err in errors]
    return stamped(settings), []


def app_files(app_dir):
    """Relative POSIX paths of the files to copy (sorted; ``settings.toml`` excluded).

    :param app_dir: the app folder
    """
    found = []
    for folder, dirs, files in os.walk(app_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in NEVER_COPIED)
        for name in files:
            if name.startswith(".") or name in NEVER_COPIED or name.endswith(".pyc"):
                continue
            rel = os.path.relpath(os.path.join(folder, name), app_dir).replace(os.sep, "/")
            if rel != SETTINGS_TOML:
                found.append(rel)
    return sorted(found)


def same_bytes(src, dst):
    """True when ``dst`` exists with the bytes of ``src`` (size first, then SHA-256).

    :param src: the app's file
    :param dst: the board's file
    """
    try:
        if os.path.getsize(src) != os.path.getsize(dst):
            return False
    except OSError:
        return False
    return _sha256(src) == _sha256(dst)


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(65536), b""):
            digest.update(block)
    return digest.digest()


def write_atomically(dst, data):
    """Write ``data`` to ``dst`` by a temporary name in the same folder, flush + fsync,
    then rename over ``dst`` (the folder is fsynced too where the OS allows).

    :param dst: the target path
    :param data: the bytes
    """
    folder = os.path.dirname(dst) or "."
    os.makedirs(folder, exist_ok=True)
    tmp = os.path.join(folder, ".%s.jotunheim-tmp" % os.path.basename(dst))
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, dst)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    _fsync_folder(folder)


def _fsync_folder(folder):
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not every OS opens folders (the rename is still done)
    try:
        os.fsync(fd)
    except OSError:
        pass  # FAT drives on some hosts refuse: the file itself was fsynced
    finally:
        os.close(fd)


def toml_lines(text):
    """``{key: line}`` of the top-level ``KEY = value`` lines of a settings.toml text
    (what CircuitPython reads; lines after a ``[table]`` are ignored as it does).

    :param text: the file's text
    """
    keys = {}
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            break
        if not stripped or stripped.startswith("#") or "=" not in stripped:
            continue
        key = stripped.split("=", 1)[0].strip()
        if key and key not in keys:
            keys[key] = line
    return keys


def merge_settings_toml(template_text, board_text):
    """The board's settings.toml with the template's keys it lacks added; every existing
    line (and value) stays as it is. Returns ``(text, added key names)``.

    :param template_text: the app's settings.toml
    :param board_text: the board's settings.toml
    """
    have = toml_lines(board_text)
    template = toml_lines(template_text)
    added = [key for key in template if key not in have]
    if not added:
        return board_text, []
    block = ["# added by jotunheim deploy from the app's template\n"]
    block += [template[key].strip() + "\n" for key in added]
    lines = board_text.splitlines(True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    # Keys after a [table] are ignored by CircuitPython: ours go before the first one.
    at = next((i for i, line in enumerate(lines) if line.strip().startswith("[")), len(lines))
    return "".join(lines[:at] + block + lines[at:]), added


def local_modules(app_dir):
    """Top-level module names the app brings itself (its ``.py`` files and packages,
    at its root and in its ``lib/``).

    :param app_dir: the app folder
    """
    names = set()
    for folder in (app_dir, os.path.join(app_dir, "lib")):
        if not os.path.isdir(folder):
            continue
        for entry in os.listdir(folder):
            path = os.path.join(folder, entry)
            base, ext = os.path.splitext(entry)
            if ext in (".py", ".mpy"):
                names.add(base)
            elif os.path.isdir(path) and not entry.startswith("."):
                names.add(entry)
    return names


def imports_of(path):
    """Top-level names imported by one ``.py`` file (relative imports left out).

    :param path: the file
    :raises DeployError: the file is not valid Python
    """
    with open(path, "rb") as handle:
        source = handle.read()
    try:
        tree = ast.parse(source, path)
    except SyntaxError as exc:
        raise DeployError("%s does not parse: %s (line %s)" % (path, exc.msg, exc.lineno)) from None
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module.split(".")[0])
    return names


def required_libraries(app_dir):
    """Libraries circup must install for the app: every import of its ``.py`` files that is
    neither built into CircuitPython nor one of the app's own modules (sorted).

    :param app_dir: the app folder
    """
    wanted = set()
    for rel in app_files(app_dir):
        if rel.endswith(".py"):
            wanted |= imports_of(os.path.join(app_dir, rel))
    return sorted(wanted - BUILTIN_MODULES - local_modules(app_dir))


def installed(target, name):
    """True when ``TARGET/lib`` (or the root) holds module or package ``name``.

    :param target: the CIRCUITPY folder
    :param name: a top-level module name
    """
    for folder in (os.path.join(target, "lib"), target):
        for candidate in (name, name + ".py", name + ".mpy"):
            if os.path.exists(os.path.join(folder, candidate)):
                return True
    return False


def circup_command():
    """The circup executable (beside this Python first, then on PATH), or None."""
    beside = os.path.join(os.path.dirname(sys.executable), "circup")
    if os.path.isfile(beside) and os.access(beside, os.X_OK):
        return beside
    return shutil.which("circup")


def run_circup(target, libraries, offline=False, timeout=300.0):
    """``circup --path TARGET [--offline] install LIB...``; returns ``(exit code, output)``
    (exit code None when circup is not installed or did not finish in time).

    :param target: the CIRCUITPY folder (it needs its boot_out.txt)
    :param libraries: module names
    :param offline: pass ``--offline`` (circup uses its bundle cache only)
    :param timeout: seconds circup may take
    """
    exe = circup_command()
    if exe is None:
        return None, "circup is not installed (pip install circup)"
    argv = [exe, "--path", target] + (["--offline"] if offline else []) + ["install"]
    try:
        done = subprocess.run(
            argv + list(libraries),
            check=False,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return None, "circup did not finish within %d s" % timeout
    return done.returncode, (done.stdout + done.stderr).strip()


class Report:
    """What a deploy did: ``files`` ``[(path, action, note)]``, ``libraries`` wanted,
    ``missing`` after circup, ``circup`` its exit code and output."""

    def __init__(self):
        self.files = []
        self.libraries = []
        self.missing = []
        self.circup = None

    def add(self, path, action, note=""):
        """Record one file.

        :param path: relative path
        :param action: copied, unchanged, skipped or merged
        :param note: why, or what changed (never a secret's value)
        """
        self.files.append((path, action, note))

    def lines(self, dry_run=False):
        """The report as text lines."""
        prefix = "would be " if dry_run else ""
        out = []
        for path, action, note in self.files:
            out.append("%-10s %s%s" % (prefix + action if dry_run else action, path,
                                       "  (" + note + ")" if note else ""))  # fmt: skip
        if self.libraries:
            out.append("libraries: " + ", ".join(self.libraries))
        if self.missing:
            out.append("missing libraries: " + ", ".join(self.missing))
        return out


def deploy(app_dir, target, dry_run=False, offline=False, install=True):
    """Deploy ``app_dir`` onto ``target``; returns a :class:`Report`.

    :param app_dir: the app folder
    :param target: the CIRCUITPY folder
    :param dry_run: report what would happen, write nothing, run no circup
    :param offline: run circup with ``--offline``
    :param install: run circup at all
    :raises DeployError: bad settings (nothing was written), or a folder missing
    """
    if not os.path.isdir(app_dir):
        raise DeployError("APP_DIR %s is not a folder" % app_dir)
    if not os.path.isdir(target):
        raise DeployError("--to %s is not a folder (is the board mounted?)" % target)
    settings_bytes, problems = checked_settings(app_dir)
    if problems:
        raise DeployError(
            "%s is not valid, nothing deployed:\n  - %s"
            % (os.path.join(app_dir, SETTINGS_JSON), "\n  - ".join(problems))
        )
    report = Report()
    report.libraries = required_libraries(app_dir)
    for rel in app_files(app_dir):
        if rel == SETTINGS_JSON:
            _write_one(target, rel, settings_bytes, dry_run, report)
        else:
            _copy_one(app_dir, target, rel, dry_run, report)
    _settings_toml(app_dir, target, dry_run, report)
    if install and not dry_run and report.libraries:
        lacking = [name for name in report.libraries if not installed(target, name)]
        if lacking:
            report.circup = run_circup(target, lacking, offline=offline)
    if not dry_run:
        report.missing = [name for name in report.libraries if not installed(target, name)]
    return report


def _copy_one(app_dir, target, rel, dry_run, report):
    src = os.path.join(app_dir, *rel.split("/"))
    dst = os.path.join(target, *rel.split("/"))
    if same_bytes(src, dst):
        report.add(rel, "unchanged")
        return
    if not dry_run:
        with open(src, "rb") as handle:
            write_atomically(dst, handle.read())
    report.add(rel, "copied")


def _write_one(target, rel, data, dry_run, report):
    dst = os.path.join(target, *rel.split("/"))
    if os.path.isfile(dst):
        with open(dst, "rb") as handle:
            if handle.read() == data:
                report.add(rel, "unchanged")
                return
    if not dry_run:
        write_atomically(dst, data)
    report.add(rel, "copied", "validated on the host, stamped")


def _settings_toml(app_dir, target, dry_run, report):
    src = os.path.join(app_dir, SETTINGS_TOML)
    if not os.path.isfile(src):
        return
    dst = os.path.join(target, SETTINGS_TOML)
    with open(src, encoding="utf-8") as handle:
        template = handle.read()
    if not os.path.exists(dst):
        if not dry_run:
            write_atomically(dst, template.encode("utf-8"))
        report.add(SETTINGS_TOML, "copied", "the board had none")
        return
    with open(dst, encoding="utf-8") as handle:
        board = handle.read()
    merged, added = merge_settings_toml(template, board)
    if not added:
        report.add(SETTINGS_TOML, "skipped", "the board's own file is kept")
        return
    if not dry_run:
        write_atomically(dst, merged.encode("utf-8"))
    report.add(SETTINGS_TOML, "merged", "added " + ", ".join(added) + "; existing values kept")
