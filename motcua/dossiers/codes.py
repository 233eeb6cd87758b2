"""Dossier codes: ``<receiving agency identifier>-<YYMMDD>-<NNNN>``, issued only at acceptance.

TT01/2018 Art 19 [V]: the receiving agency's identifier code (QCVN 102), the receipt date, and the
sequence number of the day per receiving agency, at least 4 digits (width: the setting
``MOTCUA_CODE_SEQUENCE_WIDTH``; TT04/2025 Art 23(2) "tối thiểu gồm 04 ký tự"). The day is the local
(Vietnam) date of acceptance.

Gap-free and unique under concurrent acceptance: the counter row of (agency, day) is created if
missing (INSERT … ON CONFLICT DO NOTHING), then locked with SELECT … FOR UPDATE and incremented
inside the acceptance transaction. A second acceptance at the same agency waits for the first to
commit or roll back; a rolled-back acceptance gives its number back. SQLite takes the database write
lock at BEGIN (``transaction_mode = IMMEDIATE``), which serialises acceptances the same way.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F

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
    CodeCounter.objects.bulk_create([CodeCounter(agency=receiving_agency, day=day)], ignore_conflicts=True)
    counter = CodeCounter.objects.select_for_update().get(agency=receiving_agency, day=day)
    CodeCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    number = counter.last + 1
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
    unit_id = dossier.received_at_unit_id
    LedgerCounter.objects.bulk_create(
        [LedgerCounter(one_stop_unit_id=unit_id, year=year)], ignore_conflicts=True
    )
    counter = LedgerCounter.objects.select_for_update().get(one_stop_unit_id=unit_id, year=year)
    LedgerCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    dossier.ledger_year = year
    dossier.ledger_number = counter.last + 1
    return dossier.ledger_number
