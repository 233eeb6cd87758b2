"""import_procedures on the portal's Excel lists (code, name, agency, field)."""

from __future__ import annotations

import pytest

from motcua.catalog.importer import import_procedures
from motcua.catalog.models import Procedure, ProcedureVersion

from .conftest import EXCEL_LISTS

pytestmark = pytest.mark.django_db


def test_the_portal_excel_list_adds_unknown_codes_as_drafts(db):
    # Other tests of the package may have the real records loaded: make these codes unknown.
    Procedure.objects.filter(code__in=["3.000163", "3.000164", "3.000165"]).delete()
    report = import_procedures(EXCEL_LISTS / "danh-sach-tthc-ToaAnNhanDan.xlsx").as_dict()
    assert (report["records_read"], report["created"], report["failed"]) == (3, 3, [])
    again = import_procedures(EXCEL_LISTS / "danh-sach-tthc-ToaAnNhanDan.xlsx").as_dict()
    assert (again["created"], again["unchanged"]) == (0, 3)
    version = ProcedureVersion.objects.get(procedure__code="3.000164")
    assert version.status == "draft"
    assert version.field.name == "Tòa án"
    assert version.agencies.count() == 3
