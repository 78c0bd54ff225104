"""The shipped catalog, mutated: a Catalog or one line (CatalogError or invalid YAML).

A broken catalog is a packaging or editing bug, not user input, so it exits 4 rather
than 2; but it must still be one line that names catalog.yml, never a traceback.
"""

from __future__ import annotations

from importlib import resources

import pytest
from hypothesis import given

from remediator.classify.catalog import Catalog, CatalogError
from remediator.classify.catalog_load import catalog_from_text
from remediator.errors import PolicyError
from tests.unit.fuzz.mutations import Blob, blobs, fuzz_settings, mutated, time_limit

CATALOG = resources.files("remediator.classify").joinpath("catalog.yml").read_bytes()


@pytest.mark.timeout(time_limit(120))
@fuzz_settings(40)
@given(blob=blobs(mutated([CATALOG])))
def test_mutated_catalog_ends_in_a_catalog_or_one_line(blob: Blob) -> None:
    data = blob.payload()
    text = data.decode("utf-8", errors="replace")
    try:
        catalog = catalog_from_text(text)
    except (CatalogError, PolicyError) as error:
        message = str(error)
        assert message.startswith("catalog.yml"), message[:2000]
        assert "\n" not in message, message[:2000]
        return
    assert isinstance(catalog, Catalog)
