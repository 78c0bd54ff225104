"""masscan: the corpus -oJ file, the other JSON layouts masscan versions write, and -oX.

The corpus has one real masscan file (JSON). The other layouts below are written
inline, one record per line exactly as masscan's ``out-json.c`` and ``out-xml.c`` print
them, because no licensed real file of those layouts was found.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from remediator.errors import ScanParseError
from remediator.ingest import PORT_OPEN, choose_format, read_scan
from remediator.ingest.formats import masscan
from remediator.ingest.formats.base import Head
from tests.corpus import corpus_path

CORPUS_FILE = "other/defectdojo_masscan_many_vuln.json"


def test_corpus_file_is_one_host_with_four_open_ports() -> None:
    path = corpus_path(CORPUS_FILE)
    assert choose_format(path).name == "masscan"
    (report,) = list(read_scan(path))
    assert report.host.address == "172.29.0.3"
    assert report.host.state == "up"
    assert sorted(s.port for s in report.services) == [80, 3000, 8080, 8443]
    assert {(s.protocol, s.state) for s in report.services} == {("tcp", "open")}
    assert [f.check_id for f in report.findings] == [PORT_OPEN] * 4
    assert all(f.severity.score == 0.0 for f in report.findings)
    source = report.findings[0].source
    assert (source.format, source.scanner, source.file) == ("masscan", "masscan", str(path))
    assert source.scan_time == datetime.fromtimestamp(1785522037, tz=UTC)


OLD_LAYOUT = """[
{   "ip": "192.0.2.7",   "timestamp": "1490242774", "ports": [ {"port": 443, "proto": "tcp", \
"status": "open", "reason": "syn-ack", "ttl": 54} ] },
{   "ip": "192.0.2.9",   "timestamp": "1490242770", "ports": [ {"port": 53, "proto": "udp", \
"status": "open", "reason": "none", "ttl": 54} ] },
{   "ip": "192.0.2.7",   "timestamp": "1490242771", "ports": [ {"port": 22, "proto": "tcp", \
"status": "open", "reason": "syn-ack", "ttl": 54} ] },
{   "ip": "192.0.2.7",   "timestamp": "1490242779", "ports": [ {"port": 443, "proto": "tcp", \
"service": {"name": "http.server", "banner": "nginx"} } ] },
{finished: 1}
]
"""


def test_old_trailing_comma_layout_grouped_by_address(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_text(OLD_LAYOUT)
    assert choose_format(path).name == "masscan"
    reports = list(read_scan(path))
    assert [r.host.address for r in reports] == ["192.0.2.7", "192.0.2.9"]
    first, second = reports
    assert sorted((s.protocol, s.port) for s in first.services) == [("tcp", 22), ("tcp", 443)]
    assert [(s.protocol, s.port) for s in second.services] == [("udp", 53)]
    # The earliest record of an address dates its source.
    assert first.findings[0].source.scan_time == datetime.fromtimestamp(1490242771, tz=UTC)
    assert sum(f.check_id == PORT_OPEN for r in reports for f in r.findings) == 3


def test_truncated_json_fails(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text(corpus_path(CORPUS_FILE).read_text()[:-3])
    with pytest.raises(ScanParseError, match="ends before it is complete"):
        list(read_scan(path))
    no_end = tmp_path / "no_end.json"
    no_end.write_text(corpus_path(CORPUS_FILE).read_text().rstrip().rstrip("]"))
    with pytest.raises(ScanParseError, match="ends before it is complete"):
        list(read_scan(no_end))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[{"ip": "192.0.2.1", "ports": [{"port": 99999, "proto": "tcp"}]}]', "not 0-65535"),
        ('[{"ip": "192.0.2.1", "ports": [{"port": "80", "proto": "tcp"}]}]', "not 0-65535"),
        ('[{"ip": "192.0.2.1", "ports": "80"}]', "is not a list"),
        ('[{"ip": "192.0.2.1", "ports": []}, 7]', "record 2 is not an object"),
        ('[{"ip": "192.0.2.1", "ports": []}] trailing', "after the closing"),
        ('[{"ip": "192.0.2.1", "ports": [}]', "invalid JSON"),
    ],
)
def test_bad_json_records_are_clean_errors(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ScanParseError, match=problem):
        list(read_scan(path, "masscan"))


def test_json_spanning_many_read_chunks(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    records = (
        f'{{"ip": "10.0.{i // 2 >> 8 & 255}.{i // 2 & 255}", "timestamp": "1700000000", '
        f'"ports": [{{"port": {1 + i % 2}, "proto": "tcp", "status": "open"}}]}}'
        for i in range(60_000)
    )
    path.write_text("[\n" + ",\n".join(records) + "\n]\n")
    assert path.stat().st_size > 3 * masscan.CHUNK
    reports = list(read_scan(path))
    assert len(reports) == 30_000
    assert all(sorted(s.port for s in r.services) == [1, 2] for r in reports)


MASSCAN_XML = """<?xml version="1.0"?>\r
<!-- masscan v1.0 scan -->\r
<nmaprun scanner="masscan" start="1490242774" version="1.0-BETA"  xmloutputversion="1.03">\r
<scaninfo type="syn" protocol="tcp" />\r
<host endtime="1490242775"><address addr="192.0.2.7" addrtype="ipv4"/><ports><port \
protocol="tcp" portid="80"><state state="open" reason="syn-ack" reason_ttl="54"/></port></ports>\
</host>\r
<host endtime="1490242776"><address addr="192.0.2.8" addrtype="ipv4"/><ports><port \
protocol="tcp" portid="22"><state state="open" reason="syn-ack" reason_ttl="54"/></port></ports>\
</host>\r
<host endtime="1490242777"><address addr="192.0.2.7" addrtype="ipv4"/><ports><port \
protocol="tcp" portid="443"><state state="open" reason="syn-ack" reason_ttl="54"/></port></ports>\
</host>\r
<host endtime="1490242778"><address addr="192.0.2.7" addrtype="ipv4"/><ports><port \
protocol="tcp" portid="8080"><service name="title" banner="Welcome"></service></port></ports>\
</host>\r
<runstats>\r
<finished time="1490242790" timestr="2017-03-23 00:19:50" elapsed="16" />\r
<hosts up="4" down="0" total="4" />\r
</runstats>\r
</nmaprun>\r
"""


def test_masscan_xml_is_not_taken_for_nmap(tmp_path: Path) -> None:
    path = tmp_path / "masscan.xml"
    path.write_bytes(MASSCAN_XML.encode())
    assert choose_format(path).name == "masscan"
    reports = list(read_scan(path))
    assert [r.host.address for r in reports] == ["192.0.2.7", "192.0.2.8"]
    assert sorted(s.port for s in reports[0].services) == [80, 443, 8080]
    assert all(s.state == "open" for r in reports for s in r.services)
    source = reports[0].findings[0].source
    assert (source.version, source.scan_time) == (
        "1.0-BETA",
        datetime.fromtimestamp(1490242775, tz=UTC),
    )


def test_sniff() -> None:
    assert masscan.sniff(Head(b'[\n{ "ip": "10.0.0.1", "ports": [ {"port": 80} ] }\n]'))
    assert masscan.sniff(Head(MASSCAN_XML.encode()))
    assert not masscan.sniff(Head(b'[{"address": "10.0.0.1", "port": 80}]'))
    assert not masscan.sniff(Head(b'{"ip": "10.0.0.1", "ports": []}'))
    assert not masscan.sniff(Head(b'<?xml version="1.0"?><nmaprun scanner="nmap">'))
    assert not masscan.sniff(Head(b"[" * 100_000))
