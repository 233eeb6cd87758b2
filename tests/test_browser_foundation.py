"""The first pages in a real Chromium: public home in Vietnamese and English, staff sign-in."""

from __future__ import annotations

import pytest

from conftest import screenshot, submit
from motcua.accounts.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_home_switches_language_and_fits_a_phone(page, live_server, province):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Dịch vụ công trực tuyến"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "foundation-home-vi-360px")
    submit(page.get_by_role("button", name="English"))
    assert page.locator("h1").inner_text() == "Online public services"
    assert page.locator("html").get_attribute("lang") == "en"
    screenshot(page, "foundation-home-en-360px")


def test_staff_signs_in_and_sees_agency_and_roles(page, live_server, make_user, justice_dept, centre):
    from motcua.accounts.services import grant_membership

    user = make_user("tiepnhan", role=Role.RECEPTION_OFFICER, one_stop_unit_id=centre.pk)
    grant_membership(user=user, role=Role.HANDLER, agency_id=justice_dept.pk)
    page.goto(live_server.url + "/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("tiepnhan")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    submit(page.get_by_role("button", name="Đăng nhập").last)
    assert page.get_by_role("alert").inner_text() == "Tên đăng nhập hoặc mật khẩu không đúng."
    page.get_by_label("Mật khẩu").fill("mat-khau-an-toan-9")
    page.get_by_role("button", name="Đăng nhập").last.click()
    page.wait_for_url(live_server.url + "/can-bo/")
    rows = page.locator("tr.membership")
    assert rows.count() == 2
    text = page.locator("table").inner_text()
    assert "Trung tâm Phục vụ hành chính công tỉnh Hà Tĩnh" in text
    assert "Cán bộ tiếp nhận" in text
    assert "Sở Tư pháp" in text
    assert "000.00.12.H42" in text
    screenshot(page, "foundation-staff-home")
