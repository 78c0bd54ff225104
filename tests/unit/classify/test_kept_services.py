"""The management path and every kept service are never disable_service targets.

The scan (``fixtures/kept-listeners.xml``) has sshd on 22 and 2222 of clean.lab, and nginx
on 443 and 4443 plus Postfix on 587 of web.lab. The policy is shaped like the starter
(``policy init``): ssh only through ``management:``, nothing allowed for it in a group.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from remediator.classify.catalog import ServiceEntry
from remediator.classify.model import DisableService, FirewallBlock
from remediator.classify.plan import Plan, build_plan
from remediator.classify.plan_document import from_plan
from remediator.classify.policy.kept import KeptService, KeptServiceError, refuse_kept_cut
from remediator.cli import main
from remediator.errors import InputError, PolicyError
from remediator.ingest.findingset import load_findings
from tests.unit.classify.helpers import (
    AS_OF,
    HEADER,
    action_types,
    plan_for,
    write_inventory,
    write_policy,
)

SCAN = Path(__file__).resolve().parent / "fixtures" / "kept-listeners.xml"
HOSTS = {
    "web.lab": ("10.213.0.11", ["linux", "web"], None),
    "clean.lab": ("10.213.0.14", ["linux", "clean"], None),
}
SSH_IDS = {"ssh.service", "sshd.service", "ssh.socket", "openssh-server"}
NGINX_IDS = {"nginx.service", "nginx"}

STARTER_LIKE = """\
groups:
  linux:
    allow: []
  web:
    allow:
      - port: 443
        protocol: tcp
        sources: [any]
        justification: Storefront
        owner: web-team
  clean:
    allow:
      - service: https
        sources: [any]
        justification: Status page
        owner: platform-team
"""


def plan(tmp_path: Path, body: str) -> Plan:
    inventory = write_inventory(tmp_path, HOSTS)
    policy = write_policy(tmp_path, body, inventory)
    findings = load_findings([SCAN], inventory=inventory)
    return build_plan(findings, policy, inventory, AS_OF)


def on_port(result: Plan, address: str, port: int) -> list[object]:
    return [d for d in result.decisions if d.address == address and d.port == port]


def disabled_ids(result: Plan, host: str) -> set[str]:
    return {
        name
        for d in result.decisions
        if d.host == host
        for a in d.actions
        if isinstance(a, DisableService)
        for name in (*a.units, *a.sockets, *a.packages)
    }


def test_second_sshd_port_is_blocked_never_disabled(tmp_path: Path) -> None:
    """Issue 13: 2222/tcp of the management sshd planned disable_service for ssh.service."""
    result = plan(tmp_path, STARTER_LIKE)
    assert not disabled_ids(result, "clean.lab") & SSH_IDS
    (extra,) = on_port(result, "10.213.0.14", 2222)
    assert extra.service == "ssh"
    assert action_types(extra) == ["firewall_block"]
    assert extra.actions == (FirewallBlock("tcp", 2222),)
    assert extra.notes == (
        "2222/tcp is served by ssh, the management service; disabling it would cut "
        "management: blocked instead",
    )
    assert extra.verdict == "fail"
    (management,) = on_port(result, "10.213.0.14", 22)
    assert action_types(management) == ["keep"]


def test_notes_reach_the_plan_file_and_its_loader(tmp_path: Path) -> None:
    result = plan(tmp_path, STARTER_LIKE)
    document = result.to_json()
    (extra,) = [d for d in document["decisions"] if d["port"] == 2222]
    assert extra["notes"] == [
        "2222/tcp is served by ssh, the management service; disabling it would cut "
        "management: blocked instead"
    ]
    untouched = [d for d in document["decisions"] if d["port"] == 443]
    assert untouched and all("notes" not in d for d in untouched)
    loaded = from_plan(result)
    (read,) = [d for d in loaded.decisions if d.port == 2222]
    assert read.notes == tuple(extra["notes"])


def test_kept_service_on_an_unexpected_port_is_firewalled(tmp_path: Path) -> None:
    """nginx kept for 443 (a port entry) also on 4443: today its units were disabled."""
    result = plan(tmp_path, STARTER_LIKE)
    assert not disabled_ids(result, "web.lab") & NGINX_IDS
    extra = on_port(result, "10.213.0.11", 4443)
    assert extra
    for item in extra:
        assert "disable_service" not in action_types(item)
        assert FirewallBlock("tcp", 4443) in item.actions
    notes = {n for item in extra for n in item.notes}
    assert notes == {
        "4443/tcp is served by https, kept on this host by groups.web.allow[0] (443/tcp); "
        "disabling it would stop 443/tcp: blocked instead"
    }
    # An unrelated service on the same host is still disabled as before.
    (postfix,) = [d for d in on_port(result, "10.213.0.11", 587) if d.actions]
    assert action_types(postfix) == ["disable_service", "firewall_block"]


def test_disabling_a_unit_that_serves_a_kept_port_is_refused(tmp_path: Path) -> None:
    """submission (587) shares postfix.service with smtp, which the web app needs locally."""
    body = STARTER_LIKE.replace("owner: web-team\n", "owner: web-team\n        needs: [smtp]\n", 1)
    with pytest.raises(PolicyError) as caught:
        plan(tmp_path, body)
    message = str(caught.value)
    assert isinstance(caught.value, InputError)
    assert caught.value.exit_code == 2
    assert "\n" not in message
    assert "587/tcp" in message and "submission" in message
    assert "25/tcp" in message and "smtp" in message
    assert "postfix.service" in message


def test_protected_ports_per_host(tmp_path: Path) -> None:
    """What the disable role must never cut on the host, recorded in the plan per host."""
    result = plan(tmp_path, STARTER_LIKE)
    hosts = result.to_json()["hosts"]
    assert hosts["clean.lab"]["protected_ports"] == [
        {"protocol": "tcp", "port": 22, "service": "ssh"},
        {"protocol": "tcp", "port": 443, "service": "https"},
    ]
    assert hosts["web.lab"]["protected_ports"] == [
        {"protocol": "tcp", "port": 22, "service": "ssh"},
        {"protocol": "tcp", "port": 443, "service": "https"},
    ]
    loaded = from_plan(result).host("web.lab")
    assert loaded is not None
    assert [(p.protocol, p.port, p.service) for p in loaded.protected_ports] == [
        ("tcp", 22, "ssh"),
        ("tcp", 443, "https"),
    ]


def test_a_package_shared_with_a_kept_service_is_not_offered_for_removal(tmp_path: Path) -> None:
    """smb kept; netbios-ns (nmbd) is disabled, but its package samba also provides smbd."""
    body = """\
