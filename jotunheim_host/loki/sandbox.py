# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Run untrusted Lua through lupa inside a sandbox with resource limits.

Each run gets a fresh ``LuaRuntime`` (Lua 5.4), so scripts cannot leave state behind
for the next caller. The sandbox:

* builds the script's environment from a whitelist (``string`` without ``dump``,
  ``table``, ``math``, ``utf8``, ``coroutine``, ``os.time``/``os.clock`` only, the base
  functions that cannot reach the host) — no ``io``, ``os``, ``require``, ``dofile``,
  ``loadfile``, ``package``, ``debug``, ``collectgarbage``, nor lupa's ``python`` table;
* ``load`` only accepts text chunks (never bytecode) and binds them to the sandbox;
* counts instructions with a ``debug.sethook`` count hook installed before ``debug``
  is taken away: every :data:`HOOK_EVERY` instructions the hook asks Python whether the
  instruction budget, the wall-clock deadline or a cancellation has been hit; once it
  has, the hook fires on *every* instruction, so ``pcall`` cannot swallow the stop;
* caps the Lua heap with lupa's ``max_memory`` and the captured output in Python.

Python callbacks reach the script only as upvalues of small Lua closures, and lupa's
attribute filter refuses every attribute, so no Python object can be walked from Lua.
"""

import json
import threading
import time

try:
    from typing import Any, Callable, Optional
except ImportError:  # pragma: no cover - CPython always has typing
    pass

import lupa.lua54 as lupa

# How many VM instructions run between two checks of the limits.
HOOK_EVERY = 10_000
# Deepest table nesting converted to/from JSON (also stops reference cycles).
MAX_DEPTH = 64


class Limits:
    """Resource limits for one script run."""

    def __init__(
        self,
        max_instructions: int = 200_000_000,
        max_seconds: float = 10.0,
        max_memory: int = 32 * 1024 * 1024,
        max_output: int = 1024 * 1024,
    ):
        self.max_instructions = int(max_instructions)
        self.max_seconds = float(max_seconds)
        self.max_memory = int(max_memory)
        self.max_output = int(max_output)

    def __repr__(self):
        return (
            f"Limits(max_instructions={self.max_instructions}, max_seconds={self.max_seconds},"
            f" max_memory={self.max_memory}, max_output={self.max_output})"
        )


class ScriptFailure(Exception):
    """A run that did not finish: ``error_type`` says why, the message says what."""

    def __init__(self, error_type: str, message: str):
        super().__init__(message)
        self.error_type = error_type
        self.message = message


class RunResult:
    """What a finished run gives back."""

    def __init__(self, value, text: str, printed: list, stats: dict):
        self.value = value  # the script's return value as Python data (None if nil)
        self.text = text  # the return value rendered for ``output`` ("" for nil)
        self.printed = printed  # every print()/emit() line, in order
        self.stats = stats  # instructions, duration_ms, memory_peak_bytes


class _Budget:
    """Limit state shared between the Lua hook and Python callbacks."""

    def __init__(self, limits: Limits, cancel: Optional[threading.Event]):
        self.limits = limits
        self.cancel = cancel
        self.started = time.monotonic()
        self.deadline = self.started + limits.max_seconds
        self.instructions = 0
        self.tripped = None  # (error_type, message) once a limit is hit
        self.finished = False  # set once the script returned: later Lua code is stopped
        self.output_bytes = 0

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def trip(self, error_type: str, message: str) -> str:
        if self.tripped is None:
            self.tripped = (error_type, message)
        return self.tripped[1]

    def tick(self):
        """Called from the count hook; returns an error message to stop the script."""
        if self.tripped is not None:
            return self.tripped[1]
        if self.finished:
            return "script already finished"
        self.instructions += HOOK_EVERY
        if self.instructions > self.limits.max_instructions:
            return self.trip(
                "instruction_limit",
                f"instruction limit exceeded ({self.limits.max_instructions} instructions)",
            )
        if time.monotonic() > self.deadline:
            return self.trip("timeout", f"time limit exceeded ({self.limits.max_seconds:.3g} s)")
        if self.cancel is not None and self.cancel.is_set():
            return self.trip("cancelled", "script cancelled (client went away)")
        return None


# The sandbox prelude. It receives the Python callbacks as arguments, keeps them as
# upvalues, installs the count hook with the real ``debug`` library, strips the real
# globals of what a script must never reach, and returns a runner function.
_PRELUDE = r"""
local py_tick, py_out, py_encode, py_decode, py_device, every, max_bytes, max_move = ...
local sethook = debug.sethook
local real_load, type, error, select, tostring = load, type, error, select, tostring
local pairs = pairs

