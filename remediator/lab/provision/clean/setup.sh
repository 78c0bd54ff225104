# clean: only ssh and HTTPS with TLS 1.2+; nftables installed, its ruleset not loaded.
mkdir -p /etc/ssl/lab
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
    -subj "/O=remediator lab/CN=clean.lab" -addext "subjectAltName=DNS:clean.lab" \
    -keyout /etc/ssl/lab/server.key -out /etc/ssl/lab/server.crt 2>/dev/null
chmod 600 /etc/ssl/lab/server.key
sed -i -e 's/^\([[:space:]]*ssl_protocols\) .*/\1 TLSv1.2 TLSv1.3;/' /etc/nginx/nginx.conf
systemctl is-enabled nftables.service && systemctl disable nftables.service || true
systemctl enable nginx
