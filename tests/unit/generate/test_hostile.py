"""Hostile scan data reaches the generated project only as inert data.

The hostile scan (tests/fixtures/hostile_scan/) goes through ingest -> plan -> generate.
Every generated YAML file must load with PyYAML's safe loader and with ansible-core's
loader, the payloads must come back verbatim, and every string that holds one must be
untrusted for templating. Then Ansible itself templates every generated variable on this
controller (where lookups would run): no canary file may appear.
"""

from __future__ import annotations

import ast
import dataclasses
import io
import json
import re
import tokenize
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from ansible.parsing.utils.yaml import from_yaml
from ansible.template import is_trusted_as_template, trust_as_template

from remediator.classify.plan_document import PlanDoc
from remediator.generate.testinfra import TEST_NAME
from tests.unit.generate.helpers import (
    HOSTILE_STRINGS,
    hostile_plan,
    project,
    run_tool,
    write_tree,
)

CANARIES = (
    Path("/tmp/pwned"),
    Path("/tmp/remediator-canary-shell"),
    Path("/tmp/remediator-canary-backtick"),
)
MARKERS = ("{{", "{%", "!!python", "- hosts: all", "$(", "`", "../../etc/passwd", "\x00", "\x1b")


@pytest.fixture(scope="module")
def plan() -> PlanDoc:
    return hostile_plan()


@pytest.fixture(scope="module")
def files(plan: PlanDoc) -> dict[str, bytes]:
    return project(plan)


def _generated(files: dict[str, bytes], suffix: str) -> Iterator[tuple[str, str]]:
    for relative, data in sorted(files.items()):
        if relative.endswith(suffix) and not relative.startswith("roles/"):
            yield relative, data.decode("utf-8")


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _safe_load(text: str) -> object:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))
    return yaml.load(text, Loader=Loader)  # noqa: S506 - SafeLoader subclass


def test_the_plan_carries_every_payload(plan: PlanDoc) -> None:
    text = json.dumps([d.key for d in plan.decisions] + [d.reason for d in plan.decisions])
    blob = json.loads(text)
    joined = "\n".join(blob)
    for payload in ("{{ lookup('pipe','touch /tmp/pwned') }}", "\n- hosts: all", "\x00", "`touch"):
        assert payload in joined, payload


def test_every_yaml_file_loads_with_both_loaders(files: dict[str, bytes]) -> None:
    for relative, data in sorted(files.items()):
        if relative.endswith((".yml", ".yaml")):
            text = data.decode("utf-8")
            assert _safe_load(text) == from_yaml(text), relative


def test_payloads_come_back_verbatim_and_untrusted(files: dict[str, bytes], plan: PlanDoc) -> None:
    seen: list[str] = []
    data_files = [(r, t) for r, t in _generated(files, ".yml") if not r.startswith("playbooks/")]
    for relative, text in data_files:
        loaded = from_yaml(trust_as_template(text))
        for value in _strings(loaded):
            if any(m in value for m in MARKERS):
                assert not is_trusted_as_template(value), (relative, value)
                seen.append(value)
    keys = {d.key for d in plan.decisions if any(a.type != "keep" for a in d.actions)}
    hostile_keys = {k for k in keys if any(m in k for m in MARKERS)}
    assert hostile_keys, "the hostile scan must produce hostile finding keys"
    assert hostile_keys <= set(seen)
    for payload in ("{{ lookup('pipe','touch /tmp/pwned') }}", "\n- hosts: all", "\x00"):
        assert any(payload in value for value in seen), payload


def test_playbooks_and_settings_hold_no_scan_text(files: dict[str, bytes]) -> None:
    static = [p for p in files if p.startswith("playbooks/") or p in ("ansible.cfg", "README.md")]
    static.append("inventory.yml")
    for relative in static:
        text = files[relative].decode("utf-8")
        for payload in HOSTILE_STRINGS:
            assert payload not in text, (relative, payload)
        assert "pwned" not in text and "remediator-canary" not in text, relative


