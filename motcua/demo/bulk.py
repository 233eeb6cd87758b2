"""Secondary indexes and foreign keys set aside during a bulk load on PostgreSQL (docs/decisions/0035).

Maintaining some thirty indexes (four trigram GIN ones) and the foreign-key triggers row by row is
what bounds a ``COPY`` of millions of dossiers; building each index once after the load is many times
cheaper. ``without_secondary_indexes(tables)`` reads from the catalog (``pg_index``,
``pg_constraint``) every non-unique index and every foreign key of ``tables``, drops them, and
recreates them from their own definitions (``pg_get_indexdef``, ``pg_get_constraintdef``) when the
block ends, even on error, then runs ``ANALYZE``. Primary keys, unique indexes and constraints,
check constraints and partial indexes stay in place (a partial index is small, and PostgreSQL
deparses its predicate into a different, equivalent text, so recreating it would not give back the
same catalog), so the data is checked for duplicates as it goes in and recreating
what was dropped cannot fail on the data.

The statements are written to the database (``SetAsideStatement``, committed) and logged
(``motcua.demo.bulk``) before anything is dropped, and deleted once restored: a load killed with
SIGKILL leaves them behind, and ``repair()`` (run by every ``generate_dossiers`` before it loads, or
alone with ``--restore-only``) recreates whatever of them is missing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection

from .models import SetAsideStatement

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SetAside:
    """What was dropped: (table, name, statement that recreates it)."""

    indexes: tuple[tuple[str, str, str], ...]
    foreign_keys: tuple[tuple[str, str, str], ...]


def secondary(tables: Sequence[str]) -> SetAside:
    """The non-unique, non-partial indexes and the foreign keys of ``tables`` (current schema)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.relname, i.relname, pg_get_indexdef(x.indexrelid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace
              AND NOT x.indisunique AND NOT x.indisprimary AND x.indpred IS NULL
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            ORDER BY t.relname, i.relname
            """,
            [list(tables)],
        )
        indexes = tuple((table, name, sql) for table, name, sql in cursor.fetchall())
        cursor.execute(
            """
            SELECT t.relname, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace
              AND c.contype = 'f'
            ORDER BY t.relname, c.conname
            """,
            [list(tables)],
        )
        keys = tuple(
            (table, name, f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            for table, name, definition in cursor.fetchall()
        )
    return SetAside(indexes, keys)


def _settle(cursor: Any) -> None:
    """Inside a transaction, run the deferred foreign-key checks now: PostgreSQL refuses to alter a
    table with pending trigger events (the constraints go back to deferred after)."""
    if connection.in_atomic_block:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def drop(aside: SetAside) -> None:
    with connection.cursor() as cursor:
        _settle(cursor)
        for table, name, _ in aside.foreign_keys:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for _, name, _ in aside.indexes:
            cursor.execute(f'DROP INDEX "{name}"')


def restore(aside: SetAside, *, work_mem: str = "512MB") -> None:
    """Recreate what ``drop`` removed (indexes first, so the foreign keys are validated against the
    referenced tables' primary keys with the load's statistics), then ``ANALYZE`` the tables."""
    with connection.cursor() as cursor:
        # set_config, not SET: a SET cannot take a bound parameter (server-side binding, ADR 0043).
        cursor.execute("SELECT set_config('maintenance_work_mem', %s, false)", [work_mem])
        for _, _, sql in aside.indexes:
            cursor.execute(sql)
        _settle(cursor)
        for _, _, sql in aside.foreign_keys:
            cursor.execute(sql)
        cursor.execute("RESET maintenance_work_mem")
        for table in sorted({t for t, _, _ in (*aside.indexes, *aside.foreign_keys)}):
            cursor.execute(f'ANALYZE "{table}"')


def _record(aside: SetAside) -> None:
    SetAsideStatement.objects.bulk_create(
        [
            SetAsideStatement(table=t, name=n, kind=SetAsideStatement.Kind.INDEX, statement=sql)
            for t, n, sql in aside.indexes
        ]
        + [
            SetAsideStatement(table=t, name=n, kind=SetAsideStatement.Kind.FOREIGN_KEY, statement=sql)
            for t, n, sql in aside.foreign_keys
        ]
    )


def _missing(cursor: Any, rows: list[SetAsideStatement]) -> list[SetAsideStatement]:
    """Of ``rows``, those whose index or foreign key is not in the catalog (current schema)."""
    cursor.execute(
        "SELECT relname FROM pg_class WHERE relkind = 'i' AND relnamespace = current_schema()::regnamespace"
        " AND relname = ANY(%s)",
        [[r.name for r in rows]],
    )
    present = {name for (name,) in cursor.fetchall()}
    cursor.execute(
        "SELECT conname FROM pg_constraint WHERE contype = 'f'"
        " AND connamespace = current_schema()::regnamespace AND conname = ANY(%s)",
        [[r.name for r in rows]],
    )
    present |= {name for (name,) in cursor.fetchall()}
    return [r for r in rows if r.name not in present]


def repair() -> int:
    """Recreate what an interrupted load set aside and did not restore (PostgreSQL; 0 elsewhere or
    when nothing is pending): the missing indexes first, then the missing foreign keys, then
    ``ANALYZE``. Returns how many were recreated; the records are deleted once all are back."""
    if connection.vendor != "postgresql":
        return 0
    rows = list(SetAsideStatement.objects.all())
    if not rows:
        return 0
    with connection.cursor() as cursor:
        missing = _missing(cursor, rows)
    by_kind = {
        kind: [(r.table, r.name, r.statement) for r in missing if r.kind == kind]
        for kind in SetAsideStatement.Kind
    }
    for row in missing:
        log.warning("recreating what an interrupted load set aside: %s", row.statement)
    restore(
        SetAside(
            tuple(by_kind[SetAsideStatement.Kind.INDEX]), tuple(by_kind[SetAsideStatement.Kind.FOREIGN_KEY])
        )
    )
    SetAsideStatement.objects.filter(pk__in=[r.pk for r in rows]).delete()
    return len(missing)


@contextmanager
def without_secondary_indexes(tables: Sequence[str]) -> Iterator[SetAside]:
    """Drop the secondary indexes and foreign keys of ``tables`` for the block (PostgreSQL only; a
    no-op elsewhere). Each step commits on its own: the loaders in the block use other connections.
    What is dropped is recorded first (``SetAsideStatement``) and the record deleted once restored."""
    if connection.vendor != "postgresql":
        yield SetAside((), ())
        return
    repair()
    aside = secondary(tables)
    for _, _, sql in (*aside.indexes, *aside.foreign_keys):
        log.info("set aside until the load ends: %s", sql)
    _record(aside)
    drop(aside)
    try:
        yield aside
    finally:
        restore(aside)
        SetAsideStatement.objects.filter(
            name__in=[n for _, n, _ in (*aside.indexes, *aside.foreign_keys)]
        ).delete()
