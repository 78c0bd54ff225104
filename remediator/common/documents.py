"""The one reader and writer of remediator's JSON documents, each checked against its schema.

Every file one stage writes for another (findings, plan, dry-run, run record, summary,
verify, evidence) has a JSON Schema shipped at ``remediator/schemas/<name>.schema.json``.
A stage's document module (beside its frozen model) reads and writes through here, so:

* a document is checked on the way in *and* on the way out: a hand-edited plan with a
  wrong field is refused with one line naming the file, the JSON path and the schema
  version, and a bug that would write a document the next stage cannot read fails
  where it is made, not three commands later;
* the write is the one file writer's (:mod:`remediator.common.files`): a whole new file
  or the old one, never half of either.

The schema's ``schema`` property is a ``const`` (``"remediator/plan/v1"``): that string is
the document's version, written in every document and named in every error.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

import jsonschema
from jsonschema.exceptions import best_match

from remediator.common.files import replace_text
from remediator.errors import InputError

SCHEMAS: Final = "remediator.schemas"
"""The package the schemas ship in."""


class DocumentError(InputError):
    """A document that does not match its schema: names the file, the JSON path and the version."""


Describe = Callable[[jsonschema.ValidationError], str]
"""A schema violation as ``$.path: reason``: a document may keep wording its readers know."""


@dataclass(frozen=True)
class Schema:
    """One shipped document schema: its file name, its version string and its validator."""

    name: str
    version: str
    validator: jsonschema.protocols.Validator

    def problem(self, document: object, describe: Describe | None = None) -> str | None:
        """The most telling violation of ``document`` as ``$.path: reason``, or None."""
        error = best_match(self.validator.iter_errors(document))  # type: ignore[arg-type]
        if error is None:
            return None
        return (describe or describe_error)(error)

    def check(self, document: object, where: str, describe: Describe | None = None) -> None:
        """Raise :class:`DocumentError` naming ``where`` unless ``document`` matches."""
        problem = self.problem(document, describe)
        if problem is not None:
            raise DocumentError(f"{where}: {problem} (schema {self.version})")


@cache
def schema(name: str) -> Schema:
    """The shipped schema ``name`` (``"plan"`` reads ``plan.schema.json``)."""
    document = schema_document(name)
    validator_class = jsonschema.validators.validator_for(document)
    validator_class.check_schema(document)
    version = document.get("properties", {}).get("schema", {}).get("const", name)
    return Schema(name, str(version), validator_class(document))


def schema_document(name: str) -> dict[str, Any]:
    """The raw JSON Schema ``name``, for tools that want the text (docs, the policy checker)."""
    text = resources.files(SCHEMAS).joinpath(f"{name}.schema.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def parse_document(text: str, name: str, where: str) -> dict[str, Any]:
    """``text`` parsed as JSON and checked against schema ``name``; ``where`` names it in errors."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(
            f"{where}: not JSON (line {exc.lineno} column {exc.colno}: {exc.msg})"
        ) from None
    schema(name).check(document, where)
    if not isinstance(document, dict):  # every document schema says "type": "object"
        raise DocumentError(f"{where}: $: not a JSON object (schema {schema(name).version})")
    return document


def read_document(path: Path, name: str) -> dict[str, Any]:
    """The document at ``path``, checked against schema ``name``; one clear line if it is not."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DocumentError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise DocumentError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return parse_document(text, name, str(path))


def document_text(document: object, *, sort_keys: bool = False) -> str:
    """``document`` as the indented UTF-8 JSON text every document (and every other JSON
    file a run keeps) is written as."""
    return json.dumps(document, indent=2, sort_keys=sort_keys, ensure_ascii=False) + "\n"


def write_document(
    path: Path,
    name: str,
    document: Mapping[str, Any],
    *,
    sort_keys: bool = False,
    mode: int | None = None,
) -> None:
    """Check ``document`` against schema ``name``, then write it as ``path`` in one rename.

    A document that fails its own schema is a bug of the writer: it is refused before any
    byte is written, so the file on disk is never one the next stage would reject.
    """
    schema(name).check(document, f"{path} (as written)")
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_text(path, document_text(document, sort_keys=sort_keys), mode=mode)


def describe_error(error: jsonschema.ValidationError) -> str:
    """The standard wording of a violation: jsonschema's path, the reason in words."""
    return f"{error.json_path}: {_reason(error)}"


TYPE_WORDS: Final = {
    "string": "text",
    "integer": "an integer",
    "number": "a number",
    "array": "a list",
    "object": "an object",
    "boolean": "true or false",
    "null": "null",
}


def expected_types(types: str | Iterable[str]) -> str:
    """A schema ``type`` in words: ``["string", "null"]`` is ``text or null``."""
    words = [types] if isinstance(types, str) else list(types)
    return " or ".join(TYPE_WORDS.get(w, w) for w in words)


def dotted_path(parts: Iterable[str | int]) -> str:
    """``$.hosts.web.lab.port``: keys joined by dots, indexes in brackets, as people write them."""
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def _reason(error: jsonschema.ValidationError) -> str:
    """A schema violation in words: the unexpected key named, "is required" for a missing one."""
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        shape = error.schema if isinstance(error.schema, Mapping) else {}
        allowed = set(shape.get("properties", {}))
        extra = sorted(str(key) for key in error.instance if key not in allowed)
        if extra:
            return f"unexpected key {extra[0]!r}"
    if error.validator == "required":
        return error.message.replace("is a required property", "is required")
    return error.message
