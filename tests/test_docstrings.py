# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Every module, and every public class, function and method of ``jotunheim/``, has a docstring.

Public: the name does not start with ``_`` (so ``__init__`` and other dunders are exempt),
at module level or inside a public class. The generated protobuf modules are skipped.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "jotunheim"
GENERATED = {
    "jotunheim/pb/loki.py",
    "jotunheim/pb/jotunheim.py",
    "jotunheim/pb/jotunheim_capability.py",
    "jotunheim/pb/einherjar.py",
    "jotunheim/pb/jotunheim_stream.py",
    "jotunheim/pb/mailbox.py",
}
DEFINITIONS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def undocumented():
    """``path:line: name`` of every module and public definition without a docstring."""
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in GENERATED:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
        if ast.get_docstring(tree) is None:
            out.append("%s:1: module" % rel)
        out.extend(_walk(tree.body, rel, ""))
    return out


def _walk(body, rel, prefix):
    out = []
    for node in body:
        if not isinstance(node, DEFINITIONS) or node.name.startswith("_"):
            continue
        name = prefix + node.name
        if ast.get_docstring(node) is None:
            out.append("%s:%d: %s" % (rel, node.lineno, name))
        if isinstance(node, ast.ClassDef):
            out.extend(_walk(node.body, rel, name + "."))
    return out


def test_generated_modules_still_exist():
    # A renamed generated module would silently drop out of the skip list's meaning.
    assert all((ROOT / rel).is_file() for rel in GENERATED), sorted(GENERATED)


def test_public_api_is_documented():
    missing = undocumented()
    assert not missing, "public definitions without a docstring:\n" + "\n".join(missing)


def test_the_check_finds_a_missing_docstring():
    tree = ast.parse("def f():\n    pass\n\n\nclass C:\n    def m(self):\n        pass\n")
    assert _walk(tree.body, "x.py", "") == ["x.py:1: f", "x.py:5: C", "x.py:6: C.m"]
