"""Weak SSH algorithms and password logins on legacy's sshd, hardened on the real host.

legacy's sshd offers SHA-1 key exchange, CBC ciphers and MD5/SHA-1 MACs besides
OpenSSH's defaults, and takes passwords (its provisioning, for old clients). nmap's
ssh2-enum-algos and ssh-auth-methods see them, a client offering only 3des-cbc logs in,
and a client without a key is offered a password: the weaknesses are present. The plan
of that scan, with a policy that requires keys on legacy (harden.sshd.keys_only),
hardens sshd; dry-run says it would change, the apply changes it over the
management connection it is changing (reload under a host-side revert timer, confirmed by
a new connection) and proves it: the host suite's sshd -T test fails before and passes
after. Then: the rescan calls the findings resolved, a modern client still logs in over
IPv4 and IPv6, the 3des-cbc and hmac-sha1 clients are refused, only public keys are
offered, and a second dry-run and
the apply's own idempotence pass find nothing left to change.
"""

from __future__ import annotations

import contextlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from remediator.classify.plan_document import parse_plan
from remediator.cli import main
from remediator.common.window import parse_window
from remediator.generate.project import Options, build_project
from remediator.generate.roles import load_roles
from remediator.generate.writer import write_project

from .conftest import LabRun
from .sshlab import (
    auth_methods,
    client_connects,
    harden_keys,
    plan_sshd,
    scan_sshd,
    sshd_effective,
)

pytestmark = pytest.mark.lab
LAB_RESET_HOSTS = ("legacy",)
HOST = "legacy"
WEAK_CLIENTS = (
    ("Ciphers=3des-cbc",),
    # With an AEAD cipher no MAC is negotiated, so the SHA-1 MAC client asks for CTR mode.
    ("Ciphers=aes128-ctr", "MACs=hmac-sha1"),
    ("KexAlgorithms=diffie-hellman-group14-sha1",),
)


def sshd_project(plan: Path, target: Path) -> Path:
    moment = datetime.now(UTC).replace(microsecond=0)
    doc = parse_plan(plan.read_bytes(), str(plan))
    options = Options(generated_at=moment, window=parse_window("now+1h", moment), lab=True)
    write_project(build_project(doc, options, load_roles()), target)
    return target


def test_weak_sshd_algorithms_are_hardened_and_management_survives(
    lab_run: LabRun, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lab = lab_run.lab
    scans = scan_sshd(lab, HOST, tmp_path)
    plan = plan_sshd(lab, scans, lab_run.inventory, tmp_path, keys_only="legacy")
    keys = harden_keys(plan)
    assert len(keys) == 4, keys  # algorithms and keys-only, port 22 over IPv4 and IPv6
    assert "password" in auth_methods(lab, HOST).split(",")
    # The weakness, from a client's view: each of these is let in before the change.
    assert all(client_connects(lab, HOST, *options) for options in WEAK_CLIENTS)
    assert "3des-cbc" in sshd_effective(lab, HOST)["ciphers"]

    project = sshd_project(plan, tmp_path / "project")
    code, dry = lab_run.cli_json(capsys, "dry-run", str(project))
    assert code == 0, dry
    predicted = {f["key"]: f["status"] for h in dry["hosts"] for f in h["findings"]}
    assert {k: predicted.get(k) for k in keys} == dict.fromkeys(keys, "would_change"), predicted

    code, summary = lab_run.cli_json(capsys, "apply", str(project), "--window", "now+1h",
                                     "--batch", "100%", "--dry-run-id", dry["run"],
                                     "--approved-by", "lab-test", "--ticket", "LAB-18",
                                     "--plan", str(plan))  # fmt: skip
    assert code == 0, summary
    proof = {p["key"]: p for p in summary["proof"] if p["key"] in keys}
    assert set(proof) == keys, summary["proof"]
    for item in proof.values():
        assert any(c["passed"] is False for c in item["before"]), item  # weakness shown present
        assert item["after"] and all(c["passed"] for c in item["after"]), item
        assert not item["mismatch"], item
    assert summary["idempotence"]["idempotent"] is True, summary["idempotence"]

    record = lab_run.records("apply")[-1]
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(["verify", str(record), "--rescan", "-l", f"{HOST}.lab",
              "--lab-state-dir", str(lab.config.state_dir),
              "--runs-dir", str(lab_run.base / "runs")])  # fmt: skip
    assert code == 0, capsys.readouterr().err[-2000:]
    verified = json.loads((record / "verify.json").read_text("utf-8"))
    outcomes = {o["address"] + "/tcp/22/" + o["check_id"]: o for o in verified["outcomes"]}
    for key in keys:
        assert outcomes[key]["state"] == "resolved", outcomes[key]
        assert outcomes[key]["rescan"] == "kind_gone", outcomes[key]

    effective = sshd_effective(lab, HOST)
    assert not {"3des-cbc", "aes128-cbc", "hmac-sha1", "hmac-md5", "umac-64@openssh.com"} & (
        effective["ciphers"] | effective["macs"]
    )
    assert client_connects(lab, HOST) and client_connects(lab, HOST, ipv6=True)
    let_in = [options for options in WEAK_CLIENTS if client_connects(lab, HOST, *options)]
    assert not let_in, (let_in, effective)
    assert auth_methods(lab, HOST) == "publickey"

    code, again = lab_run.cli_json(capsys, "dry-run", str(project))
    assert code == 0, again
    second = {f["key"]: f["status"] for h in again["hosts"] for f in h["findings"]}
    assert {k: second.get(k) for k in keys} == dict.fromkeys(keys, "compliant"), second
