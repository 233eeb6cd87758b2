"""The one-stop evaluation of ND61 and TT01/2018 (SPEC §7.1): the nine indicators, scored 2 / 1 / 0
per dossier (1, 2, 3, 4, 6, 7) or per unit (5, 8, 9), averaged to one decimal, summed per officer
(indicators 1, 2, 3, 4, 7; maximum 10) and per agency (all applicable; maximum 18), with the ratings
of TT01/2018 Art 14-15. "An indicator without data is excluded from the sum."

What motcua's data answers today, and how ([I] = our reading, SPEC marks it so):

1. total time vs the legal limit: the dossier's class set by the clock replay (early 2, on time 1,
   late 0).
2. time of each participating agency vs its budget: each processing task's class; per dossier the
   worst of its agencies [I] (one late agency is a late dossier for this indicator).
3. contacts to complete the dossier: completion requests at intake and supplement requests during
   processing, 0 → 2, 1 → 1, more → 0.
4. agencies contacted: an online dossier needed no visit (2); a counter or postal dossier contacted
   only the one-stop unit (1) [I]; motcua never routes the applicant to a second agency, so 0 never
   arises from its data.
5. full processing at the one-stop unit, 6. publication of procedures, 8. feedback handling: no data
   yet (they need the list of procedures processed in full at the unit, a publication audit and the
   feedback module); excluded from the sums.
7. staff attitude: needs feedback and ratings, read through ``satisfaction.unhappy_dossiers``; "no
   data" until the feedback module sets ``MOTCUA_RATINGS_SOURCE`` (then: substantiated feedback or a
   dislike 0; early 2; on time 1; otherwise 0).
9. online services (per agency): share of its procedures with an online service, online share of
   its dossiers, and no late online dossier (level 3/4 read as partial/full online, SPEC §7.1 note).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from django.db.models import Count, Q

from motcua.accounts.models import User
from motcua.catalog.models import OnlineLevel, Procedure, VersionAgency, VersionStatus
from motcua.core import clock
from motcua.dossiers.models import Dossier, DossierEvent, ProcessingTask, Timeliness
from motcua.units.models import Agency

from .satisfaction import unhappy_dossiers
from .scope import Period, Scope, descendant_agencies, dossier_filter

TENTH: Final = Decimal("0.1")
DOSSIER_INDICATORS: Final = (1, 2, 3, 4, 6, 7)
UNIT_INDICATORS: Final = (5, 8, 9)
OFFICER_INDICATORS: Final = (1, 2, 3, 4, 7)
CONTACT_ACTS: Final = ("request_completion", "request_supplement")

INDICATOR_NAMES: Final[dict[int, tuple[str, str]]] = {
    1: ("Tổng thời gian giải quyết so với quy định", "Total processing time vs the legal limit"),
    2: ("Thời gian của từng cơ quan tham gia", "Time of each participating agency vs its budget"),
    3: ("Số lần liên hệ để hoàn thiện hồ sơ", "Contacts needed to complete the dossier"),
    4: ("Số cơ quan phải liên hệ", "Agencies contacted to complete the dossier"),
    5: ("Giải quyết toàn trình tại Bộ phận Một cửa", "Full processing at the one-stop unit"),
    6: ("Công khai thủ tục hành chính", "Publication of procedures"),
    7: ("Thái độ của cán bộ", "Staff attitude"),
    8: ("Xử lý phản ánh, kiến nghị", "Handling of feedback"),
    9: ("Cung cấp dịch vụ công trực tuyến", "Online services"),
}

_CLASS_POINTS: Final = {Timeliness.EARLY: 2, Timeliness.ON_TIME: 1, Timeliness.LATE: 0}


# --------------------------------------------------------------------------------------------------
# Pure scoring (table-tested)
# --------------------------------------------------------------------------------------------------


def time_points(timeliness: str | None) -> int | None:
    """Indicators 1 and 2: shorter than the limit 2, equal 1, longer 0; unfinished: not scored."""
    if not timeliness:
        return None
    return _CLASS_POINTS[Timeliness(timeliness)]


def agencies_points(task_classes: Sequence[str | None]) -> int | None:
    """Indicator 2 for a dossier: the worst of its agencies' classes [I]."""
    scored = [p for p in (time_points(c) for c in task_classes) if p is not None]
    return min(scored) if scored else None


def contacts_points(contacts: int) -> int:
    """Indicator 3: 0 contacts → 2, 1 → 1, more → 0."""
    return 2 if contacts == 0 else 1 if contacts == 1 else 0


def agencies_contacted_points(channel: str) -> int:
    """Indicator 4 [I]: online → no agency visited (2); counter or post → only the one-stop unit (1)."""
    return 2 if channel == "online" else 1


def attitude_points(timeliness: str | None, unhappy: bool | None) -> int | None:
    """Indicator 7: early and no feedback 2; on time and no feedback 1; substantiated feedback 0."""
    if unhappy is None or not timeliness:
        return None
    if unhappy:
        return 0
    return {Timeliness.EARLY: 2, Timeliness.ON_TIME: 1}.get(Timeliness(timeliness), 0)


