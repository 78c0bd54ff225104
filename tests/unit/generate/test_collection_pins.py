"""The generated project's collection pins name the versions remediator is tested with.

A project's ``collections/requirements.yml`` is what AWX (and ``ansible-galaxy``) install
the collections from. It must admit the collections this controller runs the roles with
(the ones the pinned ``ansible`` package bundles) and nothing of another major version,
which may rename or drop the modules the roles call.
"""

from __future__ import annotations

import json
from pathlib import Path

import ansible_collections
import pytest
import yaml
from ansible.module_utils.compat.version import LooseVersion

from remediator.classify.plan_document import parse_plan
from remediator.generate.project import COLLECTION_VERSIONS
from tests.unit.generate.helpers import golden_plan, project, windows_plan_bytes

COLLECTIONS = Path(next(iter(ansible_collections.__path__)))


def installed_version(name: str) -> str:
    namespace, collection = name.split(".")
    manifest = json.loads((COLLECTIONS / namespace / collection / "MANIFEST.json").read_text())
    version: str = manifest["collection_info"]["version"]
    return version


def bounds(spec: str) -> tuple[str, str]:
    """``'>=2.1.0,<3.0.0'`` as its floor and ceiling; anything else is not a pin."""
    floor, ceiling = spec.split(",")
    assert floor.startswith(">=") and ceiling.startswith("<"), spec
    return floor[2:], ceiling[1:]


@pytest.mark.parametrize("name", sorted(COLLECTION_VERSIONS))
def test_each_pin_admits_the_installed_collection(name: str) -> None:
    floor, ceiling = bounds(COLLECTION_VERSIONS[name])
    installed = LooseVersion(installed_version(name))
    assert LooseVersion(floor) <= installed < LooseVersion(ceiling)


@pytest.mark.parametrize("name", sorted(COLLECTION_VERSIONS))
def test_each_pin_stays_within_the_tested_major_version(name: str) -> None:
    floor, ceiling = bounds(COLLECTION_VERSIONS[name])
    major = int(installed_version(name).split(".")[0])
    assert int(floor.split(".")[0]) == major
    assert ceiling == f"{major + 1}.0.0"


WINDOWS_COLLECTIONS = {"ansible.windows", "community.windows"}


def test_the_generated_requirements_carry_the_pins(tmp_path: Path) -> None:
    """A Linux-only project asks for the Linux collections; one with Windows hosts for all."""
    linux_only = {n: v for n, v in COLLECTION_VERSIONS.items() if n not in WINDOWS_COLLECTIONS}
    mixed = parse_plan(windows_plan_bytes(tmp_path), "plan.json")
    for plan, expected in ((golden_plan(), linux_only), (mixed, COLLECTION_VERSIONS)):
        files = project(plan)
        for where in ("requirements.yml", "collections/requirements.yml"):
            listed = yaml.safe_load(files[where])["collections"]
            assert {c["name"]: c["version"] for c in listed} == expected
