# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The layout rule of docs/architecture.md, checked on the source of ``jotunheim/`` (AST only).

- no import cycle between modules of ``jotunheim/`` (module-level and function-level
  imports, ``__import__``/``importlib.import_module`` with a literal name);
- no ``from X import _private`` across modules;
- no module reads or writes an underscore member of an object unless a class or the module
  in that same file defines the name (``self._x`` of your own class, ``other._x`` of
  another instance of it: yes; ``dev._next`` from another file: no);
- no module-level ``__getattr__`` (re-export shims) in ``jotunheim/``, but the one that
  makes a message class on first lookup in the modules generated from ``proto/``.

Every test lists every violation as ``path:line: what``, so a failing run is a to-do list.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "jotunheim"

# (object expression as written, attribute): third-party names that are public by
# convention although they start with "_". MicroPython documents sys.implementation._machine
# (the board and chip, where a port has no os.uname()).
# adafruit_requests.Response has no public readinto: iter_content allocates a bytes object
# per piece (a 1 MB update = 1 MB of garbage on a board with ~100 KB). The fetcher uses
# Response._readinto when present and falls back to iter_content when it is not.
ALLOWED_PRIVATE = {("sys.implementation", "_machine"), ("resp", "_readinto")}

# Files allowed a module-level __getattr__, each with its reason. The package __init__
# files import nothing heavy, and a moved name is imported from its new home.
ALLOWED_GETATTR = {
    "jotunheim/__init__.py": "`from jotunheim import Device` is the public API and must not "
    "load the Device for code that imports only a leaf module (jotunheim.pb, jotunheim.log); "
    "MicroPython consults a package __getattr__ before importing a submodule, so it imports "
    "submodules too. No other name is re-exported.",
}

_ATTR_FUNCTIONS = ("getattr", "setattr", "hasattr", "delattr")


class Source:
    """One module of ``jotunheim/``: its dotted name, path relative to the repo, AST."""

    def __init__(self, path):
        self.path = path
        self.rel = path.relative_to(ROOT).as_posix()
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        self.is_package = parts[-1] == "__init__"
        if self.is_package:
            parts.pop()
        self.name = ".".join(parts)
        self.tree = ast.parse(path.read_text(encoding="utf-8"), filename=self.rel)

    def where(self, node):
        return "%s:%d" % (self.rel, node.lineno)


def _sources():
    return [Source(p) for p in sorted(PACKAGE.rglob("*.py"))]


SOURCES = _sources()
MODULES = {s.name: s for s in SOURCES}


def is_private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


# ------------------------------------------------------------ imports


def _resolve_relative(source, module, level):
    if not level:
        return module or ""
    base = source.name.split(".")
    if not source.is_package:
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def _known(name):
    """The module ``name`` names, or the longest prefix of it that is a module of ours."""
    while name:
        if name in MODULES:
            return name
        if "." not in name:
            return None
        name = name.rsplit(".", 1)[0]
    return None


def _literal_import(node):
    """The module name of ``__import__("x")`` / ``importlib.import_module("x")``, or None."""
    func = node.func
    named = (isinstance(func, ast.Name) and func.id == "__import__") or (
        isinstance(func, ast.Attribute) and func.attr == "import_module"
    )
    if named and node.args:
        arg = node.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
    return None