def online_points(
    *, online_procedure_share: Decimal | None, online_share: Decimal | None, late_online: int
) -> int | None:
    """Indicator 9 (per unit): ≥20% of procedures online, online share ≥30% and no late online
    dossier → 2; an online service, share 15–<30% and no late online dossier → 1; otherwise 0."""
    if online_procedure_share is None or online_share is None:
        return None
    if online_procedure_share >= Decimal("0.2") and online_share >= Decimal("0.3") and late_online == 0:
        return 2
    if online_procedure_share > 0 and Decimal("0.15") <= online_share and late_online == 0:
        return 1
    return 0


def average(points: Iterable[int | None]) -> Decimal | None:
    """Score_i = Σ dossier scores ÷ number of dossiers, rounded to one decimal (TT01/2018 Art 14)."""
    scored = [p for p in points if p is not None]
    if not scored:
        return None
    return (Decimal(sum(scored)) / len(scored)).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Rating:
    code: str
    vi: str
    en: str

    def label(self, language: str = "vi") -> str:
        return self.en if language.startswith("en") else self.vi


def officer_rating(total: Decimal) -> Rating:
    """Officers (max 10): ≥5 → 100% of tasks; 3.5–<5 → 70–<100%; <3.5 → <70% (TT01/2018 Art 15)."""
    if total >= 5:
        return Rating("complete", "Hoàn thành 100% nhiệm vụ", "100% of tasks completed")
    if total >= Decimal("3.5"):
        return Rating(
            "mostly", "Hoàn thành từ 70% đến dưới 100% nhiệm vụ", "70% to under 100% of tasks completed"
        )
    return Rating("below", "Hoàn thành dưới 70% nhiệm vụ", "Under 70% of tasks completed")


def agency_rating(total: Decimal) -> Rating:
    """Agencies (max 18): ≥15 excellent, 12–<15 good, 9–<12 fair, 6–<9 average, <6 weak."""
    for floor, code, vi, en in (
        (15, "excellent", "Xuất sắc", "Excellent"),
        (12, "good", "Tốt", "Good"),
        (9, "fair", "Khá", "Fair"),
        (6, "average", "Trung bình", "Average"),
    ):
        if total >= floor:
            return Rating(code, vi, en)
    return Rating("weak", "Yếu", "Weak")


# --------------------------------------------------------------------------------------------------
# From the data
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DossierScores:
    dossier_id: int
    code: str
    points: dict[int, int | None]
    # SPEC scenario 14: a supplement was requested after the window (ND61 Art 19(4)) on a legal
    # basis the handler gave; shown with the dossier's scores for the evaluators to weigh.
    supplement_outside_window: bool = False


@dataclass(frozen=True, slots=True)
class Evaluation:
    """One officer or one agency over a period: averages per indicator, the total and the rating."""

    subject: str
    subject_id: int
    dossiers: int
    scores: dict[int, Decimal | None] = field(default_factory=dict)
    kind: str = "agency"  # or "officer"

    @property
    def total(self) -> Decimal:
        wanted = OFFICER_INDICATORS if self.kind == "officer" else range(1, 10)
        return sum((v for k, v in self.scores.items() if k in wanted and v is not None), Decimal(0))

    @property
    def rating(self) -> Rating:
        return officer_rating(self.total) if self.kind == "officer" else agency_rating(self.total)

    @property
    def missing(self) -> list[int]:
        wanted = OFFICER_INDICATORS if self.kind == "officer" else range(1, 10)
        return [k for k in wanted if self.scores.get(k) is None]


def finished_dossiers(scope: Scope, period: Period) -> list[Dossier]:
    return list(
        Dossier.objects.filter(
            dossier_filter(scope),
            received_at__isnull=False,
            parent__isnull=True,
            finished_at__gte=period.start_at,
            finished_at__lt=period.end_at,
        ).only("pk", "code", "timeliness", "channel", "competent_agency_id", "supplement_outside_window")
    )


def dossier_scores(dossiers: Sequence[Dossier]) -> list[DossierScores]:
    """The per-dossier indicators (1, 2, 3, 4, 6, 7) of each dossier."""
    ids = [d.pk for d in dossiers]
    contacts = dict(
        DossierEvent.objects.filter(dossier_id__in=ids, act__in=CONTACT_ACTS)
        .values("dossier_id")
        .annotate(n=Count("pk"))
        .values_list("dossier_id", "n")
    )
    classes: dict[int, list[str | None]] = defaultdict(list)
    for dossier_id, timeliness in ProcessingTask.objects.filter(
        dossier_id__in=ids, completed_at__isnull=False
    ).values_list("dossier_id", "timeliness"):
        classes[dossier_id].append(timeliness)
    unhappy = unhappy_dossiers(ids)
    found = []
    for d in dossiers:
        points: dict[int, int | None] = {
            1: time_points(d.timeliness),
            2: agencies_points(classes.get(d.pk, [])),
            3: contacts_points(contacts.get(d.pk, 0)),
            4: agencies_contacted_points(d.channel),
            6: None,
            7: attitude_points(d.timeliness, None if unhappy is None else d.pk in unhappy),
        }
        found.append(DossierScores(d.pk, d.code or f"#{d.pk}", points, d.supplement_outside_window))
    return found


