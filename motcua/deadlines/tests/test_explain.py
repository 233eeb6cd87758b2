"""The explanation printed on the receipt, word for word, in Vietnamese and English."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from motcua.deadlines.arithmetic import CalendarEntry, DayKind, TimeUnit, WorkingCalendar, due_date
from motcua.deadlines.explain import explain
from motcua.deadlines.tests.test_arithmetic import CAL, vn, vn_calendar

WD, CD, WH, SD, MO = (
    TimeUnit.WORKING_DAY,
    TimeUnit.CALENDAR_DAY,
    TimeUnit.WORKING_HOUR,
    TimeUnit.SAME_DAY,
    TimeUnit.MONTH,
)

CASES = [
    (
        "W1 Tết carry-over",
        vn(2026, 2, 13, 14),
        10,
        WD,
        "10 ngày làm việc kể từ 14:00 13/02/2026; không tính 14/02–22/02 (Tết Nguyên đán) và các ngày nghỉ "
        "cuối tuần; hạn trả kết quả 17:00 06/03/2026.",
        "10 working days from 14:00 13/02/2026, not counting 14/02–22/02 (Lunar New Year) and weekends; "
        "due 17:00 06/03/2026.",
    ),
    (
        "W2 calendar days moved off a weekend",
        vn(2026, 2, 13, 14),
        15,
        CD,
        "15 ngày kể từ 14:00 13/02/2026; ngày cuối 28/02/2026 rơi vào ngày nghỉ cuối tuần nên chuyển sang "
        "ngày làm việc tiếp theo; hạn trả kết quả 17:00 02/03/2026.",
        "15 calendar days from 14:00 13/02/2026, moved to the next working day because the last day "
        "28/02/2026 falls on a weekend day; due 17:00 02/03/2026.",
    ),
    (
        "W3 calendar days moved out of Tết",
        vn(2026, 1, 20, 9),
        30,
        CD,
        "30 ngày kể từ 09:00 20/01/2026; ngày cuối 19/02/2026 rơi vào ngày nghỉ Tết Nguyên đán nên chuyển "
        "sang ngày làm việc tiếp theo; hạn trả kết quả 17:00 23/02/2026.",
        "30 calendar days from 09:00 20/01/2026, moved to the next working day because the last day "
        "19/02/2026 falls on a day off for Lunar New Year; due 17:00 23/02/2026.",
    ),
    (
        "W5 two holiday runs, no plain weekend",
        vn(2026, 4, 24, 9),
        5,
        WD,
        "5 ngày làm việc kể từ 09:00 24/04/2026; không tính 25/04–27/04 (Giỗ Tổ Hùng Vương) và 30/04–03/05 "
        "(Ngày Giải phóng miền Nam, Quốc tế Lao động); hạn trả kết quả 17:00 06/05/2026.",
        "5 working days from 09:00 24/04/2026, not counting 25/04–27/04 (Hung Kings' Commemoration Day) and "
        "30/04–03/05 (Reunification Day, International Labour Day); due 17:00 06/05/2026.",
    ),
    (
        "W6 make-up Saturday",
        vn(2025, 12, 31, 9),
        7,
        WD,
        "7 ngày làm việc kể từ 09:00 31/12/2025; không tính 01/01–04/01 (Tết Dương lịch) và các ngày nghỉ "
        "cuối tuần; có tính ngày làm bù 10/01/2026; hạn trả kết quả 17:00 12/01/2026.",
        "7 working days from 09:00 31/12/2025, not counting 01/01–04/01 (New Year's Day) and weekends, "
        "counting the make-up working day 10/01/2026; due 17:00 12/01/2026.",
    ),
    (
        "W9 same day before the cut-off",
        vn(2026, 3, 5, 14, 50),
        1,
        SD,
        "Giải quyết trong ngày, tiếp nhận lúc 14:50 05/03/2026; trước 15:00 nên trả kết quả trong ngày; "
        "hạn trả kết quả 17:00 05/03/2026.",
        "Same-day procedure received at 14:50 05/03/2026, before the 15:00 cut-off so the result is given "
        "the same day; due 17:00 05/03/2026.",
    ),
    (
        "W9 same day after the cut-off",
        vn(2026, 3, 5, 15, 10),
        1,
        SD,
        "Giải quyết trong ngày, tiếp nhận lúc 15:10 05/03/2026; sau 15:00 nên trả kết quả vào ngày làm việc "
        "tiếp theo; hạn trả kết quả 17:00 06/03/2026.",
        "Same-day procedure received at 15:10 05/03/2026, after the 15:00 cut-off so the result is given "
        "the next working day; due 17:00 06/03/2026.",
    ),
    (
        "same day received on a Saturday",
        vn(2026, 3, 14, 9),
        1,
        SD,
        "Giải quyết trong ngày, tiếp nhận lúc 09:00 14/03/2026; vào ngày nghỉ cuối tuần nên trả kết quả vào "
        "ngày làm việc tiếp theo; hạn trả kết quả 17:00 16/03/2026.",
        "Same-day procedure received at 09:00 14/03/2026, on a weekend day so the result is given the next "
        "working day; due 17:00 16/03/2026.",
    ),
    (
        "W10 working hours",
        vn(2026, 3, 2, 15, 30),
        8,
        WH,
        "8 giờ làm việc kể từ 15:30 02/03/2026; chỉ tính giờ hành chính 07:00–11:30, 13:30–17:00 của ngày "
        "làm việc; hạn trả kết quả 15:30 03/03/2026.",
        "8 working hours from 15:30 02/03/2026, counting office hours 07:00–11:30 and 13:30–17:00 on "
        "working days only; due 15:30 03/03/2026.",
    ),
    (
        "working hours received in the evening",
        vn(2026, 3, 2, 18, 0),
        2,
        WH,
        "2 giờ làm việc kể từ 18:00 02/03/2026 (ngoài giờ làm việc, bắt đầu tính từ 07:00 03/03/2026); chỉ "
        "tính giờ hành chính 07:00–11:30, 13:30–17:00 của ngày làm việc; hạn trả kết quả 09:00 03/03/2026.",
        "2 working hours from 18:00 02/03/2026 (outside office hours: counting starts at 07:00 03/03/2026), "
        "counting office hours 07:00–11:30 and 13:30–17:00 on working days only; due 09:00 03/03/2026.",
    ),
    (
        "working hours over a weekend",
        vn(2026, 3, 6, 16, 0),
        2,
        WH,
        "2 giờ làm việc kể từ 16:00 06/03/2026; chỉ tính giờ hành chính 07:00–11:30, 13:30–17:00 của ngày "
        "làm việc; không tính các ngày nghỉ cuối tuần; hạn trả kết quả 08:00 09/03/2026.",
        "2 working hours from 16:00 06/03/2026, counting office hours 07:00–11:30 and 13:30–17:00 on "
        "working days only, not counting weekends; due 08:00 09/03/2026.",
    ),
    (
        "working hours received during Tết",
        vn(2026, 2, 15, 10, 0),
        2,
        WH,
        "2 giờ làm việc kể từ 10:00 15/02/2026 (ngày nghỉ Tết Nguyên đán, bắt đầu tính từ 07:00 23/02/2026); "
        "chỉ tính giờ hành chính 07:00–11:30, 13:30–17:00 của ngày làm việc; "
        "hạn trả kết quả 09:00 23/02/2026.",
        "2 working hours from 10:00 15/02/2026 (a day off for Lunar New Year: counting starts at 07:00 "
        "23/02/2026), counting office hours 07:00–11:30 and 13:30–17:00 on working days only; "
        "due 09:00 23/02/2026.",
    ),
    (
        "W11 received on a Saturday",
        vn(2026, 3, 14, 9),
        2,
        WD,
        "2 ngày làm việc kể từ 09:00 14/03/2026 (ngày nghỉ cuối tuần, tính từ ngày làm việc tiếp theo "
        "16/03/2026); hạn trả kết quả 17:00 17/03/2026.",
        "2 working days from 09:00 14/03/2026 (a weekend day: counting starts on the next working day, "
        "16/03/2026); due 17:00 17/03/2026.",
    ),
    (
        "received during Tết",
        vn(2026, 2, 17, 9),
        3,
        WD,
        "3 ngày làm việc kể từ 09:00 17/02/2026 (ngày nghỉ Tết Nguyên đán, tính từ ngày làm việc tiếp theo "
        "23/02/2026); hạn trả kết quả 17:00 25/02/2026.",
        "3 working days from 09:00 17/02/2026 (a day off for Lunar New Year: counting starts on the next "
        "working day, 23/02/2026); due 17:00 25/02/2026.",
    ),
    (
        "month without a corresponding day",
        vn(2026, 1, 31, 9),
        1,
        MO,
        "1 tháng kể từ 09:00 31/01/2026; tháng 02/2026 không có ngày 31 nên lấy ngày cuối tháng 28/02/2026; "
        "ngày cuối 28/02/2026 rơi vào ngày nghỉ cuối tuần nên chuyển sang ngày làm việc tiếp theo; hạn trả "
        "kết quả 17:00 02/03/2026.",
        "1 month from 09:00 31/01/2026, ending on 28/02/2026 as 02/2026 has no day 31, moved to the next "
        "working day because the last day 28/02/2026 falls on a weekend day; due 17:00 02/03/2026.",
    ),
    (
        "month on a working day",
        vn(2026, 3, 10, 9),
        1,
        MO,
        "1 tháng kể từ 09:00 10/03/2026; hạn trả kết quả 17:00 10/04/2026.",
        "1 month from 09:00 10/03/2026; due 17:00 10/04/2026.",
    ),
]


@pytest.mark.parametrize(
    ("received_at", "amount", "unit", "vi", "en"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_explanations(received_at: datetime, amount: int, unit: TimeUnit, vi: str, en: str) -> None:
    due = due_date(received_at=received_at, amount=amount, unit=unit, calendar=CAL)
    assert explain(due, CAL, language="vi") == vi
    assert explain(due, CAL, language="en") == en


def test_scenario_12_names_the_make_up_saturday() -> None:
    calendar = vn_calendar(makeup_14_03=True)
    due = due_date(received_at=vn(2026, 3, 13, 9), amount=2, unit=WD, calendar=calendar)
    assert explain(due, calendar, language="vi") == (
        "2 ngày làm việc kể từ 09:00 13/03/2026; không tính các ngày nghỉ cuối tuần; có tính ngày làm bù "
        "14/03/2026; hạn trả kết quả 17:00 16/03/2026."
    )


def test_several_make_up_days_and_cross_year_runs() -> None:
    entries = [
        CalendarEntry(date(2026, 12, 31), DayKind.DAY_OFF, "Nghỉ cuối năm", "Year-end day off"),
        CalendarEntry(date(2027, 1, 1), DayKind.DAY_OFF, "Tết Dương lịch", "New Year's Day"),
        CalendarEntry(date(2027, 1, 9), DayKind.MAKEUP_WORKDAY, "Làm bù", "Make-up day"),
        CalendarEntry(date(2027, 1, 16), DayKind.MAKEUP_WORKDAY, "Làm bù", "Make-up day"),
    ]
    calendar = WorkingCalendar(entries, date(2026, 12, 1), date(2027, 2, 28))
    due = due_date(received_at=vn(2026, 12, 30, 9), amount=12, unit=WD, calendar=calendar)
    assert explain(due, calendar, language="vi") == (
        "12 ngày làm việc kể từ 09:00 30/12/2026; không tính 31/12/2026–03/01/2027 (Nghỉ cuối năm, "
        "Tết Dương lịch) và các ngày nghỉ cuối tuần; có tính các ngày làm bù 09/01/2027 và 16/01/2027; "
        "hạn trả kết quả 17:00 16/01/2027."
    )
    assert explain(due, calendar, language="en") == (
        "12 working days from 09:00 30/12/2026, not counting 31/12/2026–03/01/2027 (Year-end day off, "
        "New Year's Day) and weekends, counting the make-up working days 09/01/2027 and 16/01/2027; "
        "due 17:00 16/01/2027."
    )


def test_provisional_calendar_year_is_announced() -> None:
    new_year_2028 = CalendarEntry(date(2028, 1, 1), DayKind.DAY_OFF, "Tết Dương lịch", "New Year's Day")
    calendar = vn_calendar(
        last_day=date(2028, 12, 31), extra=(new_year_2028,), provisional_years=frozenset({2028})
    )
    due = due_date(received_at=vn(2027, 12, 24, 10), amount=10, unit=WD, calendar=calendar)
    assert explain(due, calendar, language="vi") == (
        "10 ngày làm việc kể từ 10:00 24/12/2027; không tính 01/01–02/01 (Tết Dương lịch) và các ngày nghỉ "
        "cuối tuần; hạn trả kết quả 17:00 07/01/2028. Lịch năm 2028 là dự kiến nên hạn có thể thay đổi."
    )
    assert explain(due, calendar, language="en") == (
        "10 working days from 10:00 24/12/2027, not counting 01/01–02/01 (New Year's Day) and weekends; "
        "due 17:00 07/01/2028. The 2028 calendar is provisional; the due date may change."
    )
    both = vn_calendar(last_day=date(2028, 12, 31), provisional_years=frozenset({2027, 2028}))
    due = due_date(received_at=vn(2027, 12, 24, 10), amount=10, unit=WD, calendar=both)
    assert explain(due, both, language="en").endswith(
        "The 2027 and 2028 calendars are provisional; the due date may change."
    )


def test_language_tags() -> None:
    due = due_date(received_at=vn(2026, 3, 10, 9), amount=1, unit=MO, calendar=CAL)
    assert explain(due, CAL, language="en-GB") == "1 month from 09:00 10/03/2026; due 17:00 10/04/2026."
    assert (
        explain(due, CAL, language="vi-VN")
        == "1 tháng kể từ 09:00 10/03/2026; hạn trả kết quả 17:00 10/04/2026."
    )
    assert explain(due, CAL, language="fr") == explain(due, CAL, language="vi")


def test_one_working_day_is_singular_in_english() -> None:
    due = due_date(received_at=vn(2026, 3, 10, 9), amount=1, unit=WD, calendar=CAL)
    assert explain(due, CAL, language="en") == "1 working day from 09:00 10/03/2026; due 17:00 11/03/2026."
