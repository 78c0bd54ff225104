# Base rootfs, shared by every lab host (run by build.sh inside the chroot).
# Host keys and machine-id are made per host when it first boots: two hosts must
# not share an identity.
rm -f /etc/ssh/ssh_host_*
: > /etc/machine-id
rm -f /var/lib/dbus/machine-id
# A lab host has no route out: apt must not try the network on its own.
systemctl mask apt-daily.timer apt-daily-upgrade.timer
