"""The TLS judgement data: it matches its schema, a broken copy fails in one line, and every
rule in it is shown firing and not firing on real scan output.

Real data is the shared corpus (``/work/shared/corpus``) and the nmap captures of the
test lab's OpenSSL servers (``tests/fixtures/nmap``). Three sslyze-only certificate
checks (untrusted, hostname mismatch, SHA-1 chain) never fire in the corpus: for those
the corpus sslyze file is copied with the one field that decides the check changed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from remediator.classify.catalog_load import load_catalog
from remediator.common.documents import schema_document
from remediator.common.tls import (
    NMAP_SIGNATURES,
    SCANNER_SIGNATURES,
    TlsDataError,
    expired,
    judgement_from_text,
    tls_judgement,
)
from remediator.generate.probes import OPENSSL_FLAGS
from remediator.ingest.formats import sslyze
from remediator.ingest.model import Finding
from remediator.ingest.reader import read_scan
from tests.corpus import corpus_path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "nmap"
SSLSCAN = "other/defectdojo_sslscan_many_vuln.xml"
SSLYZE = "other/securecodebox_sslyze_tls_v1_0_badssl.json"
TESTSSL = "other/defectdojo_testssl_many_vuln.csv"
SECCUBUS = "nmap/seccubus_nmap_script_output.xml"
DIONAEA = "nmap/libnmap_dionaea_scan.xml"
SUDO6 = "nmap/libnmap_full_sudo6.xml"
NESSUS_V3 = "nessus/rubynessus_example_v3.nessus"


def data_text() -> str:
    return resources.files("remediator.common").joinpath("tls.yml").read_text("utf-8")


def findings(path: Path) -> dict[str, Finding]:
    """Every finding of a scan file by ``address/proto/port/check_id``."""
    return {str(f.key): f for report in read_scan(path) for f in report.findings}


def corpus_findings(relative: str) -> dict[str, Finding]:
    return findings(corpus_path(relative))


def edited_sslyze(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> dict[str, Finding]:
    """The corpus sslyze file with one field of its certificate deployment changed."""
    document = json.loads(corpus_path(SSLYZE).read_text("utf-8"))
    server = document["server_scan_results"][0]["scan_result"]
    change(server["certificate_info"]["result"]["certificate_deployments"][0])
    path = tmp_path / "sslyze.json"
    path.write_text(json.dumps(document), "utf-8")
    return {str(f.key): f for r in sslyze.parse(path, str(path)) for f in r.findings}


# --- the file and its schema --------------------------------------------------------------


def test_the_data_file_matches_its_schema() -> None:
    data = yaml.safe_load(data_text())
    jsonschema.Draft202012Validator(schema_document("tls")).validate(data)
    judged = tls_judgement()
    assert judged.version == "remediator/tls/v1" == data["schema"]
    assert judged.protocol_ids == ("SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3")


def test_every_weak_protocol_has_a_catalog_kind() -> None:
    catalog = load_catalog()
    assert catalog.weak_protocols == tls_judgement().weak_protocols
    assert all(f"tls-protocol:{p}" in catalog.kinds for p in catalog.weak_protocols)


@pytest.mark.parametrize(
    ("good", "bad", "problem"),
    [
        (
            "    risk: high\n",
            "    risk: severe\n",
            r"^tls\.yml: \$\.protocols\[0\]\.risk: 'severe' is not one of .* "
            r"\(schema remediator/tls/v1\)$",
        ),
        (
            "schema: remediator/tls/v1",
            "schema: remediator/tls/v2",
            r"^tls\.yml: \$\.schema: 'remediator/tls/v1' was expected "
            r"\(schema remediator/tls/v1\)$",
        ),
        (
            "  min_bits: 2048",
            "  min_bits: 2048\n  max_bits: 4096",
            r"^tls\.yml: \$\.keys: unexpected key 'max_bits' \(schema remediator/tls/v1\)$",
        ),
        (
            '    pattern: "md2|md4|md5|sha-?1(?![0-9])"',
            '    pattern: "md2|(md4"',
            r"^tls\.yml: \$\.weak_signatures\.scanners\.pattern: bad pattern .* "
            r"\(schema remediator/tls/v1\)$",
        ),
        ("protocols:\n", "protocols: [\n", r"^tls\.yml: not YAML: "),
    ],
)
def test_a_broken_data_file_is_one_line_naming_file_path_and_version(
    good: str, bad: str, problem: str
) -> None:
    text = data_text()
    assert good in text
    with pytest.raises(TlsDataError, match=problem) as caught:
        judgement_from_text(text.replace(good, bad, 1), "tls.yml")
    assert "\n" not in str(caught.value)


# --- protocols: risk, spellings, OpenSSL switches ----------------------------------------


def test_risk_high_fires_on_sslv2_and_not_on_tls_1_2() -> None:
    assert corpus_findings(SUDO6)["192.168.1.1/tcp/443/nmap:sslv2"].severity.score == 7.5
    tls12 = corpus_findings(SSLSCAN)["www.target.com/tcp/443/sslscan:protocol:TLSv1.2"]
    assert tls12.severity.score == 0.0
    assert tls_judgement().risk("TLSv1.2") == "info"


def test_risk_medium_fires_on_tls_1_0_and_not_on_tls_1_2() -> None:
    found = corpus_findings(SSLYZE)["104.154.89.105/tcp/1010/sslyze:protocol:TLSv1.0"]
    assert found.severity.score == 5.0
    nmap = corpus_findings(SECCUBUS)["x.x.x.x/tcp/443/nmap:ssl-enum-ciphers:TLSv1.1"]
    assert nmap.severity.score == 5.0
    testssl = corpus_findings(TESTSSL)["185.199.110.153/tcp/443/testssl:TLS1_2"]
    assert testssl.severity.score == 0.0


def test_compact_spellings_of_the_scanners_are_canonical() -> None:
    judged = tls_judgement()
    testssl = corpus_findings(TESTSSL)["185.199.110.153/tcp/443/testssl:TLS1_2"]
    assert testssl.tls is not None and testssl.tls.protocol == "TLSv1.2"
    ids = {
        line.split('","')[0].strip('"') for line in corpus_path(TESTSSL).read_text().splitlines()
    }
    assert {judged.canonical_protocol(i) for i in ids} - {None} == {
        "SSLv2",
        "SSLv3",
        "TLSv1.0",
        "TLSv1.1",
        "TLSv1.2",
        "TLSv1.3",
    }
    assert judged.canonical_protocol("cipherorder_TLSv1_2") is None  # a testssl.sh row id


def test_scanner_ids_name_each_versions_own_check() -> None:
    judged = tls_judgement()
    testssl = judged.scanner_protocols("testssl")
    rows = {
        line.split('","')[0].strip('"') for line in corpus_path(TESTSSL).read_text().splitlines()
    }
    assert {"TLS1_2", "cipherorder_TLSv1_2"} <= rows
    assert testssl.get("TLS1_2") == "TLSv1.2"
    assert testssl.get("cipherorder_TLSv1_2") is None  # lists suites; not the protocol row
    assert "104.154.89.105/tcp/1010/sslyze:protocol:TLSv1.0" in corpus_findings(SSLYZE)
    sslyze_commands = judged.scanner_protocols("sslyze")
    assert sslyze_commands["tls_1_0_cipher_suites"] == "TLSv1.0"
    assert "certificate_info" not in sslyze_commands


def test_classify_reads_weak_protocols_by_their_aliases() -> None:
    catalog = load_catalog()
    tls10 = corpus_findings(SSLYZE)["104.154.89.105/tcp/1010/sslyze:protocol:TLSv1.0"]
    tls12 = corpus_findings(SSLSCAN)["www.target.com/tcp/443/sslscan:protocol:TLSv1.2"]
    assert tls10.tls is not None and tls12.tls is not None
    assert catalog.canonical_protocol(tls10.tls.protocol) in catalog.weak_protocols
    assert catalog.canonical_protocol(tls12.tls.protocol) not in catalog.weak_protocols
    assert catalog.canonical_protocol("TLS 1") is None  # aliases are exact, not compacted


def test_probes_have_a_switch_for_what_openssl_can_still_offer() -> None:
    tls10 = corpus_findings(SSLYZE)["104.154.89.105/tcp/1010/sslyze:protocol:TLSv1.0"]
    assert tls10.tls is not None and OPENSSL_FLAGS[tls10.tls.protocol] == "tls1"
    assert "SSLv2" not in OPENSSL_FLAGS  # nmap:sslv2 in the corpus: no client can probe it
    assert list(OPENSSL_FLAGS) == ["TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"]


# --- cipher suites ----------------------------------------------------------------------


def corpus_names(relative: str, pattern: str) -> set[str]:
    """Cipher suite names as a scanner wrote them somewhere in a corpus file."""
    return set(re.findall(pattern, corpus_path(relative).read_text("utf-8", errors="replace")))


def test_grade_f_fires_on_export_and_anonymous_suites_and_not_on_strong_ones() -> None:
    judged = tls_judgement()
    broken = corpus_names(NESSUS_V3, r"\b(?:EXP|ADH)-[A-Z0-9-]+\b")
    assert {"EXP-RC4-MD5", "ADH-AES256-SHA", "EXP-ADH-DES-CBC-SHA"} <= broken
    assert {judged.grade_cipher(n) for n in broken} == {"F"}
    sslscan = corpus_names(SSLSCAN, r'cipher="([A-Z0-9-]+)"')
    assert "ECDHE-RSA-AES256-GCM-SHA384" in sslscan
    assert {judged.grade_cipher(n, 256) for n in sslscan} == {"A"}


def test_grade_c_fires_on_rc4_and_3des_and_not_on_128_bit_camellia() -> None:
    judged = tls_judgement()
    weak = corpus_names(NESSUS_V3, r"\b(?:RC4-SHA|RC4-MD5|DES-CBC3-SHA|EDH-RSA-DES-CBC-SHA)\b")
    assert weak == {"RC4-SHA", "RC4-MD5", "DES-CBC3-SHA", "EDH-RSA-DES-CBC-SHA"}
    assert {judged.grade_cipher(n) for n in weak} == {"C"}
    sslyze_tls10 = corpus_findings(SSLYZE)["104.154.89.105/tcp/1010/sslyze:protocol:TLSv1.0"]
    assert sslyze_tls10.tls is not None
    assert "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA" in {c.name for c in sslyze_tls10.tls.ciphers}
    assert {c.grade for c in sslyze_tls10.tls.ciphers} == {"A"}
    assert judged.grade_severity("C") == "medium" and judged.grade_severity("A") is None


def test_nmap_grades_at_or_below_c_are_weak_and_grade_a_is_not() -> None:
    legacy = findings(FIXTURES / "nmap_tls_legacy_loopback.xml")
    weak = legacy["127.0.0.1/tcp/44331/nmap:ssl-enum-ciphers:TLSv1.0:weak-ciphers"]
    assert weak.tls is not None and {c.grade for c in weak.tls.ciphers} == {"F"}
    modern = findings(FIXTURES / "nmap_tls_loopback.xml")
    assert "127.0.0.1/tcp/44330/nmap:ssl-enum-ciphers:TLSv1.3" in modern
    assert "127.0.0.1/tcp/44330/nmap:ssl-enum-ciphers:TLSv1.3:weak-ciphers" not in modern


def test_nmap_broken_families_are_weak_even_when_old_nmap_called_them_strong() -> None:
    found = corpus_findings(SECCUBUS)
    weak = found["x.x.x.x/tcp/443/nmap:ssl-enum-ciphers:TLSv1.0:weak-ciphers"]
    offered = found["x.x.x.x/tcp/443/nmap:ssl-enum-ciphers:TLSv1.0"]
    assert weak.tls is not None and offered.tls is not None
    assert [(c.name, c.grade) for c in weak.tls.ciphers] == [
        ("TLS_RSA_WITH_3DES_EDE_CBC_SHA", "strong")
    ]
    strong_kept = [c for c in offered.tls.ciphers if c.grade == "strong" and "3DES" not in c.name]
    assert strong_kept  # same grade, no broken family: not weak
    assert not any(tls_judgement().nmap.is_weak(c.name, c.grade) for c in strong_kept)


# --- certificates -------------------------------------------------------------------------


def test_scanner_signature_rules_fire_on_sha1_and_not_on_sha256() -> None:
    judged = tls_judgement()
    written = corpus_names("qualys/defectdojo_qualys_sample_report.xml", r"sha1WithRSAEncryption")
    written |= corpus_names("nessus/libnessus_nessus_report_localpci.nessus", r"SHA-1 With RSA")
    assert written == {"sha1WithRSAEncryption", "SHA-1 With RSA"}
    assert all(judged.weak_signature(w, SCANNER_SIGNATURES) for w in written)
    sslscan = corpus_findings(SSLSCAN)
    assert not any("certificate:weak-signature" in key for key in sslscan)
    assert not judged.weak_signature("sha256WithRSAEncryption", SCANNER_SIGNATURES)


def test_nmap_signature_rules_fire_on_md5_and_sha1_and_not_on_sha256() -> None:
    dionaea = corpus_findings(DIONAEA)["172.28.1.3/tcp/443/nmap:ssl-cert"]
    assert "weak signature md5WithRSAEncryption" in dionaea.title
    legacy = findings(FIXTURES / "nmap_tls_legacy_loopback.xml")
    assert (
        "weak signature sha1WithRSAEncryption" in legacy["127.0.0.1/tcp/44331/nmap:ssl-cert"].title
    )
    modern = findings(FIXTURES / "nmap_tls_loopback.xml")["127.0.0.1/tcp/44330/nmap:ssl-cert"]
    assert modern.title == "TLS certificate: self-signed"  # sha256WithRSAEncryption
    # the two rule sets disagree on spellings nmap's reader never judged weak
    assert not tls_judgement().weak_signature("SHA-1 With RSA", NMAP_SIGNATURES)


def test_key_limit_fires_on_1024_bit_rsa_and_not_on_2048() -> None:
    sudo6 = corpus_findings(SUDO6)["192.168.1.1/tcp/443/nmap:ssl-cert"]
    assert "1024-bit RSA key" in sudo6.title
    dionaea = corpus_findings(DIONAEA)["172.28.1.3/tcp/443/nmap:ssl-cert"]
    assert dionaea.certificate is not None and dionaea.certificate.key_bits == 2048
    assert "-bit" not in dionaea.title
    assert not any("certificate:weak-key" in key for key in corpus_findings(SSLSCAN))


def test_expired_fires_when_past_at_scan_time_and_not_before() -> None:
    sslscan = corpus_findings(SSLSCAN)["www.target.com/tcp/443/sslscan:certificate:expired"]
    assert sslscan.title == tls_judgement().certificate_check("expired").title
    assert not any("certificate:expired" in key for key in corpus_findings(SSLYZE))
    legacy = findings(FIXTURES / "nmap_tls_legacy_loopback.xml")
    assert "expired" in legacy["127.0.0.1/tcp/44331/nmap:ssl-cert"].title
    dionaea = corpus_findings(DIONAEA)["172.28.1.3/tcp/443/nmap:ssl-cert"]
    assert dionaea.certificate is not None and dionaea.certificate.expired is False


def test_expired_compares_zone_less_times_only_when_told_they_are_utc() -> None:
    scanned = datetime(2025, 11, 5, tzinfo=UTC)
    assert expired("2024-05-29T10:11:43", scanned) is None  # sslyze: cannot compare
    assert expired("2024-05-29T10:11:43", scanned, naive_is_utc=True) is True  # nmap
    assert expired("2025-12-15T20:02:47Z", scanned) is False
    assert expired("not a date", scanned) is None
    assert expired("2024-05-29", None) is None


def test_self_signed_fires_on_subject_equal_to_issuer_and_not_on_a_ca_certificate() -> None:
    dionaea = corpus_findings(DIONAEA)["172.28.1.3/tcp/443/nmap:ssl-cert"]
    assert dionaea.title.startswith("TLS certificate: self-signed")
    assert not any("certificate:self-signed" in key for key in corpus_findings(SSLSCAN))


@pytest.mark.parametrize(
    ("check", "change"),
    [
        (
            "untrusted",
            lambda d: [
                v.update(was_validation_successful=False) for v in d["path_validation_results"]
            ],
        ),
        (
            "hostname-mismatch",
            lambda d: d.update(leaf_certificate_subject_matches_hostname=False),
        ),
        ("sha1-chain", lambda d: d.update(verified_chain_has_sha1_signature=True)),
        (
            "weak-key",
            lambda d: d["received_certificate_chain"][0]["public_key"].update(key_size=1024),
        ),
    ],
)
def test_sslyze_certificate_checks_fire_on_their_field_and_not_on_the_corpus_file(
    check: str, change: Callable[[dict[str, Any]], None], tmp_path: Path
) -> None:
    key = f"104.154.89.105/tcp/1010/sslyze:certificate:{check}"
    assert key not in corpus_findings(SSLYZE)
    found = edited_sslyze(tmp_path, change)[key]
    rule = tls_judgement().certificate_check(check)
    assert (found.title, found.severity.score) == (rule.title, 5.0)
