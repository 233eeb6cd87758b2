"""How dates, times, amounts and counts are written on state documents."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from motcua.deadlines.arithmetic import Timeliness
from motcua.paperwork.formatting import (
    clock_time,
    count,
    issue_date,
    money,
    place_and_date,
    short_date,
    timeliness_label,
)
from motcua.paperwork.samples import vn


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 2, 13), "ngày 13 tháng 02 năm 2026"),  # month 2: leading zero (NĐ 30/2020)
        (date(2026, 1, 5), "ngày 05 tháng 01 năm 2026"),  # day < 10 and month 1: leading zeros
        (date(2026, 3, 5), "ngày 05 tháng 3 năm 2026"),  # March onwards: no zero before the month
        (date(2026, 9, 30), "ngày 30 tháng 9 năm 2026"),
        (date(2026, 12, 31), "ngày 31 tháng 12 năm 2026"),
    ],
)
def test_issue_date_follows_decree_30(day: date, expected: str) -> None:
    assert issue_date(day) == expected


def test_place_and_date() -> None:
    assert place_and_date("Hà Tĩnh", date(2026, 2, 13)) == "Hà Tĩnh, ngày 13 tháng 02 năm 2026"


def test_clock_time_prints_vietnam_time() -> None:
    assert clock_time(vn(2026, 2, 13, 14, 0)) == "14 giờ 00 phút, ngày 13/02/2026"
    # 07:05 UTC is 14:05 in Hà Tĩnh; 20:30 UTC on the 5th is already the 6th there.
    assert clock_time(datetime(2026, 2, 13, 7, 5, tzinfo=UTC)) == "14 giờ 05 phút, ngày 13/02/2026"
    assert clock_time(datetime(2026, 3, 5, 20, 30, tzinfo=UTC)) == "03 giờ 30 phút, ngày 06/03/2026"


def test_clock_time_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="naive"):
        clock_time(datetime(2026, 2, 13, 14, 0))


def test_short_date() -> None:
    assert short_date(date(2026, 3, 6)) == "06/03/2026"
    assert short_date(datetime(2026, 3, 5, 18, 0, tzinfo=UTC)) == "06/03/2026"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (30_000, "30.000 đồng"),
        (0, "0 đồng"),
        (250, "250 đồng"),
        (1_234_567, "1.234.567 đồng"),
        (Decimal("200000.00"), "200.000 đồng"),
    ],
)
def test_money(amount: int | Decimal, expected: str) -> None:
    assert money(amount) == expected


@pytest.mark.parametrize("amount", [Decimal("1.5"), -1])
def test_money_refuses_fractions_and_negatives(amount: int | Decimal) -> None:
    with pytest.raises(ValueError):
        money(amount)


def test_count_and_timeliness() -> None:
    assert count(1) == "01"
    assert count(185) == "185"
    assert timeliness_label(Timeliness.EARLY) == "Trước hạn"
    assert timeliness_label(Timeliness.ON_TIME) == "Đúng hạn"
    assert timeliness_label(Timeliness.LATE) == "Quá hạn"
    assert timeliness_label(None) == ""
