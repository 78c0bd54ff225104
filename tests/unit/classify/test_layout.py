"""classify's modules import at the top, and the policy package imports in one direction.

An import inside a function is how an import cycle gets hidden (issue 14 found one in
the policy modules); these tests keep it from coming back.
"""

from __future__ import annotations

import ast
from pathlib import Path

from remediator import classify

ROOT = Path(classify.__file__).parent
POLICY_ORDER = ("sources", "model", "schema", "kept", "host", "guard", "read", "starter")
"""The policy package's modules, each importing only policy modules listed before it."""


def _modules() -> list[Path]:
    return sorted(ROOT.rglob("*.py"))


def test_no_classify_module_imports_inside_a_function() -> None:
    found = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                found += [
                    f"{path.relative_to(ROOT)}:{inner.lineno}"
                    for inner in ast.walk(node)
                    if isinstance(inner, ast.Import | ast.ImportFrom)
                ]
    assert found == []


def test_policy_modules_import_one_way() -> None:
    assert sorted(POLICY_ORDER) == sorted(
        p.stem for p in (ROOT / "policy").glob("*.py") if p.stem != "__init__"
    )
    backward = []
    for index, name in enumerate(POLICY_ORDER):
        tree = ast.parse((ROOT / "policy" / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                parts = node.module.split(".")
                if parts[:3] == ["remediator", "classify", "policy"]:
                    target = parts[3] if len(parts) > 3 else "__init__"
                    if target not in POLICY_ORDER[:index]:
                        backward.append(f"policy/{name}.py imports {node.module}")
    assert backward == []