def test_only_host_vars_carry_scan_text_in_yaml(files: dict[str, bytes]) -> None:
    for relative, text in _generated(files, ".yml"):
        if not relative.startswith("host_vars/"):
            assert "pwned" not in text, relative


def test_test_suites_hold_scan_text_only_in_string_literals(files: dict[str, bytes]) -> None:
    found = 0
    for relative, source in _generated(files, ".py"):
        tree = ast.parse(source, relative)
        compile(tree, relative, "exec")
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and relative.startswith("tests/test_"):
                assert TEST_NAME.fullmatch(node.name), node.name
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and "pwned" in node.value
            ):
                found += 1
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            payload = "pwned" in token.string or "remediator-canary" in token.string
            if token.type != tokenize.STRING:
                assert not payload, (relative, token)
            elif payload:
                assert token.string.isascii() and "\n" not in token.string, (relative, token)
    assert found > 0, "the hostile keys must appear in the suites' KEYS"


def test_ansible_templates_every_variable_without_running_a_payload(
    files: dict[str, bytes], tmp_path: Path
) -> None:
    """Template each host's vars with Ansible on this controller; compare with the file."""
    for canary in CANARIES:
        assert not canary.exists(), f"{canary} exists before the test: remove it first"
    root = write_tree(files, tmp_path / "project")
    out = tmp_path / "out"
    out.mkdir()
    (root / "playbooks" / "render.yml").write_text(
        f"""---
- name: Template every generated variable
  hosts: all
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{{{ ansible_playbook_python }}}}"
  tasks:
    - name: Load the host's vars as the remediation play does
      ansible.builtin.include_vars:
        file: "{{{{ playbook_dir }}}}/../host_vars/{{{{ inventory_hostname }}}}.yml"
        name: plan_vars
    - name: Write each variable, templated, as JSON
      ansible.builtin.copy:
        content: "{{{{ plan_vars | to_json }}}}"
        dest: "{out}/{{{{ inventory_hostname }}}}.json"
        mode: "0600"
    - name: Template the items the roles loop over
      ansible.builtin.debug:
        msg: "{{{{ item.key }}}} {{{{ item.reason }}}}"
      loop: >-
        {{{{ plan_vars.disable_service_items + plan_vars.firewall_rules
             + plan_vars.tls_items }}}}
""",
        encoding="utf-8",
    )
    result = run_tool(["ansible-playbook", "playbooks/render.yml"], root)
    assert result.returncode == 0, result.stdout + result.stderr
    for canary in CANARIES:
        assert not canary.exists(), f"{canary} was created"
    for host_vars in sorted((root / "host_vars").glob("*.yml")):
        expected = from_yaml(host_vars.read_text("utf-8"))
        rendered = json.loads((out / f"{host_vars.stem}.json").read_text("utf-8"))
        assert rendered == json.loads(json.dumps(expected)), host_vars.name


def test_scan_text_in_host_vars_never_names_a_collection_to_install() -> None:
    """requirements.yml lists what the playbooks and roles call: a reason (scan text) that
    the YAML writer happens to fold to the start of a line as ``evil.galaxy.pwn:`` must not
    make ``ansible-galaxy install -r requirements.yml`` fetch a collection of that name."""
    plan = hostile_plan()
    for pad in range(20, 60):
        reason = "w " * pad + "evil.galaxy.pwn: x"
        decisions = tuple(dataclasses.replace(d, reason=reason) for d in plan.decisions)
        files = project(dataclasses.replace(plan, decisions=decisions))
        host_vars = b"".join(d for p, d in files.items() if p.startswith("host_vars/"))
        if re.search(rb"^\s*evil\.galaxy\.pwn:", host_vars, re.MULTILINE):
            break
    else:
        pytest.fail("no padding folded the bait to the start of a line")
    listed = yaml.safe_load(files["requirements.yml"])["collections"]
    assert "evil.galaxy" not in {c["name"] for c in listed}
