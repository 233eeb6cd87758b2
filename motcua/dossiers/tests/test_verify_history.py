"""The hash-chained, append-only history (DESIGN.md "The dossier") and ``manage.py verify_history``."""

from __future__ import annotations

import itertools
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from motcua.dossiers.history import GENESIS, verify_history
from motcua.dossiers.models import AppendOnlyViolation, ClockEvent, DossierEvent

from .factories import vn

pytestmark = pytest.mark.django_db


def _tamper(sql: str, params: list[object]) -> None:
    """What a database administrator could do: bypass the append-only trigger and rewrite a row."""
    table = DossierEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The table's owner can switch the trigger off (inside the test's transaction, rolled back);
            # deferred foreign-key checks must fire first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
            cursor.execute(sql, params)
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
        else:
            cursor.execute(f"DROP TRIGGER {table}_append_only")
            cursor.execute(sql, params)


def test_chain_links_every_event(factory):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="returned")
    events = list(DossierEvent.objects.filter(dossier=dossier).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, 9))
    assert events[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    assert verify_history(dossier.pk) == []


def test_orm_refuses_to_change_or_delete_events(factory):
    dossier = factory.create(at=vn(2026, 3, 2, 8))
    event = DossierEvent.objects.get(dossier=dossier)
    event.reason = "sửa lại"
    with pytest.raises(AppendOnlyViolation):
        event.save()
    with pytest.raises(AppendOnlyViolation):
        event.delete()
    with pytest.raises(AppendOnlyViolation):
        DossierEvent.objects.filter(dossier=dossier).update(reason="x")
    with pytest.raises(AppendOnlyViolation):
        ClockEvent.objects.filter(dossier=dossier).delete()


def test_database_refuses_a_raw_update(factory):
    dossier = factory.create(at=vn(2026, 3, 2, 8))
    table = DossierEvent._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET reason = %s WHERE dossier_id = %s", ["x", dossier.pk])  # noqa: S608
    assert DossierEvent.objects.get(dossier=dossier).reason == ""


def test_command_names_the_dossier_whose_history_was_altered(factory):
    intact = factory.create(at=vn(2026, 3, 2, 8), trait="assigned")
    altered = factory.create(at=vn(2026, 3, 2, 9), trait="assigned")
    out = StringIO()
    call_command("verify_history", stdout=out)
    assert "2 dossier history(ies) verified" in out.getvalue()

    table = DossierEvent._meta.db_table
    _tamper(f"UPDATE {table} SET actor_role = %s WHERE dossier_id = %s AND seq = 2", ["system", altered.pk])  # noqa: S608
    problems = verify_history(altered.pk)
    assert [(p.seq, p.kind) for p in problems] == [(2, "hash_mismatch")]
    assert verify_history(intact.pk) == []
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("verify_history", stdout=out)
    assert altered.code in str(failed.value) and intact.code not in str(failed.value)
    assert f"{altered.code}: event 2: hash_mismatch" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("verify_history", "--dossier", altered.code, stdout=StringIO())
    call_command("verify_history", "--dossier", intact.code, stdout=StringIO())


def test_a_removed_event_is_a_gap(factory):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="assigned")
    table = DossierEvent._meta.db_table
    with connection.cursor() as cursor:
        clock_table = ClockEvent._meta.db_table
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {clock_table} DISABLE TRIGGER {clock_table}_append_only")
        cursor.execute(f"DELETE FROM {clock_table} WHERE dossier_id = %s", [dossier.pk])  # noqa: S608
    _tamper(f"DELETE FROM {table} WHERE dossier_id = %s AND seq = 2", [dossier.pk])  # noqa: S608
    kinds = {(p.seq, p.kind) for p in verify_history(dossier.pk)}
    assert (3, "sequence_gap") in kinds and (3, "prev_hash_mismatch") in kinds
