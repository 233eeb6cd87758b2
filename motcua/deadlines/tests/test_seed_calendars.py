"""Seeding the national calendar: the holidays package plus motcua's notices (SPEC §6.1 rule 3)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from motcua.accounts.models import Role
from motcua.core.clock import VN_TZ
from motcua.deadlines.models import CalendarDay, CalendarYear, Source
from motcua.deadlines.seed import parse_years, seed_calendars
from motcua.deadlines.services import remove_calendar_day, set_calendar_day, set_year_status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2026, 11, 25, 9, 0, tzinfo=VN_TZ), tick=False):
        yield


D = dt.date
OFF, WORK = "day_off", "makeup_workday"

# SPEC §6.1 rule 3, 2026 civil-service schedule: every entry, nothing else.
EXPECTED_2026 = [
    (D(2026, 1, 1), OFF, "BLLĐ 2019 Điều 112(1)"),
    (D(2026, 1, 2), OFF, "CV 12729/VPCP-KGVX"),  # Fri 02/01 off ...
    (D(2026, 1, 10), WORK, "CV 12729/VPCP-KGVX"),  # ... Sat 10/01 worked
    (D(2026, 2, 16), OFF, "TB 9441/TB-BNV"),  # Tết 16-20/02 (off Sat 14/02-Sun 22/02)
    (D(2026, 2, 17), OFF, "TB 9441/TB-BNV"),
    (D(2026, 2, 18), OFF, "TB 9441/TB-BNV"),
    (D(2026, 2, 19), OFF, "TB 9441/TB-BNV"),
    (D(2026, 2, 20), OFF, "TB 9441/TB-BNV"),
    (D(2026, 4, 26), OFF, "BLLĐ 2019 Điều 112(1)"),  # Giỗ Tổ on Sunday ...
    (D(2026, 4, 27), OFF, "BLLĐ 2019 Điều 111(3)"),  # ... Monday off instead
    (D(2026, 4, 30), OFF, "BLLĐ 2019 Điều 112(1); CV 3383/BNV-CVL (không hoán đổi)"),
    (D(2026, 5, 1), OFF, "BLLĐ 2019 Điều 112(1); CV 3383/BNV-CVL (không hoán đổi)"),
    (D(2026, 8, 22), WORK, "TB 9441/TB-BNV"),  # Sat 22/08 worked for Mon 31/08
    (D(2026, 8, 31), OFF, "TB 9441/TB-BNV"),
    (D(2026, 9, 1), OFF, "TB 9441/TB-BNV"),  # the adjacent day
    (D(2026, 9, 2), OFF, "TB 9441/TB-BNV"),
    (D(2026, 11, 24), OFF, "NQ 28/2026/QH16 Điều 2"),  # Ngày Văn hóa Việt Nam, no swap
]

# SPEC §6.1 rule 3, 2027 (CV 10065/VPCP-KGVX where announced; the rest BLLĐ Art 111-112).
EXPECTED_2027 = [
    (D(2027, 1, 1), OFF, "BLLĐ 2019 Điều 112(1)"),
    (D(2027, 2, 4), OFF, "CV 10065/VPCP-KGVX"),  # Tết off Thu 04/02-Wed 10/02 (7 days)
    (D(2027, 2, 5), OFF, "CV 10065/VPCP-KGVX"),
    (D(2027, 2, 6), OFF, "CV 10065/VPCP-KGVX"),
    (D(2027, 2, 7), OFF, "CV 10065/VPCP-KGVX"),
    (D(2027, 2, 8), OFF, "CV 10065/VPCP-KGVX"),
    (D(2027, 2, 9), OFF, "CV 10065/VPCP-KGVX"),
    (D(2027, 2, 10), OFF, "CV 10065/VPCP-KGVX"),
    (D(2027, 4, 16), OFF, "BLLĐ 2019 Điều 112(1)"),  # Giỗ Tổ, Fri
    (D(2027, 4, 30), OFF, "BLLĐ 2019 Điều 112(1)"),
    (D(2027, 5, 1), OFF, "BLLĐ 2019 Điều 112(1)"),  # Saturday ...
    (D(2027, 5, 3), OFF, "BLLĐ 2019 Điều 111(3)"),  # ... Monday off instead
    (D(2027, 9, 2), OFF, "CV 10065/VPCP-KGVX"),  # National Day Thu 02/09 ...
    (D(2027, 9, 3), OFF, "CV 10065/VPCP-KGVX"),  # ... Fri 03/09 the adjacent day
    (D(2027, 11, 24), OFF, "NQ 28/2026/QH16 Điều 2"),
]


def national(year: int) -> list[tuple[dt.date, str, str]]:
    rows = CalendarDay.objects.filter(province__isnull=True, day__year=year).order_by("day")
    return [(r.day, r.kind, r.legal_basis) for r in rows]


@pytest.fixture
def controller(make_user, committee):
    return make_user("kiemsoat", role=Role.PROCEDURE_CONTROLLER, agency_id=committee.pk)


def test_default_years_are_the_past_two_this_one_and_the_next_two():
    report = seed_calendars()
    assert report["years"] == [2024, 2025, 2026, 2027, 2028]
    assert sorted(CalendarYear.objects.values_list("year", flat=True)) == [2024, 2025, 2026, 2027, 2028]


def test_seeding_twice_creates_nothing_the_second_time():
    first = seed_calendars(range(2024, 2029))
    assert first["days"] == {"created": 77, "updated": 0, "unchanged": 0, "kept_manual": 0, "removed": 0}
    assert first["calendar_years"] == {
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "kept_manual": 0,
        "removed": 0,
    }
    second = seed_calendars(range(2024, 2029))
    assert second["days"] == {"created": 0, "updated": 0, "unchanged": 77, "kept_manual": 0, "removed": 0}
    assert second["calendar_years"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 5,
        "kept_manual": 0,
        "removed": 0,
    }
    assert CalendarDay.objects.count() == 77
    assert CalendarDay.history.count() == 77  # no history row for an unchanged day
    assert CalendarYear.objects.count() == 5


def test_2026_is_exactly_the_announced_civil_service_schedule():
    seed_calendars([2026])
    assert national(2026) == EXPECTED_2026
    makeup = CalendarDay.objects.get(day=D(2026, 1, 10))
    assert makeup.name_vi == "Ngày làm bù (cho ngày nghỉ 02/01/2026)"
    assert makeup.name_en == "Make-up working day (for the day off on 02/01/2026)"
    swapped = CalendarDay.objects.get(day=D(2026, 8, 31))
    assert swapped.name_vi == "Quốc khánh (nghỉ hoán đổi, làm bù thứ Bảy 22/08/2026)"
    assert swapped.name_en == "National Day (swapped day off; worked on Saturday 22/08/2026)"
    # Every day of Tết carries one name, so an explanation reads "14/02–22/02 (Tết Nguyên Đán)".
    tet = CalendarDay.objects.filter(day__range=(D(2026, 2, 16), D(2026, 2, 20)))
    assert set(tet.values_list("name_vi", "name_en")) == {("Tết Nguyên Đán", "Lunar New Year")}
    assert set(CalendarDay.objects.values_list("source", flat=True)) == {Source.SEED}


def test_2027_is_exactly_the_cross_cited_schedule():
    seed_calendars([2027])
    assert national(2027) == EXPECTED_2027


def test_swapped_saturdays_of_2024_and_2025_become_make_up_working_days():
    seed_calendars([2024, 2025])
    makeups = CalendarDay.objects.filter(kind=WORK).order_by("day")
    assert [(r.day, r.legal_basis) for r in makeups] == [
        (D(2024, 5, 4), "CV 2450/VPCP-KGVX"),  # for Mon 29/04/2024
        (D(2025, 4, 26), "CV 8726/VPCP-KGVX"),  # for Fri 02/05/2025
    ]
    assert CalendarDay.objects.get(day=D(2024, 4, 29)).kind == OFF
    assert CalendarDay.objects.get(day=D(2025, 5, 2)).kind == OFF


def test_years_without_an_announced_schedule_are_provisional():
    seed_calendars(range(2024, 2029))
    flags = dict(CalendarYear.objects.values_list("year", "is_provisional"))
    assert flags == {2024: False, 2025: False, 2026: False, 2027: True, 2028: True}
    assert CalendarYear.objects.get(year=2027).note.startswith("Một phần đã công bố (CV 10065/VPCP-KGVX)")


def test_manual_rows_and_years_survive_a_reseed(controller, province):
    seed_calendars([2026, 2027])
    set_calendar_day(
        actor=controller,
        province_code=None,
        day=D(2026, 11, 24),
        kind=OFF,
        name_vi="Ngày Văn hóa Việt Nam (đã sửa)",
        name_en="Vietnam Culture Day",
        legal_basis="NQ 28/2026/QH16 Điều 2; CV 10065/VPCP-KGVX",
    )
    set_year_status(actor=controller, province_code=None, year=2027, is_provisional=False, note="Đã công bố")
    report = seed_calendars([2026, 2027])
    assert report["days"] == {"created": 0, "updated": 0, "unchanged": 31, "kept_manual": 1, "removed": 0}
    assert report["calendar_years"]["kept_manual"] == 1
    row = CalendarDay.objects.get(province__isnull=True, day=D(2026, 11, 24))
    assert (row.name_vi, row.source) == ("Ngày Văn hóa Việt Nam (đã sửa)", Source.MANUAL)
    assert CalendarYear.objects.get(year=2027).is_provisional is False


def test_a_day_the_office_removed_is_not_brought_back(controller, province):
    seed_calendars([2027])
    remove_calendar_day(actor=controller, province_code=None, day=D(2027, 5, 3))
    report = seed_calendars([2027])
    assert report["days"]["created"] == 0
    assert report["days"]["kept_manual"] == 1
    assert not CalendarDay.objects.filter(day=D(2027, 5, 3)).exists()


def test_a_seed_row_out_of_step_is_refreshed_and_a_stale_one_removed():
    seed_calendars([2026])
    CalendarDay.objects.filter(day=D(2026, 2, 17)).update(legal_basis="sai")
    CalendarDay.objects.create(
        day=D(2026, 3, 3), kind=OFF, name_vi="Không có thật", legal_basis="x", source=Source.SEED
    )
    report = seed_calendars([2026])
    assert report["days"] == {"created": 0, "updated": 1, "unchanged": 16, "kept_manual": 0, "removed": 1}
    assert national(2026) == EXPECTED_2026


def test_province_rows_are_left_alone(province):
    CalendarDay.objects.create(
        province=province,
        day=D(2026, 3, 14),
        kind=WORK,
        name_vi="Làm bù",
        legal_basis="QĐ của UBND tỉnh",
        source=Source.SEED,
    )
    seed_calendars([2026])
    assert CalendarDay.objects.filter(province=province).count() == 1


def test_command_reports_the_counts():
    out = StringIO()
    call_command("seed_calendars", "--years", "2026-2027", stdout=out)
    assert out.getvalue().splitlines() == [
        "Calendars seeded for 2026–2027.",
        "  days:  created 32, updated 0, unchanged 0, kept_manual 0, removed 0",
        "  years: created 2, updated 0, unchanged 0, kept_manual 0, removed 0",
    ]


@pytest.mark.parametrize("text", ["20x6", "2028-2024", "1900-2100"])
def test_command_refuses_a_bad_range(text):
    with pytest.raises(CommandError):
        call_command("seed_calendars", "--years", text, stdout=StringIO())


def test_parse_years():
    assert parse_years("2024-2026") == [2024, 2025, 2026]
    assert parse_years("2027, 2025") == [2025, 2027]
