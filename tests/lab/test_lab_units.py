"""The lab's pure parts: config, mirror, inventory, scan guard, state, lock, CLI wiring.

Not marked ``lab``: these need no root and run everywhere.
"""

from __future__ import annotations

import argparse
import ipaddress
from pathlib import Path

import pytest

from remediator.errors import ExecutionError, InputError, RefusedError
from remediator.ingest.inventory import load_inventory
from remediator.lab import network, rootfs, state
from remediator.lab.cli import register, wanted_config
from remediator.lab.config import ROLES, LabConfig, parse_subnets
from remediator.lab.inventory import inventory_yaml
from remediator.lab.lock import held
from remediator.lab.mirror import find_mirrors
from remediator.lab.scan import check_targets, nmap_argv, udp_ports, v6_path
from remediator.lab.ssh import controller_command


def test_default_hosts_and_addresses() -> None:
    config = LabConfig()
    assert [(h.name, *h.addresses) for h in config.hosts] == [
        ("legacy", "10.213.0.10", "fd00:213::10"),
        ("web", "10.213.0.11", "fd00:213::11"),
        ("mail", "10.213.0.12", "fd00:213::12"),
        ("cache", "10.213.0.13", "fd00:213::13"),
        ("clean", "10.213.0.14", "fd00:213::14"),
    ]
    assert (str(config.controller4), str(config.controller6)) == ("10.213.0.1", "fd00:213::1")
    assert config.controller_ns == "rmlab-ctl"
    assert config.host_ns(config.host("web")) == "rmlab-web"
    assert "10.213.0.1" not in config.lab_addresses()


def test_a_chosen_subset_of_hosts_in_another_subnet() -> None:
    subnet4, subnet6 = parse_subnets("10.99.0.0/24", "fd12:3456::/64")
    config = LabConfig(subnet4=subnet4, subnet6=subnet6, host_names=("clean", "web"))
    assert [h.addresses for h in config.hosts] == [
        ("10.99.0.10", "fd12:3456::10"),
        ("10.99.0.11", "fd12:3456::11"),
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prefix": "Bad-Prefix"}, "lab prefix"),
        ({"prefix": "toolongprefix"}, "lab prefix"),
        ({"host_names": ("web", "db")}, "unknown lab hosts db"),
        ({"host_names": ()}, "unknown lab hosts"),
        ({"subnet4": ipaddress.IPv4Network("10.0.0.0/29")}, "too small"),
    ],
)
def test_bad_configs_are_input_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        LabConfig(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("subnet4", "subnet6"),
    [("10.213.0.1/24", "fd00:213::/64"), ("fd00::/64", "fd00:213::/64"), ("x", "y")],
)
def test_bad_subnets_are_input_errors(subnet4: str, subnet6: str) -> None:
    with pytest.raises(InputError):
        parse_subnets(subnet4, subnet6)
    with pytest.raises(InputError, match="no lab host 'db'"):
        LabConfig().host("db")


def test_every_role_has_its_provisioning_and_distinct_cache_key() -> None:
    base = rootfs.base_key()
    keys = {rootfs.role_key(role, base) for role in ROLES.values()}
    assert len(keys) == len(ROLES)
    for role in ROLES.values():
        assert (role.provision_dir / "setup.sh").is_file(), role.name
    assert rootfs.base_key() == base  # stable


def test_tree_digest_follows_content_and_executable_bit(tmp_path: Path) -> None:
    folder = tmp_path / "role"
    folder.mkdir()
    script = folder / "setup.sh"
    script.write_text("echo one\n")
    first = rootfs.tree_digest(folder)
    script.write_text("echo two\n")
    second = rootfs.tree_digest(folder)
    script.chmod(0o755)
    assert len({first, second, rootfs.tree_digest(folder)}) == 3


