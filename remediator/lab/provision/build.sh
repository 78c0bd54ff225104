#!/bin/sh
# Runs inside the chroot of a rootfs or layer being built (see in-root.sh).
# /run/lab-provision holds: packages (one a line), optional sources.list,
# preseed, files/ (copied over /) and setup.sh (run last).
set -eu
P=/run/lab-provision
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 LANG=C.UTF-8
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# Nothing may start while we build: services start when the host boots.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
chmod 755 /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT

if [ -f "$P/sources.list" ]; then
    cp "$P/sources.list" /etc/apt/sources.list
    apt-get -q update
    apt-get -qy dist-upgrade
fi
if [ -s "$P/preseed" ]; then
    debconf-set-selections "$P/preseed"
fi
if [ -s "$P/packages" ]; then
    # shellcheck disable=SC2046  # one package name a line, written by remediator
    apt-get -qy install --no-install-recommends $(cat "$P/packages")
fi
if [ -d "$P/files" ]; then
    cp -R "$P/files/." /
fi
if [ -f "$P/setup.sh" ]; then
    sh -eux "$P/setup.sh"
fi
apt-get clean
rm -rf /var/log/apt/*.log /var/cache/debconf/*-old /tmp/* /var/tmp/*
