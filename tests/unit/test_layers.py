"""Data flows one way: no stage imports a later stage, and no product code imports the lab.

scan → findings → plan → project → run → evidence: ``ingest`` → ``classify`` →
``generate`` → ``run`` → ``verify`` → ``report``, with ``common`` (and ``errors``) below
them all. A module may import its own stage, an earlier one, or the shared layer. The lab
is a host provider the CLI registers (:mod:`remediator.common.providers`); only the
layers above the stages (the CLI, ``demo``, which brings a lab up) and the lab itself
import it.

Every form of import counts: ``import remediator.x``, ``from remediator.x import y``,
``from remediator import x``, relative imports, and any string naming a remediator
module (``importlib.import_module("remediator.lab.state")``, ``lazy("remediator.x", ...)``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest

import remediator

PACKAGE: Final = Path(remediator.__file__).parent

LAYERS: Final = {
    "common": 0,
    "errors": 0,
    "__init__": 0,
    "__version__": 0,
    "clitools": 0,
    "cliconfig": 0,
    "clierrors": 0,
    "schemas": 0,
    "ingest": 1,
    "classify": 2,
    "generate": 3,
    "run": 4,
    "verify": 5,
    "report": 6,
    "watch": 7,
}
"""The stages in the order data flows through them; the shared layer is 0."""

ABOVE: Final = frozenset({"cli", "demo", "lab"})
"""The layers on top: they may import any stage (the lab is a provider they register)."""


def module_name(path: Path) -> str:
    """``remediator/run/apply/batches.py`` -> ``remediator.run.apply.batches``."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(source: str, name: str, is_package: bool = False) -> Iterator[str]:
    """Every remediator module ``source`` (the module ``name``) imports, in any form."""
    tree = ast.parse(source)
    package = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value.strip()
            if text.startswith("remediator.") and text.replace(".", "").replace("_", "").isalnum():
                yield text


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    base = ".".join(parts[: len(parts) - node.level + 1])
    return f"{base}.{node.module}" if node.module else base


def layer_of(module: str) -> str | None:
    """The top-level part of ``remediator.<part>...``; None for anything not ours."""
    parts = module.split(".")
    if parts[0] != "remediator":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def violations(source: str, name: str, is_package: bool = False) -> list[str]:
    """Why the module ``name`` with ``source`` breaks the one-way flow (empty: it does not)."""
    own = layer_of(name)
    if own is None or own in ABOVE:
        return []
    found = []
    for target in sorted(set(imported(source, name, is_package))):
        other = layer_of(target)
        if other is None or other == own:
            continue
        if other in ABOVE:
            found.append(f"{name} imports {target}: {other} is above the stages")
        elif other not in LAYERS:
            found.append(f"{name} imports {target}: {other} is not a known layer")
        elif LAYERS[other] > LAYERS[own]:
            found.append(f"{name} imports {target}: {other} comes after {own}")
    return found


def product_modules() -> Iterator[tuple[Path, str]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, module_name(path)


def test_every_module_is_in_a_known_layer() -> None:
    unknown = {layer_of(name) for _, name in product_modules()} - set(LAYERS) - ABOVE
    assert unknown == set()


def test_no_stage_imports_a_later_stage_or_the_lab() -> None:
    found = [
        problem
        for path, name in product_modules()
        for problem in violations(
            path.read_text(encoding="utf-8"), name, path.name == "__init__.py"
        )
    ]
    assert found == []


@pytest.mark.parametrize(
    ("source", "name", "expected"),
    [
        ("import remediator.lab.state", "remediator.run.ansible.target", "above the stages"),
        ("from remediator import lab", "remediator.verify.commands", "above the stages"),
        ("from remediator.lab.scan import x", "remediator.common.processes", "above"),
        ("from ...lab import state", "remediator.run.ansible.target", "above the stages"),
        ("from ..verify import model", "remediator.run.records", "verify comes after run"),
        ("from remediator import report", "remediator.verify.commands", "report comes after"),
        ("from remediator.run.project import P", "remediator.generate.items", "run comes after"),
        (
            "import importlib\nimportlib.import_module('remediator.lab.state')",
            "remediator.run.commands",
            "above the stages",
        ),
        ("lazy('remediator.report.commands', 'run')", "remediator.verify.cli", "report comes"),
        ("import remediator.classify.plan", "remediator.common.text", "classify comes after"),
    ],
)
def test_the_check_sees_every_form_of_import(source: str, name: str, expected: str) -> None:
    problems = violations(source, name)
    assert problems
    assert all(expected in problem for problem in problems)


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("from remediator.ingest.model import Finding", "remediator.verify.rescan"),
        ("from remediator.common.files import replace_file", "remediator.ingest.cli"),
        ("from . import outcome", "remediator.run.records.record"),
        ("from remediator.lab import state", "remediator.demo.commands"),
        ("from remediator.report import cli", "remediator.cli"),
        ("x = 'remediator.lab is not imported by a sentence'", "remediator.run.commands"),
    ],
)
def test_earlier_stages_the_shared_layer_and_the_layers_above_are_allowed(
    source: str, name: str
) -> None:
    assert violations(source, name) == []


def test_every_class_name_is_unique() -> None:
    """One name, one class: ``Outcome`` once named three (task results, rules, verify)."""
    where: dict[str, list[str]] = {}
    for path, name in product_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                where.setdefault(node.name, []).append(name)
    assert {cls: modules for cls, modules in where.items() if len(modules) > 1} == {}
