"""After firewall: the role's table or chain is loaded and persisted on both families."""

testinfra_hosts = ["ansible://all"]


def test_rules_loaded_and_persisted(host):
    name = host.backend.get_hostname()
    if name == "legacy.lab":
        table = host.check_output("nft list table inet remediator")
        assert "tcp dport 23 drop" in table
        assert "udp dport 161 drop" in table
        assert (
            'include "/etc/nftables.d/remediator.nft"'
            in host.file("/etc/nftables.conf").content_string
        )
        assert host.service("nftables").is_enabled
    else:
        for tool, saved in (
            ("iptables", "/etc/iptables/rules.v4"),
            ("ip6tables", "/etc/iptables/rules.v6"),
        ):
            assert host.check_output("%s -S INPUT 1", tool) == "-A INPUT -j REMEDIATOR"
            assert "--dport 3306" in host.check_output("%s -S REMEDIATOR", tool)
            assert "-A INPUT -j REMEDIATOR" in host.file(saved).content_string
    assert (
        not host.run("systemctl is-active remediator-firewall-revert.timer").stdout.strip()
        == "active"
    )
