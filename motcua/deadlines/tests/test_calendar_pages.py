"""The working calendar pages: staff view and edit (/can-bo/lich-lam-viec/), public view (/lich-lam-viec/)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache

from motcua.accounts.models import Role
from motcua.core.clock import VN_TZ
from motcua.deadlines.models import CalendarDay, CalendarYear, Source
from motcua.deadlines.seed import seed_calendars

pytestmark = pytest.mark.django_db

STAFF = "/can-bo/lich-lam-viec/"
PUBLIC = "/lich-lam-viec/"
D = dt.date


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2026, 2, 13, 14, 0, tzinfo=VN_TZ), tick=False):
        yield


@pytest.fixture(autouse=True)
def installation(settings):
    settings.MOTCUA_PROVINCE_CODE = "42"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seeded(db, province):
    seed_calendars(range(2024, 2029))


@pytest.fixture
def controller(make_user, committee):
    return make_user("kiemsoat", role=Role.PROCEDURE_CONTROLLER, agency_id=committee.pk)


@pytest.fixture
def handler(make_user, justice_dept):
    return make_user("chuyenvien", role=Role.HANDLER, agency_id=justice_dept.pk)


def due_at(client, received_at="2026-03-13T10:00:00%2B07:00", amount=2):
    response = client.get(
        f"/api/v1/deadlines/due?received_at={received_at}&amount={amount}&unit=working_day&province=42"
    )
    return response.json()["due_at"]


def make_up_day(**overrides):
    data = {
        "action": "set",
        "day": "2026-03-14",
        "kind": "makeup_workday",
        "name_vi": "Ngày làm bù",
        "name_en": "Make-up working day",
        "legal_basis": "QĐ 123/QĐ-UBND",
    }
    data.update(overrides)
    return data


def state():
    return (
        list(CalendarDay.objects.order_by("pk").values()),
        list(CalendarYear.objects.order_by("pk").values()),
        CalendarDay.history.count(),
    )


def test_anonymous_is_sent_to_sign_in(client, seeded):
    response = client.get(STAFF)
    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/dang-nhap/?next=/can-bo/lich-lam-viec/"


def test_a_citizen_account_is_not_staff(client, seeded, citizen):
    client.force_login(citizen)
    assert client.get(STAFF).status_code == 403


def test_handler_views_the_year_but_may_not_post(client, seeded, handler):
    client.force_login(handler)
    page = client.get(f"{STAFF}?year=2026")
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["scope"].code == "42"  # the installation's province by default
    assert len(re.findall(r"<caption>Tháng \d+/2026</caption>", html)) == 12
    assert "<caption>17 ngày trong năm 2026</caption>" in html
    assert 'name="action"' not in html  # no form for a viewer
    before = state()
    response = client.post(f"{STAFF}?province=42&year=2026", make_up_day())
    assert response.status_code == 403
    assert "Bạn không có quyền sửa lịch làm việc" in response.content.decode()
    assert state() == before


def test_scenario_12_controller_adds_a_make_up_saturday_and_the_due_date_moves(client, seeded, controller):
    assert due_at(client) == "2026-03-17T17:00:00+07:00"  # without the entry
    client.force_login(controller)
    response = client.post(f"{STAFF}?province=42&year=2026", make_up_day())
    assert response.status_code == 302
    assert response["Location"] == f"{STAFF}?province=42&year=2026"
    row = CalendarDay.objects.get(province__code="42", day=D(2026, 3, 14))
    assert (row.kind, row.source, row.legal_basis) == ("makeup_workday", Source.MANUAL, "QĐ 123/QĐ-UBND")
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Đã lưu ngày 14/03/2026: Ngày làm bù." in html
    assert 'class="d-makeup_workday"' in html
    assert "<caption>18 ngày trong năm 2026</caption>" in html
    client.logout()
    assert due_at(client) == "2026-03-16T17:00:00+07:00"  # Sat 14/03 counts as day 1


def test_a_refused_entry_shows_the_error_next_to_the_form_and_keeps_the_input(client, seeded, controller):
    client.force_login(controller)
    before = state()
    response = client.post(
        f"{STAFF}?province=42&year=2026", make_up_day(legal_basis="", name_vi="Làm bù tháng Ba")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        '<p class="error" id="err_legal_basis" role="alert">Cần nhập căn cứ pháp lý (số văn bản).</p>' in html
    )
    assert 'value="Làm bù tháng Ba"' in html
    assert 'value="2026-03-14"' in html
    assert state() == before

    weekday = client.post(f"{STAFF}?province=42&year=2026", make_up_day(day="2026-03-13"))
    assert weekday.status_code == 400
    assert (
        "Ngày 13/03/2026 là thứ Sáu, vốn là ngày làm việc: "
        "chỉ thứ Bảy hoặc Chủ nhật mới có thể là ngày làm bù." in weekday.content.decode()
    )
    undeclared = client.post(f"{STAFF}?province=42&year=2026", make_up_day(day="2031-03-15"))
    assert "Năm 2031 chưa được khai báo trong lịch của tỉnh Hà Tĩnh" in undeclared.content.decode()
    bad_date = client.post(f"{STAFF}?province=42&year=2026", make_up_day(day="14-03"))
    assert bad_date.status_code == 400
    assert 'id="err_day"' in bad_date.content.decode()
    assert state() == before


def test_a_day_off_on_a_sunday_is_saved_with_a_note(client, seeded, controller):
    client.force_login(controller)
    response = client.post(
        f"{STAFF}?province=42&year=2026",
        make_up_day(day="2026-03-15", kind="day_off", name_vi="Lễ hội"),
        follow=True,
    )
    html = response.content.decode()
    assert "Ngày này vốn là ngày nghỉ cuối tuần nên không làm thay đổi cách tính hạn" in html


def test_edit_link_fills_the_form_and_remove_deletes(client, seeded, controller):
    client.force_login(controller)
    client.post(f"{STAFF}?province=42&year=2026", make_up_day())
    page = client.get(f"{STAFF}?province=42&year=2026&day=2026-03-14").content.decode()
    assert 'value="QĐ 123/QĐ-UBND"' in page
    assert '<option value="makeup_workday" selected>' in page
    response = client.post(f"{STAFF}?province=42&year=2026", {"action": "remove", "day": "2026-03-14"})
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(province__code="42").exists()
    missing = client.post(f"{STAFF}?province=42&year=2026", {"action": "remove", "day": "2026-03-14"})
    assert missing.status_code == 400
    assert "Ngày 14/03/2026 không có trong lịch của tỉnh Hà Tĩnh." in missing.content.decode()


def test_controller_marks_a_year_announced(client, seeded, controller):
    client.force_login(controller)
    page = client.get(f"{STAFF}?province=&year=2027").content.decode()
    assert "Lịch năm 2027 là dự kiến" in page
    response = client.post(
        f"{STAFF}?province=&year=2027", {"action": "year", "is_provisional": "0", "note": "CV 1"}
    )
    assert response.status_code == 302
    year = CalendarYear.objects.get(province__isnull=True, year=2027)
    assert (year.is_provisional, year.note, year.source) == (False, "CV 1", Source.MANUAL)
    assert "Đã công bố" in client.get(f"{STAFF}?province=&year=2027").content.decode()


def test_an_unknown_province_falls_back_to_the_national_calendar(client, seeded, controller):
    client.force_login(controller)
    response = client.get(f"{STAFF}?province=99", follow=True)
    assert response.redirect_chain == [(f"{STAFF}?province=", 302)]
    assert "Không có tỉnh, thành phố mang mã “99”" in response.content.decode()


def test_public_calendar_renders_read_only(client, seeded):
    response = client.get(f"{PUBLIC}?year=2026")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tỉnh Hà Tĩnh" in html
    assert len(re.findall(r"<caption>Tháng \d+/2026</caption>", html)) == 12
    assert "Tết Nguyên Đán" in html and "TB 9441/TB-BNV" in html
    assert '<form method="post"' not in html.split("<main", 1)[1]  # nothing to edit here
    assert "Đã công bố" in html
    provisional = client.get(f"{PUBLIC}?year=2028").content.decode()
    assert "Lịch năm 2028 là dự kiến" in provisional


def test_public_estimate_scenario_1(client, seeded):
    # Frozen at Fri 13/02/2026 14:00: 10 working days → Fri 06/03/2026 (SPEC §11 scenario 1).
    html = client.get(f"{PUBLIC}?days=10").content.decode()
    assert "Nộp hôm nay (13/02/2026), dự kiến có kết quả ngày <strong>06/03/2026</strong>." in html
    assert "không tính 14/02–22/02 (Tết Nguyên Đán) và các ngày nghỉ cuối tuần" in html
    bad = client.get(f"{PUBLIC}?days=abc").content.decode()
    assert "Số ngày làm việc phải là số nguyên." in bad
    too_far = client.get(f"{PUBLIC}?days=2000").content.decode()
    assert "nằm ngoài lịch làm việc đã khai báo" in too_far


def test_public_page_in_english(client, seeded):
    client.cookies["django_language"] = "en"  # the language switch
    html = client.get(f"{PUBLIC}?year=2026&days=10").content.decode()
    assert "Working calendar 2026" in html
    assert "Lunar New Year" in html
    assert "10 working days from 14:00 13/02/2026" in html
