# legacy: telnet via inetd (v4 and v6), vsftpd anonymous, rpcbind, snmpd public, and a
# forgotten MariaDB on 0.0.0.0:3306 (its unit has the alias names mysql.service and
# mysqld.service, which Debian ships as symlinks beside it).
# inetutils-telnetd's postinst registers telnet in /etc/inetd.conf for tcp (v4), but
# commented out; old boxes have it on, often with the tcp6 twin (exposure over v6).
update-inetd --enable telnet
grep -q '^telnet[[:space:]]' /etc/inetd.conf
if ! grep -q '^telnet[[:space:]].*tcp6' /etc/inetd.conf; then
    sed -n 's/^\(telnet[[:space:]]\+stream[[:space:]]\+\)tcp\([[:space:]]\)/\1tcp6\2/p' /etc/inetd.conf >> /etc/inetd.conf
fi
grep -q '^telnet[[:space:]].*tcp6' /etc/inetd.conf
chmod 600 /etc/snmp/snmpd.conf
chown ftp:nogroup /srv/ftp/pub/README || true
# rpcbind starts on the first connection to its socket, not at boot ("Also=" in
# rpcbind.service disables the socket too, so enable it after).
systemctl disable rpcbind.service
# An old application's account reachable from anywhere: MariaDB greets clients (and
# version scans) only when some account may connect from their address.
mariadbd --user=mysql --bootstrap --skip-networking <<'SQL'
FLUSH PRIVILEGES;
CREATE USER 'inventory'@'%' IDENTIFIED BY 'legacy-lab-password';
GRANT SELECT ON *.* TO 'inventory'@'%';
SQL
systemctl enable inetd vsftpd snmpd rpcbind.socket mariadb
systemctl is-enabled nftables.service && systemctl disable nftables.service || true
