"""What an XML file's prolog may say: an external DTD is read past, never fetched.

nmap 6.x and 7.0x open every ``-oX`` file with a DOCTYPE naming nmap's DTD on the web.
Naming a DTD is harmless as long as nothing reads it: these tests watch sockets, URL
openers and every file open while such files are read, on every XML format. Entity
declarations stay refused (tests/fixtures/hostile), with or without an external DTD.
An encoding declaration Python cannot decode is one clean error on every XML format.
"""

from __future__ import annotations

import builtins
import io
import os
import re
import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from remediator.errors import ScanParseError
from remediator.ingest.reader import read_scan
from tests.corpus import XML_FILES, corpus_path

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "nmap" / "nmap_701_external_dtd.xml"
NMAP_DTD = b'<!DOCTYPE nmaprun PUBLIC "-//IDN nmap.org//DTD Nmap XML 1.04//EN" '
NMAP_DTD += b'"https://svn.nmap.org/nmap/docs/nmap.dtd">'


class ReachedOutError(AssertionError):
    """Reading a document tried to open a socket or a URL."""


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Refuse sockets and URL opens; record every file opened, by any of Python's openers."""
    paths: list[str] = []

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ReachedOutError(f"network opened while parsing: {args}")

    def watching(real: Any) -> Any:
        def watched(file: Any, *args: Any, **kwargs: Any) -> Any:
            paths.append(os.fsdecode(file) if isinstance(file, str | bytes | os.PathLike) else "")
            return real(file, *args, **kwargs)

        return watched

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(builtins, "open", watching(builtins.open))
    monkeypatch.setattr(io, "open", watching(io.open))
    monkeypatch.setattr(os, "open", watching(os.open))
    yield paths


def findings(path: Path) -> list[tuple[str, str, int, str]]:
    return sorted(
        (f.address, f.protocol, f.port, f.check_id)
        for report in read_scan(path)
        for f in report.findings
    )


def test_nmap_7_01_file_naming_its_dtd_is_read_without_fetching(opened: list[str]) -> None:
    reports = list(read_scan(FIXTURE))
    assert [r.host.address for r in reports] == ["192.0.2.10"]
    (report,) = reports
    assert report.host.hostnames == ("web01.example.test",)
    assert sorted(s.port for s in report.services) == [22, 80, 3306]
    assert {f.source.version for f in report.findings} == {"7.01"}
    assert set(opened) == {str(FIXTURE)}, opened


@pytest.mark.parametrize("scan_format", sorted(XML_FILES))
def test_every_xml_format_reads_past_an_external_dtd(
    tmp_path: Path, scan_format: str, opened: list[str]
) -> None:
    original = corpus_path(XML_FILES[scan_format])
    data = re.sub(rb"<!DOCTYPE[^>\[]*>", b"", original.read_bytes(), count=1)
    declaration = re.search(rb"<\?xml[^>]*\?>", data)
    at = declaration.end() if declaration else 0
    root = re.compile(rb"<([A-Za-z_][\w.:-]*)[\s>]").search(data, at)
    assert root is not None
    doctype = NMAP_DTD.replace(b"nmaprun", root.group(1), 1)
    path = tmp_path / original.name
    path.write_bytes(data[:at] + b"\n" + doctype + data[at:])
    expected = findings(original)
    assert findings(path) == expected
    assert {Path(p).name for p in opened} <= {original.name}, opened


@pytest.mark.parametrize(
    ("subset", "problem"),
    [
        ('<!ENTITY leak SYSTEM "file:///etc/hostname">', "declares XML entities"),
        ('<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;', "declares XML"),
        ('<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">', "declares XML entities"),
    ],
)
def test_entities_beside_an_external_dtd_stay_refused(
    tmp_path: Path, subset: str, problem: str, opened: list[str]
) -> None:
    text = FIXTURE.read_text().replace('nmap.dtd">', f'nmap.dtd" [{subset}]>', 1)
    text = text.replace('product="OpenSSH"', 'product="&leak;&b;"')
    path = tmp_path / "entities.xml"
    path.write_text(text)
    with pytest.raises(ScanParseError, match=problem):
        list(read_scan(path))
    assert set(opened) <= {str(FIXTURE), str(path)}, opened


def test_an_undeclared_entity_beside_an_external_dtd_is_not_expanded(
    tmp_path: Path, opened: list[str]
) -> None:
    """With a DTD that is not read, expat may skip ``&x;``: it must never fetch it."""
    path = tmp_path / "skipped.xml"
    path.write_text(FIXTURE.read_text().replace('product="OpenSSH"', 'product="&leak;"'))
    try:
        list(read_scan(path))
    except ScanParseError as exc:
        assert "leak" in exc.problem or "entit" in exc.problem
    assert set(opened) <= {str(FIXTURE), str(path)}, opened


@pytest.mark.parametrize("encoding", ["x-bogus-42", "UTF-7", "rot13", "hex"])
@pytest.mark.parametrize("scan_format", sorted(XML_FILES))
def test_undecodable_declared_encoding_is_one_clean_error(
    tmp_path: Path, scan_format: str, encoding: str
) -> None:
    data = corpus_path(XML_FILES[scan_format]).read_bytes()
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>'.encode()
    if data.startswith(b"<?xml"):
        data = declaration + data[data.index(b"?>") + 2 :]
    else:
        data = declaration + b"\n" + data
    path = tmp_path / f"declared_{encoding}.xml"
    path.write_bytes(data)
    with pytest.raises(ScanParseError, match=f"declares the encoding '{encoding}'"):
        list(read_scan(path))
