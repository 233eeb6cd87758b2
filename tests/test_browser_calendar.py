"""The working calendar in a real Chromium: a procedure controller adds a make-up Saturday (scenario 12)."""

from __future__ import annotations

import json

import pytest

from conftest import screenshot, submit
from motcua.accounts.models import Role
from motcua.deadlines.seed import seed_calendars

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DUE = "/api/v1/deadlines/due?received_at=2026-03-13T10:00:00%2B07:00&amount=2&unit=working_day&province=42"


def due_at(page, base_url):
    page.goto(base_url + DUE)
    return json.loads(page.locator("body").inner_text())["due_at"]


def test_controller_adds_a_make_up_saturday_and_the_due_date_moves(
    page, live_server, settings, make_user, committee
):
    settings.MOTCUA_PROVINCE_CODE = "42"
    seed_calendars(range(2025, 2029))
    make_user("kiemsoat", role=Role.PROCEDURE_CONTROLLER, agency_id=committee.pk)
    assert due_at(page, live_server.url) == "2026-03-17T17:00:00+07:00"

    page.goto(live_server.url + "/tai-khoan/dang-nhap/?next=/can-bo/lich-lam-viec/%3Fyear%3D2026")
    page.get_by_label("Tên đăng nhập").fill("kiemsoat")
    page.get_by_label("Mật khẩu").fill("mat-khau-an-toan-9")
    page.get_by_role("button", name="Đăng nhập").last.click()
    page.wait_for_url("**/can-bo/lich-lam-viec/?year=2026")
    assert page.locator("h1").inner_text() == "Lịch làm việc 2026 — Tỉnh Hà Tĩnh"
    assert page.locator("table.month").count() == 12

    # Without a legal basis the entry is refused, the error sits next to the field, the input stays.
    page.get_by_label("Ngày", exact=True).fill("2026-03-14")
    page.get_by_label("Loại ngày").select_option("makeup_workday")
    page.get_by_label("Tên ngày (tiếng Việt)").fill("Ngày làm bù của tỉnh")
    page.get_by_label("Tên tiếng Anh").fill("Province make-up working day")
    submit(page.get_by_role("button", name="Lưu ngày"))
    assert page.locator("#err_legal_basis").inner_text() == "Cần nhập căn cứ pháp lý (số văn bản)."
    assert page.get_by_label("Tên ngày (tiếng Việt)").input_value() == "Ngày làm bù của tỉnh"
    screenshot(page, "calendar-staff-refused")

    page.locator("#id_legal_basis").fill("QĐ 123/QĐ-UBND")
    page.get_by_role("button", name="Lưu ngày").click()
    page.wait_for_url("**/can-bo/lich-lam-viec/?province=42&year=2026")
    assert page.locator(".messages").inner_text() == "Đã lưu ngày 14/03/2026: Ngày làm bù của tỉnh."
    march = page.locator("table.month").nth(2)
    assert march.locator("td.d-makeup_workday").inner_text().startswith("14")
    row = page.locator("tr.entry", has_text="14/03/2026")
    assert "QĐ 123/QĐ-UBND" in row.inner_text()
    screenshot(page, "calendar-staff-make-up-day")

    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "calendar-staff-360px")

    assert due_at(page, live_server.url) == "2026-03-16T17:00:00+07:00"

    page.goto(live_server.url + "/lich-lam-viec/?year=2026&days=10")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator("table.month").count() == 12
    assert "Nộp hôm nay" in page.locator("[role=status]").inner_text()
    screenshot(page, "calendar-public-360px")
