"""Reading a generated testinfra suite back: which hosts it tests, which findings each test proves.

The generated ``tests/test_<host>.py`` carries two literals for the tools that run it:
``testinfra_hosts`` (what pytest-testinfra connects to) and ``KEYS`` (test name -> the
finding keys it proves). Apply picks each batch's suites by the first, verify maps test
results to findings by the second. They are read with :func:`ast.literal_eval`, never
imported: a project directory can be edited by anyone, and reading must not run it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from remediator.errors import InputError

ANSIBLE_SCHEME = "ansible://"


@dataclass(frozen=True)
class GeneratedSuite:
    """One generated suite: its path in the project, the hosts it tests, its tests' keys."""

    path: str
    """Relative to the project root, POSIX (``tests/test_web_lab.py``)."""
    hosts: tuple[str, ...]
    keys: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))


def project_suites(root: Path) -> Iterator[GeneratedSuite]:
    """Every ``tests/test_*.py`` of the project at ``root``, by path."""
    for path in sorted((root / "tests").glob("test_*.py")):
        yield read_suite(path, root)


def read_suite(path: Path, root: Path) -> GeneratedSuite:
    """The suite at ``path``; InputError naming the file when it is not one we generated."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    except (OSError, SyntaxError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: unreadable testinfra suite: {exc}") from None
    literals = _module_literals(tree, ("testinfra_hosts", "KEYS"), path)
    for name in ("testinfra_hosts", "KEYS"):
        if name not in literals:
            raise InputError(f"{path}: not a generated suite (no {name})")
    hosts, keys = literals["testinfra_hosts"], literals["KEYS"]
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise InputError(f"{path}: testinfra_hosts is not a list of strings")
    if not isinstance(keys, dict) or not all(
        isinstance(k, str) and isinstance(v, list | tuple) and all(isinstance(x, str) for x in v)
        for k, v in keys.items()
    ):
        raise InputError(f"{path}: KEYS is not a mapping of test names to finding keys")
    return GeneratedSuite(
        path=path.relative_to(root).as_posix(),
        hosts=tuple(h.removeprefix(ANSIBLE_SCHEME) for h in hosts),
        keys=MappingProxyType({k: tuple(v) for k, v in keys.items()}),
    )


def _module_literals(tree: ast.Module, names: tuple[str, ...], path: Path) -> dict[str, object]:
    """``name = <literal>`` assignments at module level, for the given names."""
    found: dict[str, object] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id in names
        ):
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                raise InputError(f"{path}: {node.targets[0].id} is not a literal") from None
    return found
