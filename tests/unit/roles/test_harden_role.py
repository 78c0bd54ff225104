"""Static checks of the harden role (issue 18); no sshd, Redis, Dovecot, Postfix, snmpd or
vsftpd runs here.

Argument specs are the contract with the generator. The role's guards that need no
daemon run for real against localhost; the templates are rendered with Jinja as Ansible
renders them; everything else is read from the files: every edit backed up, the Redis
secret only in no_log tasks, commands truthful in check mode, and the sshd reload armed
with a revert and confirmed over a new connection.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml

from tests.corpus import REPO
from tests.unit.roles.localplay import ansible_env, run_play
from tests.unit.roles.module_args import BIN

ROLE = REPO / "roles" / "harden"
TASKS = ROLE / "tasks"
EDIT_MODULES = {"ansible.builtin.template", "ansible.builtin.lineinfile", "ansible.builtin.replace"}
# Commands that only read: they may run in check mode (check_mode: false).
READ_ONLY = {"ssh", "sshd", "grep", "cut", "awk", "ip", "doveconf", "postconf", "postfix"}
SAMPLE: dict[str, Any] = {
    "harden_items": [
        {
            "key": "192.0.2.10/tcp/22/nmap:ssh2-enum-algos",
            "reason": "weak algorithms",
            "daemon": "sshd",
            "ciphers": ["chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com"],
            "macs": ["hmac-sha2-512-etm@openssh.com"],
            "kex_algorithms": ["curve25519-sha256"],
            "host_key_algorithms": ["ssh-ed25519", "rsa-sha2-512"],
            "password_authentication": False,
        },
        {
            "key": "192.0.2.10/tcp/6379/redis",
            "reason": "no auth",
            "daemon": "redis",
            "bind": ["127.0.0.1", "-::1"],
            "password_var": "redis_password",
        },
        {"key": "k/udp/161", "reason": "r", "daemon": "snmpd", "sources": ["10.0.0.0/24"]},
        {"key": "k/tcp/143", "reason": "r", "daemon": "dovecot"},
        {"key": "k/tcp/25", "reason": "r", "daemon": "postfix"},
        {"key": "k/tcp/21", "reason": "r", "daemon": "vsftpd"},
    ],
}


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text("utf-8"))


def _options() -> dict[str, dict[str, Any]]:
    return dict(_yaml(ROLE / "meta" / "argument_specs.yml")["argument_specs"]["main"]["options"])


def _walk(tasks: object) -> list[dict[str, Any]]:
    """Every task of a task list, blocks opened (the block itself included)."""
    found: list[dict[str, Any]] = []
    for task in tasks if isinstance(tasks, list) else []:
        found.append(task)
        for part in ("block", "rescue", "always"):
            found += _walk(task.get(part))
    return found


def _tasks(name: str) -> list[dict[str, Any]]:
    return _walk(_yaml(TASKS / name))


def _all_tasks() -> list[tuple[str, dict[str, Any]]]:
    return [(path.name, task) for path in sorted(TASKS.glob("*.yml")) for task in _tasks(path.name)]


def _module(task: dict[str, Any]) -> str:
    return next((k for k in task if k.startswith("ansible.builtin.")), "")


def _names(name: str) -> list[str]:
    return [str(task.get("name")) for task in _tasks(name)]


def _play(tmp_path: Path, tasks: list[dict[str, Any]], extra: dict[str, Any]) -> str:
    done = run_play(tmp_path, tasks, extra)
    return f"rc={done.returncode}\n{done.stdout}{done.stderr}"


# --- the contract -------------------------------------------------------------------


def test_argument_spec_matches_defaults() -> None:
    options = _options()
    defaults = _yaml(ROLE / "defaults" / "main.yml")
    for name, value in defaults.items():
        assert name in options, name
        assert options[name].get("default") == value, name
    for name, option in options.items():
        assert name.startswith("harden_"), name
        assert option.get("description"), name
        assert option.get("type"), name
        assert name in defaults, f"{name} documented but has no default"


def test_argument_spec_names_every_variable_the_role_uses() -> None:
    text = "\n".join(
        p.read_text("utf-8")
        for p in [*TASKS.glob("*.yml"), *ROLE.glob("vars/*.yml"), *ROLE.glob("handlers/*.yml")]
    )
    used = set(re.findall(r"(?<![_A-Za-z0-9])harden_[a-z0-9_]+", text))
    assert used <= set(_options()), used - set(_options())


def test_item_options_document_every_daemon_field() -> None:
    item = _options()["harden_items"]["options"]
    assert item["daemon"]["choices"] == ["sshd", "redis", "dovecot", "postfix", "snmpd", "vsftpd"]
    assert {"key", "reason"} <= {k for k, v in item.items() if v.get("required")}
    fields = {"ciphers", "macs", "kex_algorithms", "host_key_algorithms"}
    fields |= {"password_authentication", "bind", "password_var", "sources"}
    assert fields <= set(item)
    # what breaks for whom is part of the contract
    daemon_doc = " ".join(item["daemon"]["description"])
    for words in ("OpenSSH 6.5", "PuTTY 0.68", "password", "without TLS", "STARTTLS", "anonymous"):
        assert words in daemon_doc, words


def test_every_daemon_has_its_task_file_and_a_handler_for_it() -> None:
    files = _yaml(ROLE / "vars" / "main.yml")["__harden_daemon_files"]
    handlers = {h["name"] for h in _yaml(ROLE / "handlers" / "main.yml")}
    for daemon in files.values():
        assert (TASKS / f"{daemon}.yml").is_file(), daemon
    notified = {
        str(task["vars"]["__harden_handler"])
        for _, task in _all_tasks()
        if "__harden_handler" in (task.get("vars") or {})
    }
    assert notified == handlers - set(), notified ^ handlers
    assert not any("ssh" in h.lower() for h in handlers), "sshd reloads under the revert only"


def _validate_spec(tmp_path: Path, provided: dict[str, Any]) -> str:
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(_options()), encoding="utf-8")
    task = {
        "name": "Validate",
        "ansible.builtin.validate_argument_spec": {
            "argument_spec": "{{ lookup('ansible.builtin.file', '"
            + str(spec_file)
            + "') | from_json }}",
            "provided_arguments": provided,
        },
    }
    return _play(tmp_path, [task], {})


def test_argument_spec_accepts_the_sample(tmp_path: Path) -> None:
    out = _validate_spec(tmp_path, SAMPLE)
    assert out.startswith("rc=0"), out


@pytest.mark.parametrize(
    ("item", "complaint"),
    [
        ({"key": "k", "reason": "r", "daemon": "telnetd"}, "telnetd"),
        ({"key": "k", "daemon": "sshd"}, "reason"),
        ({"key": "k", "reason": "r", "daemon": "redis", "bind": "127.0.0.1 10.0.0.1"}, ""),
    ],
)
def test_argument_spec_rejects_bad_items(
    tmp_path: Path, item: dict[str, Any], complaint: str
) -> None:
    out = _validate_spec(tmp_path, {"harden_items": [item]})
    if complaint:
        assert not out.startswith("rc=0"), out
        assert complaint in out
    else:  # a string is split into a list by Ansible's list type: accepted, as elsewhere
        assert out.startswith("rc=0"), out


# --- backups, secrets, check mode ---------------------------------------------------


def test_every_edit_is_backed_up() -> None:
    edits = [(f, t) for f, t in _all_tasks() if _module(t) in EDIT_MODULES]
    assert len(edits) >= 5
    for where, task in edits:
        assert task[_module(task)].get("backup") is True, (where, task["name"])


def test_the_secret_is_looked_up_only_in_no_log_tasks() -> None:
    lookups = [
        (f, t)
        for f, t in _all_tasks()
        if "block" not in t and "ansible.builtin.vars'" in json.dumps(t)
    ]
    assert len(lookups) == 2  # the check that it is set, the write
    for where, task in lookups:
        assert task.get("no_log") is True, (where, task["name"])
        assert task.get("diff") is False, (where, task["name"])
        assert "loop" not in task, (where, task["name"])


def test_the_secret_write_result_is_never_looped_over_or_shown() -> None:
    """Job events carry each loop item in full, whatever the label says."""
    for where, task in _all_tasks():
        if "block" in task:
            continue
        loop = json.dumps(task.get("loop", ""))
        assert "__harden_secret_written" not in loop, (where, task["name"])
        if _module(task) in {
            "ansible.builtin.debug",
            "ansible.builtin.fail",
            "ansible.builtin.assert",
        }:
            assert "__harden_secret_written" not in json.dumps(task), (where, task["name"])


def test_the_redis_start_test_filters_the_secret_out_of_its_output() -> None:
    include = next(t for t in _tasks("redis.yml") if "include_tasks" in json.dumps(t))
    script = include["vars"]["__harden_validate_argv"][2]
    assert "requirepass" in script and "grep -v" in script
    assert '>"$d/log" 2>&1' in script


def test_the_password_check_names_the_variable_not_the_value() -> None:
    guard = next(
        t for t in _tasks("redis.yml") if t["name"] == "Refuse a password variable that is not set"
    )
    message = guard["ansible.builtin.assert"]["fail_msg"]
    assert "__harden_password_var" in message
    assert "lookup" not in json.dumps(guard)


def _include_vars(name: str) -> list[Any]:
    return [t["vars"][name] for _, t in _all_tasks() if name in (t.get("vars") or {})]


def _command_heads(argv: object) -> list[str]:
    """The program(s) a command task runs, Jinja argv resolved from the includes' vars."""
    if isinstance(argv, list):
        return [str(argv[0])]
    if argv == "{{ __harden_validate_argv }}":
        return [v[0] for v in _include_vars("__harden_validate_argv")]
    if argv == "{{ __harden_sshd_restore_argv }}":
        return [_yaml(ROLE / "vars" / "main.yml")["__harden_sshd_restore_argv"][0]]
    if argv == "{{ item.argv }}":
        return [
            e["argv"][0] for effective in _include_vars("__harden_effective") for e in effective
        ]
    first = re.search(r"\[\s*'([^']+)'", str(argv))
    return [first.group(1)] if first else [str(argv)]