def test_mirror_comes_from_apt_sources_deb822_and_one_line(tmp_path: Path) -> None:
    parts = tmp_path / "sources.list.d"
    parts.mkdir()
    (parts / "debian.sources").write_text(
        "Types: deb\nURIs: http://mirror.invalid/debian/\nSuites: bookworm bookworm-updates\n"
        "Components: main\n\n"
        "Types: deb\nURIs: http://security.invalid/debian-security\n"
        "Suites: bookworm-security\nComponents: main\n"
    )
    (parts / "off.sources").write_text(
        "Enabled: no\nTypes: deb\nURIs: http://off.invalid/\nSuites: bookworm\n"
    )
    mirrors = find_mirrors(tmp_path)
    assert mirrors.debian == "http://mirror.invalid/debian"
    assert mirrors.security == "http://security.invalid/debian-security"
    assert "deb http://security.invalid/debian-security bookworm-security main" in (
        mirrors.sources_list()
    )
    one_line = tmp_path / "one"
    one_line.mkdir()
    (one_line / "sources.list").write_text(
        "# comment\ndeb [arch=amd64 signed-by=/k.gpg] http://one.invalid/debian bookworm main\n"
    )
    assert find_mirrors(one_line).debian == "http://one.invalid/debian"
    with pytest.raises(ExecutionError, match="no apt source for Debian bookworm"):
        find_mirrors(tmp_path / "missing")


def test_inventory_reads_back_through_ansible_and_maps_both_addresses(tmp_path: Path) -> None:
    config = LabConfig(state_dir=tmp_path)
    path = tmp_path / "lab.yml"
    path.write_text(inventory_yaml(config))
    inventory = load_inventory(path)
    assert {h.name for h in inventory.hosts} == {f"{n}.lab" for n in ROLES}
    assert set(inventory.groups) >= {"linux", *ROLES}
    web = inventory.host("web.lab")
    assert web.groups == ("linux", "web")
    assert web.var("ansible_user") == "root"
    assert web.var("remediator_firewall_backend") == "iptables"
    assert web.var("ansible_ssh_private_key_file") == str(tmp_path / "ssh" / "id_ed25519")
    assert "StrictHostKeyChecking=no" in (web.var("ansible_ssh_common_args") or "")
    for host in config.hosts:
        for address in host.addresses:
            matched = inventory.match(address)
            assert matched is not None
            assert matched.name == f"{host.name}.lab"


def test_scan_targets_must_be_lab_hosts_of_one_family(tmp_path: Path) -> None:
    config = LabConfig()
    with pytest.raises(RefusedError, match=r"non-lab addresses: 192\.0\.2\.1"):
        check_targets(config, ["10.213.0.10", "192.0.2.1"])
    with pytest.raises(RefusedError, match="non-lab"):
        check_targets(config, [str(config.controller4)])
    with pytest.raises(RefusedError, match="one address family"):
        check_targets(config, ["10.213.0.10", "fd00:213::10"])
    with pytest.raises(RefusedError, match="no scan targets"):
        check_targets(config, [])
    argv = nmap_argv(config, ["fd00:213::10", "fd00:213::14"], tmp_path / "s.v6.xml")
    assert argv[:5] == ["ip", "netns", "exec", "rmlab-ctl", "nmap"]
    assert argv[argv.index("-p") + 1] == "T:1-65535,U:111,161,11211"
    assert {"-sS", "-sU", "-sV", "-6", "-n", "-Pn"} <= set(argv)
    assert argv[argv.index("--script") + 1] == "ssl-enum-ciphers,ssl-cert"
    assert argv[-2:] == ["fd00:213::10", "fd00:213::14"]
    assert udp_ports(config) == [111, 161, 11211]
    assert v6_path(Path("out/scan.xml")) == Path("out/scan.v6.xml")
    assert v6_path(Path("scan")) == Path("scan.v6.xml")


def test_controller_command_wraps_in_the_controller_namespace() -> None:
    config = LabConfig(prefix="other")
    assert controller_command(["ansible-playbook", "-i", "x"], config) == [
        *("ip", "netns", "exec", "other-ctl", "ansible-playbook", "-i", "x")
    ]


