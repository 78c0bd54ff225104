"""Validate module calls in role task files against the installed modules' argument specs.

``ansible-playbook --syntax-check`` and ansible-lint do not check a module's options:
an unknown option, a missing required one or a wrong literal choice only fails on a
host. No Windows host is reachable here, so every call is checked against the spec
``ansible-doc --json`` reports for the installed collections (one ansible-doc run for
all modules, cached for the session), and against the DOCUMENTATION of a role's own
``library/`` modules. Values that are Jinja are checked only for existence, never for
type: their type is known on the host alone. Literal values are checked with Ansible's
own type checkers, so the verdict is Ansible's.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from ansible.module_utils.common import validation
from ansible.playbook.block import Block
from ansible.playbook.task import Task

BIN = Path(sys.executable).parent

# Task keywords (name, when, loop, register, ...) are not module options.
_KEYWORDS = frozenset(Task.fattributes) | frozenset(Block.fattributes) | {"local_action"}
# Forms that are not module calls with an argument spec of their own.
_SPECIAL = frozenset(
    {
        "ansible.builtin.include_tasks",
        "ansible.builtin.import_tasks",
        "ansible.builtin.include_role",
        "ansible.builtin.import_role",
        "ansible.builtin.include_vars",
        "ansible.builtin.import_playbook",
        "ansible.builtin.meta",
        "ansible.builtin.set_fact",
    }
)

_TYPE_CHECKS: dict[str, Callable[[Any], Any]] = {
    "str": lambda v: validation.check_type_str(v, allow_conversion=True),
    "path": validation.check_type_path,
    "int": validation.check_type_int,
    "bool": validation.check_type_bool,
    "list": validation.check_type_list,
    "dict": validation.check_type_dict,
    "float": validation.check_type_float,
    "raw": validation.check_type_raw,
}


@dataclass(frozen=True)
class ModuleCall:
    """One module call in a task file: where, which module, with which arguments."""

    where: str
    module: str
    args: dict[str, Any]


def _is_jinja(value: object) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def _walk(tasks: object, where: str) -> Iterator[dict[str, Any]]:
    if not isinstance(tasks, list):
        return
    for index, task in enumerate(tasks):
        if not isinstance(task, dict):
            continue
        here = f"{where}[{index}] {task.get('name', '?')}"
        if any(part in task for part in ("block", "rescue", "always")):
            for part in ("block", "rescue", "always"):
                yield from _walk(task.get(part), f"{here}.{part}")
            continue
        yield {"__where__": here, **task}


def module_calls(task_file: Path, root: Path) -> Iterator[ModuleCall]:
    """Every module call in one task or handler file (blocks walked)."""
    where = str(task_file.relative_to(root))
    for task in _walk(yaml.safe_load(task_file.read_text("utf-8")), where):
        here = task.pop("__where__")
        modules = [key for key in task if key not in _KEYWORDS]
        assert len(modules) == 1, f"{here}: expected one module, found {modules}"
        module = modules[0]
        args = task[module]
        if module in _SPECIAL or isinstance(args, str):
            continue  # special forms and free-form arguments have no option spec
        yield ModuleCall(here, module, dict(args or {}))


def role_task_files(roles: Path) -> list[Path]:
    return sorted([*roles.glob("*/tasks/*.yml"), *roles.glob("*/handlers/*.yml")])


def _library_spec(roles: Path, module: str) -> dict[str, Any] | None:
    """A role's own module, or a generated project's playbook module (beside ``roles``):
    the options in its DOCUMENTATION string."""
    paths = [
        *roles.glob(f"*/library/{module}.py"),
        *roles.parent.glob(f"playbooks/library/{module}.py"),
    ]
    for path in paths:
        for node in ast.parse(path.read_text("utf-8")).body:
            if (
                isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "DOCUMENTATION" for t in node.targets)
                and isinstance(node.value, ast.Constant)
            ):
                options: dict[str, Any] = yaml.safe_load(node.value.value).get("options", {})
                return options
    return None


@cache
def _installed_specs(modules: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """One ``ansible-doc --json`` run for all the modules (it is the slow part)."""
    done = subprocess.run(
        [str(BIN / "ansible-doc"), "--json", *modules],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    docs = json.loads(done.stdout)
    return {name: doc["doc"].get("options") or {} for name, doc in docs.items()}


def option_specs(modules: Iterable[str], roles: Path) -> dict[str, dict[str, Any]]:
    """The option spec of each module: a role's library first, else ansible-doc."""
    specs: dict[str, dict[str, Any]] = {}
    installed: list[str] = []
    for module in sorted(set(modules)):
        library = None if "." in module else _library_spec(roles, module)
        if library is not None:
            specs[module] = library
        else:
            installed.append(module)
    if installed:
        specs.update(_installed_specs(tuple(installed)))
    return specs


def _check_value(value: Any, spec: dict[str, Any], where: str) -> list[str]:
    if _is_jinja(value) or value is None:
        return []
    problems: list[str] = []
    kind = spec.get("type", "str")
    checker = _TYPE_CHECKS.get(kind)
    if checker is not None:
        try:
            value = checker(value)
        except (TypeError, ValueError) as exc:
            return [f"{where}: {value!r} is not of type {kind} ({exc})"]
    items = value if kind == "list" else [value]
    element_kind = spec.get("elements")
    for element in items:
        if _is_jinja(element):
            continue
        if kind == "list" and element_kind in _TYPE_CHECKS:
            try:
                checked = _TYPE_CHECKS[element_kind](element)
            except (TypeError, ValueError) as exc:
                problems.append(f"{where}: element {element!r} is not {element_kind} ({exc})")
                continue
        else:
            checked = element
        element = checked  # noqa: PLW2901 - the checked value is what Ansible uses
        choices = spec.get("choices")
        if choices and isinstance(element, str | int | float) and element not in choices:
            problems.append(f"{where}: {element!r} is not one of {choices}")
        suboptions = spec.get("suboptions") or spec.get("options")
        if suboptions and isinstance(element, dict):
            problems += check_args(element, suboptions, where)
    return problems


def check_args(args: dict[str, Any], options: dict[str, Any], where: str) -> list[str]:
    """Problems of one argument dict against an option spec: unknown, missing, choices, types."""
    canonical: dict[str, str] = {}
    for name, spec in options.items():
        canonical[name] = name
        for alias in spec.get("aliases") or []:
            canonical[alias] = name
    problems: list[str] = []
    given: set[str] = set()
    for key, value in args.items():
        if key not in canonical:
            problems.append(f"{where}: unknown option {key!r}")
            continue
        given.add(canonical[key])
        problems += _check_value(value, options[canonical[key]], f"{where}.{key}")
    for name, spec in options.items():
        if spec.get("required") and name not in given:
            problems.append(f"{where}: required option {name!r} missing")
    return problems


def validate_calls(calls: Iterable[ModuleCall], roles: Path) -> list[str]:
    """Every problem of every call; an unknown module is a problem too."""
    calls = list(calls)
    specs = option_specs((call.module for call in calls), roles)
    problems: list[str] = []
    for call in calls:
        if call.module not in specs:
            problems.append(f"{call.where}: module {call.module} not installed")
            continue
        problems += check_args(call.args, specs[call.module], f"{call.where} {call.module}")
    return problems
