"""``core.rows`` writes and reads what the ORM would (decision 0043)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import signals

from motcua.core import rows
from motcua.dossiers.models import ClockEvent, Dossier, DossierComponent, DossierEvent, ProcessingTask, Result
from motcua.integration.models import OutboxEvent
from motcua.units.models import Agency, AgencyKind, OneStopKind, OneStopUnit

pytestmark = pytest.mark.django_db


def _values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@pytest.mark.parametrize(
    "model", [Dossier, DossierEvent, ClockEvent, DossierComponent, OutboxEvent, ProcessingTask, Result]
)
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

    # A field deferred when read is neither loaded by the snapshot nor counted as changed; once
    # loaded, it counts as changed (its value was not known before).
    partial = Agency.objects.only("id", "name").get(pk=agency.pk)
    before = rows.snapshot(partial)
    assert "short_name" not in partial.__dict__
    partial.name = "Sở Thử nghiệm 2"
    assert rows.changed(partial, before) == ["name"]
    assert "short_name" not in partial.__dict__  # nothing read for it
    assert partial.short_name == "STN"  # loaded now
    assert rows.changed(partial, before) == ["name", "short_name"]

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


def _unit(code: str, agency: Agency, parent: OneStopUnit | None = None) -> OneStopUnit:
    return OneStopUnit(
        code=code,
        name=f"Trung tâm {code}",
        kind=OneStopKind.COMMUNE_CENTRE,
        agency=agency,
        admin_unit=agency.admin_unit,
        parent_centre=parent,
    )


def test_insert_new_skips_the_values_taken_and_sets_the_keys_of_the_others(committee, monkeypatch):
    """Decision 0052: ``INSERT … ON CONFLICT (column) DO NOTHING``, from arrays on PostgreSQL, in
    chunks under the parameter limit elsewhere; a value already in the table, or twice in the batch,
    is inserted once and not raised."""
    from django.db import IntegrityError, connection, transaction
    from django.test.utils import CaptureQueriesContext

    taken = OneStopUnit.objects.create(
        code="tt-a",
        name="Trung tâm A",
        kind=OneStopKind.COMMUNE_CENTRE,
        agency=committee,
        admin_unit=committee.admin_unit,
    )
    columns = len(OneStopUnit._meta.concrete_fields) - 1
    monkeypatch.setattr(rows, "max_params", lambda: 2 * columns + 1)  # two rows per statement
    batch = [_unit(code, committee) for code in ("tt-b", "tt-a", "tt-c", "tt-b")]
    with CaptureQueriesContext(connection) as queries:
        inserted = rows.insert_new(batch, unique="code")
    # PostgreSQL: one statement of one array per column; SQLite: tt-b and tt-a, then tt-c.
    assert len(queries.captured_queries) == (1 if rows.arrays() else 2)
    assert inserted == [batch[0], batch[2]] and [u.pk for u in inserted] == sorted(u.pk for u in inserted)
    assert (batch[1].pk, batch[3].pk) == (None, None)
    assert sorted(OneStopUnit.objects.values_list("code", "pk")) == [
        ("tt-a", taken.pk),
        ("tt-b", batch[0].pk),
        ("tt-c", batch[2].pk),
    ]
    for unit in inserted:
        assert _values(OneStopUnit.objects.get(pk=unit.pk)) == _values(unit)
    assert rows.insert_new([], unique="code") == []
    with pytest.raises(ValueError):
        rows.insert_new([_unit("tt-d", committee)], unique="name")  # not a unique column
    broken = _unit("tt-e", committee)
    broken.name = None  # any other constraint (NOT NULL here) still raises
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.insert_new([broken], unique="code")


def test_with_related_many_reads_what_select_related_reads(committee, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    centre = _unit("tt-a", committee)
    rows.insert(centre)
    branches = [_unit(f"tt-{n}", committee, parent=centre) for n in range(3)]
    rows.insert_many(branches)
    keys = [branches[2].pk, centre.pk, branches[0].pk, 987654, centre.pk]
    monkeypatch.setattr(rows, "max_params", lambda: 2)  # two keys per statement
    with CaptureQueriesContext(connection) as queries:
        read = rows.with_related_many(OneStopUnit, keys, "agency", "parent_centre")
    assert len(queries.captured_queries) == (1 if rows.arrays() else 2)  # four distinct keys, ANY or IN
    orm = list(
        OneStopUnit.objects.select_related("agency", "parent_centre").filter(pk__in=keys).order_by("pk")
    )
    assert [u.pk for u in read] == [centre.pk, branches[0].pk, branches[2].pk] == [u.pk for u in orm]
    for mine, theirs in zip(read, orm, strict=True):
        assert _values(mine) == _values(theirs)
        assert _values(mine.agency) == _values(theirs.agency)
        assert (mine.parent_centre and _values(mine.parent_centre)) == (
            theirs.parent_centre and _values(theirs.parent_centre)
        )
    assert read[0].parent_centre is None and read[1].parent_centre.pk == centre.pk
    assert rows.with_related_many(OneStopUnit, [], "agency") == []


def test_where_in_reads_what_the_orm_reads(committee, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    units = [_unit(f"tt-{n}", committee) for n in range(3)]
    rows.insert_many(units)
    wanted = ["tt-2", "tt-9", "tt-0", "tt-2", "tt-1"]
    monkeypatch.setattr(rows, "max_params", lambda: 2)
    with CaptureQueriesContext(connection) as queries:
        read = rows.where_in(OneStopUnit, "code", wanted)
    assert len(queries.captured_queries) == (1 if rows.arrays() else 2)  # four distinct values
    orm = OneStopUnit.objects.filter(code__in=wanted)
    by_pk = sorted(read, key=lambda u: u.pk)
    assert [_values(u) for u in by_pk] == [_values(u) for u in orm.order_by("pk")]
    assert sorted(u.code for u in read) == ["tt-0", "tt-1", "tt-2"]
    assert rows.where_in(OneStopUnit, "code", []) == []


def test_the_kept_cursor_is_used_again_until_the_connection_changes():
    from django.db import connection, connections
    from django.test.utils import CaptureQueriesContext

    with rows.kept_cursor() as first:
        first.execute("SELECT 1")
        assert first.fetchone() == (1,)
    with rows.kept_cursor() as second:
        second.execute("SELECT 2")
        assert second.fetchone() == (2,)
    assert second is first  # not closed after its statement, and used again

    with CaptureQueriesContext(connection) as captured, rows.kept_cursor() as logging:
        logging.execute("SELECT 3")
    assert logging is not first and [q["sql"] for q in captured.captured_queries] == ["SELECT 3"]
    with rows.kept_cursor() as again:
        assert again is first

    wrapper = connections["default"]  # the connection itself, not the ``connection`` proxy
    wrapper.__dict__[rows._KEPT] = _Stale()  # a cursor of a connection closed since
    with rows.kept_cursor() as fresh:
        fresh.execute("SELECT 4")
        assert fresh.fetchone() == (4,)
    assert fresh is not first and wrapper.__dict__[rows._KEPT] is fresh


class _Stale:
    """A kept cursor whose database connection is not the connection's current one."""

    def __init__(self) -> None:
        self.cursor = type("Closed", (), {"connection": object(), "closed": True})()


