"""``core.rows`` writes and reads what the ORM would (decision 0043)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import signals

from motcua.core import rows
from motcua.dossiers.models import ClockEvent, Dossier, DossierComponent, DossierEvent, Result
from motcua.integration.models import OutboxEvent
from motcua.units.models import Agency, AgencyKind

pytestmark = pytest.mark.django_db


def _values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@pytest.mark.parametrize("model", [Dossier, DossierEvent, ClockEvent, DossierComponent, OutboxEvent, Result])
def test_the_models_written_by_rows_have_no_signal_receivers(model):
    # rows.insert/update send no model signals: a receiver added later must be noticed here.
    for signal in (signals.pre_save, signals.post_save):
        assert signal.has_listeners(model) is False


def test_insert_update_and_read_agree_with_the_orm(province):
    agency = Agency(
        identifier_code="000.00.99.H42",
        name="Sở Thử nghiệm",
        kind=AgencyKind.DEPARTMENT,
        admin_unit=province,
        name_folded="so thu nghiem",
        valid_from=dt.date(2025, 7, 1),
    )
    rows.insert(agency)
    assert agency.pk is not None and agency._state.adding is False
    read = Agency.objects.get(pk=agency.pk)
    assert _values(read) == _values(agency)
    assert read.created_at is not None and read.updated_at is not None

    before = rows.snapshot(read)
    read.short_name = "STN"
    assert rows.changed(read, before) == ["short_name"]
    assert rows.update(read, rows.changed(read, before)) == 1
    again = Agency.objects.get(pk=agency.pk)
    assert again.short_name == "STN"
    assert again.name == "Sở Thử nghiệm"
    assert again.updated_at > agency.updated_at  # auto_now is written with the changed columns

    reader = rows.Reader(Agency, "a")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {reader.select} FROM units_agency a WHERE a.id = %s", [agency.pk])  # noqa: S608
        built = reader.build(cursor.fetchone())
    assert type(built) is Agency and _values(built) == _values(again)
    assert reader.build([None] * len(reader)) is None


def test_first_reads_what_the_orm_reads(province):
    made = []
    for n, name in enumerate(("Sở B", "Sở A", "Sở C")):
        agency = Agency(
            identifier_code=f"000.00.9{n}.H42",
            short_name="thử",
            name=name,
            kind=AgencyKind.DEPARTMENT,
            admin_unit=province,
            name_folded=name.lower(),
            valid_from=dt.date(2025, 7, 1),
        )
        rows.insert(agency)
        made.append(agency)
    found = rows.first(Agency, short_name="thử", admin_unit_id=province.pk)
    orm = Agency.objects.filter(short_name="thử", admin_unit=province).first()
    assert type(found) is Agency and found.pk == made[0].pk == orm.pk  # the smallest key, as .first()
    assert _values(found) == _values(orm)
    assert found.valid_from == dt.date(2025, 7, 1) and found.name == "Sở B"
    assert rows.first(Agency, identifier_code="000.00.97.H42") is None
    assert rows.first(Agency, identifier_code="000.00.92.H42").name == "Sở C"
    with pytest.raises(ValueError):
        rows.first(Agency, parent_id=None)


def test_insert_writes_none_as_null_in_the_statement(province):
    """Decision 0048: a None value is written as a NULL literal, not a parameter (a dossier row
    stays under psycopg's 50 parameters); a second row with other NULLs gets its own statement, and
    both read back as the ORM wrote them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def agency(code: str, short_name: str | None) -> Agency:
        return Agency(
            identifier_code=code,
            name="Sở Thử nghiệm",
            kind=AgencyKind.DEPARTMENT,
            admin_unit=province,
            name_folded="so thu nghiem",
            valid_from=dt.date(2025, 7, 1),
            valid_to=None,
            short_name=short_name or "",
        )

    first, second = agency("000.00.98.H42", None), agency("000.00.97.H42", "STN")
    second.valid_to = dt.date(2026, 12, 31)
    with CaptureQueriesContext(connection) as queries:
        rows.insert(first)
        rows.insert(second)
    first_sql, second_sql = (q["sql"] for q in queries.captured_queries)
    columns = [f.column for f in Agency._meta.concrete_fields if not f.primary_key]
    values = first_sql.split("VALUES (", 1)[1].rsplit(") RETURNING", 1)[0].split(", ")
    nulls = [column for column, value in zip(columns, values, strict=False) if value == "NULL"]
    assert "valid_to" in nulls and "admin_unit_id" not in nulls
    assert first_sql.count("NULL") == len(nulls) and second_sql.count("NULL") == len(nulls) - 1
    for written in (first, second):
        assert _values(Agency.objects.get(pk=written.pk)) == _values(written)


def test_insert_many_sets_the_keys_in_order_and_keeps_one_statement_per_size(province):
    def agencies(*codes):
        return [
            Agency(
                identifier_code=code,
                name=f"Sở {code}",
                kind=AgencyKind.DEPARTMENT,
                admin_unit=province,
                name_folded=f"so {code}",
                valid_from=dt.date(2025, 7, 1),
            )
            for code in codes
        ]

    rows._insert_manys.clear()
    first = agencies("000.00.91.H42", "000.00.92.H42")
    rows.insert_many(first)
    second = agencies("000.00.93.H42", "000.00.94.H42")
    rows.insert_many(second)
    third = agencies("000.00.95.H42", "000.00.96.H42", "000.00.97.H42")
    rows.insert_many(third)
    made = [*first, *second, *third]
    assert [a.pk for a in made] == sorted(a.pk for a in made)
    assert all(a._state.adding is False for a in made)
    for agency in made:
        assert _values(Agency.objects.get(pk=agency.pk)) == _values(agency)
    assert sorted(size for (_model, _vendor, size) in rows._insert_manys) == [2, 3]
