"""The demo's own glue: the lab policy moved to another lab, the run it made, its verdict."""

from __future__ import annotations

import ipaddress
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from remediator.classify.policy.read import load_policy
from remediator.classify.policy.sources import IPNetwork
from remediator.demo.steps import Steps, new_run, shortened
from remediator.demo.verdict import clean_hosts, judge
from remediator.demo.workdir import SHIPPED_POLICY, lab_policy
from remediator.errors import ExecutionError, InputError
from remediator.ingest.inventory import load_inventory
from remediator.lab.config import LabConfig
from remediator.lab.inventory import inventory_yaml
from remediator.report.load import load_evidence
from remediator.verify.compare import compare
from remediator.verify.originals import originals_from_plan
from remediator.verify.store import VERIFY_FILE
from tests.unit.report.runfixture import write_run
from tests.unit.verify.labdata import SCANS, derived_rescan, lab_plan

SLOT = LabConfig(
    prefix="rml7",
    subnet4=ipaddress.IPv4Network("10.227.0.0/24"),
    subnet6=ipaddress.IPv6Network("fd00:227::/64"),
)


def test_the_default_lab_gets_the_shipped_policy_unchanged(tmp_path: Path) -> None:
    written = lab_policy(SHIPPED_POLICY, LabConfig(), tmp_path / "p.yml")
    assert written.read_bytes() == SHIPPED_POLICY.read_bytes()


def moved_to(network: IPNetwork, lab: LabConfig) -> IPNetwork:
    """``network`` at the same offset in ``lab``'s subnet when it is in the default lab's.

    Address arithmetic, not the demo's text replacement: what the move must come to.
    """
    default = LabConfig()
    for old, new in ((default.subnet4, lab.subnet4), (default.subnet6, lab.subnet6)):
        if network.version == old.version and network.subnet_of(old):  # type: ignore[arg-type]
            offset = int(network.network_address) - int(old.network_address)
            return ipaddress.ip_network(f"{new.network_address + offset}/{network.prefixlen}")
    return network


def host_networks(*addresses: str) -> set[IPNetwork]:
    """Each address as a one-address network (/32, /128), as the policy writes them."""
    return {ipaddress.ip_network(a) for a in addresses}


def test_another_lab_gets_its_own_addresses_in_the_policy(tmp_path: Path) -> None:
    """Every lab address of the shipped policy names the same host in the other lab.

    Checked on the policy as loaded against that lab's inventory: each network at its
    offset in the new subnets (others, such as the partners', left alone), the admins
    being that lab's controller and the app servers its web host.
    """
    text = lab_policy(SHIPPED_POLICY, SLOT, tmp_path / "p.yml").read_text("utf-8")
    assert "10.213." not in text and "fd00:213:" not in text
    (tmp_path / "lab.yml").write_text(inventory_yaml(SLOT), encoding="utf-8")
    inventory = load_inventory(tmp_path / "lab.yml")
    policy = load_policy(tmp_path / "p.yml", inventory)
    shipped = load_policy(SHIPPED_POLICY)
    assert policy.networks.keys() == shipped.networks.keys()
    for name, sources in shipped.networks.items():
        expected = {moved_to(n, SLOT) for n in sources.networks}
        assert set(policy.networks[name].networks) == expected, name
    controller = (str(SLOT.controller4), str(SLOT.controller6))
    assert set(policy.networks["admins"].networks) == host_networks(*controller)
    web = inventory.host("web.lab").addresses
    assert set(policy.networks["app_servers"].networks) == host_networks(*web)


def test_a_lab_of_another_size_is_refused(tmp_path: Path) -> None:
    odd = LabConfig(subnet4=ipaddress.IPv4Network("10.230.0.0/23"))
    with pytest.raises(InputError, match="/24"):
        lab_policy(SHIPPED_POLICY, odd, tmp_path / "p.yml")


def test_the_control_host_is_the_clean_one() -> None:
    assert clean_hosts(LabConfig()) == frozenset({"clean.lab"})


