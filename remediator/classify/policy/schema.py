"""The shipped policy JSON Schema, and its errors in words that point at the right line."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import jsonschema

from remediator.classify.yamlmarks import PathPart
from remediator.common.documents import schema_document

Parts = tuple[PathPart, ...]


def policy_schema() -> dict[str, Any]:
    """The shipped policy JSON Schema."""
    return schema_document("policy")


def schema_problems(data: object) -> list[tuple[Parts, str]]:
    """Every schema violation in ``data`` as (path, message)."""
    validator = jsonschema.Draft202012Validator(policy_schema())
    return [p for error in validator.iter_errors(data) for p in _explain(error)]


def _explain(error: jsonschema.ValidationError) -> Iterator[tuple[Parts, str]]:
    """Schema errors as (path, message), pointing at the offending key where there is one."""
    parts: Parts = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        schema = error.schema if isinstance(error.schema, Mapping) else {}
        allowed = set(schema.get("properties", {}))
        for key in error.instance:
            if key not in allowed:
                hint = f" (expected one of: {', '.join(sorted(allowed))})" if allowed else ""
                yield (*parts, key), f"unexpected key {key!r}{hint}"
        return
    if error.validator == "required":
        yield parts, error.message.replace("is a required property", "is required")
        return
    yield parts, error.message
