"""Typed, validating access to one object of an untrusted JSON document.

A plan file may be edited by hand or come from elsewhere; every field the generator
uses is checked for its type here, and a wrong one is an InputError naming the file
and the field's path (``plan.json: decisions[3].actions[0].port: expected an integer``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from remediator.errors import InputError


class Fields:
    """One JSON object and where it sits in its document."""

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
