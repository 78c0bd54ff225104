"""remediator's plain CSV and JSON formats: examples, faults, and generated round trips.

The property tests write files from generated data with the standard csv/json writers,
read them back, and compare field by field; they also corrupt one value at a time and
require a ScanParseError (never another exception) naming the line or finding.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from remediator.errors import ScanParseError
from remediator.ingest.formats import plain_csv, plain_json
from remediator.ingest.formats.base import Head
from remediator.ingest.jsonio import SCHEMA, finding_to_dict
from remediator.ingest.model import (
    EVIDENCE_LIMIT,
    FIELD_LIMIT,
    PORT_OPEN,
    Finding,
    FindingKey,
    HostReport,
    ScannedHost,
    Service,
    Severity,
    SeverityLabel,
    Source,
    clip,
    clip_evidence,
    normalize_address,
)
from tests.corpus import corpus_files

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parse_text(module: Any, content: str, name: str = "scan") -> list[HostReport]:
    """Parse ``content`` from a real file, as the reader would."""
    with TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content.encode("utf-8"))
        assert module.sniff(Head.of(path))
        return list(module.parse(path, "scan"))


def parse_raw(module: Any, content: str) -> list[HostReport]:
    with TemporaryDirectory() as folder:
        path = Path(folder) / "scan"
        path.write_bytes(content.encode("utf-8"))
        return list(module.parse(path, "scan"))


# --- plain CSV: examples ---------------------------------------------------------------

EXAMPLE_CSV = '''\
address,protocol,port,check_id,title,severity,service,product,version,hostname,evidence
192.0.2.10,tcp,22,,,,ssh,OpenSSH,7.4,web1.example,
192.0.2.10,tcp,443,acme:tls10,TLS 1.0 enabled,medium,https,nginx,1.18,web1.example,"TLSv1.0
accepted"
192.0.2.10,udp,161,acme:snmp-public,"SNMP community ""public""",7.5,snmp,,,,
2001:DB8::0001,,80,,,,,,,,
192.0.2.10,icmp,0,acme:timestamp,ICMP timestamp reply,low,,,,,
'''


def test_csv_example_reads_as_documented() -> None:
    reports = parse_text(plain_csv, EXAMPLE_CSV)
    assert [r.host.address for r in reports] == ["192.0.2.10", "2001:db8::1"]
    first = {f.key.check_id + f"/{f.port}": f for f in reports[0].findings}
    assert set(first) == {
        f"{PORT_OPEN}/22",
        "acme:tls10/443",
        f"{PORT_OPEN}/443",
        "acme:snmp-public/161",
        f"{PORT_OPEN}/161",
        "acme:timestamp/0",
    }
    assert reports[0].host.hostnames == ("web1.example",)
    ssh = first[f"{PORT_OPEN}/22"]
    assert ssh.service is not None
    assert (ssh.service.name, ssh.service.product, ssh.service.version) == ("ssh", "OpenSSH", "7.4")
    assert ssh.severity == Severity(0.0, "open")
    assert ssh.title == "Open port 22/tcp (ssh)"
    tls = first["acme:tls10/443"]
    assert tls.severity == Severity(5.0, "medium")
    assert tls.evidence == "TLSv1.0\naccepted"
    snmp = first["acme:snmp-public/161"]
    assert (snmp.protocol, snmp.severity, snmp.title) == (
        "udp",
        Severity(7.5, "7.5"),
        'SNMP community "public"',
    )
    icmp = first["acme:timestamp/0"]
    assert (icmp.protocol, icmp.port, icmp.service) == ("icmp", 0, None)
    [v6_port] = reports[1].findings
    assert (v6_port.protocol, v6_port.port, v6_port.check_id) == ("tcp", 80, PORT_OPEN)


def test_csv_minimal_header_any_order_and_bom() -> None:
    reports = parse_text(plain_csv, "\ufeffPort , Address\n8080,192.0.2.7\n\n")
    [finding] = reports[0].findings
    assert (finding.address, finding.protocol, finding.port) == ("192.0.2.7", "tcp", 8080)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("address,port\n192.0.2.1,x\n", "line 2: port 'x' is not a number"),
        ("address,port\n192.0.2.1,80\n\n192.0.2.1,-1\n", "line 4: port '-1' is not a number"),
        ("address,port\n192.0.2.1,70000\n", "line 2: port 70000 is not a port"),
        ("address,port\n ,80\n", "line 2: address is empty"),
        ("address,port,protocol\n192.0.2.1,80,gre\n", "line 2: protocol 'gre' is not one of"),
        ("address,port,severity\n192.0.2.1,80,10.5\n", "line 2: severity 10.5 is outside 0-10"),
        ("address,port,severity\n192.0.2.1,80,nan\n", "line 2: severity 'nan' is not a 0-10"),
        ("address,port,severity\n192.0.2.1,80,severe\n", "line 2: severity 'severe'"),
        ("address,port\n192.0.2.1,0\n", "line 2: an open port needs"),
        ("address,port,protocol\n192.0.2.1,5,icmp\n", "line 2: an open port needs"),
        ("address,port\n192.0.2.1,80,extra\n", "line 2: 3 fields, the header has 2"),
        ('address,port,title\n192.0.2.1,80,"a\nb\nc"\n192.0.2.1,x,\n', "line 5: port 'x'"),
        ('address,port,title\n192.0.2.1,80,"a"b\n', "line 2: "),
        ("address,port,severty\n192.0.2.1,80,low\n", "line 1: unknown column 'severty'"),
        ("address,port,port\n192.0.2.1,80,81\n", "line 1: column 'port' appears twice"),
        ("address,title\n192.0.2.1,x\n", "line 1: the header lacks port"),
        ("", "the header lacks address, port"),
        (f"address,port,check_id\n192.0.2.1,80,{'c' * 513}\n", "line 2: check_id is longer"),
    ],
)
def test_csv_faults_name_the_line(content: str, problem: str) -> None:
    with pytest.raises(ScanParseError, match=problem.replace("(", r"\(").replace(".", r"\.")):
        parse_raw(plain_csv, content)


def test_csv_not_utf8() -> None:
    with TemporaryDirectory() as folder:
        path = Path(folder) / "scan.csv"
        path.write_bytes(b"address,port,title\n192.0.2.1,80,caf\xe9\n")
        with pytest.raises(ScanParseError, match="not UTF-8"):
            list(plain_csv.parse(path, "scan.csv"))


def test_csv_sniff_claims_no_corpus_file() -> None:
    """Other tools' CSVs (OpenVAS, Qualys, testssl.sh) are never mistaken for ours."""
    assert [p for p in corpus_files() if plain_csv.sniff(Head.of(p))] == []


# --- plain CSV: generated round trips ---------------------------------------------------

names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.-", min_size=1, max_size=30)
addresses = st.one_of(st.ip_addresses().map(str), names.filter(lambda n: n.strip(".")))
anything = st.text(max_size=80)
"""Any text: control characters, quotes, commas, newlines, '{{ }}', other scripts."""
hostile = st.one_of(
    anything,
    st.sampled_from(["{{ lookup('pipe', 'id') }}", '"; rm -rf /', "a,b\r\nc", "\x1b[31m", " pad "]),
)
labels = st.sampled_from([label.value for label in SeverityLabel])


@st.composite
def severities(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["none", "score", "label"]))
    if kind == "none":
        return ""
    if kind == "label":
        label = draw(labels)
        return draw(st.sampled_from([label, label.upper(), label.title()]))
    return draw(st.sampled_from(["{:.1f}", "{:.0f}", "{:.3f}", " {:.2f} "])).format(
        draw(st.floats(min_value=0, max_value=10))
    )


@st.composite
def csv_rows(draw: st.DrawFn) -> dict[str, str]:
    open_port = draw(st.booleans())
    protocol = draw(st.sampled_from(["tcp", "udp", "sctp"] if open_port else sorted(PROTOCOLS)))
    low = 1 if open_port else 0
    check = "" if open_port else draw(anything.filter(lambda t: t.strip() not in {"", PORT_OPEN}))
    return {
        "address": draw(addresses),
        "protocol": draw(st.sampled_from([protocol, protocol.upper(), ""]))
        if protocol == "tcp"
        else protocol,
        "port": str(draw(st.integers(min_value=low, max_value=65535))),
        "check_id": check[:FIELD_LIMIT],
        "title": draw(hostile),
        "severity": draw(severities()),
        "service": draw(hostile),
        "product": draw(hostile),
        "version": draw(hostile),
        "hostname": draw(hostile),
        "evidence": draw(hostile),
    }


PROTOCOLS = {"tcp", "udp", "sctp", "ip", "icmp"}


def unique_keys(rows: list[dict[str, str]]) -> bool:
    keys = [
        (
            normalize_address(r["address"]),
            r["protocol"].lower() or "tcp",
            int(r["port"]),
            r["check_id"].strip() or PORT_OPEN,
        )
        for r in rows
    ]
    return len(keys) == len(set(keys))


def write_csv(rows: list[dict[str, str]], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row[c] for c in columns])
    return out.getvalue()


def expected_severity(text: str, open_port: bool) -> Severity:
    value = text.strip()
    if not value:
        return Severity(0.0, "open") if open_port else Severity(0.0, "info")
    if value.lower() in {label.value for label in SeverityLabel}:
        return Severity.from_label(SeverityLabel(value.lower()), value)
    return Severity(float(value), value)


@SETTINGS
@given(
    rows=st.lists(csv_rows(), min_size=1, max_size=8).filter(unique_keys),
    columns=st.permutations(list(plain_csv.COLUMNS)),
)
def test_csv_round_trip_keeps_every_field(rows: list[dict[str, str]], columns: list[str]) -> None:
    reports = parse_text(plain_csv, write_csv(rows, columns))
    by_key = {f.key: f for r in reports for f in r.findings}
    hosts = {r.host.address: r.host for r in reports}
    assert len(reports) == len({normalize_address(r["address"]) for r in rows})
    for row in rows:
        address = normalize_address(row["address"])
        protocol = row["protocol"].lower() or "tcp"
        check_id = row["check_id"].strip() or PORT_OPEN
        finding = by_key[FindingKey(address, protocol, int(row["port"]), check_id)]
        open_port = check_id == PORT_OPEN
        assert finding.severity == expected_severity(row["severity"], open_port)
        assert finding.evidence == clip_evidence(row["evidence"])
        if row["title"]:
            assert finding.title == clip(row["title"])
        if row["hostname"]:
            assert clip(row["hostname"]) in hosts[address].hostnames
        assert finding.host == hosts[address]
        if finding.port:
            assert finding.service is not None
            assert finding.service.name == clip(row["service"])
            assert finding.service.product == clip(row["product"])
            assert finding.service.version == clip(row["version"])


@SETTINGS
@given(rows=st.lists(csv_rows(), min_size=1, max_size=4).filter(unique_keys))
def test_csv_text_is_never_interpreted(rows: list[dict[str, str]]) -> None:
    """Titles and evidence come back exactly as written (below the documented caps)."""
    reports = parse_text(plain_csv, write_csv(rows, list(plain_csv.COLUMNS)))
    titles = {f.title for r in reports for f in r.findings}
    evidence = {f.evidence for r in reports for f in r.findings}
    for row in rows:
        if row["title"]:
            assert row["title"] in titles
        assert row["evidence"].strip() in evidence


bad_ports = st.one_of(
    st.integers(min_value=65536).map(str),
    st.integers(max_value=-1).map(str),
    st.text(min_size=1).filter(lambda t: not (t.strip().isascii() and t.strip().isdigit())),
)
bad_protocols = st.text(min_size=1).filter(
    lambda t: t.strip() and t.strip().lower() not in PROTOCOLS
)
bad_severities = st.one_of(
    st.floats(min_value=10.0, exclude_min=True, allow_infinity=False).map(str),
    st.text(min_size=1).filter(
        lambda t: (
            t.strip()
            and t.strip().lower() not in {s.value for s in SeverityLabel}
            and not t.strip().replace(".", "", 1).isdigit()
        )
    ),
)


@SETTINGS
@given(
    rows=st.lists(csv_rows(), min_size=1, max_size=5).filter(unique_keys),
    field=st.sampled_from(["port", "protocol", "severity", "address"]),
    data=st.data(),
)
def test_csv_invalid_value_is_a_scan_parse_error_naming_its_line(
    rows: list[dict[str, str]], field: str, data: st.DataObject
) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(rows) - 1))
    bad = {
        "port": bad_ports,
        "protocol": bad_protocols,
        "severity": bad_severities,
        "address": st.sampled_from(["", " ", "\t"]),
    }[field]
    rows[index][field] = data.draw(bad)
    content = write_csv(rows, list(plain_csv.COLUMNS))
    before = write_csv(rows[:index], list(plain_csv.COLUMNS))
    line = len(io.StringIO(before, newline="").readlines()) + 1  # as csv counts lines
    with pytest.raises(ScanParseError) as caught:
        parse_raw(plain_csv, content)
    assert str(caught.value).startswith(f"scan: line {line}: {field} ")


@SETTINGS
@given(body=st.text(max_size=300))
def test_csv_garbage_body_is_read_or_refused_cleanly(body: str) -> None:
    try:
        parse_raw(plain_csv, f"address,port,protocol,check_id,title,severity\n{body}")
    except ScanParseError as exc:
        assert str(exc).startswith("scan: line ")


# --- plain JSON: examples ----------------------------------------------------------------


def document(*findings: object, **extra: object) -> str:
    return json.dumps({"schema": SCHEMA, "findings": list(findings), **extra})


def test_json_example_reads_as_documented() -> None:
    content = document(
        {
            "address": "192.0.2.10",
            "protocol": "tcp",
            "port": 443,
            "check_id": "acme:tls10",
            "title": "TLS 1.0 enabled",
            "severity": "medium",
            "hostnames": ["web1.example"],
            "service": "https",
            "cves": ["CVE-2011-3389"],
        },
        {"address": "192.0.2.10", "protocol": "tcp", "port": 22, "service": "ssh"},
        {
            "address": "192.0.2.10",
            "protocol": "udp",
            "port": 161,
            "severity": 7.5,
            "hostnames": ["snmp.example"],
        },
        {"address": "2001:DB8::1", "protocol": "icmp", "port": 0, "check_id": "acme:ts"},
        unmatched=["192.0.2.10"],
    )
    reports = parse_text(plain_json, content)
    assert [r.host.address for r in reports] == ["192.0.2.10", "2001:db8::1"]
    first = reports[0]
    assert first.host.hostnames == ("web1.example", "snmp.example")
    assert all(f.host == first.host for f in first.findings)
    keys = {(f.protocol, f.port, f.check_id) for f in first.findings}
    assert keys == {
        ("tcp", 443, "acme:tls10"),
        ("tcp", 443, PORT_OPEN),  # added: every open port owes one
        ("tcp", 22, PORT_OPEN),
        ("udp", 161, PORT_OPEN),
    }
    tls = next(f for f in first.findings if f.check_id == "acme:tls10")
    assert (tls.severity.score, tls.cves) == (5.0, ("CVE-2011-3389",))
    [icmp] = reports[1].findings
    assert (icmp.protocol, icmp.port, icmp.service) == ("icmp", 0, None)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("[]", "not a JSON object"),
        ('"remediator/findings/v1"', "not a JSON object"),
        ('{"schema": "remediator/findings/v2", "findings": []}', "schema: 'remediator/find"),
        ('{"findings": []}', "schema: missing or not text"),
        ('{"schema": "remediator/findings/v1"}', "findings: expected a list"),
        ('{"schema": "remediator/findings/v1", "findings": [', "malformed JSON: line 1"),
        (document({"address": "192.0.2.1", "port": 70000}), r"findings\[0\]\.port: 70000"),
        (
            document({"address": "a", "port": 1}, {"address": "b", "port": 1}, 5),
            r"findings\[2\]: expected an object",
        ),
        (
            document({"address": "a", "port": 1}, {"address": "b", "port": 1, "protocol": "gre"}),
            r"findings\[1\]\.protocol: 'gre'",
        ),
        (document({"address": "a", "port": 1, "severity": 11}), r"findings\[0\]\.severity"),
        (document({"address": "a", "port": 1, "severity": "bad"}), r"findings\[0\]\.severity"),
        (document({"port": 1}), r"findings\[0\]\.address: is required"),
        (document({"address": "a"}), r"findings\[0\]\.port: is required"),
        (document({"address": "a", "port": 1, "severity": 10**400}), r"findings\[0\]"),
        ('{"schema": "remediator/findings/v1", "findings": ' + "[" * 50_000, "malformed JSON"),
        ('{"schema": "remediator/findings/v1", "findings": [' + "9" * 5000 + "]}", "malformed"),
    ],
)
def test_json_faults_name_the_finding_and_field(content: str, problem: str) -> None:
    with pytest.raises(ScanParseError, match=problem):
        parse_raw(plain_json, content)


def test_json_sniff() -> None:
    assert [p for p in corpus_files() if plain_json.sniff(Head.of(p))] == []
    with TemporaryDirectory() as folder:
        path = Path(folder) / "f.json"
        path.write_text('  {\n "schema" : "remediator/findings/v1", "findings": []}')
        assert plain_json.sniff(Head.of(path))
        path.write_text('{"findings": [], "note": "remediator/findings/v1"}')
        assert not plain_json.sniff(Head.of(path))


# --- plain JSON: generated round trips --------------------------------------------------

SOURCE = Source("nessus", "q3.nessus", "Nessus", "10.1")
PLAIN = Finding(
    ScannedHost("192.0.2.1"),
    "tcp",
    80,
    "x",
    "t",
    Severity(1.0),
    SOURCE,
    Service("192.0.2.1", "tcp", 80),
)


class Fixed:
    """A stand-in for ``st.data()`` in explicit examples: index 0, then the given value."""

    def __init__(self, value: object) -> None:
        self.values = [0, value]

    def draw(self, strategy: object) -> object:
        return self.values.pop(0)


@st.composite
def json_findings(draw: st.DrawFn, address: str, names: tuple[str, ...]) -> Finding:
    host = ScannedHost(address, names)
    protocol = draw(st.sampled_from(sorted(PROTOCOLS)))
    port = draw(st.integers(min_value=0, max_value=65535))
    service = None
    if port:
        service = Service(
            address, protocol, port, "open", draw(hostile), draw(hostile), draw(hostile)
        )
    score = draw(st.floats(min_value=0, max_value=10))
    return Finding(
        host=host,
        protocol=protocol,
        port=port,
        check_id=draw(st.text(min_size=1, max_size=60)),
        title=draw(hostile),
        severity=Severity(score, draw(hostile)),
        source=SOURCE,
        service=service,
        evidence=draw(hostile).strip(),
        cves=tuple(draw(st.lists(st.from_regex(r"CVE-\d{4}-\d{4,6}", fullmatch=True), max_size=3))),
        extra=tuple(sorted(draw(st.dictionaries(names_text, hostile, max_size=3)).items())),
    )


names_text = st.text(min_size=1, max_size=20)


@st.composite
def finding_sets(draw: st.DrawFn) -> list[Finding]:
    hosts = draw(st.lists(st.ip_addresses().map(str), min_size=1, max_size=3, unique=True))
    found: list[Finding] = []
    for address in hosts:
        names = tuple(draw(st.lists(hostile, max_size=2, unique=True)))
        found += draw(st.lists(json_findings(address, names), min_size=1, max_size=4))
    keys = [f.key for f in found]
    return found if len(keys) == len(set(keys)) else found[:1]


@SETTINGS
@given(found=finding_sets())
def test_json_round_trip_keeps_every_field(found: list[Finding]) -> None:
    content = json.dumps(
        {"schema": SCHEMA, "findings": [finding_to_dict(f, None) for f in found], "unmatched": []},
        ensure_ascii=False,
    )
    reports = parse_text(plain_json, content)
    read_back = {f.key: f for r in reports for f in r.findings}
    for finding in found:
        assert read_back[finding.key] == finding
    extra = set(read_back) - {f.key for f in found}
    assert all(key.check_id == PORT_OPEN for key in extra)  # only the owed exposures


@SETTINGS
@given(
    found=finding_sets(), field=st.sampled_from(["port", "protocol", "severity"]), data=st.data()
)
@example(found=[PLAIN], field="port", data=Fixed(70000))
@example(found=[PLAIN], field="severity", data=Fixed(float("nan")))
def test_json_invalid_value_names_finding_and_field(
    found: list[Finding], field: str, data: st.DataObject
) -> None:
    items = [finding_to_dict(f, None) for f in found]
    index = data.draw(st.integers(min_value=0, max_value=len(items) - 1))
    bad = {
        "port": st.one_of(
            st.integers(min_value=65536),
            st.integers(max_value=-1),
            st.floats(),
            st.booleans(),
            st.lists(st.integers(), max_size=2),
            st.text().filter(lambda t: not valid_port_text(t)),
        ),
        "protocol": st.one_of(
            st.text(min_size=1).filter(lambda t: t.lower() not in PROTOCOLS),
            st.lists(st.text(), max_size=2),
        ),
        "severity": st.one_of(
            st.floats().filter(lambda x: not 0.0 <= x <= 10.0),
            st.integers(min_value=11),
            st.text().filter(lambda t: t.lower() not in {s.value for s in SeverityLabel}),
            st.booleans(),
        ),
    }[field]
    items[index][field] = data.draw(bad)
    with pytest.raises(ScanParseError) as caught:
        parse_raw(plain_json, json.dumps({"schema": SCHEMA, "findings": items}))
    assert f"findings[{index}].{field}" in str(caught.value)


def valid_port_text(text: str) -> bool:
    """Plain ASCII digits naming a port: the only port text the JSON reader takes."""
    return text.isascii() and text.isdigit() and int(text) <= 65535


@pytest.mark.parametrize("port", ["+80", "8_0", "\u0668\u0660"])
def test_json_port_text_must_be_plain_digits(port: str) -> None:
    with pytest.raises(ScanParseError, match=r"findings\[0\]\.port"):
        parse_raw(plain_json, document({"address": "192.0.2.1", "port": port}))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
finding_keys = st.sampled_from(
    [
        "address",
        "protocol",
        "port",
        "check_id",
        "title",
        "severity",
        "scanner_severity",
        "service",
        "hostnames",
        "evidence",
        "cves",
        "tls",
        "certificate",
        "extra",
        "source",
        "state",
        "cpes",
        "host_state",
    ]
)


@SETTINGS
@given(items=st.lists(st.dictionaries(finding_keys, json_values, max_size=8), max_size=4))
def test_json_arbitrary_values_are_read_or_refused_cleanly(items: list[dict[str, Any]]) -> None:
    try:
        parse_raw(plain_json, json.dumps({"schema": SCHEMA, "findings": items}))
    except ScanParseError as exc:
        assert "findings[" in str(exc)


def test_json_clipping_is_the_documented_one() -> None:
    long_title, long_evidence = "t" * (FIELD_LIMIT + 10), "  " + "e" * (EVIDENCE_LIMIT + 5)
    content = document(
        {
            "address": "192.0.2.1",
            "port": 1,
            "check_id": "x",
            "title": long_title,
            "evidence": long_evidence,
        }
    )
    [report] = parse_text(plain_json, content)
    finding = next(f for f in report.findings if f.check_id == "x")
    assert finding.title == clip(long_title)
    assert finding.evidence == clip_evidence(long_evidence)
    assert finding.title.endswith("... [10 more characters cut]")


DOCS = Path(__file__).resolve().parents[4] / "docs" / "formats.md"


def doc_blocks(language: str) -> list[str]:
    text = DOCS.read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)


def test_the_documented_examples_read() -> None:
    """docs/formats.md shows files that really parse, to the findings it describes."""
    csv_blocks, json_blocks = doc_blocks("csv"), doc_blocks("json")
    assert len(csv_blocks) == 2
    assert len(json_blocks) == 1
    full, ports = (parse_text(plain_csv, block) for block in csv_blocks)
    assert len({f.key for r in full for f in r.findings}) == 7  # 5 rows + 2 owed port-open
    assert [f.port for f in ports[0].findings] == [22, 443]
    [host] = parse_text(plain_json, json_blocks[0])
    assert {(f.port, f.check_id) for f in host.findings} == {
        (443, "acme:tls-1.0"),
        (443, PORT_OPEN),
        (22, PORT_OPEN),
        (0, "acme:icmp-timestamp"),
    }


def test_ip_and_icmp_numbers_are_not_open_ports() -> None:
    """``ip``/5 is an IP protocol number, not a listening port: no port-open is owed."""
    [csv_host] = parse_text(plain_csv, "address,protocol,port,check_id\n192.0.2.1,ip,5,a:b\n")
    [json_host] = parse_text(
        plain_json,
        document({"address": "192.0.2.1", "protocol": "icmp", "port": 13, "check_id": "a:ts"}),
    )
    for host in (csv_host, json_host):
        assert [f.check_id for f in host.findings] == [host.findings[0].check_id]
        assert host.services == ()
