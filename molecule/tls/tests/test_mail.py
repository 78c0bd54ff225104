"""After tls on mail: Postfix and Dovecot say TLS 1.2 at least.

Only mail.lab is named (see test_web.py for why each verifier names its host).
"""

testinfra_hosts = ["ansible://mail.lab"]


def test_postfix_tls_protocols(host):
    assert host.check_output("postconf -h smtpd_tls_protocols") == ">=TLSv1.2"
    assert host.service("postfix").is_running


def test_dovecot_min_protocol(host):
    assert host.check_output("doveconf -h ssl_min_protocol") == "TLSv1.2"
    assert host.service("dovecot").is_running
