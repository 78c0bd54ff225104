#!/usr/bin/env bash
# Set up remediator on a Debian 12 machine, as root: system packages, then a venv in .venv.
# Safe to run again: apt and pip skip what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: Python's venv, and what the lab and the scans need
# (debootstrap + systemd-nspawn for the lab hosts, iproute2 for namespaces, nmap for scans,
# ssh for Ansible, openssl/snmp for the lab's proof-of-weakness checks, chromium to check
# that the evidence report renders offline, pango and a font for WeasyPrint to print the
# ASV dispute pages to PDF, poppler-utils (pdftoppm, pdftotext) for the tests that read
# those PDFs back).
APT_PACKAGES=(
    python3 python3-venv python3-dev gcc git ca-certificates
    debootstrap systemd-container iproute2 nftables nmap openssh-client
    openssl snmp chromium
    libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils
)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-/usr/bin/python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'
echo "setup: done ($(.venv/bin/remediator --version))"
