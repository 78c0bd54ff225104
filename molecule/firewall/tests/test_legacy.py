"""After firewall on legacy (nftables): the role's table is loaded and persisted.

Only legacy.lab is named: a platform renamed away collects no test here, and the
lab test counts what passed (tests/lab/test_molecule.py), so it cannot go unnoticed.
"""

testinfra_hosts = ["ansible://legacy.lab"]


def test_table_loaded_and_persisted(host):
    table = host.check_output("nft list table inet remediator")
    assert "tcp dport 23 drop" in table
    assert "udp dport 161 drop" in table
    assert (
        'include "/etc/nftables.d/remediator.nft"'
        in host.file("/etc/nftables.conf").content_string
    )
    assert host.service("nftables").is_enabled


def test_revert_timer_not_left_running(host):
    active = host.run("systemctl is-active remediator-firewall-revert.timer").stdout.strip()
    assert active != "active"
