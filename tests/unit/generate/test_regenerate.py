"""Regenerating a project in place: user files and ``.git`` kept, one atomic swap, no debris.

Projects here are small maps of files with a real manifest (the same ``manifest_bytes``
``generate`` uses), so each test states exactly what was generated before and after.
The crash tests kill a child process (SIGKILL, no cleanup runs) or raise at every
filesystem step the writer takes, and then require ``-o`` to hold a whole old or a
whole new project, user files included.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from remediator.errors import InputError
from remediator.generate.manifest import NAME, manifest_bytes
from remediator.generate.writer import write_project

OLD = {"README.md": b"old\n", "roles/a/tasks/main.yml": b"- a\n", "gone/only-old.yml": b"x\n"}
NEW = {"README.md": b"new\n", "roles/a/tasks/main.yml": b"- a2\n", "roles/b/x.yml": b"b\n"}
USER = {
    ".git/HEAD": b"ref: refs/heads/main\n",
    ".git/objects/ab/cdef": b"\x00blob",
    ".ansible/collections/x.txt": b"cache\n",
    ".cache/pip/y": b"cache\n",
    "roles/a/remediator-manifest.json": b'{"mine": true}\n',
    "notes.txt": b"my notes\n",
    "roles/a/tasks/local.yml": b"- mine\n",
}


def project(files: Mapping[str, bytes], when: str = "t1") -> dict[str, bytes]:
    """``files`` plus their manifest, as ``build_project`` returns them."""
    return {**files, NAME: manifest_bytes({"generated_at": when}, files)}


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (symlinks as their target), relative path -> content."""
    found: dict[str, bytes] = {}
    for path in root.rglob("*"):
        relative = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[relative] = b"-> " + str(path.readlink()).encode()
        elif path.is_file():
            found[relative] = path.read_bytes()
    return found


def leftovers(target: Path) -> list[str]:
    return sorted(p.name for p in target.parent.iterdir() if p.name.startswith(f".{target.name}."))


def generated(tmp_path: Path, user: Mapping[str, bytes]) -> Path:
    """The OLD project generated at ``tmp_path/project``, then ``user``'s files added."""
    target = tmp_path / "project"
    write_project(project(OLD), target)
    for relative, data in user.items():
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        (target / relative).write_bytes(data)
    return target


@pytest.fixture
def old_project(tmp_path: Path) -> Path:
    return generated(tmp_path, USER)


def test_user_files_git_and_tool_caches_are_kept(old_project: Path) -> None:
    write_project(project(NEW, "t2"), old_project)
    assert tree(old_project) == {**project(NEW, "t2"), **USER}
    assert not (old_project / "gone").exists()  # no longer generated: removed, folder too
    assert leftovers(old_project) == []


def test_modes_of_user_files_and_the_project_folder_are_kept(old_project: Path) -> None:
    (old_project / "notes.txt").chmod(0o600)
    old_project.chmod(0o750)
    (old_project / "link").symlink_to("notes.txt")
    write_project(project(NEW, "t2"), old_project)
    assert (old_project / "notes.txt").stat().st_mode & 0o777 == 0o600
    assert old_project.stat().st_mode & 0o777 == 0o750
    assert (old_project / "link").readlink() == Path("notes.txt")


def test_an_edited_generated_file_refuses_naming_it_unless_forced(old_project: Path) -> None:
    (old_project / "README.md").write_bytes(b"my edit\n")
    (old_project / "gone" / "only-old.yml").unlink()
    before = tree(old_project)
    with pytest.raises(InputError) as refused:
        write_project(project(NEW, "t2"), old_project)
    message = str(refused.value)
    assert "README.md (edited)" in message and "gone/only-old.yml (deleted)" in message
    assert "--force" in message
    assert tree(old_project) == before
    write_project(project(NEW, "t2"), old_project, force=True)
    assert tree(old_project) == {**project(NEW, "t2"), **USER}


def test_a_user_file_where_a_new_file_is_generated_refuses_unless_forced(
    old_project: Path,
) -> None:
    (old_project / "roles" / "b").mkdir()
    (old_project / "roles" / "b" / "x.yml").write_bytes(b"mine\n")
    with pytest.raises(InputError, match=r"roles/b/x\.yml \(not generated"):
        write_project(project(NEW, "t2"), old_project)
    assert (old_project / "roles" / "b" / "x.yml").read_bytes() == b"mine\n"
    write_project(project(NEW, "t2"), old_project, force=True)
    assert (old_project / "roles" / "b" / "x.yml").read_bytes() == b"b\n"