groups:
  files:
    allow:
      - service: smb
        sources: [internal]
        justification: File shares for the office
        owner: it-team
"""
    result = plan_for(
        tmp_path,
        "other/defectdojo_nexpose_many_vulns.xml",
        {"files": ("192.168.1.37", ["files"], None)},
        body,
    )
    (nmbd,) = [d for d in result.decisions if d.host and (d.protocol, d.port) == ("udp", 137)]
    (disable,) = [a for a in nmbd.actions if isinstance(a, DisableService)]
    assert disable.units == ("nmbd.service",)
    assert "samba" not in disable.packages
    assert all("samba" not in o.detail for o in nmbd.options)
    assert nmbd.notes == (
        "package samba is not offered for removal: it also provides smb, kept on this host "
        "by groups.files.allow[0] (445/tcp)",
    )


def test_the_refusal_is_one_line_and_exit_2_from_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_inventory(tmp_path, HOSTS)
    body = STARTER_LIKE.replace("owner: web-team\n", "owner: web-team\n        needs: [smtp]\n", 1)
    (tmp_path / "policy.yml").write_text(HEADER + body, encoding="utf-8")
    out = tmp_path / "plan.json"
    argv = ["plan", str(SCAN), "--policy", str(tmp_path / "policy.yml")]
    argv += ["--inventory", str(tmp_path / "inventory.yml"), "--as-of", "2026-11-25"]
    assert main([*argv, "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "587/tcp" in err[0] and "smtp on 25/tcp" in err[0]
    assert not out.exists()


def test_on_windows_a_disable_stopping_a_kept_services_windows_service_is_refused() -> None:
    """The Windows names are what a Windows host stops: one a kept service also runs on
    (any case) is refused there; on Linux the same action is judged by its Linux names."""
    web = ServiceEntry("https", "HTTPS", frozenset({("tcp", 443)}), "web", windows=("W3SVC",))
    kept = (KeptService("https", web, (("tcp", 443),), "allowed by the policy"),)
    disable = DisableService("tcp", 80, "http", units=("nginx.service",), windows=("w3svc",))
    with pytest.raises(KeptServiceError, match="windows:w3svc"):
        refuse_kept_cut(kept, (disable,), "80/tcp of win1", windows=True)
    refuse_kept_cut(kept, (disable,), "80/tcp of web1")  # no Linux name shared: allowed
