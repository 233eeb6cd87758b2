"""The real commune-level records, imported and published once for the whole catalog test package.

``real_catalog`` imports the 588 records inside a transaction that stays open while the package's
tests run (each test's own transaction is a savepoint inside it) and is rolled back afterwards, so
nothing is left behind and nothing is imported twice. It is package-scoped rather than
session-scoped so that the transaction is closed before tests of other packages (live-server
browser tests) run; under ``-n 2`` each worker imports once.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

REAL_RECORDS = Path(settings.SHARED_DATA_DIR) / "tthc/dvcqg-crawl-chatbot-tthc/records-cap-xa.jsonl"
EXCEL_LISTS = Path(settings.SHARED_DATA_DIR) / "tthc/dvcqg-crawl-chatbot-tthc/portal-excel-lists"
IMPORT_DAY = dt.date(2026, 1, 5)


@pytest.fixture(scope="package")
def real_catalog(django_db_setup, django_db_blocker):
    """Import report of the 588 real records, published from IMPORT_DAY; rolled back afterwards."""
    if not REAL_RECORDS.exists():
        pytest.skip(f"no shared data at {REAL_RECORDS}")
    from motcua.catalog.importer import import_procedures

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield import_procedures(REAL_RECORDS, publish=True, effective_from=IMPORT_DAY).as_dict()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
