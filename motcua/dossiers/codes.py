"""Dossier codes: ``<receiving agency identifier>-<YYMMDD>-<NNNN>``, issued only at acceptance.

TT01/2018 Art 19 [V]: the receiving agency's identifier code (QCVN 102), the receipt date, and the
sequence number of the day per receiving agency, at least 4 digits (width: the setting
``MOTCUA_CODE_SEQUENCE_WIDTH``; TT04/2025 Art 23(2) "tối thiểu gồm 04 ký tự"). The day is the local
(Vietnam) date of acceptance.

Gap-free and unique under concurrent acceptance: one statement creates or increments the counter
row of (agency, day) and returns the new number (``INSERT … ON CONFLICT DO UPDATE SET last = last
+ 1 RETURNING last``, PostgreSQL and SQLite ≥ 3.35 alike). The row stays locked until the
acceptance transaction ends, so a second acceptance at the same agency waits for the first to commit
or roll back, and a rolled-back acceptance gives its number back. The acceptance takes its numbers
as late as it can (after every read and check), so the lock is held only for the last few writes
and the commit. SQLite takes the database write lock at BEGIN (``transaction_mode = IMMEDIATE``),
which serialises acceptances the same way.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction

from motcua.core.clock import VN_TZ
from motcua.units.models import Agency

from .models import CodeCounter, Dossier, LedgerCounter


def sequence_width() -> int:
    return max(int(getattr(settings, "MOTCUA_CODE_SEQUENCE_WIDTH", 4)), 4)


def format_code(identifier_code: str, day: dt.date, number: int, *, width: int | None = None) -> str:
    """``format_code("000.00.12.H38", date(2026, 2, 13), 7)`` → ``"000.00.12.H38-260213-0007"``."""
    return f"{identifier_code}-{day:%y%m%d}-{number:0{width or sequence_width()}d}"


def issue_code(*, receiving_agency: Agency, accepted_at: dt.datetime) -> str:
    """The next code of ``receiving_agency`` for the local day of ``accepted_at``.

    Must run inside the acceptance transaction (the counter stays locked until it ends).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("issue_code() must run inside the acceptance transaction")
    day = accepted_at.astimezone(VN_TZ).date()
    number = _next(CodeCounter, {"agency_id": receiving_agency.pk, "day": day})
    return format_code(receiving_agency.identifier_code, day, number)


def enter_in_ledger(dossier: Dossier, *, accepted_at: dt.datetime) -> int:
    """Give ``dossier`` the next line of its receiving one-stop unit's ledger for the local year.

    TT01/2018 Art 10(2): one ledger per year; numbering starts at 1 each year and runs on across
    books without gaps or repeats. Same locking as ``issue_code`` (counter row per unit and year,
    locked inside the acceptance transaction), so a rolled-back acceptance takes no number. Sets
    ``ledger_year`` and ``ledger_number`` on the (unsaved) dossier and returns the number.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("enter_in_ledger() must run inside the acceptance transaction")
    year = accepted_at.astimezone(VN_TZ).year
    dossier.ledger_year = year
    dossier.ledger_number = _next(
        LedgerCounter, {"one_stop_unit_id": dossier.received_at_unit_id, "year": year}
    )
    return dossier.ledger_number


def _next(model: type[CodeCounter] | type[LedgerCounter], key: dict[str, int | dt.date]) -> int:
    """Create or increment the counter row identified by ``key`` (column → value of its unique
    columns); the new value."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [connection.ops.quote_name(column) for column in key]
    # Identifiers come from the model's meta, quoted; the values are parameters.
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}, last) VALUES ({', '.join(['%s'] * len(key))}, 1) "  # noqa: S608
        f"ON CONFLICT ({', '.join(columns)}) DO UPDATE SET last = {table}.last + 1 RETURNING last"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(key.values()))
        row = cursor.fetchone()
    return int(row[0])
