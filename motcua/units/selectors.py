"""Reads of administrative units and agencies used by more than one caller."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from motcua.core import clock
from motcua.core.models import valid_on

from .models import AdminUnit, Agency, Level, OneStopUnit


def current_provinces(*, at: dt.date | None = None) -> QuerySet[AdminUnit]:
    return AdminUnit.objects.filter(valid_on(at or clock.today()), level=Level.PROVINCE).order_by("code")


def province_by_code(code: str, *, at: dt.date | None = None) -> AdminUnit | None:
    return current_provinces(at=at).filter(code=code).first()


def units_valid_on(day: dt.date, *, level: str | None = None) -> QuerySet[AdminUnit]:
    qs = AdminUnit.objects.filter(valid_on(day))
    return qs.filter(level=level) if level else qs


def agency_by_identifier(identifier_code: str, *, at: dt.date | None = None) -> Agency | None:
    return (
        Agency.objects.filter(valid_on(at or clock.today()), identifier_code=identifier_code)
        .select_related("admin_unit")
        .first()
    )


def one_stop_units_valid_on(day: dt.date) -> QuerySet[OneStopUnit]:
    return OneStopUnit.objects.filter(valid_on(day)).select_related("agency", "admin_unit")
