"""Template filters that print values the way state documents do (see ``formatting.py``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from motcua.core.clock import to_local
from motcua.deadlines.arithmetic import Timeliness
from motcua.paperwork import formatting

register = template.Library()


def _day(value: date | datetime) -> date:
    return to_local(value).date() if isinstance(value, datetime) else value


@register.filter
def place_date(value: date | datetime, place: str) -> str:
    """``{{ form.issued_on|place_date:form.header.place }}`` → "Hà Tĩnh, ngày 13 tháng 02 năm 2026"."""
    return formatting.place_and_date(place, _day(value))


@register.filter
def issue_date(value: date | datetime) -> str:
    """ "ngày 13 tháng 02 năm 2026"."""
    return formatting.issue_date(_day(value))


@register.filter
def clock_time(value: datetime | None) -> str:
    """ "14 giờ 00 phút, ngày 13/02/2026"; empty for None."""
    return "" if value is None else formatting.clock_time(value)


@register.filter
def short_date(value: date | datetime | None) -> str:
    """ "13/02/2026"; empty for None."""
    return "" if value is None else formatting.short_date(value)


@register.filter
def money(value: int | Decimal) -> str:
    """ "30.000 đồng"."""
    return formatting.money(value)


@register.filter
def count(value: int) -> str:
    """ "01"; zero prints as an empty cell, not "00"."""
    return formatting.count(value) if value else ""


@register.filter
def timeliness(value: Timeliness | None) -> str:
    """ "Trước hạn" / "Đúng hạn" / "Quá hạn"."""
    return formatting.timeliness_label(value)


@register.filter
def breakable_code(value: str) -> SafeString:
    """A dossier code that may wrap after its hyphens in a narrow column (escaped, then ``<wbr>``)."""
    return mark_safe(escape(value).replace("-", "-<wbr>"))  # escaped above
