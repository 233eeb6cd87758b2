"""II.06a through the page, the API, Excel and PDF (one feature, one HTTP test each), and bad input."""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata

import pytest
from openpyxl import load_workbook

from motcua.accounts.models import Role
from motcua.dossiers.tests import conftest as dossier_fixtures
from motcua.dossiers.tests.factories import staff, vn
from motcua.reports import projections

pytestmark = pytest.mark.django_db

calendar_2026 = dossier_fixtures.calendar_2026
world = dossier_fixtures.world
factory = dossier_fixtures.factory


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as a reader's copy-and-paste gives it, whitespace runs made one space
    (poppler's pdftotext, as the paperwork tests use; reports may not import paperwork)."""
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(
        [tool, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True, timeout=30
    )
    return " ".join(unicodedata.normalize("NFC", out.stdout.decode()).split())


Q1 = "mode=calendar&period=quarter&year=2026&number=1"
EXPECTED = {"3": 2, "4": 0, "5": 2, "6": 0, "7": 1, "8": 1, "9": 0, "10": 0, "11": 1, "12": 1, "13": 0}


@pytest.fixture
def controller(world, make_user):
    return staff(make_user, Role.PROCEDURE_CONTROLLER, "kiemsoat", agency_id=world.agency.parent_id)


@pytest.fixture
def march(world, factory):
    factory.create(at=vn(2026, 3, 2, 9), trait="result_ready")
    factory.create(at=vn(2026, 3, 20, 9), trait="appraising")
    projections.refresh()


def test_page_shows_ii06a_with_totals(client, controller, march):
    client.force_login(controller)
    response = client.get(f"/can-bo/bao-cao/ii06a/?{Q1}")
    assert response.status_code == 200
    report = response.context["report"]
    assert {str(k): v for k, v in report.total.cols.items()} == EXPECTED
    html = response.content.decode()
    assert "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI TOÀN TỈNH" in html
    assert "Kỳ báo cáo: từ ngày 01/01/2026 đến ngày 31/03/2026" in html
    assert 'id="ii06a-stale"' not in html


def test_excel_in_the_official_layout(client, controller, march):
    client.force_login(controller)
    response = client.get(f"/can-bo/bao-cao/ii06a/?{Q1}&download=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="II06a_20260101_20260331.xlsx"'
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["J1"].value == "Biểu số II.06a/VPCP/KSTT"
    assert ws["A3"].value == "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI TOÀN TỈNH"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A6:A8", "B6:B8", "C6:F6", "G6:J6", "K6:M6", "D7:E7", "C7:C8", "F7:F8", "M7:M8"} <= merged
    assert ws["C6"].value == "Số hồ sơ nhận giải quyết"
    assert (ws["D8"].value, ws["E8"].value) == ("Trực tuyến", "Trực tiếp, dịch vụ bưu chính")
    assert [ws.cell(row=9, column=c).value for c in (1, 13)] == ["(1)", "(13)"]
    rows = list(ws.iter_rows(min_row=10, values_only=True))
    assert [r[1] for r in rows] == ["Cấp tỉnh", "Chưa phân lĩnh vực", "Tổng cộng"]
    assert list(rows[-1][2:]) == [EXPECTED[str(c)] for c in range(3, 14)]
    assert ws["A3"].font.name == "Times New Roman" and ws["A3"].font.bold


def test_pdf(client, controller, march):
    client.force_login(controller)
    response = client.get(f"/can-bo/bao-cao/ii06a/?{Q1}&download=pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "Biểu số II.06a/VPCP/KSTT" in text
    assert "Kỳ báo cáo: từ ngày 01/01/2026 đến ngày 31/03/2026" in text
    assert "Tổng cộng 2 0 2 0 1 1 0 0 1 1 0" in text


def test_api_json_and_files(client, controller, march):
    client.force_login(controller)
    data = client.get(f"/api/v1/reports/ii06a?{Q1}").json()
    assert data["total"]["columns"] == EXPECTED
    assert data["period"] == {"start": "2026-01-01", "end": "2026-03-31"}
    assert data["is_current"] is True
    assert [r["label"] for r in data["rows"]] == ["Cấp tỉnh", "Chưa phân lĩnh vực"]
    xlsx = client.get(f"/api/v1/reports/ii06a.xlsx?{Q1}")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(f"/api/v1/reports/ii06a.pdf?{Q1}").content.startswith(b"%PDF")


def test_statutory_quarter_is_the_default_mode(client, controller, march):
    client.force_login(controller)
    data = client.get("/api/v1/reports/ii06a?period=quarter&year=2026&number=2").json()
    assert data["period"] == {"start": "2026-03-15", "end": "2026-06-14"}
    assert data["total"]["columns"]["4"] + data["total"]["columns"]["5"] == 1  # received 20/03
    assert data["total"]["columns"]["6"] == 0  # the 02/03 dossier finished before 15/03


def test_impossible_period_is_a_clear_400(client, controller, march):
    client.force_login(controller)
    page = client.get("/can-bo/bao-cao/ii06a/?period=custom&start=2026-03-31&end=2026-03-01")
    assert page.status_code == 400
    assert "Kỳ báo cáo không hợp lệ" in page.content.decode()
    api = client.get("/api/v1/reports/ii06a?period=custom&start=2014-01-01&end=2026-01-01")
    assert api.status_code == 400
    assert api.json()["code"] == "period_too_long"
    bad_date = client.get("/api/v1/reports/ii06a?period=custom&start=hôm-qua&end=2026-01-01")
    assert bad_date.status_code == 400


def test_a_place_the_user_may_not_see_is_refused(client, world, make_user, march):
    commune_head = staff(make_user, Role.ONE_STOP_HEAD, "truongxa", one_stop_unit_id=world.centre.pk)
    client.force_login(commune_head)
    refused = client.get(f"/api/v1/reports/ii06a?{Q1}&agency={world.other_agency.pk}")
    assert refused.status_code == 403
    assert refused.json()["code"] == "report_scope_forbidden"
    client.force_login(world.handler)  # no reports.view anywhere
    assert client.get(f"/can-bo/bao-cao/ii06a/?{Q1}").status_code == 403


def test_a_report_still_being_computed_says_so(client, controller, world, factory, march):
    factory.create(at=vn(2026, 3, 25, 9), trait="received")  # not projected yet
    client.force_login(controller)
    page = client.get(f"/can-bo/bao-cao/ii06a/?{Q1}").content.decode()
    assert 'id="ii06a-stale"' in page
    assert "chưa đầy đủ" in page
    assert client.get(f"/api/v1/reports/ii06a?{Q1}").json()["is_current"] is False
