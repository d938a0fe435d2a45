# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""A fast, AST-based check that ``jotunheim/`` uses nothing that works on CPython only.

CPython accepts all of these; MicroPython (and CircuitPython, which shares its core) fails
on them, usually with TypeError/AttributeError/NameError at run time, on the one path a
test under CPython never notices. Each rule has a sample that must be flagged (and a guarded
twin that must not), and every sample is run under MicroPython's Unix port to prove the
rule is real (tests/mpunix).

Guards that make a construct acceptable: inside ``try:`` whose handlers catch the error
the construct raises (``AttributeError``/``TypeError``/``NameError``/``ImportError`` or a
broader one), or under ``if hasattr(...)``. ``# portability: ok`` on the line silences one
finding (say why beside it).
"""

import ast
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIBRARY = os.path.join(ROOT, "jotunheim")

# Exceptions CPython has and MicroPython does not (measured on the Unix port 1.29). Naming
# one in ``except`` is a NameError the moment an exception reaches that clause.
# ConnectionError and TimeoutError are left out: CircuitPython has both.
MISSING_EXCEPTIONS = frozenset(
    "BlockingIOError BrokenPipeError BufferError ChildProcessError ConnectionAbortedError "
    "ConnectionRefusedError ConnectionResetError FileExistsError FileNotFoundError "
    "FloatingPointError InterruptedError IsADirectoryError ModuleNotFoundError "
    "NotADirectoryError PermissionError ProcessLookupError RecursionError ReferenceError "
    "TabError UnboundLocalError UnicodeDecodeError UnicodeEncodeError "
    "UnicodeTranslateError EnvironmentError IOError Warning UserWarning "
    "DeprecationWarning".split()
)
# errno names MicroPython and CircuitPython have (anything else is an AttributeError).
ERRNO_NAMES = frozenset(
    "EPERM ENOENT EIO EBADF EAGAIN ENOMEM EACCES EEXIST ENODEV EISDIR EINVAL EOPNOTSUPP "
    "EADDRINUSE ECONNABORTED ECONNRESET ENOBUFS ENOTCONN ETIMEDOUT ECONNREFUSED "
    "EHOSTUNREACH EALREADY EINPROGRESS errorcode".split()
)
# Methods MicroPython's str/bytes/int/float/memoryview/hash objects lack (names that mean
# nothing else in the library's code).
MISSING_METHODS = {
    "removeprefix": "slice: s[len(p):] if s.startswith(p) else s",
    "removesuffix": "slice: s[: -len(p)] if p and s.endswith(p) else s",
    "format_map": "'...' % dict or .format(**d)",
    "bit_length": "a loop shifting right, or len('%x' % n) * 4 bounds",
    "casefold": ".lower()",
    "isascii": "all(ord(c) < 128 for c in s)",
    "expandtabs": ".replace('\\t', '    ')",
    "swapcase": "write it out",
    "zfill": "'%0*d' % (width, n)",
    "ljust": "s + ' ' * (width - len(s))",
    "rjust": "' ' * (width - len(s)) + s",
    "isalnum": "c.isalpha() or c.isdigit()",
    "isidentifier": "a small check of its own",
    "translate": ".replace() per character",
    "is_integer": "x == int(x)",
    "tobytes": "bytes(view)",
    "cast": "struct or bytes(view)",
    "with_traceback": "raise it as it is",
    "add_note": "put the note in the message",
    "hexdigest": "binascii.hexlify(h.digest()).decode() (hashlib has digest() only)",
    "fullmatch": "match('(?:...)$')",
    "findall": "a loop over search()",
    "escape": "escape by hand",
}
# Module attributes MicroPython lacks: (module, attribute) -> fix.
MISSING_ATTRIBUTES = {
    ("os", "path"): "string operations on '/'-separated paths",
    ("os", "makedirs"): "os.mkdir per level, catching OSError(EEXIST)",
    ("os", "replace"): "os.rename (after os.remove of the target where needed)",
    ("os", "fsync"): "file.flush() (a board's VFS writes through)",
    ("os", "environ"): "os.getenv, or settings.toml through jotunheim.settings",
    ("os", "sync"): "os.sync exists on CircuitPython only: guard it",
    ("sys", "getsizeof"): "gc.mem_alloc() before/after",
    ("collections", "defaultdict"): "dict.setdefault / dict.get",
    ("struct", "iter_unpack"): "struct.unpack_from in a loop",
    ("time", "monotonic"): "jotunheim.compat.monotonic() (MicroPython has no time.monotonic)",
    ("time", "monotonic_ns"): "jotunheim.compat.monotonic_ms()",
    ("time", "perf_counter"): "jotunheim.compat.monotonic_ms()",
    ("time", "ticks_ms"): "jotunheim.compat.monotonic_ms() (CircuitPython has no ticks_ms)",
    ("socket", "timeout"): "OSError with errno.ETIMEDOUT in args[0]",
    ("socket", "error"): "OSError",
    ("socket", "gaierror"): "OSError (socketpool.SocketPool.gaierror on CircuitPython)",
    ("json", "JSONDecodeError"): "ValueError (what MicroPython's json raises)",
    ("struct", "error"): "ValueError (what MicroPython's struct raises)",
    ("re", "I"): "lower-case the subject first",
    ("re", "IGNORECASE"): "lower-case the subject first",
}
# Keyword arguments MicroPython's built-ins refuse ("function doesn't take keyword
# arguments" / "extra keyword arguments given"): method or function name -> keywords.
REFUSED_KEYWORDS = {
    "split": {"maxsplit", "sep"},
    "rsplit": {"maxsplit", "sep"},
    "decode": {"encoding", "errors"},
    "encode": {"encoding", "errors"},
    "int": {"base"},
    "round": {"ndigits"},
    "print": {"flush"},
    "open": {"newline", "errors", "buffering", "closefd"},
    "zip": {"strict"},
    "deque": {"maxlen"},
    "bytes": {"encoding", "errors"},
    "str": {"encoding", "errors"},
    "to_bytes": {"signed", "length", "byteorder"},
    "from_bytes": {"signed", "byteorder"},
    "dumps": {"indent", "sort_keys", "ensure_ascii", "default", "cls"},
    "dump": {"indent", "sort_keys", "ensure_ascii", "default", "cls"},
}
FORBIDDEN_IMPORTS = frozenset(
    "typing dataclasses abc enum functools logging hmac base64 pathlib".split()
)
# Codecs MicroPython has: UTF-8 only (others decode as UTF-8 or raise UnicodeError).
UTF8_NAMES = frozenset(("utf-8", "utf8", "UTF-8", "UTF8"))
_GUARD_ERRORS = frozenset(
    "AttributeError TypeError NameError ImportError Exception BaseException".split()
)


class Finding:
    """One construct: ``path:line``, the rule, the source text, and how to fix it."""

    def __init__(self, path, line, rule, text, fix):
        self.path, self.line, self.rule, self.text, self.fix = path, line, rule, text, fix

    def __repr__(self):
        return "%s:%d  %s: %s  -> %s" % (self.path, self.line, self.rule, self.text, self.fix)


def _handler_names(handler):
    if handler.type is None:
        return {"BaseException"}
    nodes = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return {n.id if isinstance(n, ast.Name) else getattr(n, "attr", "") for n in nodes}


def _is_hasattr_test(test):
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "hasattr"
        for n in ast.walk(test)
    )


class _Checker(ast.NodeVisitor):
    def __init__(self, path, source):
        self.path = path
        self.lines = source.splitlines()
        self.findings = []
        self.guarded = 0  # depth of try/hasattr guards around the current node
        self.lists = [set()]  # per scope: names provably bound to lists
        self.defined = set()  # module-level names (a module may define its own X)

    # -- helpers

    def add(self, node, rule, fix):
        line = self.lines[node.lineno - 1] if node.lineno <= len(self.lines) else ""
        if "portability: ok" in line:
            return
        self.findings.append(Finding(self.path, node.lineno, rule, line.strip(), fix))

    def add_unguarded(self, node, rule, fix):
        if not self.guarded:
            self.add(node, rule, fix)

    # -- guards and scopes

    def visit_Try(self, node):
        guards = set().union(*[_handler_names(h) for h in node.handlers]) if node.handlers else ()
        guarded = bool(_GUARD_ERRORS & set(guards))
        self.guarded += guarded
        for stmt in node.body:
            self.visit(stmt)
        self.guarded -= guarded
        for part in node.handlers + node.orelse + node.finalbody:
            self.visit(part)

    visit_TryStar = visit_Try

    def visit_If(self, node):
        guarded = _is_hasattr_test(node.test)
        self.visit(node.test)
        self.guarded += guarded
        for stmt in node.body:
            self.visit(stmt)
        self.guarded -= guarded
        for stmt in node.orelse:
            self.visit(stmt)

    def visit_FunctionDef(self, node):
        self.lists.append(set())
        self.generic_visit(node)
        self.lists.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Assign(self, node):
        value = node.value
        is_list = isinstance(value, (ast.List, ast.ListComp)) or (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id in ("list", "sorted")
        )
        for target in node.targets:
            if isinstance(target, ast.Name):
                if is_list:
                    self.lists[-1].add(target.id)
                else:
                    self.lists[-1].discard(target.id)
                if len(self.lists) == 1:
                    self.defined.add(target.id)
        self.generic_visit(node)

    # -- the rules

    def visit_Match(self, node):
        self.add(node, "match statement", "if/elif (MicroPython has no match)")
        self.generic_visit(node)

    def visit_Delete(self, node):
        for target in node.targets:
            if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Slice):
                name = target.value.id if isinstance(target.value, ast.Name) else None
                if name not in self.lists[-1]:
                    self.add(
                        target,
                        "slice deletion",
                        "bytearray has no slice deletion on MicroPython/CircuitPython: "
                        "keep an offset, or copy the tail (buf = buf[n:])",
                    )
        self.generic_visit(node)

    def visit_ExceptHandler(self, node):
        nodes = []
        if node.type is not None:
            nodes = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
        for n in nodes:
            if isinstance(n, ast.Name) and n.id in MISSING_EXCEPTIONS and n.id not in self.defined:
                self.add(
                    n,
                    "exception MicroPython lacks: " + n.id,
                    "catch OSError and compare args[0] with errno names"
                    if n.id not in ("UnicodeDecodeError", "UnicodeEncodeError")
                    else "catch UnicodeError (ValueError)",
                )
        self.generic_visit(node)

    def visit_Import(self, node):
        for alias in node.names:
            if alias.name.split(".")[0] in FORBIDDEN_IMPORTS:
                self._forbidden(node, alias.name)
        self.generic_visit(node)

    def visit_ImportFrom(self, node):
        if node.module and node.module.split(".")[0] in FORBIDDEN_IMPORTS:
            self._forbidden(node, node.module)
        self.generic_visit(node)

    def _forbidden(self, node, name):
        self.add_unguarded(
            node,
            "import of " + name,
            "not on CircuitPython: try/except ImportError (annotations only) or do without",
        )

    def visit_Attribute(self, node):
        if isinstance(node.value, ast.Name):
            key = (node.value.id, node.attr)
            if key in MISSING_ATTRIBUTES and not (
                node.value.id == "time" and self.path.endswith("compat.py")
            ):
                self.add_unguarded(node, "%s.%s missing" % key, MISSING_ATTRIBUTES[key])
            if node.value.id == "errno" and node.attr not in ERRNO_NAMES:
                self.add_unguarded(
                    node,
                    "errno.%s missing" % node.attr,
                    "MicroPython/CircuitPython errno has only the common names: "
                    "use one of them or the number with a comment",
                )
        self.generic_visit(node)

    def visit_Call(self, node):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if isinstance(func, ast.Attribute) and name in MISSING_METHODS:
            self.add_unguarded(node, "." + name + "() missing", MISSING_METHODS[name])
        if isinstance(func, ast.Attribute) and name == "hex" and (node.args or node.keywords):
            self.add(node, "bytes.hex(sep)", "hex() without arguments, then insert separators")
        refused = REFUSED_KEYWORDS.get(name, ())
        for kw in node.keywords:
            if kw.arg in refused:
                self.add_unguarded(
                    node,
                    "%s(%s=...)" % (name, kw.arg),
                    "pass it positionally (MicroPython's built-in takes no such keyword)"
                    if kw.arg not in ("signed", "indent", "sort_keys", "flush", "strict")
                    else "MicroPython has no '%s': do without it" % kw.arg,
                )
        if name == "decode" and isinstance(func, ast.Attribute):
            self._check_codec(node)
        if (
            isinstance(func, ast.Name)
            and func.id in ("format", "slice")
            and func.id not in (self.defined)
        ):
            self.add_unguarded(
                node,
                "built-in %s() missing" % func.id,
                "'%' formatting" if func.id == "format" else "seq[a:b] syntax",
            )
        if isinstance(func, ast.Name) and func.id == "iter" and len(node.args) == 2:
            self.add(node, "iter(callable, sentinel)", "a while loop")
        self.generic_visit(node)

    def _check_codec(self, node):
        args = [a.value for a in node.args if isinstance(a, ast.Constant)]
        if args and isinstance(args[0], str) and args[0] not in UTF8_NAMES:
            self.add(
                node,
                "decode(%r)" % args[0],
                "MicroPython decodes UTF-8 only (raises UnicodeError on other bytes)",
            )
        if len(args) > 1 and args[1] in ("replace", "ignore", "backslashreplace"):
            self.add(
                node,
                "decode(..., %r)" % args[1],
                "MicroPython ignores the errors handler and raises UnicodeError: "
                "catch UnicodeError and fall back",
            )


def check_source(source, path="<sample>"):
    """Findings in one module's source text."""
    checker = _Checker(path, source)
    tree = ast.parse(source)
    # Module-level definitions first, so a module defining its own `IOError` is not flagged.
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            checker.defined.add(node.name)
    checker.visit(tree)
    return checker.findings


