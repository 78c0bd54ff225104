"""Policy files: the valid ones load, every bad one names the exact file:line and path.

Each bad case injects one fault deep into a valid policy (fixtures/base-policy.yml); the
injected line carries a ``# FAULT`` marker, and the expected line number is found from the
marker in the text, independently of the loader.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from remediator.classify.policy.read import load_policy
from remediator.classify.problems import PolicyFileError
from remediator.errors import InputError, PolicyError
from remediator.ingest.inventory import Inventory, load_inventory

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BASE = (FIXTURES / "base-policy.yml").read_text(encoding="utf-8")
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "lab-policy.yml"
MARK = "# FAULT"


@pytest.fixture(scope="module")
def lab_inventory() -> Inventory:
    return load_inventory(FIXTURES / "lab-inventory.yml")


def inject(old: str, new: str) -> str:
    """The base policy with ``old`` (which must occur once) replaced by ``new``."""
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


def marked_line(text: str) -> int:
    """1-based line of the ``# FAULT`` marker."""
    lines = [i for i, line in enumerate(text.splitlines(), 1) if MARK in line]
    assert len(lines) == 1
    return lines[0]


def fault(tmp_path: Path, text: str, inventory: Inventory | None = None) -> PolicyFileError:
    path = tmp_path / "policy.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyFileError) as caught:
        load_policy(path, inventory)
    return caught.value


def test_base_and_example_policies_are_valid(lab_inventory: Inventory, tmp_path: Path) -> None:
    path = tmp_path / "base.yml"
    path.write_text(BASE, encoding="utf-8")
    base = load_policy(path, lab_inventory)
    assert sorted(base.groups) == ["cache", "clean", "legacy", "linux", "mail", "web"]
    assert base.groups["web"].allow[1].needs == ("mysql",)
    example = load_policy(EXAMPLE, lab_inventory)
    assert example.management.sources.cidrs() == ["10.213.0.1/32", "fd00:213::1/128"]
    assert example.tls.min_version == "TLSv1.2"
    active = [e for e in example.exceptions if e.active_on(date(2026, 11, 25))]
    expired = [e for e in example.exceptions if not e.active_on(date(2026, 11, 25))]
    assert [e.finding for e in active] == ["legacy.lab/udp/161/*", "clean.lab/tcp/443/*"]
    assert [e.finding for e in expired] == ["legacy.lab/tcp/21/*"]


def test_lab_inventory_fixture_is_what_the_lab_prints() -> None:
    from remediator.lab.config import LabConfig
    from remediator.lab.inventory import inventory_yaml

    fixture = (FIXTURES / "lab-inventory.yml").read_text(encoding="utf-8")
    assert fixture.split("\n", 1)[1] == inventory_yaml(LabConfig()) + "\n"