def test_commands_are_truthful_in_check_mode() -> None:
    """A command that runs in check mode (check_mode: false) only reads: a probe, or a
    checker whose `changed` mirrors the writes. Every other command acts only on what this
    run wrote (a backup to move or put back), and check mode writes nothing."""
    commands = [(f, t) for f, t in _all_tasks() if _module(t) == "ansible.builtin.command"]
    assert len(_include_vars("__harden_validate_argv")) == 5
    for where, task in commands:
        assert "changed_when" in task, (where, task["name"])
        heads = _command_heads(task["ansible.builtin.command"]["argv"])
        if task.get("check_mode") is False:
            for head in heads:
                assert head in READ_ONLY | {"/bin/sh", "systemctl"}, (where, task["name"], head)
        else:
            assert heads[0] in {"mv", "cp", "systemd-run", "/bin/sh"}, (where, task["name"])


def test_shell_validators_only_start_test_or_check() -> None:
    for argv in _include_vars("__harden_validate_argv"):
        if argv[0] == "/bin/sh":
            assert argv[1] == "-c"
            assert "{{" not in argv[2], "values reach the script as arguments only"


def test_probes_and_checkers_cover_the_start_tests_with_timeout_on_loopback() -> None:
    for name in ("redis.yml", "snmpd.yml", "vsftpd.yml"):
        include = next(t for t in _tasks(name) if "include_tasks" in json.dumps(t))
        script = include["vars"]["__harden_validate_argv"][2]
        assert "timeout 3" in script and "127.0.0.1" in script and "124" in script, name


