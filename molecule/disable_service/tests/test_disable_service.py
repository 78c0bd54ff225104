"""After disable_service: nothing listens where the items pointed, units are masked."""

import pytest

testinfra_hosts = ["ansible://all"]


def _is_host(host, name):
    return host.backend.get_hostname() == name


@pytest.mark.parametrize("unit", ["rpcbind.service", "rpcbind.socket"])
def test_rpcbind_masked_and_stopped(host, unit):
    if not _is_host(host, "legacy.lab"):
        pytest.skip("legacy only")
    state = host.run("systemctl is-enabled %s", unit).stdout.strip()
    assert state == "masked"
    assert host.run("systemctl is-active %s", unit).stdout.strip() == "inactive"


def test_telnet_entry_commented_and_port_closed(host):
    if not _is_host(host, "legacy.lab"):
        pytest.skip("legacy only")
    inetd = host.file("/etc/inetd.conf").content_string
    assert not [line for line in inetd.splitlines() if line.startswith("telnet")]
    assert not host.socket("tcp://0.0.0.0:23").is_listening
    assert not host.socket("tcp://:::23").is_listening
    assert not host.socket("tcp://0.0.0.0:111").is_listening


def test_echo_socket_masked(host):
    if not _is_host(host, "cache.lab"):
        pytest.skip("cache only")
    # an admin's unit file in /etc/systemd/system cannot be masked: disabled it is
    assert host.run("systemctl is-enabled lab-echo.socket").stdout.strip() == "disabled"
    assert not host.socket("tcp://:::7").is_listening
