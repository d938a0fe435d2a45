# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The scripts folder: where registered scripts and their metadata live.

Layout of ``DIR``:

* ``DIR/<name>.json`` — metadata: description, language, parameters, return type, and
  either ``"source": "inline"`` (the code is ``DIR/<name>.lua``) or
  ``"source": "path"`` with ``script_path`` relative to ``DIR``;
* ``DIR/<name>.lua`` — inline code written by ``RegisterScript``;
* a bare ``DIR/<name>.lua`` without metadata is a script too (dropped in by hand).

The folder is the only state: a restarted Loki sees every script again. Writes go to a
temporary file first and are renamed into place, so a crash never leaves half a file.
"""

import fnmatch
import json
import os
import re
import tempfile
import threading
import time

try:
    from typing import Optional
except ImportError:  # pragma: no cover
    pass

NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")
# Calls may name a script as "Script_<name>" (the wire contract's dynamic call form).
SCRIPT_PREFIX = "Script_"
MAX_SCRIPT_BYTES = 256 * 1024
LANGUAGES = ("lua",)
PARAM_TYPES = ("string", "number", "integer", "float", "boolean", "object", "array")


class StoreError(ValueError):
    """A registration or lookup the caller got wrong (message says what)."""


class ScriptRecord:
    """One registered script."""

    def __init__(
        self,
        name: str,
        description: str = "",
        language: str = "lua",
        parameters: Optional[list] = None,
        return_type: str = "",
        inline: bool = True,
        script_path: str = "",
        registered_at: int = 0,
        owner: str = "",
        devices: Optional[list] = None,
    ):
        self.name = name
        self.description = description
        self.language = language
        self.parameters = parameters or []  # dicts: name, type, required, description
        self.return_type = return_type
        self.inline = inline
        self.script_path = script_path  # relative to the scripts folder
        self.registered_at = registered_at
        self.owner = owner  # "admin", "device:<id>", "anonymous"; "" = the operator's
        # [device_id, address] pairs the code names in device.call (see endpoints.py)
        self.devices = devices or []

    def to_json(self) -> dict:
        data = {
            "name": self.name,
            "description": self.description,
            "language": self.language,
            "parameters": self.parameters,
            "return_type": self.return_type,
            "source": "inline" if self.inline else "path",
            "registered_at": self.registered_at,
            "owner": self.owner,
            "devices": self.devices,
        }
        if not self.inline:
            data["script_path"] = self.script_path
        return data

    @classmethod
    def from_json(cls, data: dict) -> "ScriptRecord":
        inline = data.get("source", "inline") == "inline"
        return cls(
            name=str(data["name"]),
            description=str(data.get("description", "")),
            language=str(data.get("language", "lua")),
            parameters=[_clean_param(p) for p in data.get("parameters", [])],
            return_type=str(data.get("return_type", "")),
            inline=inline,
            script_path="" if inline else str(data.get("script_path", "")),
            registered_at=int(data.get("registered_at", 0)),
            owner=str(data.get("owner", "")),
            devices=[
                [str(d[0]), str(d[1])]
                for d in data.get("devices", [])
                if isinstance(d, list) and len(d) == 2
            ],
        )


def _clean_param(param: dict) -> dict:
    return {
        "name": str(param.get("name", "")),
        "type": str(param.get("type", "")),
        "required": bool(param.get("required", False)),
        "description": str(param.get("description", "")),
    }


def validate_name(name: str) -> str:
    """Return ``name`` if it is a safe script name, else raise :class:`StoreError`."""
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise StoreError(
            f"invalid script name {name!r}: use 1-64 letters, digits, '_' or '-',"
            " starting with a letter or '_'"
        )
    return name


def validate_parameters(params: list) -> list:
    """Check parameter definitions; return them as plain dicts."""
    seen = set()
    out = []
    for param in params:
        param = _clean_param(param)
        if not NAME_RE.match(param["name"]):
            raise StoreError(f"invalid parameter name {param['name']!r}")
        if param["name"] in seen:
            raise StoreError(f"parameter {param['name']!r} is defined twice")
        if param["type"] and param["type"].lower() not in PARAM_TYPES:
            raise StoreError(
                f"parameter {param['name']!r} has unknown type {param['type']!r}"
                f" (use one of {', '.join(PARAM_TYPES)}, any case)"
            )
        seen.add(param["name"])
        out.append(param)
    return out


def matches(name: str, pattern: str) -> bool:
    """ListScripts name filter: glob if it has ``* ? [``, else case-insensitive substring."""
    if not pattern:
        return True
    if any(ch in pattern for ch in "*?["):
        return fnmatch.fnmatchcase(name, pattern)
    return pattern.lower() in name.lower()


class ScriptStore:
    """Registered scripts, persisted in one folder."""

    def __init__(self, root: str):
        os.makedirs(root, exist_ok=True)
        self.root = os.path.realpath(root)
        self._lock = threading.Lock()

    # -- paths ------------------------------------------------------------------------

    def _meta_path(self, name: str) -> str:
        return os.path.join(self.root, name + ".json")

    def _code_path(self, name: str) -> str:
        return os.path.join(self.root, name + ".lua")

    def resolve_inside(self, script_path: str) -> str:
        """Absolute path of ``script_path`` if it stays inside the folder, else error."""
        if not script_path or "\x00" in script_path:
            raise StoreError("script_path is empty or invalid")
        candidate = script_path
        if not os.path.isabs(candidate):
            candidate = os.path.join(self.root, candidate)
        real = os.path.realpath(candidate)
        if os.path.commonpath([real, self.root]) != self.root or real == self.root:
            raise StoreError(f"script_path {script_path!r} is outside the scripts folder")
        if not os.path.isfile(real):
            raise StoreError(f"script_path {script_path!r} is not a file in the scripts folder")
        return real

    def _write_atomic(self, path: str, data: bytes) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    # -- operations -------------------------------------------------------------------

    def register(
        self,
        name: str,
        *,
        description: str = "",
        language: str = "lua",
        parameters: Optional[list] = None,
        return_type: str = "",
        inline_script: Optional[str] = None,
        script_path: Optional[str] = None,
        owner: str = "",
        devices: Optional[list] = None,
    ) -> ScriptRecord:
        """Validate and persist a script; replaces an earlier one with the same name.

        :param str owner: who registered it (see :mod:`.access`)
        :param list devices: the ``[device_id, address]`` pairs its code declares
        """
        validate_name(name)
        language = (language or "lua").lower()
        if language not in LANGUAGES:
            raise StoreError(f"unsupported language {language!r}: this Loki runs 'lua'")
        params = validate_parameters(parameters or [])
        if (inline_script is None) == (script_path is None):
            raise StoreError("give exactly one of inline_script or script_path")
        record = ScriptRecord(
            name,
            description=description,
            language=language,
            parameters=params,
            return_type=return_type,
            inline=inline_script is not None,
            registered_at=int(time.time()),
            owner=owner,
            devices=devices,
        )
        if inline_script is not None:
            code = inline_script.encode("utf-8")
            if len(code) > MAX_SCRIPT_BYTES:
                raise StoreError(f"script is {len(code)} bytes; the limit is {MAX_SCRIPT_BYTES}")
        else:
            real = self.resolve_inside(script_path)
            if os.path.getsize(real) > MAX_SCRIPT_BYTES:
                raise StoreError(f"{script_path!r} is larger than {MAX_SCRIPT_BYTES} bytes")
            record.script_path = os.path.relpath(real, self.root)
            if real == self._code_path(name):
                record.inline = False  # registering a file already named <name>.lua
        meta = json.dumps(record.to_json(), indent=2, sort_keys=True).encode("utf-8")
        with self._lock:
            if inline_script is not None:
                self._write_atomic(self._code_path(name), code)
            self._write_atomic(self._meta_path(name), meta)
        return record

    def _load(self, name: str) -> Optional[ScriptRecord]:
        meta = self._meta_path(name)
        if os.path.isfile(meta):
            try:
                with open(meta, encoding="utf-8") as handle:
                    data = json.load(handle)
                record = ScriptRecord.from_json(data)
            except (OSError, ValueError, KeyError, TypeError):
                return None  # a damaged metadata file hides that script, not the others
            if record.name != name:
                return None
            return record
        if os.path.isfile(self._code_path(name)):
            try:  # a dropped-in symlink that leads out of the folder is not a script
                self.resolve_inside(name + ".lua")
            except StoreError:
                return None
            return ScriptRecord(name, inline=False, script_path=name + ".lua")
        return None

    def get(self, name: str) -> Optional[ScriptRecord]:
        """The record for ``name`` (also accepts ``Script_<name>``), or None."""
        if not isinstance(name, str) or not NAME_RE.match(name):
            return None
        record = self._load(name)
        if record is None and name.startswith(SCRIPT_PREFIX) and len(name) > len(SCRIPT_PREFIX):
            record = self._load(name[len(SCRIPT_PREFIX) :])
        return record

    def source(self, record: ScriptRecord) -> str:
        """The Lua code of ``record`` (read fresh, so edits on disk take effect)."""
        # Both kinds go through resolve_inside: a file swapped for a symlink that
        # leads out of the folder is refused at run time too.
        rel = record.name + ".lua" if record.inline else record.script_path
        path = self.resolve_inside(rel)
        with open(path, "rb") as handle:
            data = handle.read(MAX_SCRIPT_BYTES + 1)
        if len(data) > MAX_SCRIPT_BYTES:
            raise StoreError(f"{record.name}: script file is larger than {MAX_SCRIPT_BYTES} bytes")
        return data.decode("utf-8", "replace")

    def names(self) -> list:
        found = set()
        for entry in os.listdir(self.root):
            stem, ext = os.path.splitext(entry)
            if ext in (".json", ".lua") and NAME_RE.match(stem):
                found.add(stem)
        return sorted(found)

    def list(self, pattern: str = "") -> list:
        """Every script whose name matches ``pattern`` (see :func:`matches`), by name."""
        out = []
        for name in self.names():
            if matches(name, pattern):
                record = self._load(name)
                if record is not None:
                    out.append(record)
        return out

    def stored_bytes(self, name: str) -> int:
        """Bytes ``name`` takes in the folder: its metadata plus its inline code."""
        total = 0
        for path in (self._meta_path(name), self._code_path(name)):
            try:
                total += os.lstat(path).st_size
            except OSError:
                pass
        return total

    def is_writable(self) -> bool:
        """Write, sync and remove a probe file: the real test of a usable folder."""
        try:
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".probe-")
            try:
                os.write(fd, b"hel")
                os.fsync(fd)
            finally:
                os.close(fd)
                os.unlink(tmp)
            return True
        except OSError:
            return False