def test_snmpd_start_test_keeps_off_the_live_daemon() -> None:
    include = next(t for t in _tasks("snmpd.yml") if "include_tasks" in json.dumps(t))
    script = include["vars"]["__harden_validate_argv"][2]
    assert "SNMP_PERSISTENT_DIR=" in script  # never saves over the live users
    assert "agentaddress|agentxsocket" in script  # the live addresses are not bound
    assert "-x " in script
    assert "Error|Warning" in script  # snmpd starts despite errors


def test_a_failed_validation_puts_the_files_back_and_queues_nothing() -> None:
    edit = _yaml(TASKS / "edit.yml")
    block = next(t for t in edit if "block" in t)
    names = [t["name"] for t in block["block"]]
    assert names.index("Validate with the daemon's own checker (a pass queues the reload)") > max(
        i for i, t in enumerate(block["block"]) if _module(t) in EDIT_MODULES
    )
    notifying = [t for t in _walk(edit) if "notify" in t]
    assert [t["name"] for t in notifying] == [
        "Validate with the daemon's own checker (a pass queues the reload)"
    ]
    rescue = [t["name"] for t in block["rescue"]]
    assert rescue[0] == "Put the configuration files back as they were"
    assert "ansible.builtin.fail" in block["rescue"][-1]


# --- sshd ---------------------------------------------------------------------------


