"""A small, deterministic YAML writer for generated vars files.

Why not ``yaml.safe_dump``: its output depends on the text (plain, single-quoted or
folded scalars, line width), so a hostile value decides how it is written. Here every
string is written the same way — a double-quoted, fully escaped scalar tagged
``!unsafe`` (see :mod:`remediator.generate.safety`), except a :class:`Checked` value
(validated connection data), which is double-quoted only — mapping keys must be identifiers
we chose or checked host names, and key order is the caller's (sorted by default), so
the same data always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from remediator.generate.safety import (
    IDENTIFIER,
    Checked,
    check_host_name,
    yaml_quote,
    yaml_unsafe,
)

Value = str | int | float | bool | None | Sequence["Value"] | Mapping[str, "Value"]

INDENT: Final = "  "


def dump(data: Mapping[str, Value], *, header: str = "", sort_keys: bool = True) -> str:
    """A YAML document (``---`` first) of ``data``; strings become ``!unsafe`` scalars.

    ``header`` is trusted text written as ``#`` comment lines before the document start.
    """
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    lines.append("---")
    lines.extend(_mapping(data, 0, sort_keys))
    return "\n".join(lines) + "\n"


def scalar(value: str | int | float | bool | None, indent: str | None = None) -> str:
    """One scalar's YAML text; a long string folds onto lines indented by ``indent``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Checked):
        return yaml_quote(value, indent)
    return yaml_unsafe(value, indent)


def _is_scalar(value: Value) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _mapping(data: Mapping[str, Value], depth: int, sort_keys: bool) -> list[str]:
    pad = INDENT * depth
    keys = sorted(data) if sort_keys else list(data)
    lines: list[str] = []
    for key in keys:
        value = data[key]
        name = _key(key)
        if _is_scalar(value):
            lines.append(f"{pad}{name}: {scalar(value, pad + INDENT)}")  # type: ignore[arg-type]
        elif _empty(value):
            lines.append(f"{pad}{name}: {'{}' if isinstance(value, Mapping) else '[]'}")
        elif isinstance(value, Mapping):
            lines.append(f"{pad}{name}:")
            lines.extend(_mapping(value, depth + 1, sort_keys))
        else:
            lines.append(f"{pad}{name}:")
            lines.extend(_sequence(value, depth + 1, sort_keys))  # type: ignore[arg-type]
    return lines


def _key(key: str) -> str:
    """An identifier as it is; a host name quoted; anything else is a bug."""
    if IDENTIFIER.fullmatch(key):
        return key
    return yaml_quote(check_host_name(key, "a generated mapping key"))


def _empty(value: Value) -> bool:
    return isinstance(value, Mapping | list | tuple) and len(value) == 0


def _sequence(items: Sequence[Value], depth: int, sort_keys: bool) -> list[str]:
    pad = INDENT * depth
    lines: list[str] = []
    for item in items:
        if _is_scalar(item):
            lines.append(f"{pad}- {scalar(item, pad + INDENT)}")  # type: ignore[arg-type]
        elif _empty(item):
            lines.append(f"{pad}- {'{}' if isinstance(item, Mapping) else '[]'}")
        elif isinstance(item, Mapping):
            inner = _mapping(item, depth + 1, sort_keys)
            lines.append(f"{pad}- {inner[0].lstrip()}")
            lines.extend(inner[1:])
        else:
            inner = _sequence(item, depth + 1, sort_keys)  # type: ignore[arg-type]
            lines.append(f"{pad}- {inner[0].lstrip()}")
            lines.extend(inner[1:])
    return lines
