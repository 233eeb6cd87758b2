"""From the tables to the arithmetic: working_calendar() per province, its cache, office_hours_for()."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.accounts.models import Role
from motcua.core.clock import VN_TZ
from motcua.core.errors import ValidationFailed
from motcua.deadlines import calendars
from motcua.deadlines.arithmetic import DEFAULT_HOURS, DayKind, TimeUnit, due_date
from motcua.deadlines.calendars import calendar_revision, office_hours_for, working_calendar
from motcua.deadlines.models import CalendarDay, CalendarRevision, CalendarYear, Source
from motcua.deadlines.seed import seed_calendars
from motcua.deadlines.services import set_calendar_day
from motcua.units.models import OfficeHours

pytestmark = pytest.mark.django_db

D = dt.date
T = dt.time


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


def test_national_calendar_spans_the_declared_years_with_provisional_ones(seeded):
    calendar = working_calendar(None)
    assert (calendar.first_day, calendar.last_day) == (D(2024, 1, 1), D(2028, 12, 31))
    assert calendar.provisional_years == frozenset({2027, 2028})
    assert calendar.is_working(D(2026, 1, 10)) is True  # swapped Saturday
    assert calendar.is_working(D(2026, 1, 2)) is False
    assert calendar.entry(D(2026, 2, 17)).name_vi == "Tết Nguyên Đán"


def test_scenario_1_tet_carry_over_on_the_seeded_calendar(seeded):
    due = due_date(
        received_at=dt.datetime(2026, 2, 13, 14, 0, tzinfo=VN_TZ),
        amount=10,
        unit=TimeUnit.WORKING_DAY,
        calendar=working_calendar(None),
    )
    assert due.due_at == dt.datetime(2026, 3, 6, 17, 0, tzinfo=VN_TZ)


def test_province_entry_wins_over_the_national_one_on_the_same_day(seeded, province):
    CalendarDay.objects.create(
        province=province,
        day=D(2026, 8, 22),
        kind=DayKind.DAY_OFF,
        name_vi="Lễ hội của tỉnh",
        legal_basis="QĐ 1/QĐ-UBND",
        source=Source.MANUAL,
    )
    CalendarDay.objects.create(
        province=province,
        day=D(2026, 3, 14),
        kind=DayKind.MAKEUP_WORKDAY,
        name_vi="Làm bù",
        legal_basis="QĐ 2/QĐ-UBND",
        source=Source.MANUAL,
    )
    national, local = working_calendar(None), working_calendar("42")
    assert national.is_working(D(2026, 8, 22)) is True
    assert local.is_working(D(2026, 8, 22)) is False
    assert local.entry(D(2026, 8, 22)).name_vi == "Lễ hội của tỉnh"
    assert local.entry(D(2026, 8, 22)).name_en == "Lễ hội của tỉnh"  # no English name: the Vietnamese one
    assert national.is_working(D(2026, 3, 14)) is False
    assert local.is_working(D(2026, 3, 14)) is True
    assert local.is_working(D(2026, 2, 17)) is False  # national entries still apply


def test_province_years_extend_the_range_and_override_the_flag(seeded, province):
    CalendarYear.objects.create(province=province, year=2030, is_provisional=True)
    CalendarYear.objects.create(province=province, year=2026, is_provisional=True)
    calendar = working_calendar("42")
    assert calendar.last_day == D(2030, 12, 31)
    assert calendar.provisional_years == frozenset({2026, 2027, 2028, 2029, 2030})  # 2029: a gap
    assert working_calendar(None).last_day == D(2028, 12, 31)


def test_cached_calendar_is_reused_until_an_edit(seeded, province, controller):
    first = working_calendar("42")
    with CaptureQueriesContext(connection) as queries:
        again = working_calendar("42")
    assert again is first
    assert len(queries) == 1  # the revision check only
    set_calendar_day(
        actor=controller,
        province_code="42",
        day=D(2026, 3, 14),
        kind=DayKind.MAKEUP_WORKDAY,
        name_vi="Làm bù",
        name_en="Make-up day",
        legal_basis="QĐ 2/QĐ-UBND",
    )
    edited = working_calendar("42")
    assert edited is not first
    assert edited.is_working(D(2026, 3, 14)) is True


def test_an_edit_by_another_process_is_seen_at_once(seeded):
    before = working_calendar(None)
    # Another process saved an edit (time frozen, same row count): only the token tells.
    CalendarDay.objects.filter(day=D(2026, 1, 2)).update(kind=DayKind.MAKEUP_WORKDAY)
    CalendarRevision.objects.filter(pk=1).update(token="another-process")
    after = working_calendar(None)
    assert before.is_working(D(2026, 1, 2)) is False
    assert after.is_working(D(2026, 1, 2)) is True


def test_a_write_that_bypassed_the_token_is_caught_by_the_next_full_check(seeded, monkeypatch):
    before = calendar_revision()
    CalendarDay.objects.filter(day=D(2026, 1, 2)).delete()
    # Within FULL_CHECK_SECONDS only the token is read (one primary-key query per act) …
    assert calendar_revision() == before
    # … and once the interval has passed, the row counts catch the bypassing write.
    monkeypatch.setattr(calendars, "FULL_CHECK_SECONDS", 0.0)
    assert calendar_revision() != before


def test_unknown_province_is_refused_in_two_languages(seeded, province):
    with pytest.raises(ValidationFailed) as caught:
        working_calendar("99")
    error = caught.value
    assert (error.code, error.field) == ("unknown_province", "province")
    assert error.message_vi == (
        "Không có tỉnh, thành phố mang mã “99” (dùng mã thống kê hiện hành, ví dụ 42)."
    )
    assert error.message_en == "There is no province with code “99” (use the current official code, e.g. 42)."


def test_no_declared_year_is_a_clear_error(db):
    with pytest.raises(ValidationFailed) as caught:
        working_calendar(None)
    assert caught.value.code == "calendar_not_declared"


def test_office_hours_default_when_the_unit_has_none(centre):
    assert office_hours_for(centre) is DEFAULT_HOURS


def test_office_hours_from_the_unit_with_default_for_missing_weekdays(centre):
    for weekday in range(4):  # Monday-Thursday; Friday not configured; Saturday opening ignored
        OfficeHours.objects.create(
            one_stop_unit=centre,
            weekday=weekday,
            morning_start=T(7, 30),
            morning_end=T(11, 30),
            afternoon_start=T(13, 0),
            afternoon_end=T(16, 30),
        )
    OfficeHours.objects.create(one_stop_unit=centre, weekday=5, morning_start=T(8), morning_end=T(11))
    hours = office_hours_for(centre)
    assert hours.weekdays[0] == ((T(7, 30), T(11, 30)), (T(13, 0), T(16, 30)))
    assert hours.weekdays[4] == DEFAULT_HOURS.weekdays[4]
    assert hours.end_of_day(D(2026, 3, 2)) == T(16, 30)


def test_office_hours_that_overlap_fall_back_to_the_default(centre):
    OfficeHours.objects.create(
        one_stop_unit=centre,
        weekday=0,
        morning_start=T(7),
        morning_end=T(14),
        afternoon_start=T(13),
        afternoon_end=T(17),
    )
    assert office_hours_for(centre) is DEFAULT_HOURS
