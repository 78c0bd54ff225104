# mail: Postfix 25/587 and Dovecot 110/143/993/995, all accepting TLS 1.0.
mkdir -p /etc/ssl/lab
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
    -subj "/O=remediator lab/CN=mail.lab" -addext "subjectAltName=DNS:mail.lab" \
    -keyout /etc/ssl/lab/server.key -out /etc/ssl/lab/server.crt 2>/dev/null
chmod 600 /etc/ssl/lab/server.key
postconf -e \
    'myhostname = mail.lab' \
    'mydestination = mail.lab, localhost' \
    'inet_interfaces = all' \
    'inet_protocols = all' \
    'smtpd_tls_cert_file = /etc/ssl/lab/server.crt' \
    'smtpd_tls_key_file = /etc/ssl/lab/server.key' \
    'smtpd_tls_security_level = may' \
    'smtpd_tls_protocols = >=TLSv1' \
    'smtpd_tls_mandatory_protocols = >=TLSv1' \
    'smtpd_tls_ciphers = medium' \
    'tls_medium_cipherlist = ALL:!aNULL:!eNULL:@SECLEVEL=0'
postconf -M 'submission/inet=submission inet n - y - - smtpd'
postconf -P 'submission/inet/syslog_name=postfix/submission'
postconf -P 'submission/inet/smtpd_sasl_auth_enable=no'
# A mailbox user, so a plaintext login over cleartext IMAP/POP3 can be proven.
useradd --create-home --shell /usr/sbin/nologin alice
echo 'alice:alice-lab-password' | chpasswd
# firewalld is installed for the remediation to use, but must not start at boot:
# the lab's netfilter starts empty.
systemctl disable firewalld
systemctl enable postfix dovecot
