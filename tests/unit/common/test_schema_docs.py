"""docs/schemas.md publishes every shipped schema, each under the version it really has."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from remediator.common.documents import SCHEMAS, schema, schema_document

DOCS = Path(__file__).resolve().parents[3] / "docs" / "schemas.md"
ROW = re.compile(
    r"^\| [^|]+ \| \[(?P<file>[\w-]+\.schema\.json)\]\([^)]+\) \| `(?P<version>[^`]+)` \|"
)


def shipped() -> dict[str, str]:
    """Each schema file shipped in the package and its version (the const, else the $id)."""
    found = {}
    for entry in resources.files(SCHEMAS).iterdir():
        if entry.name.endswith(".schema.json"):
            name = entry.name.removesuffix(".schema.json")
            schema(name)  # the schema itself is valid draft 2020-12, or this raises
            const = schema_document(name).get("properties", {}).get("schema", {}).get("const")
            found[entry.name] = const or schema_document(name)["$id"]
    return found


def published() -> dict[str, str]:
    rows = (ROW.match(line) for line in DOCS.read_text(encoding="utf-8").splitlines())
    return {m["file"]: m["version"] for m in rows if m}


def test_every_shipped_schema_is_published_with_its_version() -> None:
    assert published() == shipped()
