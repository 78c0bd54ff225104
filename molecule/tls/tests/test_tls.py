"""After tls: the daemons' effective settings say TLS 1.2+ with the Mozilla suites."""

testinfra_hosts = ["ansible://all"]


def test_effective_tls_settings(host):
    if host.backend.get_hostname() == "web.lab":
        dump = host.check_output("nginx -T 2>/dev/null").splitlines()
        settings = [line.split("#")[0].strip() for line in dump if line.strip().startswith("ssl_")]
        protocols = [line for line in settings if line.startswith("ssl_protocols")]
        assert protocols and all(line == "ssl_protocols TLSv1.2 TLSv1.3;" for line in protocols)
        assert not [line for line in settings if "SECLEVEL" in line]
        apache = host.file("/etc/apache2/sites-available/lab-ssl.conf").content_string
        assert "SSLProtocol -all +TLSv1.2 +TLSv1.3" in apache
        assert host.service("nginx").is_running and host.service("apache2").is_running
    else:
        assert host.check_output("postconf -h smtpd_tls_protocols") == ">=TLSv1.2"
        assert host.check_output("doveconf -h ssl_min_protocol") == "TLSv1.2"
        assert host.service("postfix").is_running and host.service("dovecot").is_running
