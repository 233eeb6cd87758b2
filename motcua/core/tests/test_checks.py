"""The deploy checks of the database server's settings (``motcua.core.checks``): what each setting
gives, and the registered check reading the running server (``check --deploy --database``)."""

from __future__ import annotations

import io

import pytest
from django.core.checks import ERROR, WARNING, run_checks
from django.core.management import call_command
from django.db import connection

from motcua.core import checks

SOUND = {
    "fsync": "on",
    "full_page_writes": "on",
    "synchronous_commit": "on",
    "server_encoding": "UTF8",
    "autovacuum": "on",
    "track_counts": "on",
}


def ids(values: dict[str, str]) -> list[str]:
    return [message.id for message in checks.problems(values)]


def test_a_sound_server_has_no_problem():
    assert checks.problems(SOUND) == []
    assert checks.problems({**SOUND, "synchronous_commit": "local"}) == []
    assert checks.problems({**SOUND, "synchronous_commit": "remote_apply"}) == []


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("fsync", "off", "motcua.E101"),
        ("full_page_writes", "off", "motcua.E102"),
        ("synchronous_commit", "off", "motcua.E103"),
        ("server_encoding", "SQL_ASCII", "motcua.E104"),
        ("server_encoding", "LATIN1", "motcua.E104"),
        ("autovacuum", "off", "motcua.W101"),
        ("track_counts", "off", "motcua.W101"),
    ],
)
def test_each_setting_that_loses_or_slows(name, value, expected):
    assert ids({**SOUND, name: value}) == [expected]


def test_levels_and_wording():
    fsync, commit, autovacuum = (
        checks.problems({**SOUND, "fsync": "off"})[0],
        checks.problems({**SOUND, "synchronous_commit": "off"})[0],
        checks.problems({**SOUND, "autovacuum": "off", "track_counts": "off"}, alias="reports")[0],
    )
    assert (fsync.level, commit.level, autovacuum.level) == (ERROR, ERROR, WARNING)
    assert fsync.msg.startswith("PostgreSQL runs with fsync = off: a crash")
    assert "/ PostgreSQL đang chạy với fsync = off" in fsync.msg
    assert fsync.hint == "Set fsync = on (deploy/postgresql/motcua.conf) and restart PostgreSQL."
    assert "code is issued again" in commit.msg and "mã đó bị cấp lại" in commit.msg
    assert autovacuum.msg.startswith("PostgreSQL runs with autovacuum = off and track_counts = off:")
    assert autovacuum.obj == "database 'reports'"


def test_all_at_once_in_order():
    everything = {
        "fsync": "off",
        "full_page_writes": "off",
        "synchronous_commit": "off",
        "server_encoding": "WIN1258",
        "autovacuum": "off",
        "track_counts": "on",
    }
    assert ids(everything) == ["motcua.E101", "motcua.E102", "motcua.E103", "motcua.E104", "motcua.W101"]


def test_a_setting_the_server_does_not_report_is_not_a_problem():
    assert checks.problems({}) == []


@pytest.mark.django_db
def test_the_registered_check_reads_the_running_server():
    found = [
        message
        for message in run_checks(tags=["database"], include_deployment_checks=True, databases=["default"])
        if message.id.startswith("motcua.")
    ]
    if connection.vendor != "postgresql":
        assert found == []  # the embedded SQLite of a demo is not checked
        return
    values = checks.server_values("default")
    assert set(values) == set(checks.SETTINGS)
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        autovacuum = cursor.fetchone()[0]
        cursor.execute("SHOW server_encoding")
        encoding = cursor.fetchone()[0]
    assert values["autovacuum"] == autovacuum and values["server_encoding"] == encoding
    assert [m.id for m in found] == [m.id for m in checks.problems(values)]


@pytest.mark.django_db
def test_only_with_deploy_and_database(monkeypatch):
    def ours(**kwargs) -> list[str]:
        return [m.id for m in run_checks(**kwargs) if m.id.startswith("motcua.")]

    monkeypatch.setattr(checks, "server_values", lambda alias: {**SOUND, "autovacuum": "off"})
    assert ours(tags=["database"], include_deployment_checks=True, databases=["default"]) == (
        ["motcua.W101"] if connection.vendor == "postgresql" else []
    )
    assert ours(tags=["database"], include_deployment_checks=False, databases=["default"]) == []
    assert ours(tags=["database"], include_deployment_checks=True, databases=None) == []


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's settings")
def test_manage_py_check_prints_it(monkeypatch):
    monkeypatch.setattr(checks, "server_values", lambda alias: {**SOUND, "track_counts": "off"})
    out = io.StringIO()
    call_command("check", "--database", "default", "--deploy", "--tag", "database", stdout=out, stderr=out)
    assert "(motcua.W101) PostgreSQL runs with track_counts = off:" in out.getvalue()