def test_subnet_overlap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    routes = [ipaddress.ip_network("10.213.0.128/25"), ipaddress.ip_network("fd00::/64")]
    monkeypatch.setattr(network, "machine_routes", lambda: iter(routes))
    with pytest.raises(RefusedError, match=r"10.213.0.0/24 overlaps .* 10.213.0.128/25"):
        network.check_subnets(LabConfig())
    other = LabConfig(subnet4=ipaddress.IPv4Network("10.213.1.0/24"))
    network.check_subnets(other)
    clash6 = LabConfig(
        subnet4=ipaddress.IPv4Network("10.213.1.0/24"),
        subnet6=ipaddress.IPv6Network("fd00::/64"),
    )
    with pytest.raises(RefusedError, match="fd00::/64"):
        network.check_subnets(clash6)


def test_mac_addresses_are_fixed_per_address() -> None:
    assert network.mac_address(ipaddress.IPv4Address("10.213.0.11")) == "02:00:0a:d5:00:0b"


def test_state_round_trip_and_corruption(tmp_path: Path) -> None:
    config = LabConfig(state_dir=tmp_path, host_names=("web",))
    saved = state.LabState(config, {"web": "/a:/b"}).with_process(
        "web", state.HostProcess(42, "pid:[4026532000]")
    )
    state.save(saved)
    assert state.load(tmp_path) == saved
    assert state.current_config(tmp_path) == config
    state.state_path(tmp_path).write_text("{not json")
    with pytest.raises(ExecutionError, match="unreadable lab state"):
        state.load(tmp_path)
    state.forget(tmp_path)
    assert state.load(tmp_path) is None
    with pytest.raises(ExecutionError, match="the lab is not up"):
        state.require(tmp_path)


def test_a_held_lock_refuses_a_second_holder(tmp_path: Path) -> None:
    lock = tmp_path / "lab.lock"
    with held(lock), pytest.raises(RefusedError, match="busy"), held(lock):
        pass
    with held(tmp_path / "lab.lock"):  # released after the block
        pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="remediator")
    register(parser.add_subparsers(dest="command"))
    return parser


def test_cli_wires_every_sub_command() -> None:
    parser = _parser()
    for argv in (
        ["lab", "up", "--subnet", "10.9.0.0/24"],
        ["lab", "down"],
        ["lab", "reset", "web", "mail"],
        ["lab", "status"],
        ["lab", "inventory"],
        ["lab", "ssh", "web", "uptime"],
        ["lab", "scan", "-o", "x.xml"],
    ):
        args = parser.parse_args(argv)
        assert callable(args.func), argv
    assert parser.parse_args(["lab", "reset", "web", "mail"]).hosts == ["web", "mail"]
    assert parser.parse_args(["lab", "ssh", "-6", "web", "ls", "-l"]).remote == ["ls", "-l"]


def test_cli_help_teaches(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _parser().parse_args(["lab", "--help"])
    text = capsys.readouterr().out
    for words in ("remediator lab up", "lab scan -o scan.xml", "ip netns exec rmlab-ctl"):
        assert words in text
    for role in ROLES.values():
        assert role.name in text
        assert role.firewall in text


def test_cli_up_rejects_a_bad_subnet_before_touching_anything(tmp_path: Path) -> None:
    args = _parser().parse_args(
        ["lab", "--state-dir", str(tmp_path), "up", "--subnet", "10.213.0.5/24"]
    )
    with pytest.raises(InputError, match="bad lab subnet"):
        args.func(args)
    assert list(tmp_path.iterdir()) == []


def test_cli_up_without_options_keeps_the_lab_its_state_dir_runs(tmp_path: Path) -> None:
    """``lab --state-dir X up`` must not replace a second lab by the default one."""
    slot = LabConfig(
        prefix="rml7",
        subnet4=ipaddress.IPv4Network("10.227.0.0/24"),
        subnet6=ipaddress.IPv6Network("fd00:227::/64"),
        state_dir=tmp_path,
    )
    state.save(state.LabState(slot, {h.name: [] for h in slot.hosts}, {}))
    bare = _parser().parse_args(["lab", "--state-dir", str(tmp_path), "up"])
    assert wanted_config(bare) == slot
    chosen = _parser().parse_args(["lab", "--state-dir", str(tmp_path), "up", "--prefix", "rml8"])
    wanted = wanted_config(chosen)
    assert (wanted.prefix, str(wanted.subnet4)) == ("rml8", "10.213.0.0/24")
