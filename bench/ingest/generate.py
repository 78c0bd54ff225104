"""Write a synthetic but realistic nmap -sV XML file of many hosts, for the ingest benchmark.

The layout copies what nmap 7.93 writes for ``nmap -sV -oX``: the same elements, attribute
order and line breaks, one ``<extraports>`` block per host, ``<cpe>`` children on identified
services. Hosts are a contiguous IPv4 range, each with a PTR name and five open ports drawn
from a small service catalogue, so every host costs the parser the same work.

Usage: ``python bench/ingest/generate.py OUT.xml [HOSTS]`` (default 65,536 hosts).
"""

from __future__ import annotations

import ipaddress
import random
import sys
from pathlib import Path
from typing import Final, TextIO

PORTS_PER_HOST: Final = 5
START: Final = 1_700_000_000

# (portid, service attributes, cpes): real nmap-service-probes results seen in the wild.
CATALOGUE: Final[tuple[tuple[int, str, tuple[str, ...]], ...]] = (
    (
        22,
        'name="ssh" product="OpenSSH" version="8.9p1 Ubuntu 3ubuntu0.6" '
        'extrainfo="Ubuntu Linux; protocol 2.0" ostype="Linux"',
        ("cpe:/a:openbsd:openssh:8.9p1", "cpe:/o:linux:linux_kernel"),
    ),
    (
        80,
        'name="http" product="nginx" version="1.18.0" extrainfo="Ubuntu"',
        ("cpe:/a:igor_sysoev:nginx:1.18.0", "cpe:/o:linux:linux_kernel"),
    ),
    (
        443,
        'name="http" product="Apache httpd" version="2.4.57" extrainfo="(Debian)" tunnel="ssl"',
        ("cpe:/a:apache:http_server:2.4.57",),
    ),
    (
        25,
        'name="smtp" product="Postfix smtpd" hostname="mail.example.net"',
        ("cpe:/a:postfix:postfix",),
    ),
    (
        3306,
        'name="mysql" product="MySQL" version="8.0.35-0ubuntu0.22.04.1"',
        ("cpe:/a:mysql:mysql:8.0.35-0ubuntu0.22.04.1",),
    ),
    (
        21,
        'name="ftp" product="vsftpd" version="3.0.3" ostype="Unix"',
        ("cpe:/a:vsftpd:vsftpd:3.0.3",),
    ),
    (
        5432,
        'name="postgresql" product="PostgreSQL DB" version="15.3 - 15.5"',
        ("cpe:/a:postgresql:postgresql:15",),
    ),
    (
        993,
        'name="imap" product="Dovecot imapd" tunnel="ssl"',
        ("cpe:/a:dovecot:dovecot",),
    ),
    (
        6379,
        'name="redis" product="Redis key-value store" version="7.0.11"',
        ("cpe:/a:redis:redis:7.0.11",),
    ),
    (
        8080,
        'name="http" product="Apache Tomcat" version="9.0.58" extrainfo="Servlet 4.0"',
        ("cpe:/a:apache:tomcat:9.0.58",),
    ),
)

HEADER: Final = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<?xml-stylesheet href="file:///usr/bin/../share/nmap/nmap.xsl" type="text/xsl"?>
<!-- Nmap 7.93 scan initiated Tue Nov 14 22:13:20 2023 as: nmap -sV -oX bench.xml 10.0.0.0/16 -->
<nmaprun scanner="nmap" args="nmap -sV -oX bench.xml 10.0.0.0/16" start="{start}" \
startstr="Tue Nov 14 22:13:20 2023" version="7.93" xmloutputversion="1.05">
<scaninfo type="syn" protocol="tcp" numservices="1000" services="1,3-4,6-7,9,13,17,19-26"/>
<verbose level="0"/>
<debugging level="0"/>
"""

FOOTER: Final = """<runstats><finished time="{end}" timestr="Wed Nov 15 04:13:20 2023" \
summary="Nmap done at Wed Nov 15 04:13:20 2023; {hosts} IP addresses ({hosts} hosts up) \
scanned in 21600.00 seconds" elapsed="21600.00" exit="success"/>\
<hosts up="{hosts}" down="0" total="{hosts}"/>
</runstats>
</nmaprun>
"""


def _port(portid: int, service: str, cpes: tuple[str, ...], ttl: int) -> str:
    cpe_xml = "".join(f"<cpe>{cpe}</cpe>" for cpe in cpes)
    return (
        f'<port protocol="tcp" portid="{portid}"><state state="open" reason="syn-ack" '
        f'reason_ttl="{ttl}"/><service {service} method="probed" conf="10">{cpe_xml}'
        "</service></port>\n"
    )


def _host(index: int, address: str, rng: random.Random) -> str:
    begin = START + index // 64
    ttl = rng.choice((52, 56, 60, 64))
    chosen = sorted(rng.sample(CATALOGUE, PORTS_PER_HOST))
    ports = "".join(_port(portid, service, cpes, ttl) for portid, service, cpes in chosen)
    ptr = "host-" + address.replace(".", "-") + ".example.net"
    return (
        f'<host starttime="{begin}" endtime="{begin + 95}"><status state="up" reason="echo-reply" '
        f'reason_ttl="{ttl}"/>\n'
        f'<address addr="{address}" addrtype="ipv4"/>\n'
        "<hostnames>\n"
        f'<hostname name="{ptr}" type="PTR"/>\n'
        "</hostnames>\n"
        '<ports><extraports state="closed" count="995">\n'
        '<extrareasons reason="reset" count="995" proto="tcp" ports="1,3-4,6-7,9,13,17"/>\n'
        "</extraports>\n"
        f"{ports}"
        "</ports>\n"
        f'<times srtt="{rng.randrange(200, 90000)}" rttvar="{rng.randrange(50, 5000)}" '
        'to="100000"/>\n'
        "</host>\n"
    )


def write_scan(stream: TextIO, hosts: int, seed: int = 4406) -> None:
    """Write an nmap -sV XML document of ``hosts`` up hosts to ``stream``."""
    rng = random.Random(seed)  # noqa: S311 - benchmark data, not security
    network = ipaddress.IPv4Network("10.0.0.0/8")
    stream.write(HEADER.format(start=START))
    for index in range(hosts):
        stream.write(_host(index, str(network[index + 256]), rng))
    stream.write(FOOTER.format(end=START + 21600, hosts=hosts))


def main(argv: list[str]) -> int:
    """Command line: output path and optional host count."""
    if not 2 <= len(argv) <= 3:
        print(__doc__, file=sys.stderr)
        return 2
    hosts = int(argv[2]) if len(argv) == 3 else 65_536
    path = Path(argv[1])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as stream:
        write_scan(stream, hosts)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