def imports_of(source):
    """``[(target module, node, imported names)]`` for every import in ``source``; the
    target is a module of ``jotunheim/``, or the name as written when it is not one."""
    out = []
    for node in ast.walk(source.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                out.append((_known(alias.name) or alias.name, node, ()))
        elif isinstance(node, ast.ImportFrom):
            base = _resolve_relative(source, node.module, node.level)
            plain = []
            for alias in node.names:
                sub = base + "." + alias.name
                if sub in MODULES:
                    out.append((sub, node, ()))
                else:
                    plain.append(alias.name)
            if plain:
                out.append((_known(base) or base, node, tuple(plain)))
        elif isinstance(node, ast.Call):
            name = _literal_import(node)
            if name is not None:
                out.append((_known(name) or name, node, ()))
    return out


def import_graph():
    """``{module: {imported module: "path:line"}}`` over modules of ``jotunheim/``."""
    graph = {}
    for source in SOURCES:
        edges = graph.setdefault(source.name, {})
        for target, node, _ in imports_of(source):
            if target in MODULES and target != source.name and target not in edges:
                edges[target] = source.where(node)
    return graph


def strongly_connected(graph):
    """Tarjan's algorithm, iterative; components with more than one module."""
    index = {}
    low = {}
    stack = []
    on_stack = set()
    found = []
    counter = [0]
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def cycle_in(graph, component):
    """One concrete cycle through the first module of ``component`` (a path back to it)."""
    members = set(component)
    start = component[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for child in sorted(graph[node]):
            if child == start:
                return paths[node] + [start]
            if child in members and child not in paths:
                paths[child] = paths[node] + [child]
                queue.append(child)
    raise AssertionError("no cycle in %r" % component)


def cycle_report(graph):
    lines = []
    for component in strongly_connected(graph):
        path = cycle_in(graph, component)
        lines.append("cycle: " + " -> ".join(path))
        for a, b in zip(path, path[1:]):
            lines.append("    %s: %s imports %s" % (graph[a][b], a, b))
    return lines


def private_imports():
    out = []
    for source in SOURCES:
        for target, node, names in imports_of(source):
            for name in names:
                if is_private(name):
                    out.append(
                        "%s: from %s import %s (a private name of another module)"
                        % (source.where(node), target, name)
                    )
    return out


# ------------------------------------------------------------ underscore members


def own_names(tree):
    """Underscore names this file defines: module-level names, class attributes and
    methods, and attributes its classes assign on ``self``/``cls``."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.split(".")[0])
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Store)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("self", "cls")
        ):
            names.add(node.attr)
    return {n for n in names if is_private(n)}


def _dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return inner + "." + node.attr if inner else ""
    return ""


class _MemberVisitor(ast.NodeVisitor):
    """Underscore members read or written on objects other than the method's own."""

    def __init__(self, source, own):
        self.source = source
        self.own = own
        self.found = []
        self.receivers = []  # names of self/cls in the enclosing methods

    def visit_ClassDef(self, node):
        saved = self.receivers
        self.receivers = []
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._method(item, saved)
            else:
                self.visit(item)
        self.receivers = saved

    def _method(self, node, outer):
        args = node.args.posonlyargs + node.args.args
        is_static = any(_dotted(d) == "staticmethod" for d in node.decorator_list)
        self.receivers = outer + ([args[0].arg] if args and not is_static else [])
        self.generic_visit(node)

    def visit_FunctionDef(self, node):
        self.generic_visit(node)  # a nested function keeps the enclosing receivers

    def _check(self, node, obj, attr):
        if not is_private(attr):
            return
        if isinstance(obj, ast.Name) and obj.id in self.receivers:
            return
        if isinstance(obj, ast.Call) and _dotted(obj.func) == "super":
            return
        if attr in self.own or (_dotted(obj), attr) in ALLOWED_PRIVATE:
            return
        self.found.append(
            "%s: %s.%s (an underscore member of an object this file does not define)"
            % (self.source.where(node), ast.unparse(obj), attr)
        )

    def visit_Attribute(self, node):
        self._check(node, node.value, node.attr)
        self.generic_visit(node)

    def visit_Call(self, node):
        if isinstance(node.func, ast.Name) and node.func.id in _ATTR_FUNCTIONS and node.args:
            if len(node.args) > 1:
                name = node.args[1]
                if isinstance(name, ast.Constant) and isinstance(name.value, str):
                    self._check(node, node.args[0], name.value)
        self.generic_visit(node)


def foreign_members():
    out = []
    for source in SOURCES:
        visitor = _MemberVisitor(source, own_names(source.tree))
        visitor.visit(source.tree)
        out.extend(visitor.found)
    return out


# A module generated from proto/ (jotunheim_host/protogen.py) makes a message class when it
# is first looked up, so a board holds only the classes it uses: its __getattr__ is exactly
# this, and re-exports nothing.
GENERATED = '"""Generated from proto/'
MESSAGE_GETATTR = "def __getattr__(name):\n    return message(globals(), name)"


def _is_message_maker(source, node):
    text = (ROOT / source.rel).read_text(encoding="utf-8")
    return text.startswith(GENERATED) and ast.unparse(node) == MESSAGE_GETATTR


def module_getattrs():
    out = []
    for source in SOURCES:
        for node in _module_level(source.tree.body):
            if source.rel in ALLOWED_GETATTR:
                continue
            if isinstance(node, ast.FunctionDef) and node.name == "__getattr__":
                if _is_message_maker(source, node):
                    continue
                out.append("%s: module-level __getattr__ (a re-export shim)" % source.where(node))
    return out


def _module_level(body):
    """Statements at module level, including those inside module-level if/try blocks."""
    for node in body:
        yield node
        if not isinstance(node, (ast.If, ast.Try)):
            continue  # a class's or a function's body is not module level
        for field in ("body", "orelse", "finalbody"):
            yield from _module_level(getattr(node, field, []) or [])
        for handler in getattr(node, "handlers", []) or []:
            yield from _module_level(handler.body)


# ------------------------------------------------------------ the tests


def _report(title, lines):
    return "%s (%d):\n%s" % (title, len(lines), "\n".join(lines))


def test_the_checks_see_the_package():
    # Guards the walkers themselves: a broken scan would make every other test pass.
    assert len(SOURCES) > 40 and "jotunheim.capability.registry" in MODULES
    graph = import_graph()
    assert "jotunheim.capability.schema" in graph["jotunheim.capability.registry"]


def test_no_import_cycles():
    lines = cycle_report(import_graph())
    assert not lines, _report("import cycles in jotunheim/", lines)


def test_no_private_names_imported_across_modules():
    lines = private_imports()
    assert not lines, _report("private names imported from other modules", lines)


def test_no_underscore_members_of_other_objects():
    lines = foreign_members()
    assert not lines, _report("underscore members touched from outside their file", lines)


def test_no_module_level_getattr():
    lines = module_getattrs()
    assert not lines, _report("module __getattr__ in jotunheim/", lines)


def _module_constants(source):
    """Module-level ``NAME = <literal>`` of ``source``: ``{name: value}``."""
    out = {}
    for node in source.tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                try:
                    out[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    pass
    return out


def forgotten_modules():
    """``{module: where}`` of every module the library forgets: the first argument of a
    ``run_and_forget(...)`` or ``forget(...)`` call, a string or a module constant naming one
    (or a tuple of them)."""
    found = {}
    for source in SOURCES:
        constants = _module_constants(source)
        for node in ast.walk(source.tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in ("run_and_forget", "forget"):
                continue
            arg = node.args[0]
            if isinstance(arg, ast.Constant):
                values = [arg.value]
            elif isinstance(arg, ast.Name) and arg.id in constants:
                values = constants[arg.id]
                values = list(values) if isinstance(values, tuple) else [values]
            else:  # a loop variable: the tuples of the module name the modules
                values = [v for v in constants.values() if isinstance(v, tuple)]
                values = [m for v in values for m in v if isinstance(m, str) and m in MODULES]
            for value in values:
                if isinstance(value, str) and value.startswith("jotunheim"):
                    found.setdefault(value, source.where(node))
    return found


def forgettable_problems(source):
    """Lines of ``source`` that a forgotten module must not have: a class, or module-level
    state (a value that is not a literal constant); either breaks once it is imported anew."""
    lines = []
    for node in ast.walk(source.tree):
        if isinstance(node, ast.ClassDef):
            lines.append("%s: class %s in a forgotten module" % (source.where(node), node.name))
    # A constant: an UPPER_CASE name bound to a literal (a table read, never changed).
    constants = {k for k in _module_constants(source) if k.upper() == k}
    for node in source.tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if not (isinstance(target, ast.Name) and target.id in constants):
                    lines.append(
                        "%s: module-level state in a forgotten module" % source.where(node)
                    )
    return lines


def stateful_forgotten_modules():
    """:func:`forgettable_problems` of every module the library forgets."""
    lines = []
    for name, where in sorted(forgotten_modules().items()):
        source = MODULES.get(name)
        if source is None:
            lines.append("%s: forgets %s, which is not a module of jotunheim/" % (where, name))
        else:
            lines += forgettable_problems(source)
    return lines


def test_the_forgettable_check_finds_classes_and_state():
    text = "X = 1\nY = (1, 'a')\ncache = {}\ncache2 = dict()\nclass C:\n    pass\n"
    lines = forgettable_problems(_source_of(text))
    assert [line.split(": ", 1)[1] for line in lines] == [
        "class C in a forgotten module",
        "module-level state in a forgotten module",
        "module-level state in a forgotten module",
    ]
    assert lines[1].startswith("jotunheim/fake/mod.py:3")
    assert lines[2].startswith("jotunheim/fake/mod.py:4")


def test_forgotten_modules_define_no_classes_and_keep_no_state():
    found = forgotten_modules()
    # Guards the scan: the Device's set-up and the settings' reading are among them.
    assert {"jotunheim.device.setup", "jotunheim.settings.reading"} <= set(found), found
    assert "jotunheim.settings.validator" in found  # through reading.HELPERS
    lines = stateful_forgotten_modules()
    assert not lines, _report("forgotten modules with classes or state", lines)


# ------------------------------------------------------------ the checkers, on known code


def _source_of(text, name="jotunheim.fake.mod"):
    source = Source.__new__(Source)
    source.rel = name.replace(".", "/") + ".py"
    source.name = name
    source.is_package = False
    source.tree = ast.parse(text)
    return source


def test_cycle_finder_reports_a_cycle_with_its_lines():
    graph = {"a": {"b": "a.py:1"}, "b": {"c": "b.py:2"}, "c": {"a": "c.py:3"}, "d": {"a": "d:1"}}
    lines = cycle_report(graph)
    assert lines[0] == "cycle: a -> b -> c -> a"
    assert lines[1:] == [
        "    a.py:1: a imports b",
        "    b.py:2: b imports c",
        "    c.py:3: c imports a",
    ]
    assert cycle_report({"a": {"b": "x"}, "b": {}}) == []


def test_member_checker_tells_own_members_from_foreign_ones():
    text = (
        "class Reg:\n"
        "    def __init__(self):\n"
        "        self._tools = {}\n"
        "    def merge(self, other):\n"
        "        return other._tools\n"  # another instance of this file's class: allowed
        "def helper(dev):\n"
        "    dev._next = 1\n"  # foreign
        "    return getattr(dev, '_dirty')\n"  # foreign, through getattr
    )
    source = _source_of(text)
    visitor = _MemberVisitor(source, own_names(source.tree))
    visitor.visit(source.tree)
    assert visitor.found == [
        "jotunheim/fake/mod.py:7: dev._next (an underscore member of an object this file "
        "does not define)",
        "jotunheim/fake/mod.py:8: dev._dirty (an underscore member of an object this file "
        "does not define)",
    ]


def test_only_the_generated_message_maker_is_allowed_a_module_getattr():
    maker = "def __getattr__(name):\n    return message(globals(), name)\n"
    shim = "def __getattr__(name):\n    return getattr(other, name)\n"
    assert _is_message_maker(MODULES["jotunheim.pb.loki"], ast.parse(maker).body[0])
    assert not _is_message_maker(MODULES["jotunheim.pb.loki"], ast.parse(shim).body[0])
    assert not _is_message_maker(MODULES["jotunheim.log"], ast.parse(maker).body[0])


def test_capability_package_follows_the_rule():
    # The package that is done stays done while the rest of jotunheim/ is reworked.
    prefix = "jotunheim/capability/"
    cycles = [line for line in cycle_report(import_graph()) if "jotunheim.capability" in line]
    others = private_imports() + foreign_members() + module_getattrs()
    lines = cycles + [line for line in others if line.startswith(prefix)]
    assert not lines, _report("layout violations in jotunheim/capability/", lines)
