"""Golden files: the project generated from a representative plan, byte for byte.

The plan (``golden/plan.json``, rebuilt on every run from the real lab scan shipped in
``examples/scans`` with ``examples/lab-policy.yml``) covers every action type: services
disabled (units, sockets, inetd), ports blocked and restricted, TLS enforced on nginx,
Apache, Postfix and Dovecot, kept services and certificates left to a person. Every
generated file but the copied roles is compared with ``golden/<path>.golden`` (the
suffix keeps linters, formatters and pytest away from them); the manifest is compared
without the roles' hashes (the roles have their own tests).
After a deliberate change, review the diff and rewrite the files with

    REMEDIATOR_UPDATE_GOLDEN=1 .venv/bin/pytest tests/unit/generate/test_golden.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from remediator.classify.plan_document import parse_plan
from remediator.generate.manifest import NAME
from tests.unit.generate.helpers import golden_plan_bytes, project

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("REMEDIATOR_UPDATE_GOLDEN") == "1"


def _comparable(files: dict[str, bytes]) -> dict[str, bytes]:
    kept = {p: d for p, d in files.items() if not p.startswith("roles/")}
    manifest = json.loads(kept[NAME])
    manifest["files"] = {p: h for p, h in manifest["files"].items() if not p.startswith("roles/")}
    kept[NAME] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    return kept


@pytest.fixture(scope="module")
def generated() -> dict[str, bytes]:
    raw = golden_plan_bytes()
    files = _comparable(project(parse_plan(raw, "plan.json")))
    files["plan.json"] = raw
    return files


SUFFIX = ".golden"


def _on_disk() -> dict[str, bytes]:
    return {
        p.relative_to(GOLDEN).as_posix().removesuffix(SUFFIX): p.read_bytes()
        for p in sorted(GOLDEN.rglob(f"*{SUFFIX}"))
    }


def test_generated_project_matches_the_golden_files(generated: dict[str, bytes]) -> None:
    if UPDATE:
        for stale in set(_on_disk()) - set(generated):
            (GOLDEN / f"{stale}{SUFFIX}").unlink()
        for relative, data in generated.items():
            path = GOLDEN / f"{relative}{SUFFIX}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    golden = _on_disk()
    assert sorted(golden) == sorted(generated), "files added or missing: update the golden files"
    for relative in sorted(generated):
        assert generated[relative].decode() == golden[relative].decode(), relative


def test_golden_plan_has_every_action_type(generated: dict[str, bytes]) -> None:
    plan = json.loads(generated["plan.json"])
    types = {a["type"] for d in plan["decisions"] for a in d["actions"]}
    assert types == {
        "disable_service",
        "firewall_block",
        "firewall_restrict",
        "enforce_tls",
        "keep",
        "manual",
    }
    host_vars = b"".join(d for p, d in generated.items() if p.startswith("host_vars/"))
    for needle in (
        b"tls_items:\n  - key:",
        b"disable_service_items:\n  - key:",
        b'action: !unsafe "restrict"',
        b'action: !unsafe "block"',
        b"inetd:\n      - !unsafe",
    ):
        assert needle in host_vars, needle
