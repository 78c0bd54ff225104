"""No traceback from any policy: mutated real policies end in a Policy or an InputError.

A policy error may list several problems, one per line; every line must name the file
(``file:line: path: problem``), so no line is a stray piece of input or a traceback, and
hold only printable characters: no newline, escape sequence or bidi override from a key.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from remediator.classify.catalog_load import load_catalog
from remediator.classify.policy.model import Policy
from remediator.classify.policy.read import load_policy
from remediator.errors import InputError
from remediator.ingest.inventory import Inventory, load_inventory
from tests.unit.fuzz.mutations import (
    Blob,
    blobs,
    edited_data,
    fuzz_settings,
    mutated,
    time_limit,
    yaml_values,
)

REPO = Path(__file__).resolve().parents[3]
CLASSIFY = REPO / "tests" / "unit" / "classify" / "fixtures"
POLICY_SEEDS = (
    (CLASSIFY / "base-policy.yml").read_bytes(),
    (REPO / "examples" / "lab-policy.yml").read_bytes(),
)


@pytest.fixture(scope="module")
def policy_file() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="remediator-fuzz-") as folder:
        yield Path(folder) / "policy.yml"


@cache
def lab_inventory() -> Inventory:
    """Not a fixture: hypothesis would print its long repr with every failing example."""
    return load_inventory(CLASSIFY / "lab-inventory.yml")


def load_or_refuse(path: Path, inventory: Inventory | None) -> None:
    """The contract: a Policy, or an InputError whose every line names ``path``."""
    try:
        policy = load_policy(path, inventory, load_catalog())
    except InputError as error:
        lines = str(error).split("\n")
        assert all(line.startswith(str(path)) for line in lines), str(error)[:2000]
        assert all(line.isprintable() for line in lines), repr(str(error))[:2000]
        return
    assert isinstance(policy, Policy)


@pytest.mark.timeout(time_limit(120))
@fuzz_settings(400)
@given(blob=blobs(mutated(POLICY_SEEDS)))
def test_mutated_policy_ends_in_a_policy_or_problems(blob: Blob, policy_file: Path) -> None:
    data = blob.payload()
    policy_file.write_bytes(data)
    load_or_refuse(policy_file, lab_inventory())


@pytest.mark.timeout(time_limit(60))
@fuzz_settings(300)
@given(data=yaml_values(), with_inventory=st.booleans())
def test_any_yaml_data_ends_in_a_policy_or_problems(
    data: object, with_inventory: bool, policy_file: Path
) -> None:
    """Well-formed YAML of any shape: the schema, not a KeyError, must refuse it."""
    policy_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load_or_refuse(policy_file, lab_inventory() if with_inventory else None)


@pytest.mark.timeout(time_limit(120))
@fuzz_settings(150)
@given(data=edited_data(yaml.safe_load(POLICY_SEEDS[0])))
def test_edited_valid_policy_ends_in_a_policy_or_problems(data: object, policy_file: Path) -> None:
    """Edits of a valid policy get past the schema to the semantic checks behind it."""
    policy_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load_or_refuse(policy_file, lab_inventory())
