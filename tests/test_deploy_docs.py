"""docs/deploy.md and deploy/: the environment table is generated from the settings module and kept
current; the deploy files name commands that exist and parse."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError

from motcua.core.envref import END, START, table, variables

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "deploy.md"
SETTINGS = ROOT / "config" / "settings.py"


def test_the_table_in_docs_deploy_is_the_generated_one(capsys):
    call_command("env_reference", "--check", str(DOC))
    assert "up to date" in capsys.readouterr().out


def test_a_stale_table_is_reported(tmp_path):
    stale = tmp_path / "deploy.md"
    stale.write_text(DOC.read_text(encoding="utf-8").replace("| `MOTCUA_ENV` |", "| `MOTCUA_OLD` |"))
    with pytest.raises(CommandError, match=r"out of date; run `manage\.py env_reference --write"):
        call_command("env_reference", "--check", str(stale))
    call_command("env_reference", "--write", str(stale))
    assert stale.read_text(encoding="utf-8") == DOC.read_text(encoding="utf-8")


def test_every_variable_read_by_the_settings_is_in_the_table():
    source = SETTINGS.read_text(encoding="utf-8")
    read = set(re.findall(r'\benv(?:_bool|_list)?\(\s*"([A-Z0-9_]+)"', source))
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", DOC.read_text(encoding="utf-8"), re.M))
    assert read == documented
    assert len(read) >= 40


def test_rows_give_type_default_and_the_comment_of_the_statement(tmp_path):
    settings = tmp_path / "settings.py"
    settings.write_text(
        "# --- section ---\n"
        "# The first paragraph's comment.\n"
        'A = int(env("APP_A", "5") or 5)\n'
        'B = env_bool("APP_B", default=False)  # trailing note\n'
        "\n"
        'C = env_list("APP_C")\n'
        "D = {\n"
        "    # Nested comment.\n"
        '    "x": float(env("APP_D", str(2 * 3)) or 0),\n'
        "}\n"
        'E = env("APP_A", "again")\n'
    )
    assert [(v.name, v.kind, v.default, v.description) for v in variables(settings)] == [
        ("APP_A", "integer", "5", "The first paragraph's comment."),
        ("APP_B", "boolean", "False", "The first paragraph's comment. trailing note"),
        ("APP_C", "list (comma-separated)", "", ""),
        ("APP_D", "number", "str(2 * 3)", "Nested comment."),
    ]
    assert table(settings).splitlines()[4] == "| `APP_C` | list (comma-separated) | — | — |"


def test_a_document_without_markers_is_refused(tmp_path):
    bare = tmp_path / "bare.md"
    bare.write_text("# no table here\n")
    with pytest.raises(CommandError, match="markers"):
        call_command("env_reference", "--check", str(bare))
    assert START in DOC.read_text(encoding="utf-8") and END in DOC.read_text(encoding="utf-8")


def test_systemd_units_run_commands_that_exist():
    commands = get_commands()
    named = set()
    for unit in (ROOT / "deploy" / "systemd").glob("*.service"):
        for line in unit.read_text().splitlines():
            if line.startswith("ExecStart=") and "manage.py" in line:
                named.add(line.split("manage.py", 1)[1].split()[0])
    assert named == {
        "db_worker",
        "warn_deadlines",
        "notify_missed_events",
        "retry_failed_messages",
        "pump_outbox",
        "prune_db_task_results",
        "clearsessions",
    }
    pre = (ROOT / "deploy" / "systemd" / "motcua-web.service").read_text()
    assert "ExecStartPre=/opt/motcua/app/.venv/bin/python manage.py createcachetable" in pre
    assert named <= set(commands)
    timers = {p.stem for p in (ROOT / "deploy" / "systemd").glob("*.timer")}
    assert timers == {"motcua-warn-deadlines", "motcua-retry-messages", "motcua-prune-tasks", "motcua-backup"}
    assert all((ROOT / "deploy" / "systemd" / f"{t}.service").exists() for t in timers)


@pytest.mark.skipif(not shutil.which("logrotate"), reason="logrotate is not installed")
def test_the_logrotate_file_parses(tmp_path):
    # The motcua user does not exist on the test machine: check the syntax with root as owner.
    text = (ROOT / "deploy" / "logrotate" / "motcua").read_text().replace("motcua motcua", "root root")
    (tmp_path / "motcua").write_text(text)
    done = subprocess.run(
        ["logrotate", "-d", "-s", str(tmp_path / "state"), str(tmp_path / "motcua")],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and "error:" not in done.stdout + done.stderr, done.stderr


def test_scripts_and_gunicorn_config_parse():
    for script in ("motcua-backup", "motcua-restore"):
        path = ROOT / "deploy" / "bin" / script
        assert path.stat().st_mode & 0o111, f"{script} is not executable"
        assert subprocess.run(["bash", "-n", str(path)], check=False).returncode == 0  # noqa: S607
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from gunicorn.app.base import Application\n"
            "from gunicorn.config import Config\n"
            "import runpy\n"
            "ns = runpy.run_path('deploy/gunicorn.conf.py')\n"
            "c = Config()\n"
            "[c.set(k, v) for k, v in ns.items() if k in c.settings]\n"
            "print(c.bind, c.workers, c.threads, c.worker_class_str, c.timeout)",
        ],
        cwd=ROOT,
        env={"GUNICORN_WORKERS": "3", "GUNICORN_BIND": "127.0.0.1:8171", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.strip() == "['127.0.0.1:8171'] 3 2 gthread 60", done.stderr
