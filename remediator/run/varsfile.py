"""Reading the generated project's vars files, whose strings are tagged ``!unsafe``.

The generator writes every string as a ``!unsafe`` double-quoted scalar so Ansible never
templates it; ``yaml.safe_load`` does not know the tag, so this loader reads it as the
plain value it wraps. Nothing else is accepted: no Python tags, no other custom tags.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import yaml

from remediator.classify.planload import Fields
from remediator.errors import InputError


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