def test_sshd_refusals_come_before_the_write() -> None:
    names = _names("sshd.yml")
    write = names.index("Write and validate the drop-in")
    for refusal in (
        "Refuse to switch off password logins on a host Ansible logs in to with a password",
        "Refuse a setting none of whose algorithms this OpenSSH supports",
        "Refuse HostKeyAlgorithms that would leave a host key unused",
    ):
        assert names.index(refusal) < write, refusal


def test_sshd_validates_then_proves_the_dropin_wins_before_any_reload() -> None:
    names = _names("sshd.yml")
    order = [
        "Write the sshd drop-in",
        "Validate sshd's whole configuration with sshd -t",
        "Dump the configuration sshd would run with",
        "Check every setting of the drop-in wins (the main file includes it first)",
        "Reload sshd under the timed revert, confirmed over a new connection",
    ]
    assert [names.index(n) for n in order] == sorted(names.index(n) for n in order)
    apply = next(t for t in _tasks("sshd.yml") if t["name"] == order[-1])
    assert "not ansible_check_mode" in apply["when"]  # check mode arms and reloads nothing


def test_sshd_arms_the_revert_before_the_reload_and_confirms_over_a_new_connection() -> None:
    names = _names("sshd_apply.yml")
    arm = names.index("Arm the automatic revert (previous drop-in, or none, and a reload)")
    reload = names.index("Reload sshd with the hardened drop-in")
    confirm = names.index("Confirm over a new connection and disarm")
    assert arm < reload < confirm
    confirm_tasks = _tasks("revert_confirm.yml")
    modules = [_module(t) for t in confirm_tasks if "block" not in t]
    assert modules.index("ansible.builtin.meta") < modules.index(
        "ansible.builtin.wait_for_connection"
    )
    assert modules.index("ansible.builtin.wait_for_connection") < modules.index(
        "ansible.builtin.systemd_service"
    )
    meta = next(t for t in confirm_tasks if _module(t) == "ansible.builtin.meta")
    assert meta["ansible.builtin.meta"] == "reset_connection"
    arm_cmd = next(t for t in _tasks("revert_arm.yml") if t["name"].startswith("Arm"))
    assert "systemd-run" in arm_cmd["ansible.builtin.command"]["argv"]


def test_sshd_revert_restores_the_previous_dropin_or_its_absence() -> None:
    restore = _yaml(ROLE / "vars" / "main.yml")["__harden_sshd_restore_argv"]
    assert restore[0] == "/bin/sh"
    assert 'cp -p -- "$1" "$0"' in restore[2] and 'rm -f -- "$0"' in restore[2]
    assert "systemctl reload" in restore[2]
    assert "harden_sshd_dropin" in restore[3] and "harden_sshd_service" in restore[5]