# --- rows that wait for the next statement (decision 0056) ----------------------------------------


def _agency(province, n: int) -> Agency:
    return Agency(
        identifier_code=f"000.00.9{n}.H42",
        name=f"Sở Thử nghiệm {n}",
        kind=AgencyKind.DEPARTMENT,
        admin_unit=province,
        name_folded=f"so thu nghiem {n}",
        valid_from=dt.date(2025, 7, 1),
    )


def _codes() -> list[str]:
    return sorted(
        Agency.objects.filter(identifier_code__startswith="000.00.9").values_list(
            "identifier_code", flat=True
        )
    )


def test_together_sends_the_written_rows_in_front_of_the_next_statement(province):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    kept = _agency(province, 0)
    rows.insert(kept)
    postgres = connection.vendor == "postgresql"
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        with rows.together():
            first, second = _agency(province, 1), _agency(province, 2)
            rows.write(first)
            rows.write(second)
            kept.short_name = "STN"
            assert rows.update(kept, ["short_name"]) == 1
        statements = [q["sql"] for q in captured.captured_queries]
    assert _codes() == ["000.00.90.H42", "000.00.91.H42", "000.00.92.H42"]
    assert Agency.objects.get(pk=kept.pk).short_name == "STN"
    if postgres:  # one statement: both INSERTs as data-modifying CTEs in front of the UPDATE
        assert len(statements) == 1
        assert statements[0].startswith('WITH w0 AS (INSERT INTO "units_agency"')
        assert ', w1 AS (INSERT INTO "units_agency"' in statements[0]
        assert (first.pk, second.pk) == (None, None)  # a written row's key is not read back
    else:  # SQLite: ``write`` is ``insert``
        assert [s.split(" ", 2)[:2] for s in statements] == [
            ["INSERT", "INTO"],
            ["INSERT", "INTO"],
            ["UPDATE", '"units_agency"'],
        ]
        assert first.pk is not None and second.pk == first.pk + 1
    assert first._state.adding is False and second._state.adding is False