CASES = {
    "unknown group": (
        "  cache:\n    allow:",
        f"  caches:  {MARK}\n    allow:",
        "groups.caches",
        "unknown group 'caches'",
    ),
    "unknown service": (
        "      - service: https-alt\n",
        f"      - service: https-proxy  {MARK}\n",
        "groups.web.allow[2].service",
        "unknown service 'https-proxy'",
    ),
    "overlapping network CIDRs": (
        '    - "fd00:213::/64"\n',
        f'    - "fd00:213::/64"\n    - 10.213.0.128/25  {MARK}\n',
        "networks.internal[2]",
        "10.213.0.128/25 overlaps 10.213.0.0/24",
    ),
    "overlapping source CIDRs": (
        "          - 203.0.113.0/24\n",
        f"          - 203.0.113.0/24\n          - 203.0.113.64/26  {MARK}\n",
        "groups.web.allow[2].sources[2]",
        "overlaps 203.0.113.0/24",
    ),
    "invalid CIDR": (
        "          - 203.0.113.0/24\n",
        f"          - 203.0.113.0/33  {MARK}\n",
        "groups.web.allow[2].sources[1]",
        "'203.0.113.0/33' is not a network",
    ),
    "host bits set": (
        "          - 203.0.113.0/24\n",
        f"          - 203.0.113.7/24  {MARK}\n",
        "groups.web.allow[2].sources[1]",
        "has host bits set (did you mean 203.0.113.0/24?)",
    ),
    "unknown network": (
        "        sources: [internal]\n        justification: Session store",
        f"        sources: [dmz]  {MARK}\n        justification: Session store",
        "groups.cache.allow[0].sources[0]",
        "unknown network 'dmz'",
    ),
    "missing justification": (
        "      - service: redis\n        sources: [internal]\n"
        "        justification: Session store\n",
        f"      - service: redis  {MARK}\n        sources: [internal]\n",
        "groups.cache.allow[0]",
        "'justification' is required",
    ),
    "empty owner": (
        "        justification: Status page\n        owner: platform-team\n",
        f"        justification: Status page\n        owner: '  '  {MARK}\n",
        "groups.clean.allow[0].owner",
        "does not match",
    ),
    "misspelt key": (
        "        sources: [internal]\n        justification: Session store\n",
        f"        sorces: [internal]  {MARK}\n        sources: [internal]\n"
        "        justification: Session store\n",
        "groups.cache.allow[0].sorces",
        "unexpected key 'sorces'",
    ),
    "exception date that does not exist": (
        "    expires: 2026-06-30\n",
        f"    expires: 2026-02-30  {MARK}\n",
        "exceptions[1].expires",
        "'2026-02-30' is not a real calendar date",
    ),
    "exception date in the wrong format": (
        "    expires: 2026-06-30\n",
        f"    expires: 30/06/2026  {MARK}\n",
        "exceptions[1].expires",
        "is not a date written YYYY-MM-DD",
    ),
    "exception without a pattern": (
        '  - finding: "legacy.lab/tcp/21/*"\n    justification: Supplier',
        f"  - justification: Supplier  {MARK}",
        "exceptions[1]",
        "needs 'finding' (a key pattern) or 'kind'",
    ),
    "unknown exception kind": (
        "    kind: default-credentials\n",
        f"    kind: default-passwords  {MARK}\n",
        "exceptions[0].kind",
        "unknown kind 'default-passwords'",
    ),
    "allow list cutting the management connection": (
        "        justification: Status page\n        owner: platform-team\n",
        "        justification: Status page\n        owner: platform-team\n"
        f"      - service: ssh\n        sources: [partners, monitoring]  {MARK}\n"
        "        justification: Vendor support\n        owner: platform-team\n",
        "groups.clean.allow[1].sources",
        "must never be cut",
    ),
    "deny on the management service": (
        "      - service: pop3\n",
        f"      - service: ssh  {MARK}\n",
        "groups.mail.deny[0]",
        "denies ssh, the management connection",
    ),
    "early TLS as the minimum": (
        "  min_version: TLSv1.2\n",
        f"  min_version: TLSv1.1  {MARK}\n",
        "tls.min_version",
        "TLSv1.1 is early TLS/SSL; PCI DSS 4.2.1 needs TLSv1.2 or newer",
    ),
    "service allowed twice in a group": (
        "      - port: 4190\n",
        f"      - port: 25  {MARK}\n",
        "groups.mail.allow[1]",
        "25/tcp is already allowed by groups.mail.allow[0]",
    ),
    "allowed and denied at once": (
        "      - service: pop3\n",
        f"      - service: smtp  {MARK}\n",
        "groups.mail.deny[0]",
        "smtp is both allowed (groups.mail.allow[0]) and denied",
    ),
    "duplicate key": (
        "    firewall: {backend: iptables}\n",
        f"    firewall: {{backend: iptables}}\n    firewall: {{backend: ufw}}  {MARK}\n",
        "groups.web.firewall",
        "duplicate key",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_policy_names_the_exact_line(
    case: str, tmp_path: Path, lab_inventory: Inventory
) -> None:
    old, new, path, message = CASES[case]
    text = inject(old, new)
    line = marked_line(text)
    if not path.startswith("networks"):  # network definitions open a policy by nature
        assert line > 30, "faults are injected deep in the file"
    error = fault(tmp_path, text, lab_inventory)
    expected = f"{tmp_path / 'policy.yml'}:{line}: {path}: "
    assert any(str(p).startswith(expected) and message in str(p) for p in error.problems), str(
        error
    )
    assert str(error).splitlines()[0].startswith(f"{tmp_path / 'policy.yml'}:")
    assert isinstance(error, PolicyError) and error.exit_code == 2


def test_invalid_yaml_names_its_line(tmp_path: Path) -> None:
    text = inject(
        "        owner: mail-team\n    deny:", f"        owner: [mail-team  {MARK}\n    deny:"
    )
    path = tmp_path / "policy.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError, match=r"invalid YAML"):
        load_policy(path)
    try:
        load_policy(path)
    except PolicyError as exc:
        reported = int(str(exc).split(":")[1])
        assert reported in {marked_line(text), marked_line(text) + 1}


def test_every_problem_is_reported_in_line_order(tmp_path: Path, lab_inventory: Inventory) -> None:
    text = inject("  cache:\n    allow:", "  caches:\n    allow:")
    text = text.replace("    expires: 2026-06-30\n", "    expires: 2026-02-30\n")
    text = text.replace("      - service: https-alt\n", "      - service: https-proxy\n")
    error = fault(tmp_path, text, lab_inventory)
    lines = [p.line for p in error.problems]
    assert lines == sorted(lines) and len(lines) == 3


def test_group_names_are_only_checked_against_a_given_inventory(tmp_path: Path) -> None:
    path = tmp_path / "policy.yml"
    path.write_text(inject("  cache:\n    allow:", "  caches:\n    allow:"), encoding="utf-8")
    assert "caches" in load_policy(path).groups


def test_management_port_from_inventory_cannot_be_restricted(tmp_path: Path) -> None:
    """A host managed on ansible_port 2222: an allow entry for 2222 must keep the admins."""
    inventory_path = tmp_path / "inventory.yml"
    inventory_path.write_text(
        "all:\n  children:\n    mail:\n      hosts:\n        mail:\n"
        "          ansible_host: 10.213.0.12\n          ansible_port: 2222\n",
        encoding="utf-8",
    )
    inventory = load_inventory(inventory_path)
    text = (
        BASE.split("groups:\n")[0] + "groups:\n  mail:\n    allow:\n      - port: 2222\n"
        f"        sources: [partners]  {MARK}\n        justification: x\n        owner: y\n"
    )
    error = fault(tmp_path, text, inventory)
    assert str(error).startswith(
        f"{tmp_path / 'policy.yml'}:{marked_line(text)}: groups.mail.allow[0].sources"
    )
    assert "ssh on 22/tcp, 2222/tcp" in str(error)


def test_yaml_alias_bomb_is_refused(tmp_path: Path) -> None:
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 7):
        refs = ", ".join([f"*{chr(96 + level)}"] * 10)
        bomb.append(f"{chr(97 + level)}: &{chr(97 + level)} [{refs}]")
    path = tmp_path / "policy.yml"
    path.write_text("\n".join(bomb) + "\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="alias expansion"):
        load_policy(path)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_policy(tmp_path / "absent.yml")