def test_no_task_touches_host_key_files() -> None:
    for where, task in _all_tasks():
        if _module(task) in EDIT_MODULES | {"ansible.builtin.file", "ansible.builtin.copy"}:
            assert "ssh_host_" not in json.dumps(task), (where, task["name"])
    assert "ssh-keygen" not in "".join(p.read_text("utf-8") for p in TASKS.glob("*.yml"))


def _sshd_guard(tmp_path: Path, extra: dict[str, Any]) -> str:
    task = {"name": "sshd", "ansible.builtin.include_role": {"name": "harden"}}
    return _play(tmp_path, [task], extra)


def test_sshd_refuses_password_logins_off_over_a_password_connection(tmp_path: Path) -> None:
    item = {**SAMPLE["harden_items"][0], "ciphers": ["aes256-gcm@openssh.com"]}
    out = _sshd_guard(tmp_path, {"harden_items": [item], "ansible_ssh_pass": "x"})
    assert not out.startswith("rc=0")
    assert "REFUSED: sshd (192.0.2.10/tcp/22/nmap:ssh2-enum-algos) would switch off" in out
    assert "(ansible_ssh_pass)" in out
    assert "Write the sshd drop-in" not in out


@pytest.mark.skipif(shutil.which("ssh") is None, reason="no ssh client")
def test_sshd_refuses_a_list_this_openssh_does_not_support(tmp_path: Path) -> None:
    item = {
        "key": "k/tcp/22",
        "reason": "r",
        "daemon": "sshd",
        "ciphers": ["aes256-gcm@openssh.com"],
        "macs": ["hmac-md5-from-the-future"],
    }
    out = _sshd_guard(tmp_path, {"harden_items": [item]})
    assert not out.startswith("rc=0")
    assert "supports none of the wanted MACs (hmac-md5-from-the-future)" in out
    assert "Write the sshd drop-in" not in out


# --- templates, rendered as Ansible renders them --------------------------------------


