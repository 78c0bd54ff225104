"""The findings JSON document round-trips every field of the model."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remediator.errors import ScanParseError
from remediator.ingest.jsonio import finding_from_dict, finding_to_dict
from remediator.ingest.model import (
    CertificateFacts,
    Cipher,
    Finding,
    ScannedHost,
    Service,
    Severity,
    Source,
    TlsFacts,
)

text = st.text(max_size=40)
ports = st.integers(min_value=1, max_value=65535)


@st.composite
def findings(draw: st.DrawFn) -> Finding:
    address = str(draw(st.ip_addresses()))
    protocol = draw(st.sampled_from(["tcp", "udp"]))
    port = draw(ports)
    host = ScannedHost(address, tuple(draw(st.lists(text, max_size=2))), "up", draw(text))
    service = Service(
        address,
        protocol,
        port,
        "open",
        draw(text),
        draw(text),
        draw(text),
        draw(text),
        draw(st.sampled_from(["", "ssl"])),
        tuple(draw(st.lists(text, max_size=2))),
    )
    tls = draw(
        st.none()
        | st.builds(
            TlsFacts, text, st.lists(st.builds(Cipher, text, text), max_size=3).map(tuple), text
        )
    )
    cert = draw(
        st.none()
        | st.builds(
            CertificateFacts,
            subject=text,
            issuer=text,
            key_bits=st.integers(0, 8192),
            self_signed=st.none() | st.booleans(),
            alt_names=st.lists(text, max_size=2).map(tuple),
        )
    )
    when = draw(st.none() | st.datetimes(timezones=st.just(UTC)))
    return Finding(
        host=host,
        protocol=protocol,
        port=port,
        check_id=draw(st.text(min_size=1, max_size=40)),
        title=draw(text),
        severity=Severity(draw(st.floats(0, 10, allow_nan=False)), draw(text)),
        source=Source("nmap", "scan.xml", "nmap", "7.93", when),
        service=service,
        evidence=draw(st.text(max_size=200)).strip(),
        cves=tuple(draw(st.lists(text, max_size=3))),
        tls=tls,
        certificate=cert,
        extra=tuple(sorted(draw(st.dictionaries(text, text, max_size=3)).items())),
    )


@given(findings())
def test_round_trip_through_json_text(finding: Finding) -> None:
    document = json.loads(json.dumps(finding_to_dict(finding, "web1")))
    assert document["host"] == "web1"
    assert finding_from_dict(document, "findings[0]", "f.json") == finding


def test_minimal_record_is_an_open_port() -> None:
    finding = finding_from_dict({"address": "192.0.2.1", "port": "443"}, "findings[0]", "f.json")
    assert finding.key.check_id == "port-open"
    assert (finding.protocol, finding.port, finding.severity.score) == ("tcp", 443, 0.0)
    assert finding.source.scan_time is None


def test_severity_label_instead_of_score() -> None:
    finding = finding_from_dict(
        {"address": "192.0.2.1", "port": 21, "severity": "High"}, "findings[0]", "f.json"
    )
    assert finding.severity.score == 7.5
    assert finding.severity.label.value == "high"


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"port": 1}, r"findings\[2\]\.address: is required"),
        ({"address": "a", "port": 70000}, r"findings\[2\]\.port: 70000 is not a port"),
        ({"address": "a", "port": True}, r"findings\[2\]\.port"),
        ({"address": "a", "port": 1, "protocol": "http"}, r"findings\[2\]\.protocol"),
        ({"address": "a", "port": 1, "severity": 11}, r"findings\[2\]\.severity: 11 is outside"),
        ({"address": "a", "port": 1, "hostnames": [1]}, r"findings\[2\]\.hostnames"),
        ({"address": "a", "port": 1, "tls": []}, r"findings\[2\]\.tls: expected an object"),
        ({"address": "a", "port": 1, "source": {"scan_time": "yesterday"}}, r"scan_time"),
        ("not an object", r"findings\[2\]: expected an object"),
    ],
)
def test_bad_records_name_the_field(record: object, message: str) -> None:
    with pytest.raises(ScanParseError, match=message):
        finding_from_dict(record, "findings[2]", "f.json")


def test_scan_time_keeps_its_offset() -> None:
    when = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    record = {"address": "a", "port": 1, "source": {"scan_time": when.isoformat()}}
    assert finding_from_dict(record, "f[0]", "f.json").source.scan_time == when
