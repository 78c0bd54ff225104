"""YAML read with the line of every node, so errors can say ``file:line: path``.

PyYAML's ``safe_load`` throws positions away. Here the document is *composed* (node tree
with marks), then built into plain data while recording, for each JSON path such as
``groups.web.allow[2].sources``, the line the user wrote it on. Timestamps stay text:
the schema sees what the user typed and dates are parsed (and reported) by the caller.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from remediator.classify.problems import PolicyFileError, Problem
from remediator.errors import PolicyError

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
NODE_BUDGET = 200_000
"""Most values a policy may expand to; far above any real policy, far below a YAML bomb."""
MAX_DEPTH = 64
"""Deepest nesting read; real policies and the catalog stay under 10 levels."""
MAX_INT_CHARS = 100
"""Longest integer read; past 4300 digits Python itself refuses to convert one."""
_INT = "tag:yaml.org,2002:int"

PathPart = str | int


def render_path(parts: tuple[PathPart, ...] | list[PathPart]) -> str:
    """``('groups', 'web', 'allow', 2)`` -> ``groups.web.allow[2]`` (``(root)`` when empty).

    A key holding anything unprintable (a newline, an escape sequence, a bidi override)
    is shown quoted and escaped, ``allow[0]['x\\n']``: a path is printed to a terminal.
    """
    text = ""
    for part in parts:
        if isinstance(part, int) or not part.isprintable():
            text += f"[{part!r}]"
        else:
            text += f".{part}" if text else part
    return text or "(root)"


def parse_path(text: str) -> tuple[PathPart, ...]:
    """The inverse of :func:`render_path`: ``a.b[2].c`` -> ``('a', 'b', 2, 'c')``."""
    if text == "(root)":
        return ()
    tokens = re.findall(r"[^.\[\]]+|\[\d+\]", text)
    return tuple(int(t[1:-1]) if t.startswith("[") else t for t in tokens)


@dataclass(frozen=True)
class MarkedDocument:
    """Plain data from a YAML file plus the 1-based line of every path in it."""

    file: str
    data: Any
    lines: Mapping[tuple[PathPart, ...], int]

    def line(self, parts: tuple[PathPart, ...]) -> int:
        """The line of ``parts``, or of its nearest recorded parent."""
        probe = tuple(parts)
        while probe and probe not in self.lines:
            probe = probe[:-1]
        return self.lines.get(probe, 1)

    def where(self, parts: tuple[PathPart, ...]) -> str:
        """``file:line: path`` for an error message."""
        return f"{self.file}:{self.line(parts)}: {render_path(parts)}"


class _Builder:
    """Walks a composed node tree into data, noting lines per path.

    Aliases are expanded as they are met; a node budget stops alias "billion laughs"
    documents from expanding without bound.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[tuple[PathPart, ...], int] = {}
        self.constructor = yaml.SafeLoader("")
        self.budget = NODE_BUDGET

    def fail(self, node: yaml.Node, problem: str, path: tuple[PathPart, ...] = ()) -> PolicyError:
        line = node.start_mark.line + 1
        return PolicyFileError([Problem(self.file, line, render_path(path), problem)])

    def build(self, node: yaml.Node, path: tuple[PathPart, ...]) -> object:
        self.budget -= 1
        if self.budget < 0:
            raise self.fail(node, f"more than {NODE_BUDGET} values (alias expansion?)", path)
        if len(path) > MAX_DEPTH:
            raise self.fail(node, f"nested more than {MAX_DEPTH} levels deep", path)
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if node.tag == _TIMESTAMP:
            return node.value
        if node.tag == _INT and len(str(node.value)) > MAX_INT_CHARS:
            raise self.fail(node, f"integer longer than {MAX_INT_CHARS} characters", path)
        try:
            value: object = self.constructor.construct_object(node, deep=True)
        except (ValueError, KeyError, IndexError) as exc:  # e.g. '!!int abc', '!!bool maybe'
            tag = str(node.tag).rsplit(":", 1)[-1]
            text = str(node.value)
            shown = repr(text if len(text) <= 40 else text[:40] + "...")
            raise self.fail(node, f"{shown} is not a valid {tag}", path) from exc
        return value

    def _mapping(self, node: yaml.MappingNode, path: tuple[PathPart, ...]) -> dict[str, object]:
        result: dict[str, object] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.fail(key_node, "merge keys ('<<') are not supported", path)
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, "keys must be text", path)
            key = str(key_node.value)
            if key in result:
                raise self.fail(key_node, "duplicate key", (*path, key))
            self.lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, (*path, key))
        return result


def load_marked(path: Path) -> MarkedDocument:
    """Read one YAML document from ``path``; unreadable or invalid YAML is a PolicyError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PolicyError(f"{path}: no such file") from exc
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise PolicyError(f"{path}: cannot read: not UTF-8 ({exc.reason})") from exc
    return parse_marked(text, str(path))


def parse_marked(text: str, file: str) -> MarkedDocument:
    """Parse YAML ``text`` (named ``file`` in errors) into a :class:`MarkedDocument`."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else 1
        raise PolicyError(f"{file}:{line}: invalid YAML: {exc.problem}") from exc
    except yaml.reader.ReaderError as exc:  # not a MarkedYAMLError; its text spans two lines
        line = text.count("\n", 0, exc.position) + 1
        character = f"U+{exc.character:04X}" if isinstance(exc.character, int) else "a byte"
        raise PolicyError(f"{file}:{line}: invalid YAML: {character}: {exc.reason}") from exc
    except yaml.YAMLError as exc:
        raise PolicyError(f"{file}: invalid YAML: {' '.join(str(exc).split())}") from exc
    except RecursionError as exc:  # PyYAML composes recursively: a few hundred levels
        raise PolicyError(f"{file}: nested more than {MAX_DEPTH} levels deep") from exc
    if node is None:
        raise PolicyError(f"{file}:1: the file is empty")
    builder = _Builder(file)
    try:
        data: Any = builder.build(node, ())
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else 1
        raise PolicyError(f"{file}:{line}: {exc.problem}") from exc
    return MarkedDocument(file, data, dict(builder.lines))