def test_a_statement_that_does_not_take_the_waiting_rows_sends_them_first(province):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    with transaction.atomic(), CaptureQueriesContext(connection) as captured, rows.together():
        rows.write(_agency(province, 3))
        found = rows.first(Agency, identifier_code="000.00.93.H42")  # it sees the row written before it
        assert found is not None and found.name == "Sở Thử nghiệm 3"
        assert len(captured.captured_queries) == 2
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        with rows.together():
            rows.write(_agency(province, 4))
        assert len(captured.captured_queries) == 1  # the end of the block sends what is left
    with transaction.atomic(), CaptureQueriesContext(connection) as captured, rows.together():
        rows.write(_agency(province, 5))
        assert Agency.objects.filter(identifier_code="000.00.95.H42").exists()  # the ORM sees it too
        assert [q["sql"].split(" ", 1)[0] for q in captured.captured_queries] == ["INSERT", "SELECT"]
    assert _codes() == ["000.00.93.H42", "000.00.94.H42", "000.00.95.H42"]


def test_a_statement_beyond_psycopgs_cached_parameters_goes_converted_to_a_raw_cursor(province):
    """Six rows of 9 parameters and the UPDATE (57 in all): one statement, sent as ``$1 … $57`` to
    psycopg's ``RawCursor`` when queries are not logged (no conversion on every call), as ``%s`` to
    the logging cursor when they are; the same rows either way."""
    from django.db import connection, transaction

    per_row = len(rows._insert_statement(_agency(province, 5), False, connection)[1])
    assert per_row == 9  # its NULLs are not parameters
    kept = _agency(province, 0)
    rows.insert(kept)
    sent: list[tuple[str, int]] = []

    def count(execute, sql, params, many, context):
        sent.append((sql, len(params or ())))
        return execute(sql, params, many, context)

    with transaction.atomic(), connection.execute_wrapper(count), rows.together():
        for n in range(4, 10):
            rows.write(_agency(province, n))
        kept.short_name = "STN"
        assert rows.update(kept, ["short_name"]) == 1
    assert _codes() == [f"000.00.9{n}.H42" for n in (0, 4, 5, 6, 7, 8, 9)]
    assert Agency.objects.get(pk=kept.pk).short_name == "STN"
    if connection.vendor == "postgresql":
        [(sql, n)] = sent
        assert n == 6 * 9 + 3  # short_name, updated_at, the key
        assert sql.startswith('WITH w0 AS (INSERT INTO "units_agency"') and "%s" not in sql
        assert "$57" in sql and "$58" not in sql
        assert sql in rows._dollars.values()
    else:
        assert len(sent) == 7


def test_nothing_waits_after_a_failed_block(province):
    from django.db import connection, transaction

    with pytest.raises(RuntimeError), transaction.atomic(), rows.together():
        rows.write(_agency(province, 1))
        raise RuntimeError("the act fails")
    assert rows._PENDING not in connection.__dict__  # the next act starts with nothing waiting
    assert _codes() == []  # rolled back with the act


def test_a_written_update_rides_along_but_never_with_another_update_of_its_table(province):
    """``write_update`` waits like ``write``; two UPDATEs of one table never go in one statement
    (PostgreSQL would apply only one of two updates of a row), so both changes are kept."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    agency = _agency(province, 1)
    rows.insert(agency)
    other = _agency(province, 2)
    rows.insert(other)
    with transaction.atomic(), CaptureQueriesContext(connection) as captured, rows.together():
        agency.short_name = "STN"
        rows.write_update(agency, ["short_name"])
        rows.write(_agency(province, 3))
        other.short_name = "KHAC"
        rows.update(other, ["short_name"])  # another table's row would ride; this one is units_agency
        agency.name = "Sở Thử nghiệm mới"
        rows.update(agency, ["name"])  # the same row as the waiting UPDATE
        statements = [q["sql"] for q in captured.captured_queries]
    assert Agency.objects.get(pk=agency.pk).short_name == "STN"
    assert Agency.objects.get(pk=agency.pk).name == "Sở Thử nghiệm mới"
    assert Agency.objects.get(pk=other.pk).short_name == "KHAC"
    assert _codes() == ["000.00.91.H42", "000.00.92.H42", "000.00.93.H42"]
    if connection.vendor == "postgresql":
        # the waiting UPDATE and INSERT go on their own (the INSERT carrying the UPDATE), then each
        # UPDATE of units_agency alone
        assert [s.split(" ", 1)[0] for s in statements] == ["WITH", "UPDATE", "UPDATE"]
        assert statements[0].startswith('WITH w0 AS (UPDATE "units_agency"')
        assert 'INSERT INTO "units_agency"' in statements[0]
    else:
        assert [s.split(" ", 1)[0] for s in statements] == ["UPDATE", "INSERT", "UPDATE", "UPDATE"]
