"""Public procedure catalog: /thu-tuc/ (browse and search) and /thu-tuc/<code>/ (one procedure).

Filters are a GET form (level, field, agency) beside the one search box; results are ranked by
relevance when searching, by code otherwise, 20 a page. The procedure page says what a citizen needs
before coming: components per case, time limit and fees per channel, where to submit, conditions,
legal bases, results, and — for the in-person channel with a time limit — the expected result date
if submitted now, computed by the deadline engine over the installation's province calendar.
No JavaScript, no images; printable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language

from motcua.catalog.models import (
    AgencyRole,
    Channel,
    ChannelOffer,
    Level,
    Procedure,
    ProcedureVersion,
)
from motcua.catalog.selectors import (
    agency_names_in_use,
    fields_in_use,
    page_parts,
    public_version,
    published_procedures,
    search_procedure_ids,
    version_parts,
)
from motcua.core import clock, revisions
from motcua.core.errors import MotcuaError
from motcua.deadlines.arithmetic import TimeUnit
from motcua.deadlines.selectors import ExplainedDue, explained_due
from motcua.units.models import AdminUnit, OneStopUnit
from motcua.units.selectors import one_stop_units_in_province, province_by_code

PAGE_SIZE = 20
KEPT_PAGES = 256
CHANNEL_ORDER = {Channel.IN_PERSON: 0, Channel.ONLINE: 1, Channel.POSTAL: 2}
WHERE_ROLES = (AgencyRole.IMPLEMENTING, AgencyRole.COMPETENT, AgencyRole.RECEIVING)


def _list_page(query: str, filters: dict[str, str], number: str | None) -> tuple[Page[Any], list[Procedure]]:
    """The page ``number`` of the published procedures matching the filters (by code), or of the
    search for ``query`` within them (by relevance); its procedures with their fields."""
    qs = published_procedures(**filters)
    page: Page[Any]
    if query:
        ids = search_procedure_ids(query, within=qs if any(filters.values()) else None)
        page = Paginator(ids, PAGE_SIZE).get_page(number)
        page_ids = [int(pk) for pk in page]
        by_id = {p.pk: p for p in Procedure.objects.filter(pk__in=page_ids).select_related("field")}
        procedures = [by_id[pk] for pk in page_ids if pk in by_id]
    else:
        page = Paginator(qs.order_by("code"), PAGE_SIZE).get_page(number)
        procedures = list(page)
    return page, procedures


def _list_context(
    current: dict[str, str], query: str, filters: dict[str, str], number: str | None
) -> dict[str, Any]:
    page, procedures = _list_page(query, filters, number)
    kept = {key: value for key, value in {"q": query, **filters}.items() if value}
    # The filters' choices change only with the catalogue (a published version's agencies are
    # frozen with it, decision 0036): kept per process under its revision token (decision 0048).
    return {
        "query": query,
        "filters": filters,
        "levels": Level.choices,
        "fields": revisions.kept(revisions.CATALOG, current, ("portal.fields_in_use",), fields_in_use),
        "agencies": revisions.kept(
            revisions.CATALOG, current, ("portal.agency_names_in_use",), agency_names_in_use
        ),
        "page": page,
        "procedures": procedures,
        "page_query": urlencode(kept),
        "is_filtered": bool(kept),
    }


def catalog_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    level = request.GET.get("level", "").strip()
    if level not in Level.values:
        level = ""
    field = request.GET.get("field", "").strip()
    if not field.isdigit():
        field = ""
    agency = request.GET.get("agency", "").strip()[:300]
    filters = {"level": level, "field": field, "agency": agency}
    # A page of the list or of a search changes only with the catalogue (procedures, their fields,
    # the filters' choices): it is kept per process and language under the catalogue's revision
    # token with its HTML (decision 0050), for at most KEPT_PAGES different requests per token
    # (what a visitor types makes the keys; past that, drawn every time).
    current = revisions.tokens()
    number = (request.GET.get("page") or "")[:20] or None
    wanted = (query, level, field, agency, number, get_language())
    pages = revisions.kept(revisions.CATALOG, current, ("portal.catalog_pages",), dict)
    found = pages.get(wanted)
    if found is None:
        context = _list_context(current, query, filters, number)
        found = (context, render_to_string("portal/catalog/_list_content.html", context))
        if len(pages) < KEPT_PAGES:
            pages[wanted] = found
    context, html = found
    return render(request, "portal/catalog/list.html", {**context, "content_html": html})


@dataclass(frozen=True)
class Estimate:
    offer: ChannelOffer
    due: ExplainedDue
    explanation: str


def _estimate(offers: list[ChannelOffer]) -> Estimate | None:
    """The expected result if submitted in person now; None when there is no time limit or the
    calendar does not cover it (said nothing rather than a wrong date)."""
    offer = next(
        (o for o in offers if o.channel == Channel.IN_PERSON and o.time_limit is not None),
        None,
    )
    if offer is None or offer.time_limit_amount is None or offer.time_limit_unit is None:
        return None
    try:
        due = explained_due(
            received_at=clock.now(),
            amount=offer.time_limit_amount,
            unit=TimeUnit(offer.time_limit_unit),
            province_code=str(settings.MOTCUA_PROVINCE_CODE),
        )
    except (MotcuaError, ValueError):
        return None
    english = (get_language() or "vi").startswith("en")
    return Estimate(offer, due, due.explanation_en if english else due.explanation_vi)


def _ordered(offers: list[ChannelOffer]) -> list[ChannelOffer]:
    return sorted(offers, key=lambda o: (CHANNEL_ORDER.get(Channel(o.channel), 9), o.position))


def _province_units(day: dt.date) -> tuple[AdminUnit | None, list[OneStopUnit]]:
    """The province of this installation and its one-stop units in force on ``day``."""
    province = province_by_code(str(settings.MOTCUA_PROVINCE_CODE))
    units = list(one_stop_units_in_province(province, day=day)) if province is not None else []
    return province, units


def _version_page(version: ProcedureVersion) -> dict[str, Any]:
    """The context the page draws from the version alone, with ``version_html``: its parts that
    depend on nothing else (the heading and facts, the channels, the components to the end) drawn
    in the active language. Shared between requests: read, never change."""
    # Cases, component templates, offers with their fees, legal bases, results and named agencies:
    # a public version is frozen, so they are read once per process (the first part shared with
    # intake, decision 0032), not by nine queries built again on every view of the page (decision
    # 0036).
    parts = version_parts(version)
    shown = page_parts(version)
    general = _ordered([o for o in parts.offers if o.case_id is None])
    cases: list[dict[str, Any]] = [
        {
            "case": case,
            "components": list(parts.templates.get(case.pk, ())),
            "offers": _ordered([o for o in parts.offers if o.case_id == case.pk]),
        }
        for case in parts.cases
    ]
    every_offer = general + [o for case in cases for o in case["offers"]]
    agencies: dict[str, list[str]] = {}
    for row in shown.agencies:
        if row.role in WHERE_ROLES and row.name not in agencies.setdefault(row.role, []):
            agencies[row.role].append(row.name)
    context: dict[str, Any] = {
        "version": version,
        "procedure": version.procedure,
        "levels": [label for value, label in Level.choices if value in version.level_list],
        "offers": general,
        "every_offer": every_offer,
        "cases": cases,
        "has_online": any(o.channel == Channel.ONLINE for o in every_offer),
        "agencies": [(AgencyRole(role).label, names) for role, names in agencies.items()],
        "legal_bases": list(shown.legal_bases),
        "results": list(shown.results),
    }
    context["version_html"] = {
        part: render_to_string(f"portal/catalog/_version_{part}.html", context)
        for part in ("top", "channels", "body")
    }
    return context


def catalog_detail(request: HttpRequest, code: str) -> HttpResponse:
    # The version shown and the province's one-stop units are kept per process and day under the
    # catalogue's and the reference data's revision tokens, read together (decision 0048): a
    # publication, an abolition or a unit's change is seen at the next view, from any process.
    current = revisions.tokens()
    today = clock.today()
    version = revisions.kept(  # with its procedure and field
        revisions.CATALOG, current, ("portal.public_version", code, today), lambda: public_version(code)
    )
    if version is None:
        raise Http404(code)
    language = get_language() or settings.LANGUAGE_CODE
    # What the page shows of the version itself, with the HTML drawn from it, kept per process and
    # language under the catalogue's token (decision 0050): a public version is frozen, and its
    # procedure and field rows are the catalogue's, so the token changes with any of them.
    pages = revisions.kept(revisions.CATALOG, current, ("portal.version_pages",), dict)
    wanted = (version.pk, language)
    own = pages.get(wanted)
    if own is None:
        own = _version_page(version)
        if len(pages) < KEPT_PAGES:
            pages[wanted] = own
    province, one_stop_units = revisions.kept(
        revisions.REFERENCE, current, ("portal.province_units", today), partial(_province_units, today)
    )
    context: dict[str, Any] = {
        **own,
        "estimate": _estimate(own["offers"] or own["every_offer"]),
        "province": province,
        "one_stop_units": one_stop_units,
    }
    # Where to submit: the version's agencies (frozen with it) and the province's one-stop units in
    # force today (the reference data): drawn once per version, language and day under the
    # reference data's token.
    places = revisions.kept(revisions.REFERENCE, current, ("portal.where_html",), dict)
    where = (version.pk, language, today)
    html = places.get(where)
    if html is None:
        html = render_to_string("portal/catalog/_where.html", context)
        if len(places) < KEPT_PAGES:
            places[where] = html
    context["where_html"] = html
    return render(request, "portal/catalog/detail.html", context)