def _template(name: str) -> jinja2.Template:
    env = jinja2.Environment(  # noqa: S701 - configuration text, not HTML
        loader=jinja2.FileSystemLoader(ROLE / "templates"),
        trim_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template(name)


def _sshd_render(wanted: dict[str, list[str]], no_passwords: bool) -> str:
    lists = _yaml(ROLE / "vars" / "main.yml")["__harden_sshd_lists"]
    return _template("sshd-harden.conf.j2").render(
        ansible_managed="Ansible managed",
        __harden_keys="k1, k2",
        __harden_sshd_lists=lists,
        __harden_sshd_wanted=wanted,
        __harden_sshd_no_passwords=no_passwords,
    )


def test_sshd_dropin_renders_each_setting_on_one_line() -> None:
    text = _sshd_render(
        {
            "ciphers": ["chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com"],
            "macs": ["hmac-sha2-512-etm@openssh.com"],
            "kex_algorithms": ["curve25519-sha256"],
            "host_key_algorithms": ["ssh-ed25519", "rsa-sha2-512"],
        },
        no_passwords=True,
    )
    settings = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert settings == [
        "Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com",
        "MACs hmac-sha2-512-etm@openssh.com",
        "KexAlgorithms curve25519-sha256",
        "HostKeyAlgorithms ssh-ed25519,rsa-sha2-512",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
    ]


def test_sshd_dropin_leaves_out_what_no_item_asks_for() -> None:
    text = _sshd_render({"ciphers": ["aes256-gcm@openssh.com"]}, no_passwords=False)
    settings = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert settings == ["Ciphers aes256-gcm@openssh.com"]


def test_sshd_dropin_keys_cannot_inject_settings() -> None:
    lists = _yaml(ROLE / "vars" / "main.yml")["__harden_sshd_lists"]
    text = _template("sshd-harden.conf.j2").render(
        ansible_managed="m",
        __harden_keys="k\nPermitRootLogin yes",
        __harden_sshd_lists=lists,
        __harden_sshd_wanted={},
        __harden_sshd_no_passwords=False,
    )
    assert all(line.startswith("#") for line in text.splitlines() if line)


SNMPD = """\
# stock comment
agentaddress  127.0.0.1,[::1]
view   systemonly  included   .1.3.6.1.2.1.1
rocommunity  public default -V systemonly
rocommunity6 public default -V systemonly
rwcommunity private
rocommunity local localhost
com2sec -Cn ctx secname default public
rouser authPrivUser authpriv -V systemonly
"""


def _snmpd(text: str, v3: bool, sources: list[str]) -> str:
    return _template("snmpd.conf.j2").render(
        __harden_snmpd_text=text, __harden_snmpd_v3=v3, __harden_snmpd_sources=sources
    )


def _active(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_snmpd_with_snmpv3_comments_out_every_community() -> None:
    out = _snmpd(SNMPD, v3=True, sources=["10.0.0.0/24"])
    assert _active(out) == [
        "agentaddress  127.0.0.1,[::1]",
        "view   systemonly  included   .1.3.6.1.2.1.1",
        "rouser authPrivUser authpriv -V systemonly",
    ]
    assert (
        "# remediator-harden: SNMPv3 is configured, community removed: rwcommunity private" in out
    )
    assert out.endswith("\n")


def test_snmpd_without_snmpv3_restricts_each_community_to_the_sources() -> None:
    out = _snmpd(SNMPD, v3=False, sources=["10.0.0.0/24", "192.0.2.7", "fd00::/64"])
    assert _active(out) == [
        "agentaddress  127.0.0.1,[::1]",
        "view   systemonly  included   .1.3.6.1.2.1.1",
        "rocommunity public 10.0.0.0/24 -V systemonly",
        "rocommunity public 192.0.2.7 -V systemonly",
        "rocommunity6 public fd00::/64 -V systemonly",
        "rwcommunity private 10.0.0.0/24",
        "rwcommunity private 192.0.2.7",
        "rocommunity local localhost",  # loopback is no exposure
        "com2sec -Cn ctx secname 10.0.0.0/24 public",
        "com2sec -Cn ctx secname 192.0.2.7 public",
        "rouser authPrivUser authpriv -V systemonly",
    ]
    assert "# stock comment" in out
    assert out.endswith("\n")


def test_snmpd_family_without_sources_loses_its_community() -> None:
    out = _snmpd(SNMPD, v3=False, sources=["10.0.0.0/24"])
    assert not any(line.startswith("rocommunity6") for line in _active(out))
    assert "no allowed source of this family, community removed: rocommunity6 public" in out


def test_snmpd_rewrite_is_idempotent() -> None:
    sources = ["10.0.0.0/24", "192.0.2.7", "fd00::/64"]
    once = _snmpd(SNMPD, v3=False, sources=sources)
    assert _snmpd(once, v3=False, sources=sources) == once
    v3 = _snmpd(SNMPD, v3=True, sources=[])
    assert _snmpd(v3, v3=True, sources=[]) == v3


def test_snmpd_keeps_a_file_without_communities_byte_for_byte() -> None:
    text = "# nothing\nsysLocation here\n\n"
    assert _snmpd(text, v3=False, sources=[]) == text


# --- lint and module arguments --------------------------------------------------------


def test_ansible_lint_production_is_clean_on_the_role() -> None:
    done = subprocess.run(
        [str(BIN / "ansible-lint"), "--profile", "production", "--offline", "-q", str(ROLE)],
        cwd=REPO,
        env=ansible_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]


def test_snmpd_keywords_are_matched_whatever_their_case() -> None:
    """snmpd reads its keywords case-insensitively (the lab's file says agentAddress), so
    a ``ROCommunity`` line grants access like ``rocommunity`` and must be changed too."""
    text = "agentAddress udp:161\nROCommunity public default\nRWCommunity6 private\n"
    assert _active(_snmpd(text, v3=True, sources=[])) == ["agentAddress udp:161"]
    assert _active(_snmpd(text, v3=False, sources=["10.0.0.0/24"])) == [
        "agentAddress udp:161",
        "ROCommunity public 10.0.0.0/24",
    ]
