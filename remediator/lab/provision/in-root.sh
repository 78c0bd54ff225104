#!/bin/sh
# Usage: in-root.sh ROOT STAGE [LOWERDIRS UPPER WORK]
# Run build.sh from STAGE chrooted in ROOT. Called as
# `unshare --mount --propagation private in-root.sh ...`, so every mount made here
# (the overlay of a layer build, /proc, /dev, /run) belongs to this private mount
# namespace and vanishes with it, even when the build is killed.
set -eu
root=$1
stage=$2
if [ $# -eq 5 ]; then
    mount -t overlay overlay -o "lowerdir=$3,upperdir=$4,workdir=$5" "$root"
fi
mount -t proc proc "$root/proc"
mount -t sysfs -o ro sysfs "$root/sys"
mount --bind /dev "$root/dev"
mount -t tmpfs -o mode=755 tmpfs "$root/run"
mkdir "$root/run/lab-provision"
mount --bind -o ro "$stage" "$root/run/lab-provision"
exec chroot "$root" /bin/sh -eu /run/lab-provision/build.sh