def _online_indicator(agency_ids: set[int], period: Period, *, at: dt.datetime | None = None) -> int | None:
    procedures = Procedure.objects.filter(
        current_version__status=VersionStatus.PUBLISHED,
        pk__in=VersionAgency.objects.filter(agency_id__in=agency_ids).values("version__procedure_id"),
    )
    total = procedures.count()
    received = Dossier.objects.filter(
        competent_agency_id__in=agency_ids,
        parent__isnull=True,
        received_at__gte=period.start_at,
        received_at__lt=period.end_at,
    )
    count = received.count()
    if total == 0 or count == 0:
        return None
    online = procedures.filter(online_level__in=(OnlineLevel.PARTIAL, OnlineLevel.FULL)).count()
    online_dossiers = received.filter(channel="online")
    cut = min(period.end_at, at or clock.now())  # an unfinished dossier is late once its due date passed
    late_online = online_dossiers.filter(
        Q(timeliness=Timeliness.LATE) | Q(finished_at__isnull=True, due_at__lt=cut)
    ).count()
    return online_points(
        online_procedure_share=Decimal(online) / total,
        online_share=Decimal(online_dossiers.count()) / count,
        late_online=late_online,
    )


def evaluate_agency(agency: Agency, period: Period) -> Evaluation:
    agencies = descendant_agencies([agency.pk])
    dossiers = finished_dossiers(Scope(agency_id=agency.pk), period)
    scores = dossier_scores(dossiers)
    averages: dict[int, Decimal | None] = {
        i: average(s.points[i] for s in scores) for i in DOSSIER_INDICATORS
    }
    # Indicator 2 for an agency is about its own steps (SPEC scenario 19), not the whole dossier.
    own = ProcessingTask.objects.filter(
        agency_id__in=agencies,
        completed_at__gte=period.start_at,
        completed_at__lt=period.end_at,
    ).values_list("timeliness", flat=True)
    averages[2] = average(time_points(c) for c in own)
    averages[5] = None
    averages[8] = None
    online = _online_indicator(agencies, period)
    averages[9] = None if online is None else Decimal(online).quantize(TENTH)
    return Evaluation(agency.name, agency.pk, len(dossiers), dict(sorted(averages.items())), "agency")


def evaluate_officers(scope: Scope, period: Period) -> list[Evaluation]:
    """Each officer who accepted or handled (lead task) a dossier finished in the period."""
    dossiers = finished_dossiers(scope, period)
    scores = {s.dossier_id: s for s in dossier_scores(dossiers)}
    ids = list(scores)
    officers: dict[int, set[int]] = defaultdict(set)
    for dossier_id, actor_id in DossierEvent.objects.filter(
        dossier_id__in=ids, act="accept", actor__isnull=False
    ).values_list("dossier_id", "actor_id"):
        officers[actor_id].add(dossier_id)
    own_tasks: dict[int, list[str | None]] = defaultdict(list)
    for dossier_id, assignee_id, completed_at, timeliness in ProcessingTask.objects.filter(
        dossier_id__in=ids, assignee__isnull=False
    ).values_list("dossier_id", "assignee_id", "completed_at", "timeliness"):
        officers[assignee_id].add(dossier_id)
        if completed_at is not None:
            own_tasks[assignee_id].append(timeliness)
    names = {u.pk: (u.full_name or u.username) for u in User.objects.filter(pk__in=officers)}
    found = []
    for user_id, theirs in officers.items():
        rows = [scores[i] for i in sorted(theirs)]
        averages = {i: average(r.points[i] for r in rows) for i in OFFICER_INDICATORS}
        if own_tasks.get(user_id):
            averages[2] = average(time_points(c) for c in own_tasks[user_id])
        found.append(Evaluation(names.get(user_id, str(user_id)), user_id, len(rows), averages, "officer"))
    return sorted(found, key=lambda e: (-e.total, e.subject))


def evaluate_agencies(scope: Scope, period: Period) -> list[Evaluation]:
    """The agencies of the scope that decided a dossier in the period, best first."""
    dossiers = Dossier.objects.filter(
        dossier_filter(scope),
        received_at__isnull=False,
        parent__isnull=True,
        finished_at__gte=period.start_at,
        finished_at__lt=period.end_at,
    )
    agency_ids = set(dossiers.values_list("competent_agency_id", flat=True))
    found = [evaluate_agency(a, period) for a in Agency.objects.filter(pk__in=agency_ids)]
    return sorted(found, key=lambda e: (-e.total, e.subject))


def evaluate_dossiers(scope: Scope, period: Period) -> list[DossierScores]:
    """The per-dossier scores (indicators 1, 2, 3, 4, 6, 7) of the dossiers finished in the period."""
    return dossier_scores(finished_dossiers(scope, period))