local function hook()
  local stop = py_tick()
  if stop then
    -- From now on fire on every instruction: a pcall cannot swallow the stop.
    sethook(hook, "", 1)
    error(stop, 0)
  end
end

-- string.dump would hand out bytecode; the string metatable exposes this very table.
string.dump = nil

-- C functions run without the count hook: bound the work handed to the ones whose cost
-- is not bounded by the memory they allocate (string.rep('', huge) loops and allocates
-- nothing; table.move over an empty range of 2^40 slots likewise).
local real_rep, real_move, tointeger = string.rep, table.move, math.tointeger
string.rep = function(s, n, sep)
  if type(s) == "number" then s = tostring(s) end
  if type(sep) == "number" then sep = tostring(sep) end
  if type(n) == "string" then n = tonumber(n) end
  local count = type(n) == "number" and tointeger(n) or nil
  if type(s) ~= "string" or count == nil or (sep ~= nil and type(sep) ~= "string") then
    return real_rep(s, n, sep)  -- the usual argument error
  end
  if count <= 0 then return "" end
  local unit = #s + (sep and #sep or 0)
  if unit == 0 then return "" end
  if count > max_bytes // unit then
    -- "not enough memory" is how Lua names it, so the run reports a memory failure.
    error("not enough memory: string.rep result over " .. max_bytes .. " bytes", 2)
  end
  return real_rep(s, count, sep)
end
table.move = function(a1, f, e, t, a2)
  local first, last = tointeger(f), tointeger(e)
  if first and last and last >= first and last - first >= max_move then
    error("table.move: more than " .. max_move .. " elements", 2)
  end
  return real_move(a1, f, e, t, a2)
end

local function copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

-- Errors from Python callbacks carry their own prefix ("device.call: ..."); no
-- position is added since a tail call would make it point into this prelude.
local function checked(ok, value)
  if not ok then error(value, 0) end
  return value
end

local env = {}
for _, name in ipairs({"assert", "error", "ipairs", "next", "pairs", "pcall", "rawequal",
    "rawget", "rawlen", "rawset", "select", "setmetatable", "getmetatable", "tonumber",
    "tostring", "type", "xpcall", "_VERSION"}) do
  env[name] = _G[name]
end
-- Lua runs __gc finalizers with hooks switched off, so a finalizer could loop forever
-- out of the limits' reach: refuse metatables that carry one.
local real_setmetatable, rawget = setmetatable, rawget
function env.setmetatable(t, mt)
  if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
    error("__gc metamethods are not allowed in the sandbox", 2)
  end
  return real_setmetatable(t, mt)
end
env.string = copy(string)
env.table = copy(table)
env.math = copy(math)
env.utf8 = copy(utf8)
env.coroutine = copy(coroutine)
-- debug.sethook hooks belong to one Lua thread: every coroutine installs its own.
local co_create, co_wrap = coroutine.create, coroutine.wrap
local function hooked(f)
  if type(f) ~= "function" then error("coroutine body must be a function", 3) end
  return function(...)
    sethook(hook, "", every)
    return f(...)
  end
end
env.coroutine.create = function(f) return co_create(hooked(f)) end
env.coroutine.wrap = function(f) return co_wrap(hooked(f)) end
env.os = {time = os.time, clock = os.clock}
env._G = env

function env.load(chunk, name, mode, chunk_env)
  if type(chunk) ~= "string" then
    return nil, "load: only source strings are allowed"
  end
  if mode ~= nil and mode ~= "t" then
    return nil, "load: only text chunks are allowed (mode 't')"
  end
  if chunk_env == nil then chunk_env = env end
  return real_load(chunk, name, "t", chunk_env)
end

local function render(...)
  local n = select("#", ...)
  local parts = {}
  for i = 1, n do parts[i] = tostring((select(i, ...))) end
  return table.concat(parts, "\t")
end

function env.print(...)
  checked(py_out("print", render(...)))
end

function env.emit(value)
  if type(value) == "table" then
    checked(py_out("emit", checked(py_encode(value))))
  else
    checked(py_out("emit", tostring(value)))
  end
end

env.json = {
  encode = function(value) return checked(py_encode(value)) end,
  decode = function(text)
    if type(text) ~= "string" then error("json.decode expects a string", 2) end
    return checked(py_decode(text))
  end,
}

