"""What the fuzz suite found in the scan readers and the catalog, each kept fixed.

Policy findings live in ``test_policy_limits.py`` (they need a process of their own).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from remediator.classify.catalog import CatalogError
from remediator.classify.catalog_load import catalog_from_text
from remediator.cli import main

FOUND = Path(__file__).resolve().parents[2] / "fixtures" / "fuzz"


@pytest.mark.parametrize(("name", "problem"), [("masscan_lone_surrogate.json", "surrogate")])
def test_found_input_is_one_line_exit_2_and_writes_nothing(
    name: str, problem: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = FOUND / name
    target = tmp_path / "findings.json"
    for argv in (["ingest", str(path), "--json"], ["ingest", str(path), "-o", str(target)]):
        code = main(argv)
        out, err = capsys.readouterr()
        assert code == 2, err[-2000:]
        assert out == ""
        lines = err.splitlines()
        assert len(lines) == 1, err[-2000:]
        assert lines[0].startswith(f"remediator: error: {path}: ")
        assert problem in lines[0]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("good", "bad"),
    [
        ('products: ["(?i)openssh"', 'products: ["(?i)openssh("'),  # a service's product
        ('{pattern: "heartbleed', '{pattern: "[heartbleed'),  # a keyword
    ],
)
def test_catalog_with_a_broken_pattern_is_one_catalog_error(good: str, bad: str) -> None:
    """Found by the fuzz suite: re.error escaped catalog loading as a traceback."""
    text = resources.files("remediator.classify").joinpath("catalog.yml").read_text("utf-8")
    assert good in text
    with pytest.raises(CatalogError, match=r"^catalog\.yml: .*pattern") as caught:
        catalog_from_text(text.replace(good, bad, 1))
    assert "\n" not in str(caught.value)
