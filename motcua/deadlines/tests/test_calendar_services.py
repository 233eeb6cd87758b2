"""The procedure-control office edits the calendar: set and remove days, mark years (services.py)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from motcua.accounts.models import Role
from motcua.core.clock import VN_TZ
from motcua.core.errors import NotFound, PermissionRefused, ValidationFailed
from motcua.deadlines.calendars import working_calendar
from motcua.deadlines.models import CalendarDay, CalendarRevision, CalendarYear, Source
from motcua.deadlines.seed import seed_calendars
from motcua.deadlines.services import remove_calendar_day, set_calendar_day, set_year_status

pytestmark = pytest.mark.django_db

D = dt.date
OFF, WORK = "day_off", "makeup_workday"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2026, 11, 25, 9, 0, tzinfo=VN_TZ), tick=False):
        yield


@pytest.fixture
def seeded(db):
    seed_calendars(range(2024, 2029))


@pytest.fixture
def controller(make_user, committee):
    return make_user("kiemsoat", role=Role.PROCEDURE_CONTROLLER, agency_id=committee.pk)


@pytest.fixture
def handler(make_user, justice_dept):
    return make_user("chuyenvien", role=Role.HANDLER, agency_id=justice_dept.pk)


def snapshot():
    """Everything a refused act must leave as it was."""
    return (
        list(CalendarDay.objects.order_by("pk").values()),
        list(CalendarYear.objects.order_by("pk").values()),
        CalendarDay.history.count(),
        CalendarYear.history.count(),
        list(CalendarRevision.objects.values_list("token", flat=True)),
    )


def make_up(actor, **overrides):
    args = {
        "actor": actor,
        "province_code": "42",
        "day": D(2026, 3, 14),
        "kind": WORK,
        "name_vi": "Ngày làm bù",
        "name_en": "Make-up working day",
        "legal_basis": "QĐ 123/QĐ-UBND",
    }
    args.update(overrides)
    return set_calendar_day(**args)


def test_controller_adds_a_province_make_up_day_with_history(seeded, province, controller):
    row = make_up(controller)
    assert (row.province, row.day, row.kind, row.source) == (province, D(2026, 3, 14), WORK, Source.MANUAL)
    history = row.history.get()
    assert (history.history_type, history.history_user, history.history_change_reason) == (
        "+",
        controller,
        "manual",
    )
    assert working_calendar("42").is_working(D(2026, 3, 14)) is True
    assert working_calendar(None).is_working(D(2026, 3, 14)) is False


def test_setting_an_existing_day_changes_it_in_place(seeded, controller):
    row = set_calendar_day(
        actor=controller,
        province_code=None,
        day=D(2026, 11, 24),
        kind=OFF,
        name_vi="  Ngày Văn hóa   Việt Nam ",
        name_en="",
        legal_basis="NQ 28/2026/QH16",
    )
    assert CalendarDay.objects.filter(province__isnull=True, day=D(2026, 11, 24)).count() == 1
    assert (row.name_vi, row.name_en, row.source) == ("Ngày Văn hóa Việt Nam", "", Source.MANUAL)
    assert [h.history_type for h in row.history.order_by("history_id")] == ["+", "~"]


def test_system_admin_may_edit_too(seeded, make_user):
    admin = make_user("quantri", role=Role.SYSTEM_ADMIN)
    assert make_up(admin, province_code=None).province is None


def test_a_day_off_on_a_sunday_is_accepted(seeded, controller):
    row = make_up(controller, day=D(2026, 3, 15), kind=OFF, name_vi="Lễ hội")
    assert row.is_weekend is True
    assert working_calendar("42").is_working(D(2026, 3, 15)) is False


@pytest.mark.parametrize(
    ("overrides", "code", "field", "message_vi", "message_en"),
    [
        (
            {"legal_basis": "   "},
            "legal_basis_required",
            "legal_basis",
            "Cần nhập căn cứ pháp lý (số văn bản).",
            "The legal basis (document number) is required.",
        ),
        (
            {"name_vi": ""},
            "name_vi_required",
            "name_vi",
            "Cần nhập tên ngày.",
            "The name is required.",
        ),
        (
            {"day": D(2026, 3, 13)},
            "makeup_on_weekday",
            "day",
            "Ngày 13/03/2026 là thứ Sáu, vốn là ngày làm việc: "
            "chỉ thứ Bảy hoặc Chủ nhật mới có thể là ngày làm bù.",
            "13/03/2026 is a Friday, already a working day: "
            "only a Saturday or a Sunday can be a make-up working day.",
        ),
        (
            {"day": D(2031, 3, 15)},
            "year_not_declared",
            "day",
            "Năm 2031 chưa được khai báo trong lịch của tỉnh Hà Tĩnh; khai báo năm lịch trước khi thêm ngày.",
            "The year 2031 is not declared in the calendar of Hà Tĩnh; declare the calendar year first.",
        ),
        (
            {"kind": "holiday"},
            "unknown_kind",
            "kind",
            "Loại ngày phải là “ngày nghỉ” hoặc “ngày làm bù”.",
            "The kind must be “day off” or “make-up working day”.",
        ),
        (
            {"province_code": "99"},
            "unknown_province",
            "province",
            "Không có tỉnh, thành phố mang mã “99” (dùng mã thống kê hiện hành, ví dụ 42).",
            "There is no province with code “99” (use the current official code, e.g. 42).",
        ),
        (
            {"legal_basis": "x" * 301},
            "too_long",
            "legal_basis",
            "Căn cứ pháp lý (số văn bản) dài quá 300 ký tự.",
            "The legal basis (document number) is longer than 300 characters.",
        ),
    ],
)
def test_refusals_change_nothing(
    seeded, province, controller, overrides, code, field, message_vi, message_en
):
    make_up(controller, day=D(2026, 3, 21))
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        make_up(controller, **overrides)
    error = caught.value
    assert (error.code, error.field, error.message_vi, error.message_en) == (
        code,
        field,
        message_vi,
        message_en,
    )
    assert snapshot() == before


def test_a_handler_may_not_edit_the_calendar(seeded, province, handler):
    before = snapshot()
    with pytest.raises(PermissionRefused) as caught:
        make_up(handler)
    assert caught.value.code == "permission_denied"
    with pytest.raises(PermissionRefused):
        remove_calendar_day(actor=handler, province_code=None, day=D(2026, 2, 17))
    with pytest.raises(PermissionRefused):
        set_year_status(actor=handler, province_code=None, year=2027, is_provisional=False)
    assert snapshot() == before


def test_remove_a_day_and_refuse_a_missing_one(seeded, province, controller):
    make_up(controller)
    remove_calendar_day(actor=controller, province_code="42", day=D(2026, 3, 14))
    assert not CalendarDay.objects.filter(province=province).exists()
    assert working_calendar("42").is_working(D(2026, 3, 14)) is False
    before = snapshot()
    with pytest.raises(NotFound) as caught:
        remove_calendar_day(actor=controller, province_code="42", day=D(2026, 3, 14))
    assert (caught.value.code, caught.value.field) == ("calendar_day_not_found", "day")
    assert caught.value.message_vi == "Ngày 14/03/2026 không có trong lịch của tỉnh Hà Tĩnh."
    assert snapshot() == before


def test_mark_a_year_announced_and_declare_a_new_one(seeded, province, controller):
    row = set_year_status(actor=controller, province_code=None, year=2027, is_provisional=False, note="CV 1")
    assert (row.is_provisional, row.note, row.source) == (False, "CV 1", Source.MANUAL)
    assert working_calendar(None).provisional_years == frozenset({2028})
    set_year_status(actor=controller, province_code="42", year=2029, is_provisional=True)
    assert working_calendar("42").last_day == D(2029, 12, 31)
    assert working_calendar(None).last_day == D(2028, 12, 31)
    make_up(controller, day=D(2029, 3, 17))  # the province may now add days in 2029


def test_year_out_of_range_is_refused(seeded, controller):
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        set_year_status(actor=controller, province_code=None, year=1999, is_provisional=True)
    assert (caught.value.code, caught.value.field) == ("year_out_of_range", "year")
    assert snapshot() == before
