"""Reporting periods and their refusals (end before start, over 10 years, nonsense)."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.core.errors import ValidationFailed
from motcua.reports.scope import Period, Scope

TODAY = dt.date(2026, 5, 14)


@pytest.mark.parametrize(
    ("params", "start", "end", "kind"),
    [
        ({}, dt.date(2026, 5, 1), dt.date(2026, 5, 31), "month"),
        (
            {"period": "month", "year": "2026", "number": "2"},
            dt.date(2026, 2, 1),
            dt.date(2026, 2, 28),
            "month",
        ),
        (
            {"period": "month", "year": "2024", "number": "2"},
            dt.date(2024, 2, 1),
            dt.date(2024, 2, 29),
            "month",
        ),
        (
            {"period": "month", "year": "2026", "number": "12"},
            dt.date(2026, 12, 1),
            dt.date(2026, 12, 31),
            "month",
        ),
        (
            {"period": "quarter", "year": "2026", "number": "1"},
            dt.date(2026, 1, 1),
            dt.date(2026, 3, 31),
            "quarter",
        ),
        ({"period": "quarter"}, dt.date(2026, 4, 1), dt.date(2026, 6, 30), "quarter"),
        (
            {"period": "half", "year": "2026", "number": "2"},
            dt.date(2026, 7, 1),
            dt.date(2026, 12, 31),
            "half",
        ),
        ({"period": "year", "year": "2025"}, dt.date(2025, 1, 1), dt.date(2025, 12, 31), "year"),
        (
            {"period": "custom", "start": "2026-03-02", "end": "2026-03-02"},
            dt.date(2026, 3, 2),
            dt.date(2026, 3, 2),
            "custom",
        ),
    ],
)
def test_parse(params, start, end, kind):
    period = Period.parse(params, today=TODAY)
    assert (period.start, period.end, period.kind) == (start, end, kind)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"period": "custom", "start": "2026-03-31", "end": "2026-03-01"}, "period_end_before_start"),
        ({"period": "custom", "start": "2010-01-01", "end": "2020-01-02"}, "period_too_long"),
        ({"period": "custom", "start": "2026-02-30", "end": "2026-03-01"}, "period_date_invalid"),
        ({"period": "week"}, "period_kind_unknown"),
        ({"period": "quarter", "number": "5"}, "period_number_invalid"),
        ({"period": "month", "number": "0"}, "period_number_invalid"),
        ({"period": "year", "year": "1900"}, "period_year_invalid"),
        ({"period": "year", "year": "abc"}, "number_invalid"),
    ],
)
def test_impossible_periods_are_refused(params, code):
    with pytest.raises(ValidationFailed) as refused:
        Period.parse(params, today=TODAY)
    assert refused.value.code == code
    assert refused.value.message_vi and refused.value.message_en != refused.value.message_vi


def test_ten_years_exactly_is_allowed():
    period = Period(dt.date(2016, 1, 1), dt.date(2026, 1, 1))
    assert period.end == dt.date(2026, 1, 1)


def test_months_of_a_quarter_for_trends():
    months = Period.quarter(2026, 1).months()
    assert [(m.start, m.end) for m in months] == [
        (dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
        (dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        (dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
    ]


def test_labels():
    assert Period.quarter(2026, 1).label("vi") == "Quý 1/2026"
    assert Period.quarter(2026, 1).label("en") == "Q1 2026"
    assert Period.month(2026, 3).label("vi") == "Tháng 03/2026"
    assert Period.half(2026, 1).label("vi") == "6 tháng đầu năm 2026"


def test_scope_one_place_only():
    with pytest.raises(ValidationFailed) as refused:
        Scope(agency_id=1, commune_id=2)
    assert refused.value.code == "scope_one_place"
    assert Scope.parse({"agency": "3", "field": "4"}) == Scope(agency_id=3, field_id=4)
    with pytest.raises(ValidationFailed):
        Scope.parse({"agency": "x"})
