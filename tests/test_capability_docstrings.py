"""Every public class, function and method of ``jotunheim/capability/`` has a docstring."""

import ast
from pathlib import Path

CAPABILITY = Path(__file__).resolve().parent.parent / "jotunheim" / "capability"


def _public(name):
    return not name.startswith("_")


def undocumented():
    """``path:line: name`` of every public definition without a docstring."""
    out = []
    for path in sorted(CAPABILITY.rglob("*.py")):
        rel = path.relative_to(CAPABILITY.parent.parent).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if ast.get_docstring(tree) is None:
            out.append("%s:1: module" % rel)
        out.extend(_walk(tree.body, rel, ""))
    return out


def _walk(body, rel, prefix):
    out = []
    for node in body:
        if not isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if not _public(node.name):
            continue
        name = prefix + node.name
        if ast.get_docstring(node) is None:
            out.append("%s:%d: %s" % (rel, node.lineno, name))
        if isinstance(node, ast.ClassDef):
            out.extend(_walk(node.body, rel, name + "."))
    return out


def test_public_api_of_capability_is_documented():
    missing = undocumented()
    assert not missing, "public definitions without a docstring:\n" + "\n".join(missing)
