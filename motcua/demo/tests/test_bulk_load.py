"""The bulk load: indexes and foreign keys set aside and restored exactly, parts, fast hashing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection

from motcua.demo import bulk
from motcua.demo.generator import Generator, Shape
from motcua.demo.loader import load_demo
from motcua.dossiers import history
from motcua.dossiers.history import verify_history
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.reports import projections
from motcua.workflow import Act, State

pytestmark = pytest.mark.django_db
TABLES = ["dossiers_dossier", "dossiers_dossierevent", "dossiers_clockevent", "dossiers_processingtask"]
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL catalog")


def catalog() -> tuple[set[tuple[str, ...]], set[tuple[str, ...]]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [TABLES]
        )
        indexes = {tuple(r) for r in cursor.fetchall()}
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, contype::text, pg_get_constraintdef(oid),"
            " condeferrable::text, condeferred::text, convalidated::text"
            " FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s)",
            [TABLES],
        )
        constraints = {tuple(r) for r in cursor.fetchall()}
    return indexes, constraints


@postgres_only
def test_set_aside_and_restore_leaves_the_same_indexes_and_constraints():
    before = catalog()
    aside = bulk.secondary(TABLES)
    # The trigram GIN indexes and the foreign keys are among what is set aside; unique ones are not.
    names = {name for _, name, _ in aside.indexes}
    assert {"dossier_applicant_fold_trgm", "dossier_code_trgm", "dossiers_do_name_3a3073_idx"} <= names
    assert "dossier_active_due" not in names  # partial: stays
    assert "dossiers_dossier_code_key" not in names
    assert "dossier_event_seq_unique" not in names
    assert any(name.startswith("dossiers_dossiereven_dossier_id") for _, name, _ in aside.foreign_keys)
    with bulk.without_secondary_indexes(TABLES):
        indexes, constraints = catalog()
        assert not names & {name for _, name, _ in indexes}
        assert not any(kind == "f" for _, _, kind, *_ in constraints)
        # primary keys, unique and check constraints stay
        assert {c for c in before[1] if c[2] != "f"} == constraints
    after = catalog()
    assert (after[0] ^ before[0], after[1] ^ before[1]) == (set(), set())


@postgres_only
def test_restored_even_when_the_load_fails():
    before = catalog()
    with pytest.raises(RuntimeError), bulk.without_secondary_indexes(TABLES):
        raise RuntimeError("load failed")
    after = catalog()
    assert (after[0] ^ before[0], after[1] ^ before[1]) == (set(), set())


def test_parts_split_by_calendar_years_and_cover_the_count():
    g = Generator(count=1001, years=2, seed=1, end=dt.date(2026, 3, 11))
    parts = g.parts(first=50)
    # 2024-03-10..2024-12-31 (297 days) against 2025-01-01..2026-03-10 (434 days): 1001 * 297 // 731
    assert [(p.first, p.count) for p in parts] == [(50, 406), (456, 595)]
    assert parts[0].start == dt.date(2024, 3, 10) and parts[0].end == dt.date(2024, 12, 31)
    assert parts[1].start == dt.date(2025, 1, 1) and parts[1].end == dt.date(2026, 3, 10)
    assert sum(p.count for p in parts) == 1001


def test_shape_canonical_equals_history_canonical():
    shape = Shape(
        {
            "act": Act.ACCEPT.value,
            "name": "accepted",
            "actor_id": None,
            "actor_role": "intake_officer",
            "reason": 'Dữ liệu mô phỏng "trích"',
            "state_before": State.NEW.value,
            "state_after": State.RECEIVED.value,
            "step_before": "",
            "step_after": "intake",
            "form": "",
        }
    )
    at = dt.datetime(2025, 5, 6, 8, 30, 1, 5, tzinfo=dt.UTC)
    data = {"due_at": "2025-05-20T10:00:00Z", "code": "X-250506-0001", "tasks": [{"agency_id": 3}]}
    import json

    data_text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    fields = {**shape.fields, "dossier_id": 12, "seq": 2, "at": at, "data": data, "prev_hash": "ab" * 32}
    assert shape.canonical(12, 2, at, data_text, "ab" * 32).encode() == history.canonical(fields)


@pytest.mark.parametrize("set_aside", [False, True])
def test_generated_in_parts_with_indexes_set_aside_checks_clean(set_aside):
    load_demo()
    before = catalog() if connection.vendor == "postgresql" else None
    stats = Generator(count=400, years=2, seed=5).run(batch=150, set_aside=set_aside, workers=2)
    assert stats.dossiers == 400 == Dossier.objects.count()
    assert DossierEvent.objects.count() == stats.events
    assert all(verify_history(pk) == [] for pk in Dossier.objects.values_list("pk", flat=True)[:200])
    assert projections.check() == []
    if before is not None:
        assert catalog() == before


@postgres_only
def test_a_killed_load_is_repaired_from_the_records_it_left():
    """SIGKILL between the drop and the restore: the records remain, and ``repair`` (run by the next
    load, or ``generate_dossiers --restore-only``) recreates exactly what is missing, including when
    the killed restore had already put some of it back."""
    from django.core.management import call_command

    from motcua.demo.models import SetAsideStatement

    before = catalog()
    aside = bulk.secondary(TABLES)
    bulk._record(aside)
    bulk.drop(aside)  # … and the process dies here
    assert SetAsideStatement.objects.count() == len(aside.indexes) + len(aside.foreign_keys)
    # The killed restore had recreated the first index already.
    with connection.cursor() as cursor:
        cursor.execute(aside.indexes[0][2])
    out = io.StringIO()
    call_command("generate_dossiers", "--restore-only", stdout=out)
    restored = len(aside.indexes) - 1 + len(aside.foreign_keys)
    assert f"recreated {restored} indexes and foreign keys" in out.getvalue()
    after = catalog()
    assert (after[0] ^ before[0], after[1] ^ before[1]) == (set(), set())
    assert SetAsideStatement.objects.count() == 0
    assert bulk.repair() == 0  # nothing pending any more


@postgres_only
def test_a_load_leaves_no_record_behind():
    from motcua.demo.models import SetAsideStatement

    with bulk.without_secondary_indexes(TABLES) as aside:
        assert SetAsideStatement.objects.count() == len(aside.indexes) + len(aside.foreign_keys) > 0
    assert SetAsideStatement.objects.count() == 0
