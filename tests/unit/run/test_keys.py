"""Mapping task results to the findings they remediate, on the lab project's real items."""

from __future__ import annotations

from remediator.run.ansible.events import TaskOutcome, TaskResult, task_results
from remediator.run.preview.keys import finding_keys
from remediator.run.project import HostSpec, Item, Project


def result(
    host: str,
    task: str,
    role: str | None,
    *,
    keys: tuple[str, ...] = (),
    hints: tuple[str, ...] = (),
    action: str = "ansible.builtin.copy",
) -> TaskResult:
    return TaskResult(
        counter=1,
        host=host,
        task=task,
        role=role,
        action=action,
        outcome=TaskOutcome.CHANGED,
        item_keys=keys,
        label="",
        diffs=(),
        message="",
        ignored=False,
        hints=hints,
        duration=None,
    )


def test_an_item_names_its_own_findings(lab_project: Project) -> None:
    legacy = lab_project.host("legacy.lab")
    keys = ("10.213.0.10/tcp/23/port-open", "fd00:213::10/tcp/23/port-open")
    found = finding_keys(
        result("legacy.lab", "Mask the units", "disable_service", keys=keys), legacy
    )
    assert found == keys


def test_keys_from_another_role_do_not_leak(lab_project: Project) -> None:
    legacy = lab_project.host("legacy.lab")
    # udp/161 is a firewall (restrict) item only; a disable_service result naming it is
    # mapped through the role's own items instead.
    odd = result(
        "legacy.lab",
        "Mask the units",
        "disable_service",
        keys=("10.213.0.10/udp/161/port-open",),
        hints=("rpcbind.socket",),
    )
    assert set(finding_keys(odd, legacy)) == {
        "10.213.0.10/tcp/111/port-open",
        "fd00:213::10/tcp/111/port-open",
        "10.213.0.10/udp/111/port-open",
        "fd00:213::10/udp/111/port-open",
    }


def test_a_socket_activated_instance_maps_to_its_socket_item(lab_project: Project) -> None:
    legacy = lab_project.host("legacy.lab")
    instance = result(
        "legacy.lab",
        "Stop running per-connection instances of socket-activated services",
        "disable_service",
        keys=("telnet@0-10.213.0.10:23-10.213.0.1:40022.service",),
        hints=("telnet@0-10.213.0.10:23-10.213.0.1:40022.service",),
        action="ansible.builtin.systemd_service",
    )
    assert set(finding_keys(instance, legacy)) == {
        "10.213.0.10/tcp/23/port-open",
        "fd00:213::10/tcp/23/port-open",
    }


def test_the_inetd_reload_maps_to_the_inetd_items(lab_project: Project) -> None:
    legacy = lab_project.host("legacy.lab")
    reload = result(
        "legacy.lab",
        "Reload inetd",
        "disable_service",
        hints=("inetd.service",),
        action="ansible.builtin.systemd_service",
    )
    expected = {i.key for i in legacy.items if i.inetd}
    assert set(finding_keys(reload, legacy)) == expected
    assert "10.213.0.10/tcp/23/port-open" in expected
    assert "10.213.0.10/tcp/111/port-open" not in expected


def test_a_ruleset_change_maps_to_every_firewall_item(lab_project: Project) -> None:
    mail = lab_project.host("mail.lab")
    ruleset = result(
        "mail.lab",
        "Persist the permanent rules",
        "firewall",
        hints=("/etc/firewalld/zones/public.xml",),
    )
    assert finding_keys(ruleset, mail) == mail.keys_for("firewall")
    assert len(mail.keys_for("firewall")) == 24


def test_tls_results_map_to_their_daemon(lab_project: Project) -> None:
    web = lab_project.host("web.lab")
    nginx = {i.key for i in web.items if i.daemon == "nginx"}
    apache = {i.key for i in web.items if i.daemon == "apache2"}
    assert nginx and apache and not nginx & apache
    edit = result(
        "web.lab",
        "Rewrite TLS settings where the configuration sets them",
        "tls",
        hints=("/etc/nginx/sites-enabled/default",),
    )
    assert set(finding_keys(edit, web)) == nginx
    handler = result(
        "web.lab",
        "Reload apache",
        "tls",
        hints=("apache2.service",),
        action="ansible.builtin.systemd_service",
    )
    assert set(finding_keys(handler, web)) == apache
    check = result(
        "web.lab",
        "Validate with the daemon's own checker (a pass queues the reload)",
        "tls",
        hints=("apache2ctl",),
        action="ansible.builtin.command",
    )
    assert set(finding_keys(check, web)) == apache
    mail = lab_project.host("mail.lab")
    dovecot = result(
        "mail.lab",
        "Validate with the daemon's own checker",
        "tls",
        hints=("doveconf",),
        action="ansible.builtin.command",
    )
    assert set(finding_keys(dovecot, mail)) == {i.key for i in mail.items if i.daemon == "dovecot"}


def test_a_tls_result_without_a_hint_maps_to_every_tls_item(lab_project: Project) -> None:
    web = lab_project.host("web.lab")
    vague = result("web.lab", "Something", "tls")
    assert finding_keys(vague, web) == web.keys_for("tls")


def test_package_removal_maps_to_the_irreversible_items_only() -> None:
    spec = HostSpec(
        name="h",
        changes=True,
        items=(
            Item(
                "a/tcp/23/port-open",
                "disable_service",
                "disable telnet",
                units=("x",),
                irreversible=True,
            ),
            Item("a/tcp/21/port-open", "disable_service", "disable ftp", units=("y",)),
        ),
        manual=(),
        listening=(),
        restricted={},
        suite=None,
    )
    removal = result(
        "h",
        "Remove the packages the items opt in to removing (irreversible)",
        "disable_service",
        action="ansible.builtin.package",
    )
    assert finding_keys(removal, spec) == ("a/tcp/23/port-open",)


def test_results_outside_the_remediation_roles_map_to_nothing(lab_project: Project) -> None:
    web = lab_project.host("web.lab")
    for role, task in (
        (None, "Check that the window is still open for this batch"),
        ("snapshot", "Take the snapshot"),
        (None, "Verify from the host's own view"),
    ):
        assert finding_keys(result("web.lab", task, role), web) == ()


def test_the_disable_roles_items_name_their_findings_in_the_events() -> None:
    """The disable_service role's unit items carry ``findings`` (units.yml's loop label
    shows them): a changed item must map to those findings only, not to every finding of
    the role on the host (which made a hand change on one port a mismatch on another)."""
    item = {
        "unit": "lab-echo.socket",
        "maskable": False,
        "findings": ["10.213.0.13/tcp/7/port-open", "fd00:213::13/tcp/7/port-open"],
    }
    event = {
        "event": "runner_item_on_ok",
        "counter": 40,
        "event_data": {
            "host": "cache.lab",
            "task": "Stop and disable the units",
            "role": "disable_service",
            "resolved_action": "ansible.builtin.systemd_service",
            "res": {"changed": True, "item": item},
        },
    }
    (found,) = task_results([event])
    assert found.item_keys == tuple(item["findings"])
