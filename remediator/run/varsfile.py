"""Reading the generated project's vars files, whose strings are tagged ``!unsafe``.

The generator writes every string as a ``!unsafe`` double-quoted scalar so Ansible never
templates it; ``yaml.safe_load`` does not know the tag, so this loader reads it as the
plain value it wraps. Nothing else is accepted: no Python tags, no other custom tags.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from remediator.errors import InputError


class Fields:
    """One mapping of a vars file and where it sits in it, read with typed accessors."""

    def __init__(self, data: object, where: str, display: str) -> None:
        if not isinstance(data, Mapping):
            raise InputError(f"{display}: {where or 'the document'}: expected an object")
        self.data: Mapping[str, Any] = data
        self.where = where
        self.display = display

    def _path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def fail(self, key: str, problem: str) -> InputError:
        """An InputError about ``key`` of this object."""
        return InputError(f"{self.display}: {self._path(key)}: {problem}")

    def _get(self, key: str) -> object:
        if key not in self.data:
            raise self.fail(key, "is missing")
        return self.data[key]

    def text(self, key: str) -> str:
        """A required string."""
        value = self._get(key)
        if not isinstance(value, str):
            raise self.fail(key, "expected text")
        return value

    def optional_text(self, key: str) -> str | None:
        """A string or null (missing counts as null)."""
        value = self.data.get(key)
        if value is not None and not isinstance(value, str):
            raise self.fail(key, "expected text or null")
        return value

    def integer(self, key: str, low: int = 0, high: int = 65535) -> int:
        """A required integer within ``[low, high]``."""
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, "expected an integer")
        if not low <= value <= high:
            raise self.fail(key, f"{value} is outside {low}-{high}")
        return value

    def flag(self, key: str, default: bool | None = None) -> bool:
        """A boolean (``default`` when missing, if given)."""
        if key not in self.data and default is not None:
            return default
        value = self._get(key)
        if not isinstance(value, bool):
            raise self.fail(key, "expected true or false")
        return value

    def texts(self, key: str, default: tuple[str, ...] | None = None) -> tuple[str, ...]:
        """A list of strings (``default`` when missing, if given)."""
        if key not in self.data and default is not None:
            return default
        value = self._get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "expected a list of text")
        return tuple(value)

    def items(self, key: str) -> list[object]:
        """A required list of anything (its items checked by the caller)."""
        value = self._get(key)
        if not isinstance(value, list):
            raise self.fail(key, "expected a list")
        return value

    def child(self, key: str) -> Fields:
        """A nested object."""
        return Fields(self._get(key), self._path(key), self.display)

    def optional_child(self, key: str) -> Fields | None:
        """A nested object or null."""
        value = self.data.get(key)
        return None if value is None else Fields(value, self._path(key), self.display)

    def children(self, key: str) -> Iterator[Fields]:
        """Each object of a list."""
        value = self._get(key)
        if not isinstance(value, list):
            raise self.fail(key, "expected a list")
        for index, item in enumerate(value):
            yield Fields(item, f"{self._path(key)}[{index}]", self.display)

    def entries(self, key: str) -> Iterator[tuple[str, Fields]]:
        """Each named object of a mapping, in key order."""
        value = self._get(key)
        if not isinstance(value, Mapping):
            raise self.fail(key, "expected an object")
        for name in sorted(value):
            yield name, Fields(value[name], f"{self._path(key)}.{name}", self.display)


class _VarsLoader(yaml.SafeLoader):
    """SafeLoader plus ``!unsafe`` (a marker for Ansible, not a type)."""


def _unsafe(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    raise yaml.constructor.ConstructorError(None, None, "bad !unsafe node", node.start_mark)


_VarsLoader.add_constructor("!unsafe", _unsafe)


def load_vars(path: Path) -> Fields:
    """A vars file as typed fields; InputError names the file when it is not a mapping."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_VarsLoader)  # noqa: S506
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"{path}: unreadable vars file: {exc}") from None
    return Fields(data if data is not None else {}, "", str(path))


def text_or(fields: Fields, key: str, default: str) -> str:
    """An optional string with a default."""
    value = fields.optional_text(key)
    return default if value is None else value


def instant(fields: Fields, key: str) -> datetime:
    """An ISO 8601 time with an offset (``Z`` counts as UTC)."""
    text = fields.text(key)
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise fields.fail(key, f"{text!r} is not an ISO 8601 time") from None
    if value.tzinfo is None:
        raise fields.fail(key, f"{text!r} has no UTC offset")
    return value
