"""Dossier codes: ``<receiving agency identifier>-<YYMMDD>-<NNNN>``, issued only at acceptance.

TT01/2018 Art 19 [V]: the receiving agency's identifier code (QCVN 102), the receipt date, and the
sequence number of the day per receiving agency, at least 4 digits (width: the setting
``MOTCUA_CODE_SEQUENCE_WIDTH``; TT04/2025 Art 23(2) "tối thiểu gồm 04 ký tự"). The day is the local
(Vietnam) date of acceptance.

Gap-free and unique under concurrent acceptance: one statement creates or increments the counter
row of (agency, day) and returns the new number (``INSERT … ON CONFLICT DO UPDATE SET last = last
+ 1 RETURNING last``, PostgreSQL and SQLite ≥ 3.35 alike; on PostgreSQL the same statement also
does the ledger's counter, ``issue_numbers``, ADR 0044). The row stays locked until the
acceptance transaction ends, so a second acceptance at the same agency waits for the first to commit
or roll back, and a rolled-back acceptance gives its number back. The acceptance takes its numbers
as late as it can (after every read and check), so the lock is held only for the last few writes
and the commit. SQLite takes the database write lock at BEGIN (``transaction_mode = IMMEDIATE``),
which serialises acceptances the same way.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.conf import settings
from django.db import connection, transaction

from motcua.core import rows
from motcua.core.clock import VN_TZ
from motcua.units.models import Agency

from .models import CodeCounter, Dossier, LedgerCounter


def sequence_width() -> int:
    return max(int(getattr(settings, "MOTCUA_CODE_SEQUENCE_WIDTH", 4)), 4)


def format_code(identifier_code: str, day: dt.date, number: int, *, width: int | None = None) -> str:
    """``format_code("000.00.12.H38", date(2026, 2, 13), 7)`` → ``"000.00.12.H38-260213-0007"``."""
    return f"{identifier_code}-{day:%y%m%d}-{number:0{width or sequence_width()}d}"


def issue_numbers(dossier: Dossier, *, receiving_agency: Agency, accepted_at: dt.datetime) -> str:
    """Give the accepted ``dossier`` its code (the next of ``receiving_agency`` for the local day of
    ``accepted_at``) and the next line of its receiving one-stop unit's ledger for the local year;
    sets ``code``, ``ledger_year`` and ``ledger_number`` on the (unsaved) dossier, returns the code.

    TT01/2018 Art 10(2): one ledger per year; numbering starts at 1 each year and runs on across
    books without gaps or repeats. Each number is a counter row (agency and day; unit and year)
    created or incremented, and locked until the acceptance transaction ends, so it must run inside
    it: a rolled-back acceptance takes no number. PostgreSQL: both counters in one statement (two
    data-modifying CTEs; the ledger's reads the code's row, so the code counter is always locked
    first, as two statements would: no deadlock between two acceptances, ADR 0044). SQLite (no
    data-modifying CTE; the write lock is held from BEGIN): one statement per counter.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("issue_numbers() must run inside the acceptance transaction")
    local = accepted_at.astimezone(VN_TZ)
    day, year = local.date(), local.year
    code_key: dict[str, int | dt.date] = {"agency_id": receiving_agency.pk, "day": day}
    ledger_key: dict[str, int | dt.date] = {"one_stop_unit_id": dossier.received_at_unit_id, "year": year}
    if connection.vendor == "postgresql":
        # with the act's rows written before it (its clock event, its outbox row: decision 0056)
        number, line = rows.one(_both_sql(), [*code_key.values(), *ledger_key.values()])
    else:
        number, line = _next(CodeCounter, code_key), _next(LedgerCounter, ledger_key)
    dossier.code = format_code(receiving_agency.identifier_code, day, int(number))
    dossier.ledger_year = year
    dossier.ledger_number = int(line)
    return dossier.code


def _upsert(model: type[CodeCounter] | type[LedgerCounter], key: list[str], source: str) -> str:
    """INSERT … ON CONFLICT DO UPDATE SET last = last + 1 RETURNING last, of the counter row whose
    unique columns are ``key`` (columns), from ``source`` (``VALUES (…)`` or a SELECT)."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in key)
    # Identifiers come from the model's meta, quoted; the values are parameters.
    return (
        f"INSERT INTO {table} ({columns}, last) {source} "
        f"ON CONFLICT ({columns}) DO UPDATE SET last = {table}.last + 1 RETURNING last"
    )


@functools.cache
def _both_sql() -> str:
    """PostgreSQL: the code counter, then the ledger counter (its source reads the first CTE's row,
    which orders the two writes), in one statement; (code number, ledger number)."""
    ledger = LedgerCounter._meta
    casts = [
        f"CAST(%s AS {ledger.get_field(name).db_type(connection)})" for name in ("one_stop_unit", "year")
    ]
    code = _upsert(CodeCounter, ["agency_id", "day"], "VALUES (%s, %s, 1)")
    source = f"SELECT {', '.join(casts)}, 1 FROM c"  # noqa: S608 - types from _meta
    line = _upsert(LedgerCounter, ["one_stop_unit_id", "year"], source)
    return f"WITH c AS ({code}), l AS ({line}) SELECT c.last, l.last FROM c, l"  # noqa: S608 - from _meta


def _next(model: type[CodeCounter] | type[LedgerCounter], key: dict[str, int | dt.date]) -> int:
    """Create or increment the counter row identified by ``key`` (column → value of its unique
    columns); the new value."""
    sql = _upsert(model, list(key), f"VALUES ({', '.join(['%s'] * len(key))}, 1)")
    with rows.kept_cursor() as cursor:
        cursor.execute(sql, list(key.values()))
        row = cursor.fetchone()
    return int(row[0])