def test_an_empty_user_folder_where_a_generated_folder_goes_is_not_in_the_way(
    old_project: Path,
) -> None:
    (old_project / "roles" / "b").mkdir()
    (old_project / "roles" / "a" / "tasks" / "main.yml").chmod(0o640)
    write_project(project(NEW, "t2"), old_project)
    assert tree(old_project) == {**project(NEW, "t2"), **USER}
    assert (old_project / "roles" / "a" / "tasks" / "main.yml").stat().st_mode & 0o777 == 0o640


def test_stale_staging_folders_of_killed_runs_are_removed(old_project: Path) -> None:
    for name in (".project.new-k1ll3d", ".project.old-k1ll3d"):
        (old_project.parent / name / "roles").mkdir(parents=True)
        (old_project.parent / name / "roles" / "f").write_bytes(b"x")
    (old_project.parent / ".other.new-keep").mkdir()  # another project's: not ours
    write_project(project(NEW, "t2"), old_project)
    assert leftovers(old_project) == []
    assert (old_project.parent / ".other.new-keep").is_dir()


def test_a_symlink_as_the_project_directory_is_one_line(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    with pytest.raises(InputError, match=r"link: is a symbolic link .*refusing"):
        write_project(project(NEW), link)
    assert link.is_symlink() and list(real.iterdir()) == []


def test_a_project_under_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    with pytest.raises(InputError, match=r"afile: cannot create the folder"):
        write_project(project(NEW), tmp_path / "afile" / "project")


def test_a_failing_write_is_one_line_and_leaves_the_old_project(
    old_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(InputError, match=r"project: cannot write the project: No space left"):
        write_project(project(NEW, "t2"), old_project)
    assert _whole(old_project, USER) == "old"
    assert leftovers(old_project) == []


def test_the_current_directory_as_output_is_regenerated_by_its_name(
    old_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(old_project)
    write_project(project(NEW, "t2"), Path())
    assert tree(old_project) == {**project(NEW, "t2"), **USER}
    assert leftovers(old_project) == []


# --- crashes -------------------------------------------------------------------------------

STEPS = ("pathlib.Path.rename", "os.rename", "shutil.rmtree", "remediator.generate.swap.exchange")
"""Every call that changes what is at ``-o`` or beside it; a crash is injected at each.

The writer makes two (the exchange, removing the old tree), the fallback six, the
writer this replaced four (two renames counted twice, as Path.rename calls os.rename,
and the removal); crashing at calls 1 to 5 covers each of them.
"""

CHILD = """
import importlib, os, signal, sys
from pathlib import Path
sys.path[:0] = {paths!r}
from tests.unit.generate.test_regenerate import inject, project, NEW
from remediator.generate.writer import write_project
def die():
    os.kill(os.getpid(), signal.SIGKILL)
if {fallback!r}:
    import remediator.generate.swap as swap
    swap.exchange = lambda first, second: False
inject({n}, die)
write_project(project(NEW, "t2"), Path({target!r}))
"""


def inject(n: int, crash: Callable[[], None]) -> list[int]:
    """Make the ``n``-th call to any of :data:`STEPS` call ``crash`` instead; the count."""
    calls = [0]
    for dotted in STEPS:
        module_name, _, attribute = dotted.rpartition(".")
        owner: Any
        try:
            if module_name == "pathlib.Path":
                owner = pathlib.Path
            else:
                owner = __import__(module_name, fromlist=["_"])
        except ImportError:
            continue
        original = getattr(owner, attribute, None)
        if original is None:
            continue

        def wrapper(*args: object, _original: Any = original, **kwargs: object) -> object:
            calls[0] += 1
            if calls[0] == n:
                crash()
            return _original(*args, **kwargs)

        setattr(owner, attribute, wrapper)
    return calls


def _whole(target: Path, user: Mapping[str, bytes]) -> str:
    found = tree(target) if target.is_dir() else None
    if found == {**project(OLD), **user}:
        return "old"
    if found == {**project(NEW, "t2"), **user}:
        return "new"
    return f"neither: {sorted(found) if found is not None else 'nothing at -o'}"


def _root() -> str:
    return str(Path(__file__).resolve().parents[3])


@pytest.mark.parametrize("user", [{}, USER], ids=["unedited", "with-user-files"])
@pytest.mark.parametrize("n", range(1, 6))
def test_a_kill_at_any_step_leaves_a_whole_project_and_the_next_run_recovers(
    n: int, user: Mapping[str, bytes], tmp_path: Path
) -> None:
    old_project = generated(tmp_path, user)
    code = CHILD.format(paths=[_root()], n=n, target=str(old_project), fallback=False)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
    assert done.returncode in (0, -9), done.stderr.decode()
    assert _whole(old_project, user) in ("old", "new")
    write_project(project(NEW, "t2"), old_project)
    assert _whole(old_project, user) == "new"
    assert leftovers(old_project) == []


@pytest.mark.parametrize("n", range(1, 7))
def test_without_exchange_a_kill_is_recovered_by_the_next_run(n: int, tmp_path: Path) -> None:
    """The fallback's gap between its two renames: the old project waits beside ``-o``."""
    old_project = generated(tmp_path, USER)
    code = CHILD.format(paths=[_root()], n=n, target=str(old_project), fallback=True)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
    assert done.returncode in (0, -9), done.stderr.decode()
    state = _whole(old_project, USER)
    if state not in ("old", "new"):
        aside = list(tmp_path.glob(".project.old-*"))
        assert state == "neither: nothing at -o" and len(aside) == 1
        assert _whole(aside[0], USER) == "old"
    write_project(project(NEW, "t2"), old_project)
    assert _whole(old_project, USER) == "new"
    assert leftovers(old_project) == []


@pytest.mark.parametrize("n", range(1, 6))
def test_an_error_at_any_step_leaves_a_whole_project_and_no_staging(
    n: int, old_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom() -> None:
        raise OSError(5, "injected I/O error")

    with monkeypatch.context() as patched:
        for dotted in STEPS:  # let monkeypatch restore what inject replaces
            module_name, _, attribute = dotted.rpartition(".")
            try:
                owner = (
                    pathlib.Path
                    if module_name == "pathlib.Path"
                    else __import__(module_name, fromlist=["_"])
                )
            except ImportError:
                continue
            if hasattr(owner, attribute):
                patched.setattr(owner, attribute, getattr(owner, attribute))
        inject(n, boom)
        with contextlib.suppress(OSError, InputError):
            write_project(project(NEW, "t2"), old_project)
    assert _whole(old_project, USER) in ("old", "new")
    write_project(project(NEW, "t2"), old_project)
    assert _whole(old_project, USER) == "new"
    assert leftovers(old_project) == []


# --- any mix of generated and user files --------------------------------------------------

GENERATED = st.dictionaries(
    st.lists(st.sampled_from(["a", "b", "roles", "x.yml"]), min_size=1, max_size=3).map("/".join),
    st.binary(max_size=4),
    max_size=5,
)
USERS = st.dictionaries(
    st.lists(
        st.sampled_from(["a", "b", ".git", "roles", NAME, "x.yml"]), min_size=1, max_size=3
    ).map("/".join),
    st.binary(max_size=4),
    max_size=5,
)


def _consistent(*trees: Mapping[str, bytes]) -> bool:
    """No path of one tree is a folder of another's file (a file cannot also be a folder)."""
    paths = {p for t in trees for p in t}
    folders = {str(f) for p in paths for f in PurePosixPath(p).parents if str(f) != "."}
    return not paths & folders


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(old=GENERATED, new=GENERATED, user=USERS)
def test_regeneration_keeps_exactly_the_user_files(
    old: dict[str, bytes], new: dict[str, bytes], user: dict[str, bytes], tmp_path: Path
) -> None:
    """The result is the new project plus every user file, or a refusal that changes nothing."""
    old, new = project(old), project(new, "t2")
    user = {p: d for p, d in user.items() if p not in old}
    assume(_consistent(old, user) and _consistent(new))
    target = Path(tempfile.mkdtemp(dir=tmp_path)) / "p"
    write_project(old, target)
    for relative, data in user.items():
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        (target / relative).write_bytes(data)
    before = tree(target)
    try:
        write_project(new, target)
    except InputError as refused:
        assert "(not generated, in the way)" in str(refused)
        assert tree(target) == before
        write_project(new, target, force=True)
        kept = {p: d for p, d in user.items() if p not in new and _consistent(new, {p: d})}
        assert tree(target) == {**new, **kept}
    else:
        assert tree(target) == {**new, **user}
    assert leftovers(target) == []
