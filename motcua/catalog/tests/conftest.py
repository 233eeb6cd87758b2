"""The real commune-level records, imported and published once per test module (not per test)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

REAL_RECORDS = Path(settings.SHARED_DATA_DIR) / "tthc/dvcqg-crawl-chatbot-tthc/records-cap-xa.jsonl"
EXCEL_LISTS = Path(settings.SHARED_DATA_DIR) / "tthc/dvcqg-crawl-chatbot-tthc/portal-excel-lists"
IMPORT_DAY = dt.date(2026, 1, 5)


def wipe_catalog() -> None:
    from motcua.catalog.models import Field, Procedure

    Procedure.objects.all().delete()
    Field.objects.all().delete()


@pytest.fixture(scope="module")
def real_catalog(django_db_setup, django_db_blocker):
    """Import report of the 588 real records, published from IMPORT_DAY; removed after the module."""
    if not REAL_RECORDS.exists():
        pytest.skip(f"no shared data at {REAL_RECORDS}")
    from motcua.catalog.importer import import_procedures

    with django_db_blocker.unblock():
        wipe_catalog()
        report = import_procedures(REAL_RECORDS, publish=True, effective_from=IMPORT_DAY).as_dict()
        yield report
        wipe_catalog()
