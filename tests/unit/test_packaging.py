"""The wheel carries every file the verbs need, as the source tree has them.

``generate`` copies the roles into each project, ``demo`` plans with the example policy,
``lab`` provisions hosts from its files, every reader checks a schema: an installed
remediator has none of the checkout around it. This builds the sdist and, from it, the
wheel (as ``python -m build`` does, and CI's packaging stage) and compares the wheel's
file list with the tracked files of the tree.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE_DATA = ("remediator/generate/templates", "remediator/schemas", "remediator/lab/provision")
"""Directories inside the package whose every tracked file must ship."""
SHIPPED = {"roles": "remediator/roles", "examples": "remediator/examples"}
"""Top-level directories the build copies into the package."""

pytestmark = pytest.mark.slow


def tracked(under: str) -> list[str]:
    listed = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-z", "--", under],
        check=True,
        capture_output=True,
    ).stdout.decode()
    return [p for p in listed.split("\0") if p and "__pycache__" not in p]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from an sdist built from this tree."""
    if not (REPO / ".git").exists():
        pytest.skip("needs a git checkout to know the tracked files")
    out = tmp_path_factory.mktemp("dist")
    source = tmp_path_factory.mktemp("source")
    for relative in tracked("."):
        if (REPO / relative).is_file():
            (source / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / relative, source / relative)
    # built from a copy of the tracked files: the sdist build writes remediator.egg-info
    # into its source tree, and two test workers building in the checkout at once collide
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    (sdist,) = out.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        assert any(n.endswith("/roles/firewall/tasks/main.yml") for n in archive.getnames())
    (built,) = out.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def wheel_files(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return {n for n in archive.namelist() if not n.endswith("/")}


def test_every_role_file_ships_inside_the_package(wheel_files: set[str]) -> None:
    for top, inside in SHIPPED.items():
        expected = {f"{inside}/{p.removeprefix(top + '/')}" for p in tracked(top)}
        assert expected, top
        assert expected <= wheel_files, sorted(expected - wheel_files)
        shipped = {n for n in wheel_files if n.startswith(inside + "/")}
        assert shipped == expected, sorted(shipped - expected)


def test_every_template_schema_and_lab_file_ships(wheel_files: set[str]) -> None:
    for folder in PACKAGE_DATA:
        expected = set(tracked(folder))
        assert expected, folder
        assert expected <= wheel_files, sorted(expected - wheel_files)


def test_every_module_ships_and_nothing_from_outside_the_package(wheel_files: set[str]) -> None:
    modules = {p for p in tracked("remediator") if p.endswith(".py")}
    assert modules <= wheel_files, sorted(modules - wheel_files)
    outside = {n for n in wheel_files if not n.startswith(("remediator/", "remediator-"))}
    assert outside == set()


def test_every_library_the_code_imports_is_declared(wheel: Path) -> None:
    declared = requirements(wheel)
    imported = third_party_imports(REPO / "remediator")
    distributions = packages_distributions()
    for module in sorted(imported):
        names = {canonical(d) for d in distributions.get(module, [])}
        assert names & declared, f"{module} is imported but no distribution of it is declared"


def test_the_collections_come_from_the_tested_major_version_of_ansible(wheel: Path) -> None:
    assert "Requires-Dist: ansible<13,>=12" in metadata_lines(wheel)


def metadata_lines(wheel: Path) -> list[str]:
    """The lines of the wheel's ``METADATA``."""
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return archive.read(name).decode().splitlines()


def requirements(wheel: Path) -> set[str]:
    """The distributions the wheel requires (its ``Requires-Dist`` without extras)."""
    lines = metadata_lines(wheel)
    return {
        canonical(re.split(r"[ <>=!~;\[]", line.removeprefix("Requires-Dist: "), maxsplit=1)[0])
        for line in lines
        if line.startswith("Requires-Dist: ") and "extra ==" not in line
    }


def third_party_imports(package: Path) -> set[str]:
    """Top-level modules the package imports that are neither its own nor the stdlib's."""
    found: set[str] = set()
    for source in package.rglob("*.py"):
        if "provision" in source.parts or "roles" in source.parts:
            continue  # run on the managed hosts, not by remediator
        for node in ast.walk(ast.parse(source.read_bytes())):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"remediator", "__future__", "_typeshed"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
