# web: nginx 80/443 and Apache 8443 with TLS 1.0/1.1; MariaDB on 0.0.0.0:3306.
mkdir -p /etc/ssl/lab
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
    -subj "/O=remediator lab/CN=web.lab" -addext "subjectAltName=DNS:web.lab" \
    -keyout /etc/ssl/lab/server.key -out /etc/ssl/lab/server.crt 2>/dev/null
chmod 600 /etc/ssl/lab/server.key
a2enmod -q ssl
a2dissite -q 000-default
a2ensite -q lab-ssl
# A shop application account reachable from anywhere: MariaDB greets clients (and
# version scans) only when some account may connect from their address.
mariadbd --user=mysql --bootstrap --skip-networking <<'SQL'
FLUSH PRIVILEGES;
CREATE USER 'shop'@'%' IDENTIFIED BY 'shop-lab-password';
GRANT SELECT ON *.* TO 'shop'@'%';
SQL
systemctl enable nginx apache2 mariadb netfilter-persistent
