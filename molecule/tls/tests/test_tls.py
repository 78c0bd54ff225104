"""After tls: the daemons' effective settings say TLS 1.2+ with the Mozilla suites."""

testinfra_hosts = ["ansible://all"]


def test_effective_tls_settings(host):
    if host.backend.get_hostname() == "web.lab":
        dump = host.check_output("nginx -T 2>/dev/null")
        assert "TLSv1.1" not in dump and "@SECLEVEL=0" not in dump
        apache = host.file("/etc/apache2/sites-available/lab-ssl.conf").content_string
        assert "SSLProtocol -all +TLSv1.2 +TLSv1.3" in apache
        assert host.service("nginx").is_running and host.service("apache2").is_running
    else:
        assert host.check_output("postconf -h smtpd_tls_protocols") == ">=TLSv1.2"
        assert host.check_output("doveconf -h ssl_min_protocol") == "TLSv1.2"
        assert host.service("postfix").is_running and host.service("dovecot").is_running