env.device = {
  call = function(address, tool, params, device_id)
    if type(address) ~= "string" or type(tool) ~= "string" then
      error("device.call(address, tool, params): address and tool must be strings", 2)
    end
    if params ~= nil and type(params) ~= "table" and type(params) ~= "string" then
      error("device.call: params must be a table, a JSON string or nil", 2)
    end
    return checked(py_device(address, tool, params, device_id))
  end,
}

-- Drop what must not stay reachable from the real globals either.
io, os, require, dofile, loadfile, package, debug, collectgarbage, python = nil
load = nil

return function(source, chunkname, params, raw_params)
  local fn, err = real_load(source, chunkname, "t", env)
  if not fn then error("syntax error: " .. err, 0) end
  env.params = params
  env.raw_params = raw_params
  sethook(hook, "", every)
  -- The hook stays installed: anything that runs after the script is still stopped.
  local ok, result = xpcall(fn, function(e)
    if type(e) == "string" then return e end
    local okj, text = py_encode(e)
    return "error object: " .. (okj and text or tostring(e))
  end)
  if not ok then error(result, 0) end
  return result
end
"""


def _attribute_filter(obj, name, is_setting):
    # No Python attribute is ever reachable from Lua.
    raise AttributeError("attribute access is not allowed in the sandbox")


def _clean_lua_message(text: str) -> str:
    # lupa appends a Lua traceback; the first line is what a user needs.
    return text.split("\nstack traceback:", 1)[0].strip()


def lua_to_python(value, depth: int = 0):
    """Convert a Lua value (as lupa hands it over) to JSON-able Python data."""
    if depth > MAX_DEPTH:
        raise ValueError("table nesting too deep (or cyclic) to convert")
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value
    kind = lupa.lua_type(value)
    if kind != "table":
        raise ValueError(f"cannot convert a Lua {kind} to JSON")
    items = list(value.items())
    keys = [k for k, _ in items]
    if keys and all(isinstance(k, int) and not isinstance(k, bool) for k in keys):
        if sorted(keys) == list(range(1, len(keys) + 1)):
            by_key = dict(items)
            return [lua_to_python(by_key[i], depth + 1) for i in range(1, len(keys) + 1)]
    out = {}
    for key, item in items:
        if isinstance(key, bytes):
            key = key.decode("utf-8", "replace")
        elif isinstance(key, float) and key.is_integer():
            key = int(key)
        if not isinstance(key, (str, int, float, bool)):
            raise ValueError("table keys must be strings or numbers to convert to JSON")
        out[str(key)] = lua_to_python(item, depth + 1)
    return out


class ConversionGuard:
    """Keeps Python-side table building inside the run's limits.

    Lua's allocator fails softly when Python builds tables near ``max_memory`` (each
    failed allocation runs an emergency GC, so a big conversion crawls instead of
    failing) and the count hook never sees Python code: so every ``GUARD_EVERY`` values,
    check the heap against 85 % of the cap, and the deadline. The number of values one
    conversion may build is bounded too (:func:`max_values`), so a huge decoded array
    is refused before Python spends seconds inside lupa on it.
    """

    GUARD_EVERY = 256

    def __init__(self, runtime, budget: "Optional[_Budget]" = None):
        self.runtime = runtime
        self.budget = budget
        self.limit = int(budget.limits.max_memory * 0.85) if budget else 0
        self.max_values = max_values(budget.limits) if budget else 0
        self.count = 0

    def step(self, nbytes: int = 0) -> None:
        self.count += 1
        if nbytes < 4096 and self.count % self.GUARD_EVERY:
            return
        if self.budget is None:
            return
        if self.count > self.max_values:
            self.budget.trip(
                "memory",
                f"memory limit exceeded ({self.budget.limits.max_memory} bytes):"
                f" a value of more than {self.max_values} items cannot be converted",
            )
            raise ValueError("too many values to convert for Lua")
        if self.runtime.get_memory_used() + nbytes > self.limit:
            self.budget.trip(
                "memory", f"memory limit exceeded ({self.budget.limits.max_memory} bytes)"
            )
            raise ValueError("memory limit exceeded while converting a value for Lua")
        if self.budget.remaining() <= 0:
            self.budget.trip(
                "timeout", f"time limit exceeded ({self.budget.limits.max_seconds:.3g} s)"
            )
            raise ValueError("time limit exceeded while converting a value for Lua")


def max_values(limits: Limits) -> int:
    """Most values one Python -> Lua conversion may build (a Lua table entry costs
    32-64 B, and lupa builds tables one call per entry)."""
    return max(1024, limits.max_memory // 64)


def count_values(data, limit: int) -> int:
    """Values in JSON-like ``data`` (containers and leaves), counting stops past ``limit``."""
    count = 0
    todo = [data]
    while todo and count <= limit:
        item = todo.pop()
        count += 1
        if isinstance(item, dict):
            todo.extend(item.values())
            count += len(item)  # the keys
        elif isinstance(item, list):
            todo.extend(item)
    return count


def max_decode_bytes(limits: Limits) -> int:
    """Longest text ``json.decode`` accepts (Python's own copy lives outside the Lua cap)."""
    return max(4096, limits.max_memory // 4)


def python_to_lua(runtime, value, depth: int = 0, guard: Optional[ConversionGuard] = None):
    """Convert JSON-like Python data into Lua values inside ``runtime``."""
    if depth > MAX_DEPTH:
        raise ValueError("value nesting too deep to convert")
    if guard is None:
        guard = ConversionGuard(runtime)
    if isinstance(value, str):
        value = value.encode("utf-8")
    if isinstance(value, bytes):
        guard.step(len(value))
        return value
    guard.step()
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, dict):
        table = runtime.table()
        for key, item in value.items():
            lua_key = python_to_lua(runtime, key, depth + 1, guard)
            table[lua_key] = python_to_lua(runtime, item, depth + 1, guard)
        return table
    if isinstance(value, (list, tuple)):
        table = runtime.table()
        for index, item in enumerate(value, 1):
            table[index] = python_to_lua(runtime, item, depth + 1, guard)
        return table
    raise ValueError(f"cannot convert {type(value).__name__} to a Lua value")


def _approx_size(value) -> int:
    """Rough Lua heap cost of JSON-like data (strings plus per-entry overhead)."""
    if isinstance(value, (str, bytes)):
        return len(value) + 32
    if isinstance(value, dict):
        return 64 + sum(_approx_size(k) + _approx_size(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return 64 + sum(_approx_size(v) for v in value)
    return 16


def render_value(value) -> str:
    """Text for ``output``: strings as they are, tables as JSON, nil as ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return repr(value)
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def check_syntax(source: str, chunkname: str = "script") -> Optional[str]:
    """Compile ``source`` as a text chunk without running it; return the error or None."""
    runtime = lupa.LuaRuntime(
        register_eval=False,
        register_builtins=False,
        encoding=None,
        max_memory=16 * 1024 * 1024,
        attribute_filter=_attribute_filter,
    )
    compile_only = runtime.eval(
        "function(src, name) local f, e = load(src, name, 't', {}) return e end"
    )
    try:
        err = compile_only(source.encode("utf-8"), ("=" + chunkname).encode("utf-8"))
    except lupa.LuaError as exc:
        return _clean_lua_message(str(exc))
    if err is None:
        return None
    return err.decode("utf-8", "replace") if isinstance(err, bytes) else str(err)


def run_script(
    source: str,
    params: Optional[dict] = None,
    limits: Optional[Limits] = None,
    *,
    chunkname: str = "script",
    raw_params: Optional[dict] = None,
    on_output: Optional[Callable[[str, str], None]] = None,
    device_call: Optional[Callable[..., Any]] = None,
    cancel: Optional[threading.Event] = None,
) -> RunResult:
    """Run Lua ``source`` in a fresh sandbox and return its :class:`RunResult`.

    ``params`` become the script's ``params`` table (values converted with
    :func:`python_to_lua`), ``raw_params`` its ``raw_params`` table (strings as
    received). ``on_output(kind, text)`` sees every ``print`` ("print") and ``emit``
    ("emit") as it happens. ``device_call(address, tool, params, device_id, budget)``
    backs ``device.call``; it returns Python data or raises an exception whose text
    becomes the Lua error. Raises :class:`ScriptFailure` when the run fails.
    """
    limits = limits or Limits()
    budget = _Budget(limits, cancel)
    printed = []
    runtime = lupa.LuaRuntime(
        register_eval=False,
        register_builtins=False,
        encoding=None,
        unpack_returned_tuples=True,
        max_memory=limits.max_memory,
        attribute_filter=_attribute_filter,
    )
    box = {"runtime": runtime}

    def py_out(kind, text):
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        budget.output_bytes += len(text) + 1
        if budget.output_bytes > limits.max_output:
            budget.trip("output_limit", f"output limit exceeded ({limits.max_output} bytes)")
            return (False, budget.tripped[1].encode())
        printed.append(text)
        if on_output is not None:
            try:
                on_output(kind.decode() if isinstance(kind, bytes) else kind, text)
            except Exception as exc:  # a dead client must stop the script, not crash it
                budget.trip("cancelled", f"output consumer failed: {exc}")
                return (False, budget.tripped[1].encode())
        return (True, None)

    def py_encode(value):
        try:
            data = lua_to_python(value)
            text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        except ValueError as exc:
            return (False, f"json.encode: {exc}".encode())
        return (True, text.encode("utf-8"))

    def py_decode(text):
        if len(text) > max_decode_bytes(limits):
            return (False, f"json.decode: text over {max_decode_bytes(limits)} bytes".encode())
        try:
            data = json.loads(text.decode("utf-8", "replace"))
            most = max_values(limits)
            if count_values(data, most) > most:
                budget.trip(
                    "memory",
                    f"memory limit exceeded ({limits.max_memory} bytes):"
                    f" json.decode of more than {most} values",
                )
                return (False, budget.tripped[1].encode())
            return (
                True,
                python_to_lua(box["runtime"], data, 0, ConversionGuard(box["runtime"], budget)),
            )
        except RecursionError:
            return (False, b"json.decode: nesting too deep")
        except ValueError as exc:
            return (False, f"json.decode: {exc}".encode())

    def py_device(address, tool, params, device_id):
        if device_call is None:
            return (False, b"device.call: not available in this Loki")
        try:
            if params is None:
                args = {}
            elif isinstance(params, bytes):
                args = json.loads(params.decode("utf-8", "replace"))
            else:
                args = lua_to_python(params)
            result = device_call(
                address.decode("utf-8", "replace"),
                tool.decode("utf-8", "replace"),
                args,
                device_id.decode("utf-8", "replace") if isinstance(device_id, bytes) else "",
                budget,
            )
            return (
                True,
                python_to_lua(box["runtime"], result, 0, ConversionGuard(box["runtime"], budget)),
            )
        except Exception as exc:  # the message becomes a catchable Lua error
            return (False, str(exc).encode("utf-8", "replace"))

    runner = runtime.execute(
        _PRELUDE,
        budget.tick,
        py_out,
        py_encode,
        py_decode,
        py_device,
        HOOK_EVERY,
        limits.max_memory,
        max(1024, limits.max_memory // 16),
    )
    try:
        # These pushes happen outside any protected Lua call, where running out of Lua
        # memory would abort the whole process: refuse oversized input up front.
        raw = raw_params if raw_params is not None else (params or {})
        needed = len(source) + 2 * _approx_size(params or {}) + 2 * _approx_size(raw)
        if needed > (limits.max_memory - runtime.get_memory_used()) // 2:
            raise ScriptFailure(
                "memory",
                f"script and parameters are too large for the memory limit"
                f" ({limits.max_memory} bytes)",
            )
        guard = ConversionGuard(runtime, budget)
        lua_params = python_to_lua(runtime, params or {}, 0, guard)
        lua_raw = python_to_lua(runtime, raw, 0, guard)
        value = runner(
            source.encode("utf-8"), ("=" + chunkname).encode("utf-8"), lua_params, lua_raw
        )
        result = lua_to_python(value)
        text = render_value(result)
    except lupa.LuaMemoryError:
        raise ScriptFailure(
            "memory", f"memory limit exceeded ({limits.max_memory} bytes)"
        ) from None
    except lupa.LuaError as exc:
        if budget.tripped is not None:
            raise ScriptFailure(*budget.tripped) from None
        message = _clean_lua_message(str(exc))
        if "not enough memory" in message:
            raise ScriptFailure(
                "memory", f"memory limit exceeded ({limits.max_memory} bytes)"
            ) from None
        if message.startswith("syntax error: "):
            raise ScriptFailure("syntax_error", message[len("syntax error: ") :]) from None
        raise ScriptFailure("lua_error", message) from None
    except ValueError as exc:  # a value could not be converted
        if budget.tripped is not None:
            raise ScriptFailure(*budget.tripped) from None
        raise ScriptFailure("lua_error", f"cannot return this value: {exc}") from None
    finally:
        budget.finished = True
        memory_used = runtime.get_memory_used()
        box["runtime"] = None
    if budget.tripped is not None:  # e.g. output limit hit but the script went on
        raise ScriptFailure(*budget.tripped)
    stats = {
        "instructions": budget.instructions,
        "duration_ms": int((time.monotonic() - budget.started) * 1000),
        "memory_used_bytes": memory_used,
    }
    return RunResult(result, text, printed, stats)
