"""The evidence manifest signed with the operator's SSH key, checked against allowed signers.

Digests alone prove a bundle unchanged, not who wrote it: anyone can edit a page and write
a new manifest. These tests sign with real keys made by the real ``ssh-keygen``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from remediator.cli import main
from remediator.report.signing import NAMESPACE
from tests.unit.report.runfixture import hand_edit, write_run

RUN_ID = "20261125T101500Z-apply-abc123"
ALICE = "alice@example.com"


def keypair(directory: Path, name: str) -> Path:
    """A new ed25519 key without passphrase; the private key's path."""
    key = directory / name
    argv = ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)]
    subprocess.run(argv, check=True)
    return key


def allowed_signers(path: Path, identity: str, key: Path) -> Path:
    """An allowed-signers file letting ``identity`` sign the evidence with ``key``."""
    public = key.with_suffix(".pub").read_text("utf-8").strip()
    path.write_text(f'{identity} namespaces="{NAMESPACE}" {public}\n', "utf-8")
    return path


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    folder = tmp_path / "keys"
    folder.mkdir()
    allowed_signers(folder / "allowed", ALICE, keypair(folder, "alice"))
    allowed_signers(folder / "wrong", "mallory@example.com", keypair(folder, "mallory"))
    return folder


@pytest.fixture
def signed(tmp_path: Path, keys: Path) -> Path:
    """A bundle reported and signed with alice's key."""
    out = tmp_path / "evidence"
    run = write_run(tmp_path / "runs")
    assert (
        main(
            ["report", "--no-dispute", str(run), "-o", str(out), "--sign-key", str(keys / "alice")]
        )
        == 0
    )
    return out


def verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = main(["report", "--verify", *args])
    return code, capsys.readouterr().out.strip().splitlines()


def refused(capsys: pytest.CaptureFixture[str], code: int, lines: list[str], bundle: Path) -> None:
    """Exit 1, one line, naming the bundle's signature."""
    assert code == 1 and len(lines) == 1, lines
    assert lines[0].startswith(f"{bundle / 'manifest.json.sig'}: "), lines


