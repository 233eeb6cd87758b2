"""``any_of``: integer membership written as a literal ``IN`` list (ADR 0038)."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.core.models import IdempotencyRecord

pytestmark = pytest.mark.django_db


def _record(n: int) -> IdempotencyRecord:
    at = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    return IdempotencyRecord.objects.create(
        owner=f"o{n}",
        key=f"k{n}",
        fingerprint="f",
        method="POST",
        path="/api/v1/x",
        created_at=at,
        expires_at=at,
    )


def test_any_of_matches_exactly_the_listed_ids():
    rows = [_record(i) for i in range(4)]
    wanted = [rows[3].pk, rows[1].pk, str(rows[0].pk)]  # any order; numeric strings too
    found = IdempotencyRecord.objects.filter(pk__any_of=wanted).order_by("pk").values_list("owner", flat=True)
    assert list(found) == ["o0", "o1", "o3"]
    assert list(IdempotencyRecord.objects.filter(pk__any_of=[])) == []
    assert IdempotencyRecord.objects.filter(pk__any_of=[rows[2].pk]).get() == rows[2]


def test_any_of_writes_literals_not_one_placeholder_per_value():
    sql, params = IdempotencyRecord.objects.filter(pk__any_of=[7, 3]).query.sql_with_params()
    assert sql.endswith('WHERE "core_idempotencyrecord"."id" IN (7, 3)')
    assert params == ()


def test_any_of_refuses_anything_but_integers():
    with pytest.raises(ValueError):
        list(IdempotencyRecord.objects.filter(pk__any_of=["1; DROP TABLE core_idempotencyrecord"]))
