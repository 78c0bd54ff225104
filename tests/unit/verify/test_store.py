"""verify.json: the verification round-trips through its schema; a hand-edited one is
refused naming the file, the JSON path and the schema version."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from remediator.common.documents import DocumentError, schema
from remediator.verify.compare import compare
from remediator.verify.model import Original, TestResult, Verification
from remediator.verify.originals import originals_from_plan
from remediator.verify.store import VERIFY_FILE, read_verification, write_verification
from tests.unit.report.runfixture import hand_edit

from .labdata import derived_rescan, lab_plan


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[tuple[Original, ...], Verification]:
    """The lab plan's originals, and their comparison with a rescan and one host test."""
    base = tmp_path_factory.mktemp("verify")
    originals = originals_from_plan(lab_plan(), "plan.json")
    rescan = derived_rescan(base, {"10.213.0.10": {("tcp", 23)}, "10.213.0.13": None})
    telnet = next(o for o in originals if o.port == 23)
    test = TestResult(telnet.host or "", "test_telnet_closed", "passed", (telnet.finding_key,))
    return originals, compare(originals, rescan, (test,))


def test_verification_round_trips(
    tmp_path: Path, made: tuple[tuple[Original, ...], Verification]
) -> None:
    originals, verification = made
    path = write_verification(tmp_path, verification)
    document = json.loads(path.read_text("utf-8"))
    assert schema("verify").problem(document) is None
    assert document == verification.to_json()
    assert list(document) == sorted(document)  # key-sorted, as before
    assert read_verification(tmp_path, originals) == verification


@pytest.mark.parametrize(
    ("keys", "value", "where"),
    [
        (("outcomes", 0, "state"), "fixed", r"\$\.outcomes\[0\]\.state"),
        (("outcomes", 1, "port"), "23", r"\$\.outcomes\[1\]\.port"),
        (("passed",), "yes", r"\$\.passed"),
        (("counts", "resolved"), -1, r"\$\.counts\.resolved"),
    ],
)
def test_a_hand_edited_verification_names_file_path_and_version(
    tmp_path: Path,
    made: tuple[tuple[Original, ...], Verification],
    keys: tuple[str | int, ...],
    value: object,
    where: str,
) -> None:
    originals, verification = made
    path = write_verification(tmp_path, verification)
    hand_edit(path, keys, value)
    with pytest.raises(DocumentError) as caught:
        read_verification(tmp_path, originals)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / VERIFY_FILE}: ")
    assert re.search(where + ": ", message)
    assert message.endswith("(schema remediator/verify/v1)")
