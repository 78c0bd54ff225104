"""After firewall on web (iptables): the role's chain is loaded and persisted, both families.

Only web.lab is named (see test_legacy.py for why each verifier names its host).
"""

import pytest

testinfra_hosts = ["ansible://web.lab"]


@pytest.mark.parametrize(
    ("tool", "saved"),
    [("iptables", "/etc/iptables/rules.v4"), ("ip6tables", "/etc/iptables/rules.v6")],
)
def test_chain_loaded_and_persisted(host, tool, saved):
    assert host.check_output("%s -S INPUT 1", tool) == "-A INPUT -j REMEDIATOR"
    assert "--dport 3306" in host.check_output("%s -S REMEDIATOR", tool)
    assert "-A INPUT -j REMEDIATOR" in host.file(saved).content_string


def test_revert_timer_not_left_running(host):
    active = host.run("systemctl is-active remediator-firewall-revert.timer").stdout.strip()
    assert active != "active"