def check_library(root=LIBRARY):
    """Findings in every ``.py`` file under ``root`` (paths relative to the repo)."""
    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8") as f:
                    out.extend(check_source(f.read(), os.path.relpath(path, ROOT)))
    return out


def test_library_has_no_cpython_only_constructs():
    findings = check_library()
    assert not findings, "CPython-only constructs in jotunheim/:\n" + "\n".join(
        repr(f) for f in findings
    )


# ------------------------------------------------------------ the rules themselves

# (sample that must be flagged, the same thing guarded or written portably). Samples in
# CIRCUITPYTHON_ONLY fail on CircuitPython 9 (DESIGN.md) but run on the 1.29 Unix port.
CIRCUITPYTHON_ONLY = ("hex(':')", "signed=True")
SAMPLES = [
    ("buf = bytearray(b'abcd')\ndel buf[:2]\n", "buf = bytearray(b'abcd')\nbuf = buf[2:]\n"),
    ("x = b'ab'.hex(':')\n", "x = b'ab'.hex()\n"),
    ("x = '{a}'.format_map({'a': 1})\n", "x = '{a}'.format(a=1)\n"),
    ("x = (5).to_bytes(2, 'big', signed=True)\n", "x = (5).to_bytes(2, 'big')\n"),
    ("x = int.from_bytes(b'\\xff', 'big', signed=True)\n", "x = int.from_bytes(b'\\xff', 'big')\n"),
    ("x = 'a b c'.split(maxsplit=1)\n", "x = 'a b c'.split(None, 1)\n"),
    ("x = int('ff', base=16)\n", "x = int('ff', 16)\n"),
    ("x = b'a'.decode(errors='strict')\n", "x = b'a'.decode('utf-8')\n"),
    ("x = b'\\xff'.decode('utf-8', 'replace')\n", "x = b'a'.decode()\n"),
    ("x = b'\\xe9'.decode('latin-1')\n", "x = b'a'.decode('utf-8')\n"),
    ("print('x', flush=True)\n", "print('x')\n"),
    ("import json\nx = json.dumps({}, sort_keys=True)\n", "import json\nx = json.dumps({})\n"),
    ("x = 'abc'.removeprefix('a')\n", "x = 'abc'[1:]\n"),
    ("x = (5).bit_length()\n", "x = len('%x' % 5)\n"),
    ("x = '1'.zfill(3)\n", "x = '%03d' % 1\n"),
    (
        "try:\n    raise OSError(11)\nexcept BlockingIOError:\n    pass\n",
        "try:\n    raise OSError(11)\nexcept OSError:\n    pass\n",
    ),
    (
        "try:\n    open('/nonexistent/x')\nexcept FileNotFoundError:\n    pass\n",
        "try:\n    open('/nonexistent/x')\nexcept OSError:\n    pass\n",
    ),
    ("import errno\nx = errno.EPIPE\n", "import errno\nx = errno.ECONNRESET\n"),
    (
        "import os\nx = os.path\n",
        "import os\ntry:\n    x = os.path\nexcept AttributeError:\n    x = None\n",
    ),
    (
        "import time\nx = time.monotonic()\n",
        "import time\nif hasattr(time, 'monotonic'):\n    x = time.monotonic()\n",
    ),
    (
        "import hashlib\nx = hashlib.sha256(b'').hexdigest()\n",
        "import hashlib\nx = hashlib.sha256(b'').digest()\n",
    ),
    ("x = format(255, '02x')\n", "x = '%02x' % 255\n"),
    ("import typing\n", "try:\n    import typing\nexcept ImportError:\n    pass\n"),
    (
        "from dataclasses import dataclass\n",
        "try:\n    from dataclasses import dataclass\nexcept ImportError:\n    pass\n",
    ),
    ("x = iter(lambda: 1, 1)\n", "x = iter([1])\n"),
    (
        "import json\ntry:\n    json.loads('{')\nexcept json.JSONDecodeError:\n    pass\n",
        "import json\ntry:\n    json.loads('{')\nexcept ValueError:\n    pass\n",
    ),
]