def test_new_run_names_the_one_record_a_step_made(tmp_path: Path) -> None:
    old = tmp_path / "20261125T100000Z-apply-aaaaaa"
    old.mkdir()
    (old / "run.json").write_text("{}", encoding="utf-8")

    def step() -> None:
        made = tmp_path / "20261125T110000Z-apply-bbbbbb"
        made.mkdir()
        (made / "run.json").write_text("{}", encoding="utf-8")

    assert new_run(tmp_path, "apply", step) == "20261125T110000Z-apply-bbbbbb"
    with pytest.raises(ExecutionError, match="one new apply record"):
        new_run(tmp_path, "apply", lambda: None)


def test_what_is_left_fails_the_demo(tmp_path: Path) -> None:
    problems = judge(load_evidence(write_run(tmp_path)), clean_hosts(LabConfig()))
    assert problems
    assert not [p for p in problems if "control host" in p]
    unknown = [p for p in problems if p.startswith("unknown: cache.lab ")]
    assert unknown and all("did not answer" in p for p in unknown)
    assert any(p.startswith("open: web.lab ") for p in problems)
    assert not any("10.213.0.10/tcp/23/" in p for p in problems)  # telnet: resolved


def test_a_changed_control_host_fails_the_demo(tmp_path: Path) -> None:
    run = write_run(tmp_path)
    changes: dict[str, set[tuple[str, int]] | None] = {"10.213.0.14": {("tcp", 443)}}
    (tmp_path / "rescan").mkdir()
    rescan = derived_rescan(tmp_path / "rescan", changes)
    verification = compare(originals_from_plan(lab_plan(), "plan"), rescan)
    (run / VERIFY_FILE).write_text(json.dumps(verification.to_json()), encoding="utf-8")
    problems = judge(load_evidence(run), clean_hosts(LabConfig()))
    touched = [p for p in problems if "control host changed" in p]
    assert touched and all("10.213.0.14/tcp/443/" in p for p in touched)


def test_a_long_output_is_shown_in_short_and_kept_whole(tmp_path: Path) -> None:
    text = "".join(f"line {n}\n" for n in range(100))
    short = shortened(text, tmp_path / "01-x.txt").splitlines()
    assert short[:14] == [f"line {n}" for n in range(14)]
    assert short[14] == f"  [... 78 more lines in {tmp_path / '01-x.txt'} ...]"
    assert short[15:] == [f"line {n}" for n in range(92, 100)]
    assert shortened("a\nb\n", tmp_path / "y") == "a\nb"


def test_a_step_is_the_command_as_typed_and_its_output_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    steps = Steps(tmp_path / "steps")
    assert steps.invoke(["ingest", str(SCANS[0])]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith(f"\n$ remediator ingest {SCANS[0]}\n")
    kept = (tmp_path / "steps" / "01-ingest.txt").read_text("utf-8")
    assert kept.strip() and kept.splitlines()[0] in shown
    with pytest.raises(InputError):
        steps.invoke(["ingest", str(tmp_path / "missing.xml")])
    assert (tmp_path / "steps" / "02-ingest.txt").exists()


def test_an_exception_expired_by_report_day_fails_the_demo(tmp_path: Path) -> None:
    """The control host's certificate exception runs out on 2027-06-30: a demo judged
    after it names the finding open, whatever verify said while the exception held."""
    run = write_run(tmp_path)
    later = load_evidence(run, datetime(2027, 7, 1, tzinfo=UTC))
    expired = [p for p in judge(later, clean_hosts(LabConfig())) if "clean.lab" in p]
    assert len(expired) == 2
    assert all(p.startswith("open: clean.lab ") and "nmap:ssl-cert" in p for p in expired)
    assert all("exception expired on 2027-06-30" in p for p in expired)
    before = load_evidence(run, datetime(2027, 6, 30, tzinfo=UTC))
    assert not [p for p in judge(before, clean_hosts(LabConfig())) if "clean.lab" in p]
