"""After tls on web: nginx and Apache say TLS 1.2+ with the Mozilla suites.

Only web.lab is named: a platform renamed away collects no test here, and the
lab test counts what passed (tests/lab/test_molecule.py), so it cannot go unnoticed.
"""

testinfra_hosts = ["ansible://web.lab"]


def test_nginx_effective_tls_settings(host):
    dump = host.check_output("nginx -T 2>/dev/null").splitlines()
    settings = [line.split("#")[0].strip() for line in dump if line.strip().startswith("ssl_")]
    protocols = [line for line in settings if line.startswith("ssl_protocols")]
    assert protocols and all(line == "ssl_protocols TLSv1.2 TLSv1.3;" for line in protocols)
    assert not [line for line in settings if "SECLEVEL" in line]
    assert host.service("nginx").is_running


def test_apache_tls_settings(host):
    apache = host.file("/etc/apache2/sites-available/lab-ssl.conf").content_string
    assert "SSLProtocol -all +TLSv1.2 +TLSv1.3" in apache
    assert host.service("apache2").is_running
