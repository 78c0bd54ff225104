"""After disable_service on legacy: rpcbind masked and stopped, the telnet entry gone.

Only legacy.lab is named: a platform renamed away collects no test here, and the
lab test counts what passed (tests/lab/test_molecule.py), so it cannot go unnoticed.
"""

import pytest

testinfra_hosts = ["ansible://legacy.lab"]


@pytest.mark.parametrize("unit", ["rpcbind.service", "rpcbind.socket"])
def test_rpcbind_masked_and_stopped(host, unit):
    state = host.run("systemctl is-enabled %s", unit).stdout.strip()
    assert state == "masked"
    assert host.run("systemctl is-active %s", unit).stdout.strip() == "inactive"


def test_telnet_entry_commented_and_port_closed(host):
    inetd = host.file("/etc/inetd.conf").content_string
    assert not [line for line in inetd.splitlines() if line.startswith("telnet")]
    assert not host.socket("tcp://0.0.0.0:23").is_listening
    assert not host.socket("tcp://:::23").is_listening
    assert not host.socket("tcp://0.0.0.0:111").is_listening
