"""SshWeakCryptoRule on real scans: sshd limited to the profile where it stays open."""

from __future__ import annotations

from pathlib import Path

from remediator.classify.hardening.ssh import ssh_judgement
from remediator.classify.model import Harden, Keep, Manual
from remediator.classify.plan import build_plan
from remediator.ingest.inventory import load_inventory
from tests.corpus import corpus_path
from tests.unit.classify.helpers import (
    AS_OF,
    action_types,
    decision,
    load_findings,
    plan_for,
    write_policy,
)
from tests.unit.classify.rules.scans import META, METAHOST, NOTHING, allow

CBC = "10.0.0.1/tcp/22/nessus:70658"
"""Nessus 'SSH Server CBC Mode Ciphers Enabled' on the management port, names listed."""
MAC = "10.0.0.1/tcp/22/nessus:71049"
"""Nessus 'SSH Weak MAC Algorithms Enabled' on the same sshd."""


def test_cbc_ciphers_on_the_management_sshd_are_hardened_not_left_to_a_person(
    tmp_path: Path,
) -> None:
    plan = plan_for(tmp_path, META, METAHOST, NOTHING)
    item = decision(plan, CBC)
    assert (item.rule, item.kind) == ("ssh-weak-crypto", "ssh-weak-crypto")
    assert action_types(item) == ["keep", "harden"]
    keep, harden = item.actions
    assert isinstance(keep, Keep) and keep.sources is not None
    assert isinstance(harden, Harden)
    profile = ssh_judgement().profile()
    assert (harden.daemon, harden.profile, harden.settings) == (
        "sshd",
        profile.name,
        ("strong_algorithms",),
    )
    assert dict(harden.algorithms)["ciphers"] == profile.allowed["ciphers"]
    weak_names = [w.split(" ")[0] for w in harden.weak]
    # Every CBC cipher the scanner listed, the unnamed-in-the-vocabulary Rijndael too.
    assert weak_names == [
        "3des-cbc",
        "aes128-cbc",
        "aes192-cbc",
        "aes256-cbc",
        "blowfish-cbc",
        "cast128-cbc",
        "rijndael-cbc@lysator.liu.se",
    ]
    assert "3des-cbc (64-bit block cipher" in item.reason
    assert not any(isinstance(a, Manual) for a in item.actions)
    assert profile.clients in item.client_impacts


def test_weak_macs_are_named_with_their_reason(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, META, METAHOST, NOTHING)
    item = decision(plan, MAC)
    assert action_types(item) == ["keep", "harden"]
    harden = item.actions[1]
    assert isinstance(harden, Harden)
    assert harden.weak == (
        "hmac-md5 (MD5)",
        "hmac-md5-96 (MD5, truncated)",
        "hmac-sha1-96 (SHA-1, truncated)",
    )


def test_windows_sshd_hardening_is_a_persons_task(tmp_path: Path) -> None:
    """No Windows role configures OpenSSH: the profile's lists become a manual task."""
    inventory_file = tmp_path / "inventory.yml"
    inventory_file.write_text(
        "all:\n  children:\n    legacy:\n      hosts:\n        meta:\n"
        "          ansible_host: 10.0.0.1\n          ansible_connection: winrm\n",
        encoding="utf-8",
    )
    inventory = load_inventory(inventory_file)
    policy = write_policy(tmp_path, allow("legacy", "service=ssh sources=[any]"), inventory)
    findings = load_findings([corpus_path(META)], inventory=inventory)
    item = decision(build_plan(findings, policy, inventory, AS_OF), CBC)
    assert "harden" not in action_types(item)
    manual = [a for a in item.actions if isinstance(a, Manual)]
    assert manual and "OpenSSH for Windows" in manual[0].task
    assert "Ciphers chacha20-poly1305@openssh.com" in manual[0].task


def test_an_unapproved_ssh_port_is_left_to_the_exposure_rules(tmp_path: Path) -> None:
    """Not the management port and not allowed: closing it resolves the weakness too."""
    hosts = {"meta": ("10.0.0.1", ["legacy"], 2222)}
    plan = plan_for(tmp_path, META, hosts, NOTHING)
    item = decision(plan, CBC)
    assert item.rule != "ssh-weak-crypto"
    assert "harden" not in action_types(item)