@pytest.mark.parametrize("bad, good", SAMPLES, ids=[s[0].splitlines()[-1][:40] for s in SAMPLES])
def test_each_rule_flags_the_construct_and_not_its_portable_twin(bad, good):
    assert check_source(bad), "not flagged: " + bad
    assert not check_source(good), check_source(good)


def test_a_module_may_define_a_missing_exception():
    source = "class IOError(OSError):\n    pass\n\ntry:\n    pass\nexcept IOError:\n    pass\n"
    assert not check_source(source)


def test_a_list_may_lose_a_slice():
    assert not check_source("xs = [1, 2, 3]\ndel xs[:1]\n")
    assert check_source("def f(xs):\n    del xs[:1]\n")  # unknown type: could be a bytearray


def test_the_flagged_samples_really_fail_under_micropython(tmp_path):
    """Every flagged sample raises under MicroPython's Unix port (the rules are real);
    every portable twin runs."""
    from tests.mpunix import runner

    runner.require()
    probe = ["import sys", "results = []"]
    for index, (bad, good) in enumerate(SAMPLES):
        for kind, source in (("bad %d" % index, bad), ("good %d" % index, good)):
            if "import typing" in source or "dataclasses" in source:
                continue  # the port has neither; the twin's guard is what matters
            if kind.startswith("bad") and any(marker in source for marker in CIRCUITPYTHON_ONLY):
                continue
            probe.append(
                "try:\n    exec(%r, {})\n    results.append(%r + ' ran')\n"
                "except Exception as e:\n    results.append(%r + ' raised ' + type(e).__name__)"
                % (source, kind, kind)
            )
    probe.append("print('\\n'.join(results))")
    # The bare port: no CircuitPython adapters (they add time.monotonic, for one).
    out = runner.run_script(tmp_path, "\n".join(probe) + "\n", plain=True).split("\n")
    lines = [line for line in out if line.startswith(("bad ", "good "))]
    assert lines and all(
        (line.startswith("bad ") and " raised " in line)
        or (line.startswith("good ") and line.endswith(" ran"))
        for line in lines
    ), "\n".join(lines)
