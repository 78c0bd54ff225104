"""The files the parser benchmark reads: pathological shapes and real-shaped reports.

Every writer takes a size in bytes (of the payload for a pathological shape, of the whole
file for a real-shaped one) and returns the file's bytes, so the benchmark can write the
same shape at N and 2N. The real-shaped documents copy the layout of real exports
(nmap 7.93 ``-oX`` through ``bench/ingest/generate.py``, GMP 22 report XML, the plain
findings JSON ``remediator ingest -o`` writes); their contents are made up.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Final

HERE = Path(__file__).resolve().parent
GENERATE = HERE.parent / "ingest" / "generate.py"
NMAP_HOST_BYTES: Final = 1730
"""Bytes per host of generate.py's nmap file (108 MiB for 65,536 hosts)."""


def nmap_scan(size: int, scratch: Path) -> bytes:
    """A real-shaped nmap -sV file of about ``size`` bytes (generate.py's layout)."""
    hosts = max(1, size // NMAP_HOST_BYTES)
    path = scratch / f"nmap-{hosts}.xml"
    if not path.is_file():
        subprocess.run([sys.executable, str(GENERATE), str(path), str(hosts)], check=True)
    return path.read_bytes()


def _before_root_end(document: bytes, payload: bytes) -> bytes:
    at = document.rindex(b"</")
    return document[:at] + payload + document[at:]


def nmap_with(payload: Callable[[int], bytes]) -> Callable[[int, Path], bytes]:
    """A small real nmap file carrying one payload of the given size before its end."""

    def write(size: int, scratch: Path) -> bytes:
        return _before_root_end(nmap_scan(16 * NMAP_HOST_BYTES, scratch), payload(size))

    return write


def comment(size: int) -> bytes:
    """One comment of ``size`` bytes of ``<``: quadratic in expat fed in fixed chunks."""
    return b"<!-- " + b"<" * size + b" -->"


def processing_instruction(size: int) -> bytes:
    """One processing instruction of ``size`` bytes of ``<``."""
    return b"<?filler " + b"<" * size + b" ?>"


def cdata(size: int) -> bytes:
    """One CDATA section of ``size`` bytes of ``<``."""
    return b"<![CDATA[" + b"<" * size + b"]]>"


_OPENVAS_HEAD = (
    b'<report id="7d0c0e44-5a2b-4c55-9d2e-0b1c3e9b5f10"'
    b' format_id="a994b278-1f62-11e1-96ac-406186ea4fc5" extension="xml"'
    b' content_type="text/xml">\n'
    b"<owner><name>admin</name></owner><name>2026-11-30T02:00:04Z</name>\n"
    b'<report id="7d0c0e44-5a2b-4c55-9d2e-0b1c3e9b5f10">\n'
    b"<gmp><version>22.6</version></gmp>\n"
    b"<scan_run_status>Done</scan_run_status>\n"
    b"<scan_start>2026-11-30T02:00:04Z</scan_start>\n"
    b'<results start="1" max="-1">\n'
)
_TLS = "SSL/TLS: Deprecated TLSv1.0 and TLSv1.1 Protocol Detection"
_SOLUTION = (
    "It is recommended to disable the deprecated TLSv1.0 and/or TLSv1.1 protocols in favor "
    "of the TLSv1.2+ protocols."
)
_OPENVAS_RESULT = (
    '<result id="{uuid}">\n'
    f"<name>{_TLS}</name>\n"
    "<owner><name>admin</name></owner>"
    "<modification_time>2026-11-30T02:31:17Z</modification_time>\n"
    "<comment></comment><creation_time>2026-11-30T02:31:17Z</creation_time>\n"
    '<host>{address}<asset asset_id="5b6e0f5e-8c1f-4e8e-9a61-1f2f3c4d5e6f"/>'
    "<hostname>web{index}.example.test</hostname></host>\n"
    "<port>443/tcp</port>\n"
    '<nvt oid="1.3.6.1.4.1.25623.1.0.117274"><type>nvt</type>\n'
    f"<name>{_TLS}</name><family>SSL and TLS</family>\n"
    "<cvss_base>4.3</cvss_base>\n"
    "<tags>cvss_base_vector=AV:N/AC:M/Au:N/C:P/I:N/A:N|summary=It was possible to detect "
    "the usage of the deprecated TLSv1.0 and/or TLSv1.1 protocol on this system.|insight="
    "The TLSv1.0 and TLSv1.1 protocols contain known cryptographic flaws.|affected=All "
    "services providing an encrypted communication using the TLSv1.0 and/or TLSv1.1 "
    f"protocols.|solution={_SOLUTION}|solution_type=Mitigation</tags>\n"
    f'<solution type="Mitigation">{_SOLUTION}</solution>\n'
    '<refs><ref type="cve" id="CVE-2011-3389"/><ref type="cve" id="CVE-2015-0204"/>'
    '<ref type="url" id="https://ssl-config.mozilla.org/"/></refs>\n'
    "</nvt>\n"
    "<scan_nvt_version>2025-11-17T05:05:43Z</scan_nvt_version>\n"
    "<threat>Medium</threat><severity>4.3</severity>\n"
    "<qod><value>98</value><type>remote_banner</type></qod>\n"
    "<description>In addition to TLSv1.2+ the service is also providing the deprecated "
    "TLSv1.0 protocol.</description>\n"
    "<original_threat>Medium</original_threat><original_severity>4.3</original_severity>\n"
    "</result>\n"
)
_OPENVAS_TAIL = b"""</results>
<host><ip>10.20.0.1</ip><start>2026-11-30T02:00:10Z</start><end>2026-11-30T02:40:51Z</end>
<detail><name>best_os_txt</name><value>Ubuntu 22.04</value></detail>
<detail><name>hostname</name><value>web1.example.test</value></detail>
</host>
<scan_end>2026-11-30T02:40:51Z</scan_end>
</report>
</report>
"""


def openvas_report(size: int, filler: bytes = b"") -> bytes:
    """A GMP 22 report of about ``size`` bytes of results, ``filler`` between two of them."""
    results = []
    total = 0
    index = 0
    while total < size:
        index += 1
        result = _OPENVAS_RESULT.format(
            uuid=f"00000000-0000-4000-8000-{index:012d}",
            address=f"10.20.{index // 250 % 250}.{index % 250 + 1}",
            index=index,
        ).encode()
        results.append(result)
        total += len(result)
    if filler:
        results.insert(1, filler)
    return _OPENVAS_HEAD + b"".join(results) + _OPENVAS_TAIL


def openvas_filler(size: int, _scratch: Path) -> bytes:
    """Two real results with ``size`` bytes of ``<x/>`` between them."""
    return openvas_report(1, b"<x/>" * (size // 4))


def openvas_large(size: int, _scratch: Path) -> bytes:
    """A real-shaped OpenVAS report of about ``size`` bytes."""
    return openvas_report(size)


def _finding(index: int) -> dict[str, object]:
    address = f"10.30.{index // 250 % 250}.{index % 250 + 1}"
    return {
        "address": address,
        "host": None,
        "hostnames": [f"db{index}.example.test"],
        "host_state": "up",
        "os": "",
        "protocol": "tcp",
        "port": 5432,
        "state": "open",
        "service": "postgresql",
        "product": "PostgreSQL DB",
        "version": "9.6.0 - 9.6.7",
        "extra_info": "",
        "tunnel": "",
        "cpes": ["cpe:/a:postgresql:postgresql:9.6"],
        "check_id": "port-open",
        "title": "Open port 5432/tcp (postgresql)",
        "severity": 0.0,
        "severity_label": "info",
        "scanner_severity": "open",
        "evidence": "",
        "cves": [],
        "tls": None,
        "certificate": None,
        "extra": {},
        "source": {
            "format": "nmap",
            "file": "scan.xml",
            "scanner": "nmap",
            "version": "7.93",
            "scan_time": "2026-11-30T02:00:04+00:00",
        },
    }


def plain_json(size: int, filler: bytes = b"") -> bytes:
    """A findings document as ``remediator ingest -o`` writes it, about ``size`` bytes."""
    findings = []
    total = 0
    while total < size:
        line = json.dumps(_finding(len(findings)), ensure_ascii=False)
        findings.append(line)
        total += len(line) + 2
    body = ",\n".join(findings)
    extra = b', "x": [' + filler + b"[]]" if filler else b""
    head = b'{"schema": "remediator/findings/v1", "findings": [\n'
    return head + body.encode() + b'\n], "unmatched": []' + extra + b"}\n"


def json_filler(size: int, _scratch: Path) -> bytes:
    """One real finding and ``size`` bytes of empty lists under another key."""
    return plain_json(1, b"[]," * (size // 3))


def json_large(size: int, _scratch: Path) -> bytes:
    """A real-shaped plain findings document of about ``size`` bytes."""
    return plain_json(size)
