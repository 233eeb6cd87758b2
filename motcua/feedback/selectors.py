"""Reads of petitions and ratings, for the pages, the API and ``reports``.

For reports (SPEC §7.1, §7.2):

* ``ratings_between(start=, end=)`` — ratings whose local rating day is in [start, end], optionally
  for one agency; ``rating_of_dossier(dossier_id=)``.
* ``rating_summary(ratings)`` — count, the mean of each criterion (1 decimal, TT01/2018 Art 15) and
  the satisfied / neutral / dissatisfied counts ("dislike" feeds QD766 5.4).
* ``ratings_per_agency`` / ``ratings_per_officer`` (the officers who acted on the dossier, from its
  events and tasks) / ``ratings_per_dossier`` over a period: lists of plain dicts.
* ``petition_counts(start=, end=)`` — petitions received in the period by state, handled on time or
  late, and still open past a limit (QD766 5.2; TT01/2018 indicator 8).

Staff see petitions through ``petitions_for_user`` / ``petition_for_user`` (404 outside their reach,
never 403, so ids cannot be probed). The public sees only published answers, without the
submitter's personal data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet

from motcua.accounts.gate import PERMISSIONS, PROVINCE_WIDE_ROLES, memberships_on
from motcua.accounts.models import User
from motcua.core import clock
from motcua.core.clock import VN_TZ
from motcua.core.errors import NotFound
from motcua.core.models import valid_on
from motcua.dossiers.selectors import with_descendants
from motcua.units.models import Agency

from .lifecycle import OPEN_STATES, PetitionState
from .models import Petition, PetitionEvent, Rating, RatingOfficer, Satisfaction

SCORES = ("time_score", "information_score", "attitude_score", "lawfulness_score", "online_score")
COUNTS = ("agencies_contacted", "contacts")


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime.combine(start, dt.time(0), VN_TZ),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), VN_TZ),
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value) + 1e-9, 1)


# --- Ratings -------------------------------------------------------------------------------------


def ratings_between(*, start: dt.date, end: dt.date, agency_id: int | None = None) -> QuerySet[Rating]:
    low, high = _bounds(start, end)
    ratings = Rating.objects.filter(rated_at__gte=low, rated_at__lt=high)
    if agency_id is not None:
        ratings = ratings.filter(agency_id=agency_id)
    return ratings


def rating_of_dossier(*, dossier_id: int) -> Rating | None:
    return Rating.objects.filter(dossier_id=dossier_id).first()


def _aggregates(prefix: str = "") -> dict[str, Any]:
    values: dict[str, Any] = {"count": Count(f"{prefix}id", distinct=True)}
    for name in (*SCORES, *COUNTS):
        values[name] = Avg(f"{prefix}{name}")
    for choice in Satisfaction:
        values[choice.value] = Count(
            f"{prefix}id", filter=Q(**{f"{prefix}satisfaction": choice.value}), distinct=True
        )
    return values


def _shape(row: dict[str, Any]) -> dict[str, Any]:
    for name in (*SCORES, *COUNTS):
        row[name] = _round(row.get(name))
    return row


def rating_summary(ratings: QuerySet[Rating]) -> dict[str, Any]:
    """{"count", each criterion's mean (1 decimal; None without data), and the counts "satisfied",
    "neutral", "dissatisfied"}."""
    return _shape(dict(ratings.aggregate(**_aggregates())))


def ratings_per_agency(*, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    rows = ratings_between(start=start, end=end).values("agency_id", "agency__name").annotate(**_aggregates())
    return [_shape(dict(row)) for row in rows.order_by("agency__name", "agency_id")]


def ratings_per_officer(
    *, start: dt.date, end: dt.date, agency_id: int | None = None
) -> list[dict[str, Any]]:
    low, high = _bounds(start, end)
    links = RatingOfficer.objects.filter(rating__rated_at__gte=low, rating__rated_at__lt=high)
    if agency_id is not None:
        links = links.filter(rating__agency_id=agency_id)
    rows = links.values("officer_id", "officer__username", "officer__full_name").annotate(
        **_aggregates("rating__")
    )
    return [_shape(dict(row)) for row in rows.order_by("officer__username")]


def ratings_per_dossier(
    *, start: dt.date, end: dt.date, agency_id: int | None = None
) -> list[dict[str, Any]]:
    fields = (
        "dossier_id",
        "dossier__code",
        "agency_id",
        "rated_at",
        "satisfaction",
        "proof",
        *SCORES,
        *COUNTS,
    )
    return list(
        ratings_between(start=start, end=end, agency_id=agency_id).order_by("rated_at", "id").values(*fields)
    )


# --- Petitions -----------------------------------------------------------------------------------


def petitions_for_user(user: User) -> QuerySet[Petition]:
    """Petitions where ``user`` may act (``feedback.handle``): the whole province for province-wide
    roles, else their agencies (and those under them) and one-stop units (and their branches)."""
    if not user.is_authenticated or not user.is_active:
        return Petition.objects.none()
    granting = PERMISSIONS["feedback.handle"]
    memberships = [m for m in memberships_on(user) if m.role in granting]
    if not memberships:
        return Petition.objects.none()
    if any(m.role in PROVINCE_WIDE_ROLES for m in memberships):
        return Petition.objects.all()
    agencies = {m.agency_id for m in memberships if m.agency_id is not None}
    agencies |= {m.one_stop_unit.agency_id for m in memberships if m.one_stop_unit is not None}
    units = {m.one_stop_unit_id for m in memberships if m.one_stop_unit_id is not None}
    return Petition.objects.filter(
        Q(agency_id__in=with_descendants(agencies, "agency"))
        | Q(one_stop_unit_id__in=with_descendants(units, "unit"))
    )


def petition_for_user(user: User, petition_id: int) -> Petition:
    petition = (
        petitions_for_user(user)
        .select_related("agency", "dossier", "one_stop_unit")
        .filter(pk=petition_id)
        .first()
    )
    if petition is None:
        raise NotFound(
            "Không tìm thấy phản ánh, kiến nghị.", "Petition not found.", code="petition_not_found"
        )
    return petition


def history_of(petition: Petition) -> QuerySet[PetitionEvent]:
    return PetitionEvent.objects.filter(petition=petition).order_by("seq")


def agencies_for_petitions(*, day: dt.date | None = None) -> QuerySet[Agency]:
    """Agencies a petition can be addressed to: those in force, by name."""
    return Agency.objects.filter(valid_on(day or clock.today())).order_by("name", "pk")


def published_petitions() -> QuerySet[Petition]:
    return (
        Petition.objects.filter(state=PetitionState.PUBLISHED.value)
        .select_related("agency")
        .order_by("-published_at", "-id")
    )


def published_petition(code: str) -> Petition:
    petition = published_petitions().filter(code=(code or "").strip().upper()[:40]).first()
    if petition is None:
        raise NotFound(
            "Không tìm thấy phản ánh, kiến nghị.", "Petition not found.", code="petition_not_found"
        )
    return petition


def current_limit(petition: Petition) -> tuple[str, dt.datetime] | None:
    """The limit the petition is running against now: (name, due) or None when nothing is due."""
    state = PetitionState(petition.state)
    if state == PetitionState.RECEIVED:
        return ("resolve", petition.resolve_due_at)
    if state == PetitionState.PROCESSING:
        return ("resolve", petition.resolve_due_at)
    if state == PetitionState.ANSWERED and petition.publish_due_at is not None:
        return ("publish", petition.publish_due_at)
    return None


def is_overdue(petition: Petition, *, at: dt.datetime | None = None) -> bool:
    limit = current_limit(petition)
    if limit is None:
        return False
    now = at or clock.now()
    return clock.to_local(now).date() > clock.to_local(limit[1]).date()


def petition_counts(
    *, start: dt.date, end: dt.date, agency_id: int | None = None, at: dt.datetime | None = None
) -> dict[str, int]:
    """Petitions received in [start, end]: ``total``, one count per state, limits met or missed
    (``on_time``, ``late``), open past their limit (``open_overdue``), linked to a dossier."""
    low, high = _bounds(start, end)
    petitions = Petition.objects.filter(submitted_at__gte=low, submitted_at__lt=high)
    if agency_id is not None:
        petitions = petitions.filter(agency_id=agency_id)
    counts: dict[str, int] = {"total": petitions.count()}
    by_state = dict(petitions.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    for state in PetitionState:
        counts[state.value] = int(by_state.get(state.value, 0))
    counts["late"] = petitions.filter(is_late=True).count()
    counts["on_time"] = (
        petitions.filter(is_late=False).exclude(state__in=[s.value for s in OPEN_STATES]).count()
    )
    counts["open_overdue"] = sum(
        1 for p in petitions.filter(state__in=[s.value for s in OPEN_STATES]) if is_overdue(p, at=at)
    )
    counts["with_dossier"] = petitions.filter(dossier__isnull=False).count()
    return counts


def unhappy_dossier_ids(dossier_ids: Iterable[int], *, finished_since: dt.datetime | None = None) -> set[int]:
    """Of these dossiers, those whose applicant rated the service "dissatisfied" (the reports'
    ``MOTCUA_RATINGS_SOURCE`` contract, Decision 766 indicator 5.4 and TT01/2018 indicator 7).
    With ``finished_since`` (every dossier that can count finished since then), only the ratings
    of dossiers returned since then are read: a range on the partial index
    ``rating_dissatisfied_returned``, each rating then looked up among ``dossier_ids``.

    Petitions are not counted: the petition life cycle records an answer, not whether the complaint
    was found substantiated, so no petition can say "this dossier was handled badly" yet.
    """
    # A QuerySet of ids stays a subquery (the reports pass the dossiers of a whole period).
    ids = dossier_ids if isinstance(dossier_ids, QuerySet) else list(dossier_ids)
    rows = Rating.objects.filter(dossier_id__in=ids, satisfaction=Satisfaction.DISSATISFIED)
    if finished_since is not None:
        rows = rows.filter(returned_at__gte=finished_since)
    return set(rows.order_by().values_list("dossier_id", flat=True))
