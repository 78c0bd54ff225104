"""The SSH profiles and the algorithm reader: data checked, hostile text kept inert."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remediator.classify.hardening.ssh import (
    CATEGORIES,
    SshDataError,
    judgement_from_text,
    ssh_judgement,
)
from remediator.classify.hardening.sshalgos import MAX_NAMES, read_offer, weak_algorithms
from remediator.classify.model import Harden
from remediator.classify.plan import build_plan
from remediator.ingest.findingset import load_findings
from remediator.ingest.inventory import load_inventory
from tests.unit.classify.helpers import AS_OF, decision, write_policy
from tests.unit.classify.rules.scans import NOTHING

LAB_SCAN = Path(__file__).parents[1] / "fixtures" / "lab_ssh2_enum_algos.xml"
"""nmap 7.93 ssh2-enum-algos against the lab's five sshds (port 22 only kept): legacy
offers SHA-1 and CBC extras on top of Debian 12's OpenSSH 9.2 defaults."""
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9@.+=_-]{0,79}$")


def test_the_shipped_profiles_load_and_the_default_exists() -> None:
    judgement = ssh_judgement()
    profile = judgement.profile()
    assert profile.name == judgement.default == "ssh-2026"
    assert all(profile.allowed[c] for c in CATEGORIES)
    # Nothing the profile allows is also listed as weak.
    assert not {n for names in profile.allowed.values() for n in names} & set(judgement.reasons)


def test_a_broken_profile_file_is_one_line_naming_it() -> None:
    with pytest.raises(SshDataError, match=r"^x\.yml: .*schema remediator/ssh/v1"):
        judgement_from_text("schema: remediator/ssh/v1\ndefault: ssh-2026\n", "x.yml")
    with pytest.raises(SshDataError, match="no profile named"):
        judgement_from_text(
            "schema: remediator/ssh/v1\ndefault: ssh-2099\nprofiles:\n  ssh-2026:\n"
            "    summary: s\n    clients: c\n    allowed: {kex: [a], ciphers: [b], macs: [c],"
            " host_key_algorithms: [d]}\nsignals: []\nreasons: {}\npatterns: []\n",
            "x.yml",
        )


def _lab_plan(tmp_path: Path) -> object:
    inventory_file = tmp_path / "inventory.yml"
    inventory_file.write_text(
        "all:\n  children:\n    lab:\n      hosts:\n"
        "        legacy: {ansible_host: 10.213.0.10}\n"
        "        clean: {ansible_host: 10.213.0.14}\n",
        encoding="utf-8",
    )
    inventory = load_inventory(inventory_file)
    policy = write_policy(tmp_path, NOTHING, inventory)
    return build_plan(load_findings([LAB_SCAN], inventory=inventory), policy, inventory, AS_OF)


def test_legacys_real_sshd_offer_is_judged_per_category(tmp_path: Path) -> None:
    plan = _lab_plan(tmp_path)
    item = decision(plan, "10.213.0.10/tcp/22/nmap:ssh2-enum-algos")  # type: ignore[arg-type]
    assert (item.rule, item.verdict) == ("ssh-weak-crypto", "fail")
    harden = item.actions[1]
    assert isinstance(harden, Harden)
    assert [w.split(" ")[0] for w in harden.weak] == [
        "diffie-hellman-group14-sha1",
        "diffie-hellman-group-exchange-sha1",
        "aes128-cbc",
        "aes256-cbc",
        "3des-cbc",
        "umac-64-etm@openssh.com",
        "hmac-sha1-etm@openssh.com",
        "umac-64@openssh.com",
        "hmac-sha1",
        "hmac-md5",
        "ssh-rsa",
    ]
    # The strict-kex signal and the compression "none" are neither weak nor configured.
    assert not any(w.startswith(("kex-strict", "none")) for w in harden.weak)


def test_debians_default_sshd_fails_only_on_its_sha1_and_64_bit_macs(tmp_path: Path) -> None:
    plan = _lab_plan(tmp_path)
    item = decision(plan, "10.213.0.14/tcp/22/nmap:ssh2-enum-algos")  # type: ignore[arg-type]
    harden = item.actions[1]
    assert isinstance(harden, Harden)
    assert [w.split(" ")[0] for w in harden.weak] == [
        "umac-64-etm@openssh.com",
        "hmac-sha1-etm@openssh.com",
        "umac-64@openssh.com",
        "hmac-sha1",
    ]


def test_an_enumeration_within_the_profile_is_kept_unchanged() -> None:
    judgement = ssh_judgement()
    profile = judgement.profile()
    text = "\n".join(
        f"  {section}: (1)\n      {profile.allowed[c][0]}"
        for section, c in (
            ("kex_algorithms", "kex"),
            ("server_host_key_algorithms", "host_key_algorithms"),
            ("encryption_algorithms", "ciphers"),
            ("mac_algorithms", "macs"),
        )
    )
    offer = read_offer(text, judgement)
    assert not offer.empty
    assert weak_algorithms(offer, profile, judgement) == ()


def test_loose_text_takes_algorithm_shaped_names_not_words() -> None:
    judgement = ssh_judgement()
    offer = read_offer(
        "The following client-to-server Cipher Block Chaining (CBC) algorithms are "
        "supported : 3des-cbc, rijndael-cbc@lysator.liu.se and sha1 CBC none arcfour128",
        judgement,
    )
    assert offer.loose == ("3des-cbc", "rijndael-cbc@lysator.liu.se", "arcfour128")


@given(st.text(max_size=3000))
def test_any_text_reads_to_algorithm_shaped_names_only(text: str) -> None:
    judgement = ssh_judgement()
    offer = read_offer(text, judgement)
    names = [*offer.loose, *(n for _, ns in offer.by_category for n in ns)]
    assert len(names) <= MAX_NAMES
    assert all(NAME.match(n) for n in names)
    for weak in weak_algorithms(offer, judgement.profile(), judgement):
        assert NAME.match(weak.name) and "\n" not in weak.why


@given(st.lists(st.sampled_from(["kex_algorithms: (3)", "      ssh-rsa", "x{{y}}", "\n"])))
def test_section_headers_in_any_order_never_break_the_reader(lines: list[str]) -> None:
    judgement = ssh_judgement()
    offer = read_offer("\n".join(lines), judgement)
    assert all("{" not in n for _, ns in offer.by_category for n in ns)
