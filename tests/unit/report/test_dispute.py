"""The ASV dispute pages: which findings get one, what each holds, and scan text as text.

Built from a real run record (the shipped lab scans, their plan and a derived rescan) in
which the excepted and the manual finding carry hostile scan text.
"""

from __future__ import annotations

import html as html_module
import re
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from remediator.classify.plan_document import load_plan
from remediator.report.dispute.build import build_package, load_package
from remediator.report.dispute.names import UnsafeNameError, host_part, page_stem
from remediator.report.dispute.render import (
    DIRECTORY,
    INDEX,
    render_index,
    render_page,
    write_package,
)
from remediator.report.load import load_evidence
from tests.unit.report.disputefixture import (
    CLIMB,
    HOSTILE_ID,
    HOSTILE_TITLE,
    TEMPLATE,
    write_hostile_run,
)
from tests.unit.report.runfixture import HOSTILE, TELNET_V4

NOW = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
AFTER_EXPIRY = datetime(2027, 7, 1, 9, 0, tzinfo=UTC)
EXCEPTED_PAGE = "clean.lab-tcp-443-1"
"""clean.lab's IPv4 certificate: under exceptions[1] until 2027-06-30 (hostile text)."""
EXCEPTED_V6_PAGE = "clean.lab-tcp-443-2"
MANUAL_PAGE = "web.lab-tcp-8443-1"
"""web.lab's IPv4 certificate on 8443/tcp: manual, its port restricted to partners (hostile)."""
EXPIRED_PAGE = "legacy.lab-tcp-21-1"
"""legacy.lab's FTP: its exception expired on 2026-06-30, before the plan was made."""
PLAIN_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


VOID = frozenset({"br", "col", "meta", "img", "link", "input", "hr", "wbr"})


class Page(HTMLParser):
    """Tags, URL attributes, the body's data attributes and the text of elements with an id."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.urls: list[str] = []
        self.body: dict[str, str | None] = {}
        self.by_id: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        found = dict(attrs)
        self.urls.extend(str(v) for k, v in attrs if k in {"src", "href", "action"})
        if tag == "body":
            self.body = found
        ident = found.get("id")
        if ident:
            self.by_id[ident] = ""
        if tag not in VOID:
            self._open.append((tag, ident))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, ident in self._open:
            if ident:
                self.by_id[ident] += data


def parsed(text: str) -> Page:
    page = Page()
    page.feed(text)
    return page


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle holding only the dispute pages of the hostile run (HTML and PDF)."""
    base = tmp_path_factory.mktemp("dispute")
    run = write_hostile_run(base / "runs")
    out = base / "out"
    write_package(load_package(run, load_evidence(run, NOW)), out)
    return out


def page(bundle: Path, stem: str) -> str:
    return (bundle / DIRECTORY / f"{stem}.html").read_text("utf-8")


def test_excepted_and_manual_findings_get_pages_fixed_ones_none(bundle: Path) -> None:
    folder = bundle / DIRECTORY
    stems = sorted(p.stem for p in folder.glob("*.html") if p.name != INDEX)
    assert sorted(p.stem for p in folder.glob("*.pdf")) == stems
    # 2 excepted certificates, 2 FTP findings whose exception expired, 10 manual certificates
    assert stems == [
        "clean.lab-tcp-443-1",
        "clean.lab-tcp-443-2",
        "legacy.lab-tcp-21-1",
        "legacy.lab-tcp-21-2",
        *(f"mail.lab-tcp-{port}-{n}" for port in (25, 587, 993) for n in (1, 2)),
        *(f"web.lab-tcp-{port}-{n}" for port in (443, 8443) for n in (1, 2)),
    ]
    states = {stem: parsed(page(bundle, stem)).body["data-state"] for stem in stems}
    assert states[EXCEPTED_PAGE] == states[EXCEPTED_V6_PAGE] == "excepted"
    assert states[MANUAL_PAGE] == "manual" and states[EXPIRED_PAGE] == "open"
    keys = {parsed(page(bundle, stem)).body["data-key"] for stem in stems}
    assert TELNET_V4 not in keys  # fixed and resolved: nothing to dispute
    assert not any("/tcp/22/" in str(k) for k in keys)  # kept ssh: allowed, nothing to dispute


def test_the_index_lists_every_page(bundle: Path) -> None:
    index = (bundle / DIRECTORY / INDEX).read_text("utf-8")
    stems = sorted(p.stem for p in (bundle / DIRECTORY).glob("*.pdf"))
    listed = re.findall(r'data-page="([^"]+)"', index)
    assert sorted(listed) == stems
    urls = parsed(index).urls
    assert sorted(urls) == sorted([f"{s}.html" for s in stems] + [f"{s}.pdf" for s in stems])


def test_an_excepted_page_holds_what_an_asv_asks_for(bundle: Path) -> None:
    text = page(bundle, EXCEPTED_V6_PAGE)
    found = {k: words(v) for k, v in parsed(text).by_id.items()}
    assert found["host"] == "clean.lab" and found["address"] == "fd00:213::14"
    assert found["port"] == "443/tcp"
    assert found["check"] == "nmap:ssl-cert"
    assert found["title"] == "TLS certificate: self-signed"
    assert "Issuer: commonName=clean.lab" in found["output"]
    assert found["asv"] == "fail" and found["pci"] == "4.2.1, 4.2.1.1"
    assert found["justification"].startswith("Status page certificate issued by the lab CA")
    assert found["owner"] == "platform-team"
    assert found["expiry"] == "valid until 2027-06-30 (judged on 2026-11-25)"
    assert "compensating control under a dated policy exception" in found["basis"]
    assert found["rescan"] == "the rescan still reports it"
    assert "kept open on 443/tcp to any source (no firewall restriction)" in found["controls"]
    assert "nmap 7.93" in text and "http nginx 1.22.1" in text
    assert "20261125T101500Z-apply-abc123" in text
    assert "approved by ciso@example.com, ticket CHG-2001" in text