def test_a_signed_bundle_verifies_against_its_allowed_signers(
    tmp_path: Path, signed: Path, keys: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    signature = signed / "manifest.json.sig"
    assert signature.read_text("ascii").startswith("-----BEGIN SSH SIGNATURE-----")
    run_copy = tmp_path / "runs" / RUN_ID / "evidence-manifest.json.sig"
    assert run_copy.read_bytes() == signature.read_bytes()
    allowed = str(keys / "allowed")
    assert verify(capsys, str(signed), "--allowed-signers", allowed) == (
        0,
        [f"intact: 2 files, signed by {ALICE}"],
    )
    assert verify(capsys, str(signed), "--allowed-signers", allowed, "--signer", ALICE)[0] == 0
    code, lines = verify(
        capsys, str(signed), "--allowed-signers", allowed, "--runs-dir", str(tmp_path / "runs")
    )
    assert (code, lines) == (
        0,
        [f"intact: 2 files, run record of 6 files, chain of 1 runs, signed by {ALICE}"],
    )


def test_one_byte_changed_in_the_manifest_is_a_bad_signature(
    signed: Path, keys: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = signed / "manifest.json"
    data = bytearray(manifest.read_bytes())
    data[data.index(b'"evidence.html": "') + len(b'"evidence.html": "')] ^= 1
    manifest.write_bytes(bytes(data))
    code, lines = verify(capsys, str(signed), "--allowed-signers", str(keys / "allowed"))
    refused(capsys, code, lines, signed)
    assert "bad signature" in lines[0]


def test_another_allowed_signers_file_refuses(
    signed: Path, keys: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines = verify(capsys, str(signed), "--allowed-signers", str(keys / "wrong"))
    refused(capsys, code, lines, signed)
    code, lines = verify(
        capsys,
        str(signed),
        *("--allowed-signers", str(keys / "allowed"), "--signer", "mallory@example.com"),
    )
    refused(capsys, code, lines, signed)


def test_a_missing_signature_refuses_when_allowed_signers_are_given(
    tmp_path: Path, keys: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "unsigned"
    assert main(["report", "--no-dispute", str(write_run(tmp_path / "runs")), "-o", str(out)]) == 0
    assert not (out / "manifest.json.sig").exists()
    code, lines = verify(capsys, str(out), "--allowed-signers", str(keys / "allowed"))
    refused(capsys, code, lines, out)
    assert "missing" in lines[0]
    assert verify(capsys, str(out)) == (0, ["intact: 2 files"])


def test_a_garbage_signature_refuses(
    signed: Path, keys: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (signed / "manifest.json.sig").write_text("not a signature\n")
    code, lines = verify(capsys, str(signed), "--allowed-signers", str(keys / "allowed"))
    refused(capsys, code, lines, signed)


def test_without_allowed_signers_the_digests_are_checked_and_the_signature_is_said_unchecked(
    signed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert verify(capsys, str(signed)) == (
        0,
        ["intact: 2 files, signature not checked (no --allowed-signers)"],
    )
    hand_edit(signed / "evidence.json", ("run", "id"), "x")
    code, lines = verify(capsys, str(signed))
    assert code == 1 and lines == [f"altered: {signed / 'evidence.json'}"]


def test_reporting_again_unsigned_removes_the_old_signatures(
    tmp_path: Path, signed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A signature left from an earlier report would not match the new manifest."""
    assert main(["report", "--no-dispute", str(tmp_path / "runs" / RUN_ID), "-o", str(signed)]) == 0
    assert not (signed / "manifest.json.sig").exists()
    assert not (tmp_path / "runs" / RUN_ID / "evidence-manifest.json.sig").exists()
    assert verify(capsys, str(signed)) == (0, ["intact: 2 files"])


def error_line(capsys: pytest.CaptureFixture[str], *names: str) -> None:
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1, err
    assert all(name in err[0] for name in names), err


def test_without_ssh_keygen_one_line_and_exit_4(
    tmp_path: Path,
    signed: Path,
    keys: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    out = tmp_path / "again"
    run = str(tmp_path / "runs" / RUN_ID)
    capsys.readouterr()
    assert main(["report", run, "-o", str(out), "--sign-key", str(keys / "alice")]) == 4
    error_line(capsys, "ssh-keygen", "--sign-key")
    assert not out.exists()
    allowed = str(keys / "allowed")
    assert main(["report", "--verify", str(signed), "--allowed-signers", allowed]) == 4
    error_line(capsys, "ssh-keygen", "--allowed-signers")


def test_a_missing_key_or_signers_file_or_a_lone_signer_is_exit_2(
    tmp_path: Path, signed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = str(tmp_path / "runs" / RUN_ID)
    absent = tmp_path / "absent"
    capsys.readouterr()
    assert (
        main(["report", "--no-dispute", run, "-o", str(tmp_path / "x"), "--sign-key", str(absent)])
        == 2
    )
    error_line(capsys, str(absent))
    assert main(["report", "--verify", str(signed), "--allowed-signers", str(absent)]) == 2
    error_line(capsys, str(absent))
    assert main(["report", "--verify", str(signed), "--signer", ALICE]) == 2
    error_line(capsys, "--allowed-signers")


def test_a_key_ssh_keygen_cannot_use_is_exit_2_and_leaves_the_bundle_unsigned(
    tmp_path: Path,
    keys: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A key with a passphrase, and a wrong one typed (by an askpass program, so the test
    never waits on a terminal), when an earlier report of the run was signed."""
    key = tmp_path / "locked"
    argv = ["ssh-keygen", "-q", "-t", "ed25519", "-N", "secret", "-f", str(key)]
    subprocess.run(argv, check=True)
    askpass = tmp_path / "askpass"
    askpass.write_text("#!/bin/sh\necho wrong\n")
    askpass.chmod(0o755)
    monkeypatch.setenv("SSH_ASKPASS", str(askpass))
    monkeypatch.setenv("SSH_ASKPASS_REQUIRE", "force")
    run = write_run(tmp_path / "runs")
    out = tmp_path / "out"
    assert (
        main(
            ["report", "--no-dispute", str(run), "-o", str(out), "--sign-key", str(keys / "alice")]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["report", "--no-dispute", str(run), "-o", str(out), "--sign-key", str(key)]) == 2
    error_line(capsys, str(key), "cannot sign", "passphrase")
    assert not (out / "manifest.json.sig").exists(), "the earlier signature is gone"
    assert not (run / "evidence-manifest.json.sig").exists()
    assert verify(capsys, str(out)) == (0, ["intact: 2 files"])


def test_remediator_cfg_may_hold_the_key_and_the_allowed_signers(
    tmp_path: Path,
    keys: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Both in [report]: writing ignores --allowed-signers, --verify ignores --sign-key."""
    config = tmp_path / "remediator.cfg"
    config.write_text(
        f"[report]\nsign-key = {keys / 'alice'}\nallowed-signers = {keys / 'allowed'}\n"
    )
    monkeypatch.setenv("REMEDIATOR_CONFIG", str(config))
    out = tmp_path / "evidence"
    assert main(["report", "--no-dispute", str(write_run(tmp_path / "runs")), "-o", str(out)]) == 0
    assert verify(capsys, str(out)) == (0, [f"intact: 2 files, signed by {ALICE}"])
