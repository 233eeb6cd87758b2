"""Due dates, calendars and classification against the worked examples of SPEC §6.3 and §11.

Pure tests: no database, no Django settings. ``vn_calendar()`` is the 2026 civil-service calendar of
SPEC §6.1 rule 3 (with the end of 2025 and 2027), shared by the other test modules of this folder.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from motcua.core.clock import VN_TZ
from motcua.core.errors import ValidationFailed
from motcua.deadlines.arithmetic import (
    DEFAULT_HOURS,
    CalendarEntry,
    CalendarRangeError,
    DayKind,
    Granularity,
    OfficeHours,
    Timeliness,
    TimeUnit,
    WorkingCalendar,
    add_months,
    add_working_time,
    classify,
    due_date,
    working_time_between,
)

OFF, MAKEUP = DayKind.DAY_OFF, DayKind.MAKEUP_WORKDAY
WD, CD, WH, SD, MO = (
    TimeUnit.WORKING_DAY,
    TimeUnit.CALENDAR_DAY,
    TimeUnit.WORKING_HOUR,
    TimeUnit.SAME_DAY,
    TimeUnit.MONTH,
)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def vn_entries(*, makeup_14_03: bool = False) -> list[CalendarEntry]:
    """SPEC §6.1 rule 3: the 2026 civil-service schedule, and 2027 as cross-cited there.

    Only the listed days carry entries; the weekends around them are plain weekends, so the
    explanation has to join them into one range named after the holiday.
    """
    new_year = ("Tết Dương lịch", "New Year's Day")
    tet = ("Tết Nguyên đán", "Lunar New Year")
    hung = ("Giỗ Tổ Hùng Vương", "Hung Kings' Commemoration Day")
    national = ("Quốc khánh", "National Day")
    culture = ("Ngày Văn hóa Việt Nam", "Vietnamese Culture Day")
    reunification = ("Ngày Giải phóng miền Nam", "Reunification Day")
    labour = ("Quốc tế Lao động", "International Labour Day")

    def off(d: date, names: tuple[str, str]) -> CalendarEntry:
        return CalendarEntry(d, OFF, *names)

    entries = [
        # 2026 (CV 12729/VPCP-KGVX): Thu 1/1 and Fri 2/1 off, Sat 10/1 worked.
        off(date(2026, 1, 1), new_year),
        off(date(2026, 1, 2), new_year),
        CalendarEntry(date(2026, 1, 10), MAKEUP, "Làm bù ngày 02/01", "Make-up working day for 02/01"),
        # Tết 16-20/02, off Sat 14/02-Sun 22/02 (TB 9441/TB-BNV).
        *(off(d, tet) for d in _days(date(2026, 2, 16), date(2026, 2, 20))),
        # Giỗ Tổ on Sun 26/04 → Mon 27/04 off (BLLD Art 111(3)).
        off(date(2026, 4, 26), hung),
        off(date(2026, 4, 27), hung),
        # Thu 30/04 and Fri 01/05 off, no swap (CV 3383/BNV-CVL).
        off(date(2026, 4, 30), reunification),
        off(date(2026, 5, 1), labour),
        # National Day off Sat 29/08-Wed 02/09, Mon 31/08 swapped for Sat 22/08.
        CalendarEntry(date(2026, 8, 22), MAKEUP, "Làm bù ngày 31/08", "Make-up working day for 31/08"),
        *(off(d, national) for d in _days(date(2026, 8, 31), date(2026, 9, 2))),
        # NQ 28/2026/QH16 Art 2.
        off(date(2026, 11, 24), culture),
        # 2027 (CV 10065/VPCP-KGVX as cross-cited; 30/4-1/5 inferred).
        off(date(2027, 1, 1), new_year),
        *(off(d, tet) for d in _days(date(2027, 2, 4), date(2027, 2, 10))),
        off(date(2027, 4, 16), hung),
        off(date(2027, 4, 30), reunification),
        off(date(2027, 5, 1), labour),
        off(date(2027, 5, 3), labour),
        off(date(2027, 9, 2), national),
        off(date(2027, 9, 3), national),
        off(date(2027, 11, 24), culture),
    ]
    if makeup_14_03:
        entries.append(
            CalendarEntry(date(2026, 3, 14), MAKEUP, "Làm bù (lịch tỉnh)", "Make-up working day (province)")
        )
    return entries


def vn_calendar(
    *,
    makeup_14_03: bool = False,
    last_day: date = date(2027, 12, 31),
    extra: tuple[CalendarEntry, ...] = (),
    provisional_years: frozenset[int] = frozenset(),
) -> WorkingCalendar:
    return WorkingCalendar(
        [*vn_entries(makeup_14_03=makeup_14_03), *extra],
        date(2025, 12, 1),
        last_day,
        provisional_years=provisional_years,
    )


CAL = vn_calendar()


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


def code_of(excinfo: pytest.ExceptionInfo[ValidationFailed]) -> str:
    return excinfo.value.code


# --------------------------------------------------------------------------------------------------
# The worked examples, one table
# --------------------------------------------------------------------------------------------------

CASES = [
    # (name, received_at, amount, unit, expected due_at)
    ("W1/S1 Tết carry-over", vn(2026, 2, 13, 14), 10, WD, vn(2026, 3, 6, 17)),
    ("W2/S8 calendar days over a weekend", vn(2026, 2, 13, 14), 15, CD, vn(2026, 3, 2, 17)),
    ("W3/S9 calendar days into Tết", vn(2026, 1, 20, 9), 30, CD, vn(2026, 2, 23, 17)),
    ("W4/S10 April-May holidays", vn(2026, 4, 29, 10), 3, WD, vn(2026, 5, 6, 17)),
    ("W5/S11 make-up day off for Giỗ Tổ", vn(2026, 4, 24, 9), 5, WD, vn(2026, 5, 6, 17)),
    ("W6 New Year with Sat 10/01 worked", vn(2025, 12, 31, 9), 7, WD, vn(2026, 1, 12, 17)),
    ("W7 original due", vn(2026, 3, 2, 9), 10, WD, vn(2026, 3, 16, 17)),
    ("W7/S13 restart from the supplement", vn(2026, 3, 10, 10), 10, WD, vn(2026, 3, 24, 17)),
    ("W7 pause: 8 days remain", vn(2026, 3, 10, 10), 8, WD, vn(2026, 3, 20, 17)),
    ("W8/S16 five working days", vn(2026, 3, 9, 9), 5, WD, vn(2026, 3, 16, 17)),
    ("W9/S7 same day before 15:00", vn(2026, 3, 5, 14, 50), 1, SD, vn(2026, 3, 5, 17)),
    ("W9/S7 same day after 15:00", vn(2026, 3, 5, 15, 10), 1, SD, vn(2026, 3, 6, 17)),
    ("W10 eight working hours", vn(2026, 3, 2, 15, 30), 8, WH, vn(2026, 3, 3, 15, 30)),
    ("W11 accepted on a Saturday", vn(2026, 3, 14, 9), 2, WD, vn(2026, 3, 17, 17)),
    ("S12 without the make-up Saturday", vn(2026, 3, 13, 9), 2, WD, vn(2026, 3, 17, 17)),
    ("S28 PAKN transfer, 5 wd", vn(2026, 3, 2, 9), 5, WD, vn(2026, 3, 9, 17)),
    ("S28 PAKN refusal, 2 wd", vn(2026, 3, 2, 9), 2, WD, vn(2026, 3, 4, 17)),
    ("S28 PAKN resolution, 15 wd", vn(2026, 3, 2, 9), 15, WD, vn(2026, 3, 23, 17)),
    ("National Day 2026: Sat 22/08 worked", vn(2026, 8, 20, 9), 2, WD, vn(2026, 8, 22, 17)),
    ("National Day 2026: 29/08-02/09 off", vn(2026, 8, 28, 9), 1, WD, vn(2026, 9, 3, 17)),
    ("Culture Day 24/11/2026", vn(2026, 11, 23, 9), 1, WD, vn(2026, 11, 25, 17)),
    ("Tết 2027", vn(2027, 2, 3, 9), 1, WD, vn(2027, 2, 11, 17)),
    ("Labour Day 2027 in lieu", vn(2027, 4, 29, 9), 2, WD, vn(2027, 5, 5, 17)),
    ("receipt given in UTC", datetime(2026, 2, 13, 7, 0, tzinfo=UTC), 10, WD, vn(2026, 3, 6, 17)),
    ("UTC evening is the next local day", datetime(2026, 3, 4, 20, 0, tzinfo=UTC), 1, SD, vn(2026, 3, 5, 17)),
    ("zero working days on a working day", vn(2026, 3, 5, 16), 0, WD, vn(2026, 3, 5, 17)),
    ("zero working days on a Saturday", vn(2026, 3, 14, 9), 0, WD, vn(2026, 3, 16, 17)),
    ("same day received on a Saturday", vn(2026, 3, 14, 9), 1, SD, vn(2026, 3, 16, 17)),
    ("same day received on Tết eve after cut-off", vn(2026, 2, 13, 15, 0), 0, SD, vn(2026, 2, 23, 17)),
    ("hours: receipt at lunch snaps to 13:30", vn(2026, 3, 2, 12, 0), 2, WH, vn(2026, 3, 2, 15, 30)),
    ("hours: Friday afternoon into Monday", vn(2026, 3, 6, 16, 0), 2, WH, vn(2026, 3, 9, 8, 0)),
    ("hours: Saturday receipt starts Monday 07:00", vn(2026, 3, 14, 10, 0), 4, WH, vn(2026, 3, 16, 11, 0)),
    ("hours: a whole day ends at 17:00, not 07:00", vn(2026, 3, 2, 7, 0), 8, WH, vn(2026, 3, 2, 17, 0)),
    ("hours: 80 h = ten full days", vn(2026, 3, 2, 7, 0), 80, WH, vn(2026, 3, 13, 17, 0)),
    ("hours: across Tết", vn(2026, 2, 13, 16, 0), 2, WH, vn(2026, 2, 23, 8, 0)),
    ("hours: evening receipt, zero hours", vn(2026, 3, 2, 18, 0), 0, WH, vn(2026, 3, 3, 7, 0)),
    ("month: 31/01 + 1 → 28/02 (Sat) → Mon 02/03", vn(2026, 1, 31, 9), 1, MO, vn(2026, 3, 2, 17)),
    ("month: 31/03 + 1 → 30/04 off → Mon 04/05", vn(2026, 3, 31, 9), 1, MO, vn(2026, 5, 4, 17)),
    ("month: 15/01 + 1 → 15/02 in Tết → 23/02", vn(2026, 1, 15, 9), 1, MO, vn(2026, 2, 23, 17)),
    ("month: 31/12/2025 + 2 → 28/02/2026 → 02/03", vn(2025, 12, 31, 9), 2, MO, vn(2026, 3, 2, 17)),
    ("month: 30/06/2026 + 12 → Wed 30/06/2027", vn(2026, 6, 30, 9), 12, MO, vn(2027, 6, 30, 17)),
    ("month: 10/03 + 1 → Fri 10/04", vn(2026, 3, 10, 9), 1, MO, vn(2026, 4, 10, 17)),
]


@pytest.mark.parametrize(
    ("received_at", "amount", "unit", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_due_date_worked_examples(
    received_at: datetime, amount: int, unit: TimeUnit, expected: datetime
) -> None:
    due = due_date(received_at=received_at, amount=amount, unit=unit, calendar=CAL)
    assert due.due_at == expected
    assert due.due_at.utcoffset() == timedelta(hours=7)
    assert due.last_day == expected.date()


def test_w1_due_records_the_path() -> None:
    due = due_date(received_at=vn(2026, 2, 13, 14), amount=10, unit=WD, calendar=CAL)
    assert due.start_day == date(2026, 2, 23)
    assert due.nominal_day == due.last_day == date(2026, 3, 6)
    assert due.skipped == (*_days(date(2026, 2, 14), date(2026, 2, 22)), date(2026, 2, 28), date(2026, 3, 1))
    named = [d.day for d in due.skipped_days_off() if d.entry is not None]
    assert named == _days(date(2026, 2, 16), date(2026, 2, 20))


def test_w2_skips_only_the_days_that_moved_the_deadline() -> None:
    due = due_date(received_at=vn(2026, 2, 13, 14), amount=15, unit=CD, calendar=CAL)
    assert due.start_day == date(2026, 2, 14)
    assert due.nominal_day == date(2026, 2, 28)
    assert due.skipped == (date(2026, 2, 28), date(2026, 3, 1))


def test_scenario_12_with_the_make_up_saturday() -> None:
    received = vn(2026, 3, 13, 9)
    with_makeup = vn_calendar(makeup_14_03=True)
    due = due_date(received_at=received, amount=2, unit=WD, calendar=with_makeup)
    assert due.due_at == vn(2026, 3, 16, 17)
    assert due.start_day == date(2026, 3, 14)  # Sat 14/03 counts as day 1
    without = due_date(received_at=received, amount=2, unit=WD, calendar=CAL)
    assert without.due_at == vn(2026, 3, 17, 17)


def test_w9_cutoff_is_exclusive_and_configurable() -> None:
    at_cutoff = due_date(received_at=vn(2026, 3, 5, 15, 0), amount=1, unit=SD, calendar=CAL)
    assert at_cutoff.due_at == vn(2026, 3, 6, 17)
    one_before = due_date(
        received_at=vn(2026, 3, 5, 14, 59) + timedelta(seconds=59), amount=1, unit=SD, calendar=CAL
    )
    assert one_before.due_at == vn(2026, 3, 5, 17)
    late_cutoff = due_date(
        received_at=vn(2026, 3, 5, 15, 10), amount=1, unit=SD, calendar=CAL, cutoff=time(16)
    )
    assert late_cutoff.due_at == vn(2026, 3, 5, 17)


def test_due_on_a_make_up_saturday_closes_at_monday_time() -> None:
    friday_short = OfficeHours(
        (
            ((time(7), time(11, 30)), (time(13, 30), time(17))),
            ((time(7), time(11, 30)), (time(13, 30), time(17))),
            ((time(7), time(11, 30)), (time(13, 30), time(17))),
            ((time(7), time(11, 30)), (time(13, 30), time(17))),
            ((time(7), time(11, 30)),),
        )
    )
    due = due_date(received_at=vn(2026, 1, 8, 9), amount=2, unit=WD, calendar=CAL, hours=friday_short)
    assert due.due_at == vn(2026, 1, 10, 17)  # Sat 10/01 is worked as a Monday
    friday = due_date(received_at=vn(2026, 1, 8, 9), amount=1, unit=WD, calendar=CAL, hours=friday_short)
    assert friday.due_at == vn(2026, 1, 9, 11, 30)


def test_hours_with_uneven_days_walk_day_by_day() -> None:
    uneven = OfficeHours(
        (
            ((time(8), time(12)), (time(13), time(17))),
            ((time(8), time(12)), (time(13), time(17))),
            ((time(8), time(12)), (time(13), time(17))),
            ((time(8), time(12)), (time(13), time(17))),
            ((time(8), time(12)),),
        )
    )
    # Thu 05/03 8 h, Fri 06/03 4 h, Mon 09/03 8 h, Tue 10/03 2 h → 22 h ends Tue 10:00.
    due = due_date(received_at=vn(2026, 3, 5, 7), amount=22, unit=WH, calendar=CAL, hours=uneven)
    assert due.due_at == vn(2026, 3, 10, 10)


def test_due_is_equal_for_equal_inputs_and_prints_briefly() -> None:
    a = due_date(received_at=vn(2026, 2, 13, 14), amount=10, unit=WD, calendar=CAL)
    b = due_date(received_at=vn(2026, 2, 13, 14), amount=10, unit=WD, calendar=CAL)
    assert a == b
    assert repr(a) == (
        "Due(due_at=2026-03-06T17:00:00+07:00, unit=working_day, amount=10, "
        "received_at=2026-02-13T14:00:00+07:00, start_day=2026-02-23, nominal_day=2026-03-06, "
        "last_day=2026-03-06)"
    )


def test_unit_may_be_given_as_its_value() -> None:
    due = due_date(received_at=vn(2026, 2, 13, 14), amount=10, unit="working_day", calendar=CAL)  # type: ignore[arg-type]
    assert due.unit is TimeUnit.WORKING_DAY
    assert due.due_at == vn(2026, 3, 6, 17)


# --------------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------------

BAD = [
    ("naive datetime", datetime(2026, 3, 2, 9), 10, WD, "naive_datetime", "received_at"),
    ("a date, not a datetime", date(2026, 3, 2), 10, WD, "naive_datetime", "received_at"),
    ("negative working days", vn(2026, 3, 2, 9), -1, WD, "negative_amount", "amount"),
    ("negative hours", vn(2026, 3, 2, 9), -8, WH, "negative_amount", "amount"),
    ("too many working days", vn(2026, 3, 2, 9), 2601, WD, "amount_too_large", "amount"),
    ("too many calendar days", vn(2026, 3, 2, 9), 3651, CD, "amount_too_large", "amount"),
    ("too many months", vn(2026, 3, 2, 9), 121, MO, "amount_too_large", "amount"),
    ("too many hours", vn(2026, 3, 2, 9), 20801, WH, "amount_too_large", "amount"),
    ("same day takes 0 or 1", vn(2026, 3, 2, 9), 2, SD, "amount_too_large", "amount"),
    ("a bool is not an amount", vn(2026, 3, 2, 9), True, WD, "invalid_amount", "amount"),
    ("a float is not an amount", vn(2026, 3, 2, 9), 1.5, WD, "invalid_amount", "amount"),
    ("unknown unit", vn(2026, 3, 2, 9), 1, "fortnight", "unknown_unit", "unit"),
    ("received before the calendar", vn(2025, 6, 2, 9), 1, WD, "date_out_of_calendar_range", "received_at"),
    ("received after the calendar", vn(2028, 1, 3, 9), 1, CD, "date_out_of_calendar_range", "received_at"),
    ("same day after the calendar", vn(2028, 1, 3, 9), 1, SD, "date_out_of_calendar_range", "received_at"),
    ("hours after the calendar", vn(2028, 1, 3, 9), 1, WH, "date_out_of_calendar_range", "received_at"),
    ("months after the calendar", vn(2028, 1, 3, 9), 1, MO, "date_out_of_calendar_range", "received_at"),
    (
        "working days run past the calendar",
        vn(2027, 12, 1, 9),
        2600,
        WD,
        "date_out_of_calendar_range",
        "amount",
    ),
    (
        "calendar days run past the calendar",
        vn(2027, 12, 1, 9),
        3650,
        CD,
        "date_out_of_calendar_range",
        "amount",
    ),
    ("months run past the calendar", vn(2027, 12, 1, 9), 120, MO, "date_out_of_calendar_range", "amount"),
    ("hours run past the calendar", vn(2027, 12, 1, 9), 20800, WH, "date_out_of_calendar_range", "amount"),
    ("same day on the last day", vn(2027, 12, 31, 16), 1, SD, "date_out_of_calendar_range", "amount"),
]


@pytest.mark.parametrize(
    ("received_at", "amount", "unit", "code", "field"), [b[1:] for b in BAD], ids=[b[0] for b in BAD]
)
def test_bad_input_is_refused_with_a_stable_code(
    received_at: datetime, amount: int, unit: TimeUnit, code: str, field: str
) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        due_date(received_at=received_at, amount=amount, unit=unit, calendar=CAL)
    assert excinfo.value.code == code
    assert excinfo.value.field == field
    assert excinfo.value.message_vi and excinfo.value.message_en
    assert excinfo.value.message_vi != excinfo.value.message_en


def test_out_of_range_error_names_the_date_and_the_range() -> None:
    with pytest.raises(CalendarRangeError) as excinfo:
        due_date(received_at=vn(2025, 6, 2, 9), amount=1, unit=WD, calendar=CAL)
    error = excinfo.value
    assert isinstance(error, ValidationFailed)
    assert error.code == "date_out_of_calendar_range"
    assert error.message_vi == (
        "Ngày 02/06/2025 nằm ngoài lịch làm việc đã khai báo (01/12/2025–31/12/2027); "
        "cần khai báo lịch năm 2025 trước khi tính hạn."
    )
    assert error.message_en == (
        "The date 02/06/2025 is outside the declared working calendar (01/12/2025–31/12/2027); "
        "declare the 2025 calendar before computing deadlines."
    )


def test_negative_amount_message() -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        due_date(received_at=vn(2026, 3, 2, 9), amount=-3, unit=WD, calendar=CAL)
    assert excinfo.value.message_vi == "Thời hạn không được âm (-3 ngày làm việc)."
    assert excinfo.value.message_en == "The time limit must not be negative (-3 working_day)."


def test_amounts_at_the_limit_are_accepted() -> None:
    long_calendar = WorkingCalendar([], date(2020, 1, 1), date(2040, 12, 31))
    received = vn(2026, 3, 2, 9)
    for unit, amount in ((WD, 2600), (CD, 3650), (MO, 120), (WH, 20800), (SD, 0), (SD, 1)):
        due = due_date(received_at=received, amount=amount, unit=unit, calendar=long_calendar)
        assert due.due_at > received or unit is SD
    assert due_date(received_at=received, amount=120, unit=MO, calendar=long_calendar).due_at == vn(
        2036, 3, 3, 17
    )


# --------------------------------------------------------------------------------------------------
# The calendar
# --------------------------------------------------------------------------------------------------


def test_working_days_follow_spec_6_2() -> None:
    assert CAL.is_working(date(2026, 3, 2))  # Monday
    assert not CAL.is_working(date(2026, 3, 7))  # Saturday
    assert not CAL.is_working(date(2026, 2, 18))  # Tết
    assert CAL.is_working(date(2026, 1, 10))  # swapped Saturday
    assert not CAL.is_working(date(2026, 8, 31))  # swapped Monday


def test_calendar_navigation() -> None:
    assert CAL.next_working(date(2026, 2, 13)) == date(2026, 2, 23)
    assert CAL.next_working(date(2026, 1, 9)) == date(2026, 1, 10)
    assert CAL.previous_working(date(2026, 2, 23)) == date(2026, 2, 13)
    assert CAL.previous_working(date(2026, 2, 18)) == date(2026, 2, 13)
    assert CAL.working_on_or_after(date(2026, 2, 18)) == date(2026, 2, 23)
    assert CAL.working_on_or_after(date(2026, 2, 13)) == date(2026, 2, 13)
    assert CAL.add_working_days(date(2026, 2, 13), 0) == date(2026, 2, 13)
    assert CAL.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert CAL.add_working_days(date(2025, 12, 31), 6) == date(2026, 1, 10)


def test_working_days_between_is_half_open_and_signed() -> None:
    assert CAL.working_days_between(date(2026, 3, 2), date(2026, 3, 4)) == 2  # W7: Tue, Wed
    assert CAL.working_days_between(date(2026, 3, 4), date(2026, 3, 2)) == -2
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 22)) == 0
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 3, 6)) == 10
    assert CAL.working_days_between(date(2026, 3, 2), date(2026, 3, 2)) == 0


def test_days_off_between_names_holidays_and_weekends() -> None:
    days = CAL.days_off_between(date(2026, 4, 29), date(2026, 5, 4))
    assert [d.day for d in days] == _days(date(2026, 4, 30), date(2026, 5, 3))
    assert [d.entry.name_en if d.entry else None for d in days] == [
        "Reunification Day",
        "International Labour Day",
        None,
        None,
    ]
    assert [d.is_weekend for d in days] == [False, False, True, True]
    assert CAL.days_off_between(date(2026, 3, 2), date(2026, 3, 6)) == ()


def test_makeup_days_and_entries() -> None:
    assert [e.day for e in CAL.makeup_days_between(date(2025, 12, 31), date(2026, 1, 12))] == [
        date(2026, 1, 10)
    ]
    assert CAL.makeup_days_between(date(2026, 1, 10), date(2026, 1, 12)) == ()
    assert [e.day for e in CAL.makeup_days_from(date(2026, 1, 10), date(2026, 1, 10))] == [date(2026, 1, 10)]
    entry = CAL.entry(date(2026, 2, 17))
    assert entry is not None and entry.name_vi == "Tết Nguyên đán" and entry.kind is OFF
    assert CAL.entry(date(2026, 2, 14)) is None


def test_provisional_years() -> None:
    calendar = vn_calendar(provisional_years=frozenset({2027}))
    assert calendar.is_provisional(date(2027, 5, 3))
    assert not calendar.is_provisional(date(2026, 5, 4))
    assert not CAL.is_provisional(date(2027, 5, 3))


@pytest.mark.parametrize(
    "call",
    [
        lambda: CAL.is_working(date(2025, 11, 30)),
        lambda: CAL.next_working(date(2027, 12, 31)),
        lambda: CAL.previous_working(date(2025, 12, 1)),
        lambda: CAL.add_working_days(date(2028, 1, 1), 1),
        lambda: CAL.working_days_between(date(2026, 1, 1), date(2028, 1, 1)),
        lambda: CAL.days_off_between(date(2025, 1, 1), date(2026, 1, 1)),
        lambda: CAL.entry(date(2030, 1, 1)),
        lambda: CAL.working_on_or_after(date(2027, 12, 31) + timedelta(days=1)),
    ],
)
def test_calendar_refuses_dates_outside_its_range(call: object) -> None:
    with pytest.raises(CalendarRangeError) as excinfo:
        call()  # type: ignore[operator]
    assert excinfo.value.code == "date_out_of_calendar_range"


def test_calendar_construction_is_checked() -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        WorkingCalendar([], date(2026, 1, 2), date(2026, 1, 1))
    assert excinfo.value.code == "invalid_calendar_range"
    clash = [
        CalendarEntry(date(2026, 1, 1), OFF, "Tết Dương lịch", "New Year's Day"),
        CalendarEntry(date(2026, 1, 1), MAKEUP, "Làm bù", "Make-up day"),
    ]
    with pytest.raises(ValidationFailed) as excinfo:
        WorkingCalendar(clash, date(2026, 1, 1), date(2026, 12, 31))
    assert excinfo.value.code == "duplicate_calendar_entry"
    same_twice = [clash[0], clash[0]]
    assert not WorkingCalendar(same_twice, date(2026, 1, 1), date(2026, 12, 31)).is_working(date(2026, 1, 1))
    with pytest.raises(ValidationFailed) as excinfo:
        CAL.add_working_days(date(2026, 1, 5), -1)
    assert excinfo.value.code == "negative_amount"


def test_add_months_follows_blds_148_3() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 5, 15), 0) == date(2026, 5, 15)
    assert add_months(date(2026, 12, 31), 12) == date(2027, 12, 31)


# --------------------------------------------------------------------------------------------------
# Office hours and working time
# --------------------------------------------------------------------------------------------------


def test_office_hours_windows() -> None:
    monday = ((time(7), time(11, 30)), (time(13, 30), time(17)))
    assert DEFAULT_HOURS.windows_for(date(2026, 3, 2), CAL) == monday
    assert DEFAULT_HOURS.windows_for(date(2026, 3, 7), CAL) == ()  # Saturday
    assert DEFAULT_HOURS.windows_for(date(2026, 2, 17), CAL) == ()  # Tết
    assert DEFAULT_HOURS.windows_for(date(2026, 1, 10), CAL) == monday  # make-up Saturday
    assert DEFAULT_HOURS.end_of_day(date(2026, 3, 6)) == time(17)
    assert OfficeHours.uniform(monday) == DEFAULT_HOURS


@pytest.mark.parametrize(
    "weekdays",
    [
        (((time(7), time(11)),),) * 4,
        (((time(7), time(11)),),) * 4 + ((),),
        (((time(11), time(7)),),) * 5,
        (((time(7), time(12)), (time(11), time(17))),) * 5,
        (((time(7, tzinfo=VN_TZ), time(11)),),) * 5,
    ],
)
def test_office_hours_are_checked(weekdays: tuple[tuple[tuple[time, time], ...], ...]) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        OfficeHours(weekdays)
    assert excinfo.value.code == "invalid_office_hours"


def test_working_time_between_and_add_working_time_agree() -> None:
    start, end = vn(2026, 3, 2, 15, 30), vn(2026, 3, 3, 15, 30)
    assert working_time_between(start, end, CAL) == timedelta(hours=8)
    assert working_time_between(end, start, CAL) == timedelta(hours=-8)
    assert working_time_between(vn(2026, 2, 13, 16), vn(2026, 2, 23, 8), CAL) == timedelta(hours=2)
    assert working_time_between(vn(2026, 3, 2, 12), vn(2026, 3, 2, 13), CAL) == timedelta(0)
    assert working_time_between(vn(2026, 3, 2, 7), vn(2026, 3, 16, 7), CAL) == timedelta(hours=80)
    assert add_working_time(start, timedelta(hours=8), CAL) == end
    assert add_working_time(vn(2026, 3, 2, 11), timedelta(minutes=45), CAL) == vn(2026, 3, 2, 13, 45)
    with pytest.raises(ValidationFailed) as excinfo:
        add_working_time(start, timedelta(hours=-1), CAL)
    assert excinfo.value.code == "negative_amount"


# --------------------------------------------------------------------------------------------------
# Early / on time / late (W12, scenario 18)
# --------------------------------------------------------------------------------------------------

W12_DUE = vn(2026, 3, 6, 17)


@pytest.mark.parametrize(
    ("finished_at", "expected"),
    [
        (vn(2026, 3, 5, 16), Timeliness.EARLY),
        (vn(2026, 3, 6, 16, 40), Timeliness.ON_TIME),
        (vn(2026, 3, 6, 7, 0), Timeliness.ON_TIME),
        (vn(2026, 3, 6, 18, 0), Timeliness.ON_TIME),  # day granularity: the due date, whatever the hour
        (vn(2026, 3, 9, 8), Timeliness.LATE),
        (datetime(2026, 3, 5, 17, 30, tzinfo=UTC), Timeliness.ON_TIME),  # 00:30 on Fri 06/03 local
    ],
)
def test_w12_day_granularity(finished_at: datetime, expected: Timeliness) -> None:
    assert classify(finished_at=finished_at, due_at=W12_DUE) is expected


@pytest.mark.parametrize(
    ("finished_at", "due_at", "expected"),
    [
        (vn(2026, 3, 6, 13, 0), W12_DUE, Timeliness.EARLY),  # before the afternoon session opens
        (vn(2026, 3, 6, 13, 30), W12_DUE, Timeliness.ON_TIME),
        (vn(2026, 3, 6, 16, 40), W12_DUE, Timeliness.ON_TIME),
        (vn(2026, 3, 6, 17, 0), W12_DUE, Timeliness.ON_TIME),
        (vn(2026, 3, 6, 17, 1), W12_DUE, Timeliness.LATE),
        (vn(2026, 3, 5, 16), W12_DUE, Timeliness.EARLY),
        (vn(2026, 3, 3, 6, 59), vn(2026, 3, 3, 10, 0), Timeliness.EARLY),
        (vn(2026, 3, 3, 7, 0), vn(2026, 3, 3, 10, 0), Timeliness.ON_TIME),
        (vn(2026, 3, 3, 11, 30), vn(2026, 3, 3, 11, 30), Timeliness.ON_TIME),
        (vn(2026, 3, 3, 5, 0), vn(2026, 3, 3, 6, 0), Timeliness.ON_TIME),  # due before any window
    ],
)
def test_session_granularity(finished_at: datetime, due_at: datetime, expected: Timeliness) -> None:
    assert classify(finished_at=finished_at, due_at=due_at, granularity=Granularity.SESSION) is expected


def test_classify_refuses_naive_datetimes() -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        classify(finished_at=datetime(2026, 3, 5, 16), due_at=W12_DUE)
    assert (excinfo.value.code, excinfo.value.field) == ("naive_datetime", "finished_at")
    with pytest.raises(ValidationFailed) as excinfo:
        classify(finished_at=W12_DUE, due_at=datetime(2026, 3, 6, 17))
    assert (excinfo.value.code, excinfo.value.field) == ("naive_datetime", "due_at")
