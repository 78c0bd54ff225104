# cache: Redis on every address without auth, memcached tcp+udp 11211 on every
# address, a socket-activated echo service (Accept=yes) on tcp/7; ufw installed, inactive.
sed -i -e 's/^bind .*/bind * -::*/' -e 's/^protected-mode yes/protected-mode no/' /etc/redis/redis.conf
grep -q '^bind \* -::\*' /etc/redis/redis.conf
grep -q '^protected-mode no' /etc/redis/redis.conf
# memcached listens on every address (v4 and v6) when given no -l.
sed -i -e '/^-l /d' /etc/memcached.conf
printf '# remediator lab: UDP too\n-U 11211\n' >> /etc/memcached.conf
grep -q '^ENABLED=no' /etc/ufw/ufw.conf
systemctl enable redis-server memcached lab-echo.socket
