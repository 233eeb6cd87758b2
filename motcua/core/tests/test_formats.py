"""Vietnamese number and date formats; instants stored in UTC, shown in Vietnam time."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.template import Context, Template
from django.utils import translation

from motcua.core import clock


def render(source: str, **context: object) -> str:
    return Template("{% load humanize l10n %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "expected"),
    [("vi", "30.000 | 13/02/2026 | 1.234,5"), ("en", "30,000 | 13/02/2026 | 1,234.5")],
)
def test_numbers_and_dates(language, expected):
    with translation.override(language):
        out = render(
            "{{ n|intcomma }} | {{ d|date:'SHORT_DATE_FORMAT' }} | {{ x|floatformat:'1g' }}",
            n=30000,
            d=dt.date(2026, 2, 13),
            x=1234.5,
        )
    assert out == expected


@time_machine.travel(dt.datetime(2026, 2, 13, 7, 0, tzinfo=dt.UTC), tick=False)
def test_clock_is_utc_and_local_is_vietnam():
    assert clock.now() == dt.datetime(2026, 2, 13, 7, 0, tzinfo=dt.UTC)
    assert clock.local_now().isoformat() == "2026-02-13T14:00:00+07:00"
    assert clock.today() == dt.date(2026, 2, 13)


@time_machine.travel(dt.datetime(2026, 2, 13, 18, 30, tzinfo=dt.UTC), tick=False)
def test_today_is_vietnam_today_after_utc_evening():
    assert clock.today() == dt.date(2026, 2, 14)


def test_to_local_refuses_naive():
    with pytest.raises(ValueError, match="naive datetime"):
        clock.to_local(dt.datetime(2026, 2, 13, 14, 0))
