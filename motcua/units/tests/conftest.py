"""Fixtures of the units tests.

The real unit sets (about 14,000 units and 10,570 successions) are loaded once per test process for
this package, inside a transaction that is rolled back when the package's last test has run. Every
test's own transaction nests inside it (a savepoint), so tests see the real data, change it freely,
and leave nothing behind for other apps' tests (which build their own small units)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from motcua.units.demo import load_demo_units
from motcua.units.loaders import LoadReport, load_units


@pytest.fixture(scope="package", autouse=True)
def real_units(django_db_setup: Any, django_db_blocker: Any) -> Iterator[LoadReport]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            report = load_units()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield report
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(db: None) -> dict[str, Any]:
    """The Hà Tĩnh demo agencies and one-stop units, loaded in the test's transaction."""
    return load_demo_units()


@pytest.fixture
def write_csv(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write ``text`` to a CSV file in a temporary folder and return its path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text.lstrip("\n"), encoding="utf-8")
        return path

    return write
