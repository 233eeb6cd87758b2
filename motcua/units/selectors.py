"""Reads of administrative units and agencies used by more than one caller."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, F, Q, QuerySet, Value, When

from motcua.core import clock
from motcua.core.models import valid_on
from motcua.core.text import fold

from .models import AdminUnit, Agency, Level, OfficeHours, OneStopUnit, UnitSuccession


def current_provinces(*, at: dt.date | None = None) -> QuerySet[AdminUnit]:
    return AdminUnit.objects.filter(valid_on(at or clock.today()), level=Level.PROVINCE).order_by("code")


def province_by_code(code: str, *, at: dt.date | None = None) -> AdminUnit | None:
    return current_provinces(at=at).filter(code=code).first()


def units_valid_on(day: dt.date, *, level: str | None = None) -> QuerySet[AdminUnit]:
    qs = AdminUnit.objects.filter(valid_on(day))
    return qs.filter(level=level) if level else qs


def unit_on(code: str, level: str, day: dt.date) -> AdminUnit | None:
    """The unit with this statistical code and level in force on ``day``.

    Codes are reused across the two sets, so the day decides: ``unit_on("436", Level.DISTRICT,
    date(2025, 6, 20))`` is the legacy Thành phố Hà Tĩnh; on 2025-07-01 there is no district."""
    return AdminUnit.objects.filter(valid_on(day), code=code, level=level).select_related("parent").first()


def children_of(unit: AdminUnit) -> QuerySet[AdminUnit]:
    return AdminUnit.objects.filter(parent=unit).order_by("code")


def successions_from(unit: AdminUnit) -> QuerySet[UnitSuccession]:
    """The 2025 succession rows of a legacy commune (or island district), with whole/part notes."""
    return (
        UnitSuccession.objects.filter(predecessor=unit)
        .select_related("successor")
        .order_by("successor__code")
    )


def successors_of(unit: AdminUnit) -> QuerySet[AdminUnit]:
    """The current units a legacy unit went into (in whole or in part).

    For a commune: the rows of the conversion table. For a district: the successors of its communes,
    plus the special zone an island district became. For a province: the successors of all its communes."""
    if unit.level == Level.COMMUNE:
        q = Q(predecessions__predecessor=unit)
    elif unit.level == Level.DISTRICT:
        q = Q(predecessions__predecessor=unit) | Q(predecessions__predecessor__parent=unit)
    else:
        q = Q(predecessions__predecessor__parent__parent=unit) | Q(predecessions__predecessor__parent=unit)
    return AdminUnit.objects.filter(q).distinct().order_by("code")


def predecessors_of(unit: AdminUnit) -> QuerySet[AdminUnit]:
    """The legacy units (communes, or an island district) that went into a current commune."""
    return AdminUnit.objects.filter(successions__successor=unit).distinct().order_by("level", "code")


# "Since before motcua's records" (valid_from empty) sorts first on every database.
_OLDEST_FIRST = F("valid_from").asc(nulls_first=True)


def _words_match(field: str, words: list[str]) -> Q:
    """Every word starts a word of ``field`` (a folded, single-spaced column)."""
    q = Q()
    for word in words:
        q &= Q(**{f"{field}__startswith": word}) | Q(**{f"{field}__contains": f" {word}"})
    return q


def _phrase_first(field: str, phrase: str) -> Case:
    """0 for rows containing the whole folded phrase, 1 for the others (rank before name)."""
    return Case(When(**{f"{field}__contains": phrase}, then=Value(0)), default=Value(1))


def search_units(query: str, *, day: dt.date | None = None, level: str | None = None) -> QuerySet[AdminUnit]:
    """Units whose name has words starting with every word of ``query``, with or without accents
    ("phuong yen hoa" and "Yên Hòa" find "Phường Yên Hoà"), or whose code starts with ``query``;
    rows containing the whole phrase come first. All sets unless ``day`` is given."""
    qs = AdminUnit.objects.all()
    text = query.strip()
    if text.isdigit():
        qs = qs.filter(code__startswith=text)
        order: tuple[Any, ...] = ("code", _OLDEST_FIRST, "level")
    else:
        phrase = fold(text)
        if not phrase:
            return qs.none()
        qs = qs.filter(_words_match("name_folded", phrase.split())).annotate(
            rank=_phrase_first("name_folded", phrase)
        )
        order = ("rank", "name_folded", "code", _OLDEST_FIRST)
    if day is not None:
        qs = qs.filter(valid_on(day))
    if level:
        qs = qs.filter(level=level)
    return qs.select_related("parent").order_by(*order)


def agency_by_identifier(identifier_code: str, *, at: dt.date | None = None) -> Agency | None:
    return (
        Agency.objects.filter(valid_on(at or clock.today()), identifier_code=identifier_code)
        .select_related("admin_unit")
        .first()
    )


def agency_on(identifier_code: str, day: dt.date) -> Agency | None:
    """The agency holding ``identifier_code`` on ``day`` (codes may be reused over disjoint periods)."""
    return agency_by_identifier(identifier_code, at=day)


def agency_in_force(agency: Agency, *, day: dt.date) -> Agency | None:
    """``agency`` if it is in force on ``day``, else the successor in force then, following the chain
    (a dossier of a former district committee is continued by the commune committee that took over)."""
    seen: set[int] = set()
    current: Agency | None = agency
    while current is not None and current.pk not in seen:
        if current.is_valid_on(day):
            return current
        seen.add(current.pk)
        current = current.successor
    return None


def agencies_of_unit(unit: AdminUnit, *, day: dt.date | None = None) -> QuerySet[Agency]:
    """The agencies seated in an administrative unit (in force on ``day`` when given)."""
    qs = Agency.objects.filter(admin_unit=unit)
    if day is not None:
        qs = qs.filter(valid_on(day))
    return qs.order_by("identifier_code")


def search_agencies(query: str, *, day: dt.date | None = None) -> QuerySet[Agency]:
    """Agencies whose name has words starting with every word of ``query`` (accents optional), or
    whose identifier code starts with it; rows containing the whole phrase come first."""
    text = query.strip()
    qs = Agency.objects.all()
    if text[:1].isdigit():
        qs = qs.filter(identifier_code__istartswith=text)
        order: tuple[Any, ...] = ("identifier_code", _OLDEST_FIRST)
    else:
        phrase = fold(text)
        if not phrase:
            return qs.none()
        qs = qs.filter(_words_match("name_folded", phrase.split())).annotate(
            rank=_phrase_first("name_folded", phrase)
        )
        order = ("rank", "name_folded", "identifier_code", _OLDEST_FIRST)
    if day is not None:
        qs = qs.filter(valid_on(day))
    return qs.select_related("admin_unit").order_by(*order)


def one_stop_units_valid_on(day: dt.date) -> QuerySet[OneStopUnit]:
    return OneStopUnit.objects.filter(valid_on(day)).select_related("agency", "admin_unit")


def one_stop_units_in_province(province: AdminUnit, *, day: dt.date) -> QuerySet[OneStopUnit]:
    """The one-stop units in force on ``day`` inside ``province`` (seated in it or one of its units)."""
    return (
        one_stop_units_valid_on(day)
        .filter(
            Q(admin_unit=province) | Q(admin_unit__parent=province) | Q(admin_unit__parent__parent=province)
        )
        .order_by("code")
    )


def office_hours_of(one_stop_unit: OneStopUnit) -> QuerySet[OfficeHours]:
    return OfficeHours.objects.filter(one_stop_unit=one_stop_unit).order_by("weekday")
