"""After disable_service on cache: the forgotten echo socket is off.

Only cache.lab is named (see test_legacy.py for why each verifier names its host).
"""

testinfra_hosts = ["ansible://cache.lab"]


def test_echo_socket_masked(host):
    # an admin's unit file in /etc/systemd/system cannot be masked: disabled it is
    assert host.run("systemctl is-enabled lab-echo.socket").stdout.strip() == "disabled"
    assert not host.socket("tcp://:::7").is_listening
