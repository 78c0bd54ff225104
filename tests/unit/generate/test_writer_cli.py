"""``remediator generate``: writing the project, refusing to overwrite work, reproducible runs."""

from __future__ import annotations

import argparse
import filecmp
import hashlib
import json
from pathlib import Path

import pytest

from remediator.errors import InputError
from remediator.generate import cli
from remediator.generate.manifest import NAME
from remediator.generate.writer import write_project
from tests.unit.generate.helpers import AS_OF, HOSTILE_SCANS, LAB_INVENTORY, LAB_POLICY

FIXED = "2026-11-30T18:00:00+00:00"


def _main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="remediator")
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["generate", *argv])
    code: int = args.func(args)
    return code


@pytest.fixture(scope="module")
def plan_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from remediator.classify.plan import build_plan
    from remediator.classify.policy.read import load_policy
    from remediator.ingest.findingset import load_findings
    from remediator.ingest.inventory import load_inventory

    inv = load_inventory(LAB_INVENTORY)
    plan = build_plan(
        load_findings(list(HOSTILE_SCANS), inventory=inv), load_policy(LAB_POLICY, inv), inv, AS_OF
    )
    path = tmp_path_factory.mktemp("plan") / "plan.json"
    path.write_text(plan.dumps(), encoding="utf-8")
    return path


def _same_tree(a: Path, b: Path) -> bool:
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    return files_a == files_b and all(filecmp.cmp(a / p, b / p, shallow=False) for p in files_a)


def test_two_runs_into_different_directories_are_byte_identical(
    plan_json: Path, tmp_path: Path
) -> None:
    args = ["--window", "Sat 22:00-02:00 UTC", "--generated-at", FIXED]
    assert _main([str(plan_json), "-o", str(tmp_path / "one"), *args]) == 0
    assert _main([str(plan_json), "-o", str(tmp_path / "deeper" / "two"), *args]) == 0
    assert _same_tree(tmp_path / "one", tmp_path / "deeper" / "two")
    manifest = json.loads((tmp_path / "one" / NAME).read_text())
    assert manifest["window"]["spec"] == "Sat 22:00-02:00 UTC"


def test_regenerating_over_an_unedited_project_replaces_it(plan_json: Path, tmp_path: Path) -> None:
    target = tmp_path / "project"
    assert _main([str(plan_json), "-o", str(target), "--generated-at", FIXED]) == 0
    (target / ".pytest_cache").mkdir()  # a run's cache is not an edit
    assert (
        _main([str(plan_json), "-o", str(target), "--generated-at", "2026-12-01T00:00:00+00:00"])
        == 0
    )
    assert json.loads((target / NAME).read_text())["generated_at"] == "2026-12-01T00:00:00Z"
    assert not list(tmp_path.glob(".project.*"))  # no staging or old copies left behind