def test_a_manual_page_shows_the_restriction_that_guards_its_port(bundle: Path) -> None:
    found = {k: words(v) for k, v in parsed(page(bundle, "web.lab-tcp-8443-2")).by_id.items()}
    assert found["owner"] == "web-team"
    assert found["expiry"] == "no exception: nothing dates this finding"
    assert "a person must fix it" in found["basis"]
    assert (
        "firewall: 8443/tcp accepted only from partners (198.51.100.0/24), "
        "dropped from every other source" in found["controls"]
    )
    assert "TLS enforced on 8443/tcp (apache2): TLSv1.2, TLSv1.3 only" in found["controls"]
    assert found["decision"].startswith("fail: PCI DSS 4.2.1 needs trusted, valid certificates")


def test_an_exception_expired_before_the_plan_reads_expired_on(bundle: Path) -> None:
    found = {k: words(v) for k, v in parsed(page(bundle, EXPIRED_PAGE)).by_id.items()}
    assert found["expiry"].startswith("expired on 2026-06-30")
    assert "none: the policy exception expired on 2026-06-30" in found["basis"]
    assert found["state"] == "open"


def test_an_exception_that_expired_since_reads_expired_on(tmp_path: Path) -> None:
    """verify ran while the exception held; the package, written after its expiry, must
    not offer it as a basis."""
    run = write_hostile_run(tmp_path)
    package = load_package(run, load_evidence(run, AFTER_EXPIRY))
    case = next(c for c in package.cases if c.stem == EXCEPTED_V6_PAGE)
    found = {k: words(v) for k, v in parsed(render_page(package, case)).by_id.items()}
    assert found["expiry"].startswith("expired on 2027-06-30")
    assert found["state"] == "open"
    assert "none: the policy exception expired on 2027-06-30" in found["basis"]
    assert "expired on 2027-06-30" in render_index(package)


def test_hostile_scan_text_stays_text(bundle: Path) -> None:
    for stem in (EXCEPTED_PAGE, MANUAL_PAGE):
        text = page(bundle, stem)
        found = parsed(text)
        assert found.tags.isdisjoint({"script", "img", "link", "iframe", "object"})
        assert found.urls == []
        assert HOSTILE not in text and "<script>" not in text
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;/pre&gt;" in text
        assert html_module.unescape(found.by_id["title"]) == HOSTILE_TITLE
        assert html_module.unescape(found.by_id["check"]) == HOSTILE_ID
        assert TEMPLATE in html_module.unescape(found.by_id["output"])  # never evaluated
        assert found.body["data-key"] is not None and HOSTILE_ID in found.body["data-key"]
    index = (bundle / DIRECTORY / INDEX).read_text("utf-8")
    assert "<script>" not in index and all(PLAIN_FILE.fullmatch(url) for url in parsed(index).urls)


def test_scan_text_never_names_a_file(bundle: Path) -> None:
    written = list(bundle.rglob("*"))
    assert {p.parent for p in written if p.is_file()} == {bundle / DIRECTORY}
    assert all(PLAIN_FILE.fullmatch(p.name) and ".." not in p.name for p in written)
    assert not Path("/tmp/dispute-pwned").exists()
    assert not any("pwned" in str(p) or "script" in str(p) for p in written)


def test_page_names_come_from_the_inventory_or_the_address() -> None:
    inventory = ("web.lab", "../etc", "a/b")
    assert host_part("web.lab", "10.213.0.11", inventory) == "web.lab"
    assert host_part("../etc", "10.213.0.11", inventory) == "10-213-0-11"
    assert host_part("a/b", "fd00:213::11%eth0/../x", inventory) == "fd00-213-11"
    assert host_part("a/b", "fd00:213::11/../x", inventory) == "host"
    assert host_part("fake.lab", "fd00:213::11", inventory) == "fd00-213-11"
    assert host_part(None, CLIMB, inventory) == "host"
    assert page_stem("web.lab", "tcp", 8443, 2) == "web.lab-tcp-8443-2"
    assert page_stem("web.lab", "../x", 1, 1) == "web.lab-ip-1-1"
    with pytest.raises(UnsafeNameError):
        page_stem("../x", "tcp", 1, 1)


def test_a_run_with_nothing_to_dispute_gets_no_folder_and_loses_stale_pages(
    tmp_path: Path,
) -> None:
    run = write_hostile_run(tmp_path / "runs")
    package = build_package(load_evidence(run, NOW), load_plan(run / "plan.json"), ())
    stale = tmp_path / "out" / DIRECTORY
    stale.mkdir(parents=True)
    (stale / "old-tcp-1-1.pdf").write_bytes(b"%PDF-1.7 old")
    (stale / INDEX).write_text("old", "utf-8")
    assert write_package(replace(package, cases=()), tmp_path / "out") == ()
    assert not stale.exists()