def test_an_edited_project_is_not_overwritten_unless_forced(
    plan_json: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "project"
    _main([str(plan_json), "-o", str(target), "--generated-at", FIXED])
    (target / "host_vars" / "web.lab.yml").write_text("tls_items: []\n")
    with pytest.raises(
        InputError, match=r"changed since it was generated: host_vars/web.lab.yml \(edited\)"
    ):
        _main([str(plan_json), "-o", str(target)])
    assert (target / "host_vars" / "web.lab.yml").read_text() == "tls_items: []\n"
    capsys.readouterr()
    assert _main([str(plan_json), "-o", str(target), "--force"]) == 0
    assert "host_vars/web.lab.yml (edited)" in capsys.readouterr().err
    assert (target / "host_vars" / "web.lab.yml").read_text() != "tls_items: []\n"


def test_user_files_and_git_survive_regeneration(plan_json: Path, tmp_path: Path) -> None:
    """A project kept in git, with the admin's notes, is regenerated around them."""
    target = tmp_path / "project"
    _main([str(plan_json), "-o", str(target), "--generated-at", FIXED])
    (target / "notes.txt").write_text("mine")
    (target / ".git" / "refs").mkdir(parents=True)
    (target / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    assert _main([str(plan_json), "-o", str(target), "--generated-at", FIXED]) == 0
    assert (target / "notes.txt").read_text() == "mine"
    assert (target / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"
    assert (target / ".git" / "refs").is_dir()


def test_a_symlink_to_an_empty_directory_as_output_is_one_line(
    plan_json: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from remediator.cli import main

    (tmp_path / "empty").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "empty")
    assert main(["generate", str(plan_json), "-o", str(tmp_path / "link")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "link: is a symbolic link" in err[0]


def test_a_directory_that_is_not_a_project_is_not_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "home"
    target.mkdir()
    (target / "thesis.tex").write_text("years of work")
    with pytest.raises(InputError, match="not a project generated by remediator"):
        write_project({"a.txt": b"x"}, target)
    assert (target / "thesis.tex").read_text() == "years of work"
    afile = tmp_path / "file"
    afile.write_text("x")
    with pytest.raises(InputError, match="not a directory"):
        write_project({"a.txt": b"x"}, afile)


def test_an_empty_directory_is_used(tmp_path: Path) -> None:
    target = tmp_path / "empty"
    target.mkdir()
    write_project({"a/b.txt": b"x"}, target)
    assert (target / "a" / "b.txt").read_bytes() == b"x"


def test_writer_refuses_paths_outside_the_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        write_project({"../escape.txt": b"x"}, tmp_path / "p")
    assert not (tmp_path / "escape.txt").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--window", "someday"], "window 'someday'"),
        (["--inventory", "missing.yml"], "no such inventory"),
    ],
)
def test_bad_arguments_are_input_errors(
    plan_json: Path, tmp_path: Path, argv: list[str], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        _main([str(plan_json), "-o", str(tmp_path / "p"), *argv])
    assert not (tmp_path / "p").exists()


def test_inventory_must_hold_the_plan_hosts(plan_json: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.yml"
    other.write_text("all:\n  hosts:\n    somewhere: {ansible_host: 192.0.2.1}\n")
    with pytest.raises(InputError, match=r"no host 'cache\.lab'"):
        _main([str(plan_json), "-o", str(tmp_path / "p"), "--inventory", str(other)])


def test_inventory_option_takes_addresses_and_records_only_its_name(
    plan_json: Path, tmp_path: Path
) -> None:
    target = tmp_path / "p"
    assert _main([str(plan_json), "-o", str(target), "--inventory", str(LAB_INVENTORY)]) == 0
    manifest = json.loads((target / NAME).read_text())
    assert manifest["inventory"] == "lab-inventory.yml"
    assert str(LAB_INVENTORY.parent) not in (target / "inventory.yml").read_text()


def test_json_says_what_was_written(
    plan_json: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "proj"
    assert _main([str(plan_json), "-o", str(target), "--generated-at", FIXED, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    on_disk = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    assert document["files"] == on_disk and document["project"] == str(target)
    manifest = (target / NAME).read_bytes()
    assert document["manifest_sha256"] == hashlib.sha256(manifest).hexdigest()
    assert document["plan_sha256"] == hashlib.sha256(plan_json.read_bytes()).hexdigest()
    assert document["hosts"] == sorted(
        p.stem for p in (target / "host_vars").iterdir() if p.suffix == ".yml"
    )


@pytest.mark.parametrize("inventory", [[], ["-i", str(LAB_INVENTORY)]])
def test_a_limit_puts_only_its_hosts_in_the_project(
    plan_json: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], inventory: list[str]
) -> None:
    target = tmp_path / "proj"
    argv = [str(plan_json), "-o", str(target), "--generated-at", FIXED, "--json", *inventory]
    assert _main([*argv, "-l", "linux:!legacy:!mail"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["hosts"] and "legacy.lab" not in document["hosts"]
    assert not any(h.startswith(("legacy", "mail")) for h in document["hosts"])
    assert {p.stem for p in (target / "host_vars").iterdir()} == set(document["hosts"])
    with pytest.raises(InputError, match="the limit 'nothere' matches no host"):
        _main([*argv, "-l", "nothere"])
