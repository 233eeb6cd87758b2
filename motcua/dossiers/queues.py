"""Read-only queries for the staff pages: work queues, the overview, staff search and the counter.

Nothing here changes a row. Every list starts from ``selectors.visible_dossiers(user)`` (or narrower
places taken from the user's memberships), so a page built on these never shows a dossier the one
gate would hide. Remaining time is measured in office time over the dossier's own calendar and office
hours (``services.calendar_for``/``hours_for``), the same arithmetic the due dates come from.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter as Tally
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, F, Func, OuterRef, Q, QuerySet, TextField

from motcua.accounts import gate
from motcua.accounts.models import Membership, Role, User
from motcua.catalog.models import (
    AgencyRole,
    Channel,
    ChannelOffer,
    ProcedureCase,
    ProcedureVersion,
    VersionAgency,
)
from motcua.catalog.selectors import search_procedure_ids
from motcua.core import clock
from motcua.core import rows as core_rows
from motcua.core.clock import VN_TZ
from motcua.core.errors import ValidationFailed
from motcua.core.models import valid_on
from motcua.core.text import fold
from motcua.deadlines.arithmetic import TimeUnit, working_time_between
from motcua.deadlines.calendars import office_hours_for, working_calendar
from motcua.deadlines.selectors import ExplainedDue, explained_due
from motcua.units.models import Agency, Counter, Level, OneStopUnit, QueueTicket, TicketStatus
from motcua.workflow import ACTIVE, State, Step
from motcua.workflow.states import WAITING_FOR_APPLICANT

from .models import Consultation, Dossier, DossierEvent, ProcessingTask
from .selectors import visible_dossiers, with_descendants
from .services import (
    calendar_for,
    calendar_of_agency,
    handover_deadlines,
    hours_for,
    hours_of_unit,
    note_places,
    read_once,
)

# A working day of the default office hours (07:00-11:30, 13:30-17:00), for "n days m hours" text.
WORKING_DAY_MINUTES: Final = 8 * 60
QUEUE_LIMIT: Final = 200  # printable lists (hand-over, post)
# Rows per list on the staff pages (ADR 0031): a page of the earliest-due work, then further pages.
PAGE_ROWS: Final = 25
SEARCH_LIMIT: Final = 25
NAME_CANDIDATES: Final = 5000


# --------------------------------------------------------------------------------------------------
# Where the user works, per role
# --------------------------------------------------------------------------------------------------


def _descendants(ids: set[int], model: type[Agency] | type[OneStopUnit]) -> set[int]:
    """``ids`` and everything under them (``selectors.with_descendants``: kept per process under the
    reference revision, ADR 0043)."""
    return with_descendants(ids, "agency" if model is Agency else "unit")


@dataclass(frozen=True, slots=True)
class Places:
    """Agencies and one-stop units (with those under them) where the user holds one of some roles."""

    agencies: frozenset[int]
    units: frozenset[int]
    everywhere: bool = False

    def __bool__(self) -> bool:
        return self.everywhere or bool(self.agencies or self.units)


def places_of(user: User, roles: Iterable[str], *, day: dt.date | None = None) -> Places:
    wanted = set(roles)
    # Read once per page (``read_once``): a page asks for the places of several roles.
    memberships = [m for m in gate.memberships_on(user, at=day) if m.role in wanted]
    if any(m.role in gate.PROVINCE_WIDE_ROLES for m in memberships):
        return Places(frozenset(), frozenset(), everywhere=True)
    agencies = {m.agency_id for m in memberships if m.agency_id is not None}
    units = {m.one_stop_unit_id for m in memberships if m.one_stop_unit_id is not None}
    return Places(
        frozenset(_descendants(agencies, Agency)),
        frozenset(_descendants(units, OneStopUnit)),
    )


# --------------------------------------------------------------------------------------------------
# Remaining time
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Remaining:
    """Office time left until the appointment (negative once it has passed)."""

    due_at: dt.datetime
    minutes: int

    @property
    def is_overdue(self) -> bool:
        return self.minutes < 0

    @property
    def is_due_soon(self) -> bool:
        """Due within one working day (and not yet overdue)."""
        return 0 <= self.minutes <= WORKING_DAY_MINUTES

    @property
    def days(self) -> int:
        return abs(self.minutes) // WORKING_DAY_MINUTES

    @property
    def hours(self) -> int:
        return abs(self.minutes) % WORKING_DAY_MINUTES // 60

    @property
    def css(self) -> str:
        return "overdue" if self.is_overdue else ("due-soon" if self.is_due_soon else "on-track")


def remaining_time(dossier: Dossier | DossierRow, *, at: dt.datetime | None = None) -> Remaining | None:
    """Office time from ``at`` to the dossier's appointment; None without an appointment."""
    if dossier.due_at is None:
        return None
    when = at or clock.now()
    if isinstance(dossier, DossierRow):
        calendar = calendar_of_agency(dossier.competent_agency_id)
        hours = hours_of_unit(dossier.received_at_unit_id)
    else:
        calendar, hours = calendar_for(dossier), hours_for(dossier)
    try:
        delta = working_time_between(when, dossier.due_at, calendar, hours)
    except ValidationFailed:  # outside the declared calendar years: fall back to wall-clock time
        delta = dossier.due_at - when
    minutes = int(delta.total_seconds() // 60)
    if dossier.due_at < when and minutes >= 0:
        minutes = -1  # passed outside office hours: overdue all the same
    return Remaining(dossier.due_at, minutes)


@dataclass(frozen=True, slots=True)
class DossierRow:
    """What a work list shows of a dossier. Lists read these as plain values (``rows``), not as
    models with their related rows: building 25 dossiers with their procedure version, agency,
    administrative units and receiving unit as model instances cost about 10 ms of CPU per list,
    the values about 1 ms (ADR 0038). Calendars and office hours come once per page by id."""

    pk: int
    code: str | None
    temporary_reference: str | None
    applicant_name: str
    procedure_name: str
    due_at: dt.datetime | None
    version: int
    competent_agency_id: int
    received_at_unit_id: int | None
    state: str = ""
    received_at: dt.datetime | None = None

    @property
    def reference(self) -> str:
        """As ``Dossier.reference``: the code once accepted, else the temporary reference."""
        return self.code or self.temporary_reference or f"#{self.pk}"

    @classmethod
    def of(cls, dossier: Dossier) -> DossierRow:
        return cls(
            pk=dossier.pk,
            code=dossier.code,
            temporary_reference=dossier.temporary_reference,
            applicant_name=dossier.applicant_name,
            procedure_name=listed_name(dossier.procedure_version.name),
            due_at=dossier.due_at,
            version=dossier.version,
            competent_agency_id=dossier.competent_agency_id,
            received_at_unit_id=dossier.received_at_unit_id,
            state=dossier.state,
            received_at=dossier.received_at,
        )


_ROW_VALUES: Final = (
    "pk",
    "code",
    "temporary_reference",
    "applicant_name",
    "due_at",
    "version",
    "competent_agency_id",
    "received_at_unit_id",
    "state",
    "received_at",
)


# Procedure names run long; a list shows the first characters (the dossier page shows all).
LISTED_NAME_CHARS: Final = 80


def listed_name(name: str) -> str:
    """``name`` cut to ``LISTED_NAME_CHARS`` characters, the last one an ellipsis when cut (as the
    ``truncatechars`` filter does, without its per-character work on every row of every list)."""
    if len(name) <= LISTED_NAME_CHARS:
        return name
    return name[: LISTED_NAME_CHARS - 1].rstrip() + "…"


def rows(qs: QuerySet[Dossier]) -> list[DossierRow]:
    """The dossiers of ``qs`` (already sliced or not) as ``DossierRow`` values, in its order; the
    procedure name cut for a list (``listed_name``)."""
    found = []
    for values in qs.values(*_ROW_VALUES, procedure_name=F("procedure_version__name")):
        values["procedure_name"] = listed_name(values["procedure_name"])
        found.append(DossierRow(**values))
    return found


# --------------------------------------------------------------------------------------------------
# Work queues
# --------------------------------------------------------------------------------------------------

QUEUE_ROLES: Final[dict[str, tuple[str, ...]]] = {
    "to_check": (Role.RECEPTION_OFFICER,),  # online submissions waiting for the intake check (T5/T7/T8)
    "to_forward": (Role.RECEPTION_OFFICER,),
    "to_assign": (Role.DEPT_LEADER,),
    "to_appraise": (Role.HANDLER,),
    "consultations": (Role.COORDINATOR, Role.HANDLER, Role.DEPT_LEADER),
    "waiting_applicant": (Role.HANDLER, Role.RECEPTION_OFFICER),
    "to_approve": (Role.APPROVER,),
    "to_sign": (Role.APPROVER,),
    "to_issue": (Role.CLERK,),
    "to_return": (Role.RECEPTION_OFFICER,),
}


@dataclass(frozen=True, slots=True)
class QueueItem:
    dossier: DossierRow
    remaining: Remaining | None
    consultation: Consultation | None = None


@dataclass(frozen=True, slots=True)
class WorkQueue:
    """The first ``PAGE_ROWS`` dossiers of a queue by due date; ``more`` when the queue holds more
    (the page offers the next page rather than counting a queue nobody reads to the end)."""

    key: str
    items: tuple[QueueItem, ...]
    more: bool = False


def _base(qs: QuerySet[Dossier] | None = None) -> QuerySet[Dossier]:
    return (
        (Dossier.objects.all() if qs is None else qs)
        .select_related(
            "procedure_version",
            "competent_agency__admin_unit__parent",
            "received_at_unit",
        )
        .prefetch_related("received_at_unit__office_hours")
    )


def _by_due(qs: QuerySet[Dossier]) -> QuerySet[Dossier]:
    return qs.order_by(F("due_at").asc(nulls_last=True), "pk")


def _in(places: Places, field: str) -> Q:
    if places.everywhere:
        return Q()
    ids = places.agencies if "agency" in field else places.units
    return Q(**{f"{field}__in": ids})


def _processing(step: Step | Iterable[Step]) -> Q:
    steps = [step] if isinstance(step, Step) else list(step)
    return Q(state=State.IN_PROCESSING, step__in=[s.value for s in steps])


def _queue_dossiers(key: str, user: User, places: Places) -> QuerySet[Dossier]:
    base = _base()
    if key == "to_check":
        return base.filter(_in(places, "received_at_unit_id"), state=State.SUBMITTED).order_by(
            "submitted_at", "pk"
        )
    if key == "to_forward":
        return base.filter(_in(places, "received_at_unit_id"), state=State.RECEIVED)
    if key == "to_assign":
        return base.filter(_in(places, "competent_agency_id"), _processing(Step.AWAITING_ASSIGNMENT))
    if key == "to_appraise":
        mine = ProcessingTask.objects.filter(is_lead=True, assignee=user, completed_at__isnull=True)
        return base.filter(
            _in(places, "competent_agency_id"),
            _processing(Step.ASSIGNED),
            pk__in=mine.values("dossier_id"),
        )
    if key == "waiting_applicant":
        waiting = Q(state__in=[s.value for s in WAITING_FOR_APPLICANT])
        assigned = ProcessingTask.objects.filter(is_lead=True, assignee=user).values("dossier_id")
        handler = places_of(user, [Role.HANDLER])
        reception = places_of(user, [Role.RECEPTION_OFFICER])
        where = Q(pk__in=[])
        if handler:
            where |= _in(handler, "competent_agency_id") & Q(pk__in=assigned)
        if reception:
            where |= _in(reception, "received_at_unit_id")
        return base.filter(waiting, where)
    if key == "to_approve":
        return base.filter(
            _in(places, "competent_agency_id"), _processing([Step.APPRAISING, Step.REFUSAL_PROPOSED])
        )
    if key == "to_sign":
        return base.filter(_in(places, "competent_agency_id"), _processing(Step.SIGNING))
    if key == "to_issue":
        return base.filter(_in(places, "competent_agency_id"), _processing(Step.ISSUING))
    if key == "to_return":
        ready = Q(state__in=[State.RESULT_READY, State.REFUSED_AFTER_APPRAISAL])
        if places.everywhere:
            return base.filter(ready)
        return base.filter(
            ready,
            Q(return_unit_id__in=places.units)
            | Q(return_unit__isnull=True, received_at_unit_id__in=places.units),
        )
    raise KeyError(key)


@read_once
def work_queues(
    user: User, *, at: dt.datetime | None = None, only: str | None = None, page: int = 1
) -> list[WorkQueue]:
    """The queues of the roles ``user`` holds today, each sorted by due date (earliest first), one
    page of ``PAGE_ROWS`` each; ``only`` one queue (by key), at page ``page``."""
    when = at or clock.now()
    day = clock.to_local(when).date()
    start = (max(page, 1) - 1) * PAGE_ROWS
    stop = start + PAGE_ROWS
    read: list[tuple[str, list[DossierRow], list[Consultation], bool]] = []
    for key, roles in QUEUE_ROLES.items():
        if only is not None and key != only:
            continue
        places = places_of(user, roles, day=day)
        if not places:
            continue
        if key == "consultations":
            open_ = (
                Consultation.objects.filter(responded_at__isnull=True)
                .select_related("dossier__competent_agency__admin_unit__parent", "requested_agency")
                .order_by("deadline", "pk")
            )
            if not places.everywhere:
                open_ = open_.filter(requested_agency_id__in=places.agencies)
            consultations = list(open_[start : stop + 1])
            read.append((key, [], consultations[:PAGE_ROWS], len(consultations) > PAGE_ROWS))
        else:
            # No DISTINCT: every queue filters the dossier's own columns (tasks through ``pk IN``),
            # so no row comes twice, and the database can read the rows in due order from an index.
            dossiers = rows(_by_due(_queue_dossiers(key, user, places))[start : stop + 1])
            read.append((key, dossiers[:PAGE_ROWS], [], len(dossiers) > PAGE_ROWS))
    # The agencies' calendars and the units' office hours of every row listed, read at once.
    listed = [row for _, found, _, _ in read for row in found]
    note_places({r.competent_agency_id for r in listed}, {r.received_at_unit_id for r in listed})
    return [
        WorkQueue(
            key,
            tuple(_items(found, when))
            + tuple(
                QueueItem(DossierRow.of(c.dossier), remaining_time(c.dossier, at=when), consultation=c)
                for c in consultations
            ),
            more,
        )
        for key, found, consultations, more in read
    ]


def _items(found: Iterable[DossierRow], when: dt.datetime) -> list[QueueItem]:
    return [QueueItem(row, remaining_time(row, at=when)) for row in found]


# --------------------------------------------------------------------------------------------------
# Overview (one-stop head, department leader)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Overview:
    day: dt.date
    received_by_channel: tuple[tuple[str, int], ...]
    received_by_counter: tuple[tuple[str, int], ...]
    received_today: int
    within_deadline: int
    over_deadline: int
    due_next: tuple[QueueItem, ...]
    overdue_by_place: tuple[tuple[str, str, int], ...]
    overdue: tuple[QueueItem, ...]
    due_next_count: int = 0  # all of them; ``due_next`` lists the first ``PAGE_ROWS``


def _local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(0, 0), VN_TZ)
    return start, start + dt.timedelta(days=1)


@read_once
def overview(user: User, *, at: dt.datetime | None = None) -> Overview:
    """Today's intake by channel and counter, open dossiers within and over their deadline, what is
    due by the end of the next working day, and what is overdue by agency and step."""
    when = at or clock.now()
    day = clock.to_local(when).date()
    start, end = _local_day_bounds(day)
    today = visible_dossiers(user, at=day, within=Q(received_at__gte=start, received_at__lt=end))
    by_channel = dict(today.order_by().values_list("channel").annotate(n=Count("pk")))
    channels = tuple((c, by_channel.get(c, 0)) for c in Channel.values)
    accepted = DossierEvent.objects.filter(dossier__in=today, name="accepted").values_list(
        "actor_id", flat=True
    )
    counters: dict[int, str] = {}
    for ticket in (
        QueueTicket.objects.filter(day=day, called_by__isnull=False, status=TicketStatus.CALLED)
        .select_related("counter")
        .order_by("called_at")
    ):
        assert ticket.called_by_id is not None
        counters[ticket.called_by_id] = ticket.counter.name
    tally = Tally(counters.get(actor, "") if actor is not None else "" for actor in accepted)
    by_counter = tuple(sorted(tally.items(), key=lambda kv: (kv[0] == "", kv[0])))
    # The open dossiers come from the partial index on active states (``dossier_active_due``);
    # visibility is checked on those rows only.
    active = _base(visible_dossiers(user, at=day, within=Q(state__in=[s.value for s in ACTIVE])))
    within = active.filter(due_at__gte=when).count()
    over_qs = active.filter(due_at__lt=when)
    calendar = working_calendar(str(settings.MOTCUA_PROVINCE_CODE) or None)
    try:
        next_day = calendar.next_working(day)
    except ValidationFailed:
        next_day = day + dt.timedelta(days=1)
    _, next_end = _local_day_bounds(next_day)
    due_next_qs = active.filter(due_at__gte=when, due_at__lt=next_end)
    due_next = rows(_by_due(due_next_qs)[:PAGE_ROWS])
    places = list(
        over_qs.order_by()
        .values_list("competent_agency__name", "step")
        .annotate(n=Count("pk"))
        .order_by("competent_agency__name", "step")
    )
    overdue = rows(_by_due(over_qs)[:PAGE_ROWS])
    listed = [*due_next, *overdue]
    note_places({r.competent_agency_id for r in listed}, {r.received_at_unit_id for r in listed})
    return Overview(
        day=day,
        received_by_channel=channels,
        received_by_counter=by_counter,
        received_today=sum(by_channel.values()),  # every dossier has a channel
        within_deadline=within,
        over_deadline=sum(n for _, _, n in places),  # the groups partition the overdue ones
        due_next=tuple(_items(due_next, when)),
        overdue_by_place=tuple((name, step or "", n) for name, step, n in places),
        overdue=tuple(_items(overdue, when)),
        due_next_count=due_next_qs.count() if len(due_next) == PAGE_ROWS else len(due_next),
    )


# --------------------------------------------------------------------------------------------------
# Staff search
# --------------------------------------------------------------------------------------------------


def with_code_like(qs: QuerySet[Dossier], code: str) -> QuerySet[Dossier]:
    """``qs`` narrowed to the dossiers whose code or temporary reference contains ``code`` (any
    case); on PostgreSQL the trigram indexes of migration 0008 serve it (the temporary reference's
    is partial, migration 0017: ``LIKE`` implies NOT NULL)."""
    return qs.filter(Q(code__icontains=code) | Q(temporary_reference__icontains=code))


def with_folded_name_like(qs: QuerySet[Dossier], wanted: str) -> QuerySet[Dossier]:
    """``qs`` narrowed, on PostgreSQL, to the dossiers whose applicant's or representative's folded
    name (``motcua_fold``) contains ``wanted`` (already folded), through their trigram indexes. The
    representative's holds only the names given (migration 0017), so its arm says so."""
    return qs.alias(
        applicant_folded=Func(F("applicant_name"), function="motcua_fold", output_field=TextField()),
        representative_folded=Func(
            F("representative_name"), function="motcua_fold", output_field=TextField()
        ),
    ).filter(
        Q(applicant_folded__contains=wanted)
        | (Q(representative_folded__contains=wanted) & ~Q(representative_name=""))
    )


@read_once
def search_dossiers(
    user: User,
    *,
    code: str = "",
    name: str = "",
    identifier: str = "",
    procedure: str = "",
    state: str = "",
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
    agency_id: int | None = None,
    limit: int = SEARCH_LIMIT,
    offset: int = 0,
) -> list[DossierRow]:
    """Dossiers visible to ``user`` matching every criterion given, newest first (``limit`` of them
    after skipping ``offset``).

    ``name`` matches the applicant's or representative's name with or without accents: on
    PostgreSQL in the database, over every visible dossier, on the folded names
    (``motcua_fold``, trigram-indexed, ADR 0031); elsewhere folded in Python over at most
    ``NAME_CANDIDATES`` rows narrowed by the other criteria. ``procedure`` uses the catalog search.
    """
    qs = visible_dossiers(user)
    if code.strip():
        qs = with_code_like(qs, code.strip())
    if identifier.strip():
        qs = qs.filter(
            Q(applicant_identifier=identifier.strip().upper())
            | Q(representative_identifier=identifier.strip().upper())
        )
    if procedure.strip():
        ids = search_procedure_ids(procedure)
        versions = ProcedureVersion.objects.filter(
            Q(procedure_id__in=ids) | Q(procedure__code__iexact=procedure.strip())
        )
        qs = qs.filter(procedure_version_id__in=versions.values("pk"))
    if state:
        qs = qs.filter(state=state)
    if received_from is not None:
        qs = qs.filter(received_at__gte=_local_day_bounds(received_from)[0])
    if received_to is not None:
        qs = qs.filter(received_at__lt=_local_day_bounds(received_to)[1])
    if agency_id is not None:
        tasks = ProcessingTask.objects.filter(dossier_id=OuterRef("pk"), agency_id=agency_id)
        qs = qs.filter(Q(competent_agency_id=agency_id) | Exists(tasks))
    qs = qs.order_by("-created_at", "-pk")
    wanted = fold(name)
    if wanted and connection.vendor == "postgresql":
        qs = with_folded_name_like(qs, wanted)
    if not wanted or connection.vendor == "postgresql":
        # The page's ids first, then their rows: without a name, what the criteria test is in the
        # ``dossier_created`` index, so PostgreSQL walks it newest first without reading the heap
        # row of every dossier it passes over (ADR 0039); a name search reads its trigram index.
        page = qs.values("pk")[offset : offset + limit]
        return rows(Dossier.objects.filter(pk__in=page).order_by("-created_at", "-pk"))
    candidates = qs.values_list("pk", "applicant_name", "representative_name")[:NAME_CANDIDATES]
    ids = [pk for pk, a, r in candidates if wanted in fold(a) or (r and wanted in fold(r))]
    ids = ids[offset : offset + limit]
    by_id = {d.pk: d for d in rows(qs.model.objects.filter(pk__in=ids))}
    return [by_id[pk] for pk in ids if pk in by_id]


# --------------------------------------------------------------------------------------------------
# The counter
# --------------------------------------------------------------------------------------------------


def counters_for(user: User, *, day: dt.date | None = None) -> QuerySet[Counter]:
    """Active counters of the one-stop units where ``user`` is a reception officer."""
    places = places_of(user, [Role.RECEPTION_OFFICER], day=day)
    qs = Counter.objects.filter(is_active=True).select_related("one_stop_unit")
    if not places.everywhere:
        qs = qs.filter(one_stop_unit_id__in=places.units)
    return qs.order_by("one_stop_unit__code", "number")


def counters_of(user: User, *, day: dt.date | None = None) -> tuple[Counter, ...]:
    """``counters_for`` read once per reference revision (counters, their units and the officer's
    memberships are reference data: any write to them changes the token). Shared by the requests of
    a process: read, never change."""
    day = day or clock.today()
    return gate.kept(("counters_of", user.pk, day), lambda: tuple(counters_for(user, day=day)))


class _PanelStatement:
    """The counter panel's statement: the ticket called last at a counter on a day (as
    ``called_ticket``) and how many wait there (as ``waiting_tickets(…).count()``), in one read built
    once per database."""

    def __init__(self) -> None:
        q = core_rows.quote
        self.reader = core_rows.Reader(QueueTicket, "t")
        table = q(QueueTicket._meta.db_table)
        where = f"{q('counter_id')} = %s AND {q('day')} = %s AND {q('status')} = %s"
        last = (
            f"SELECT {q('id')} FROM {table} WHERE {where} "  # noqa: S608 - names from _meta
            f"ORDER BY {q('called_at')} DESC, {q('number')} DESC LIMIT 1"
        )
        self.sql = (
            f"SELECT {self.reader.select}, (SELECT COUNT(*) FROM {table} WHERE {where}) "  # noqa: S608
            f"FROM (SELECT 1 AS one) o LEFT JOIN {table} t ON t.{q('id')} = ({last})"
        )


_panel_statements: dict[str, _PanelStatement] = {}


def counter_panel(counter: Counter, *, day: dt.date | None = None) -> tuple[QueueTicket | None, int]:
    """The ticket called last at ``counter`` today (None before the first call) and the number of
    people waiting there: ``called_ticket`` and ``waiting_tickets(…).count()`` in one statement."""
    statement = _panel_statements.get(connection.vendor)
    if statement is None:
        statement = _panel_statements[connection.vendor] = _PanelStatement()
    on = connection.ops.adapt_datefield_value(day or clock.today())
    with connection.cursor() as cursor:
        cursor.execute(
            statement.sql,
            [counter.pk, on, TicketStatus.WAITING.value, counter.pk, on, TicketStatus.CALLED.value],
        )
        row = cursor.fetchone()
    called: QueueTicket | None = statement.reader.build(row[: len(statement.reader)])
    if called is not None:
        called.counter = counter
    return called, int(row[-1])


def intake_units_for(user: User, *, day: dt.date | None = None) -> QuerySet[OneStopUnit]:
    """One-stop units where ``user`` may receive dossiers."""
    places = places_of(user, [Role.RECEPTION_OFFICER], day=day)
    qs = OneStopUnit.objects.select_related("agency")
    return qs if places.everywhere else qs.filter(pk__in=places.units)


def called_ticket(counter_id: int, *, day: dt.date | None = None) -> QueueTicket | None:
    """The number called last at the counter today."""
    return (
        QueueTicket.objects.select_related("counter")
        .filter(counter_id=counter_id, day=day or clock.today(), status=TicketStatus.CALLED)
        .order_by("-called_at", "-number")
        .first()
    )


def waiting_tickets(counter_id: int, *, day: dt.date | None = None) -> QuerySet[QueueTicket]:
    return (
        QueueTicket.objects.select_related("counter")
        .filter(counter_id=counter_id, day=day or clock.today(), status=TicketStatus.WAITING)
        .order_by("number")
    )


def earlier_applicant(user: User, identifier: str) -> dict[str, Any] | None:
    """The applicant's details from the newest dossier ``user`` may see with this identifier number."""
    number = "".join(identifier.split()).upper()
    if not number:
        return None
    row = (
        visible_dossiers(user)
        .filter(applicant_identifier=number)
        .order_by("-created_at", "-pk")
        .values(
            "applicant_kind",
            "applicant_name",
            "applicant_identifier_type",
            "applicant_identifier",
            "applicant_date_of_birth",
            "applicant_address",
            "applicant_phone",
            "applicant_email",
        )
        .first()
    )
    return dict(row) if row else None


def competent_agency_of(version: ProcedureVersion) -> Agency | None:
    """The agency the catalog names as competent (or implementing) for the version, if linked."""
    named = (
        VersionAgency.objects.filter(
            version=version, agency__isnull=False, role__in=[AgencyRole.COMPETENT, AgencyRole.IMPLEMENTING]
        )
        .select_related("agency")
        .order_by("role", "position", "pk")  # as the catalogue's page parts: the same agency both ways
        .first()
    )
    return named.agency if named is not None else None


def in_person_offer(version: ProcedureVersion, case: ProcedureCase | None) -> ChannelOffer | None:
    """The in-person offer for the case (or for every case) with a time limit, as the service picks it."""
    offers = [o for o in version.offers.all() if o.case_id in (None, case.pk if case else None)]

    def rank(offer: ChannelOffer) -> tuple[int, int, int]:
        return (
            0 if offer.channel == Channel.IN_PERSON else 1,
            0 if case is not None and offer.case_id == case.pk else 1,
            0 if offer.time_limit_amount is not None else 1,
        )

    return min(offers, key=rank) if offers else None


def province_code_of(agency: Agency) -> str | None:
    unit = agency.admin_unit
    while unit.level != Level.PROVINCE and unit.parent is not None:
        unit = unit.parent
    return unit.code if unit.level == Level.PROVINCE else None


def appointment_preview(
    *,
    version: ProcedureVersion,
    case: ProcedureCase | None,
    unit: OneStopUnit,
    agency: Agency,
    at: dt.datetime | None = None,
) -> ExplainedDue | None:
    """The appointment a dossier accepted now would get, with its explanation (None without a limit).

    Same inputs as acceptance: the offer's time limit, the competent agency's province calendar, the
    receiving unit's office hours, the version's same-day cut-off.
    """
    offer = in_person_offer(version, case)
    if offer is None or offer.time_limit_amount is None or not offer.time_limit_unit:
        return None
    return explained_due(
        received_at=at or clock.now(),
        amount=offer.time_limit_amount,
        unit=TimeUnit(offer.time_limit_unit),
        province_code=province_code_of(agency),
        hours=office_hours_for(unit),
        cutoff=version.same_day_cutoff,
    )


def handlers_at(agency_id: int, *, day: dt.date | None = None) -> list[User]:
    """Active users holding the handler role at the agency (or an agency above it)."""
    users = User.objects.filter(
        pk__in=Membership.objects.filter(
            valid_on(day or clock.today()), role=Role.HANDLER, agency_id__in=gate.agency_chain(agency_id)
        ).values("user_id"),
        is_active=True,
    )
    return sorted(users, key=lambda u: (fold(u.full_name or u.username), u.pk))


# --------------------------------------------------------------------------------------------------
# Hand-over of paper dossiers to the competent agencies (SPEC T9, scenario 6) and results by post
# --------------------------------------------------------------------------------------------------

HANDOVER_ROLES: Final = (Role.RECEPTION_OFFICER, Role.ONE_STOP_HEAD)


@dataclass(frozen=True, slots=True)
class HandoverRow:
    dossier: Dossier
    due_at: dt.datetime
    paper_due_at: dt.datetime
    is_forwarded: bool
    is_late: bool


@dataclass(frozen=True, slots=True)
class HandoverGroup:
    agency: Agency
    rows: tuple[HandoverRow, ...]


def handover_list(
    user: User, *, day: dt.date, agency_id: int | None = None, at: dt.datetime | None = None
) -> list[HandoverGroup]:
    """Paper dossiers (counter or postal intake) accepted at the user's one-stop units on ``day``,
    plus those accepted earlier and not yet forwarded, grouped by competent agency, each with its
    hand-over deadlines (``services.handover_deadlines``: before 15:00 the end of that working day,
    after 15:00 the start of the next; the paper file within 1 working day). Late: forwarded after
    the deadline, or not forwarded and the deadline has passed."""
    when = at or clock.now()
    places = places_of(user, HANDOVER_ROLES, day=clock.to_local(when).date())
    if not places:
        return []
    start, end = _local_day_bounds(day)
    qs = (
        _base()
        .select_related("competent_agency")
        .filter(
            _in(places, "received_at_unit_id"),
            channel__in=[Channel.IN_PERSON, Channel.POSTAL],
            received_at__isnull=False,
            received_at__lt=end,
        )
        .filter(Q(received_at__gte=start) | Q(state=State.RECEIVED))
        .order_by("competent_agency__name", "received_at", "pk")
    )
    if agency_id is not None:
        qs = qs.filter(competent_agency_id=agency_id)
    groups: dict[int, tuple[Agency, list[HandoverRow]]] = {}
    for dossier in qs[:QUEUE_LIMIT]:
        assert dossier.received_at is not None
        due, paper_due = handover_deadlines(dossier.received_at, calendar_for(dossier), hours_for(dossier))
        forwarded = dossier.forwarded_at
        late = forwarded > due if forwarded is not None else when > due
        row = HandoverRow(dossier, due, paper_due, forwarded is not None, late)
        groups.setdefault(dossier.competent_agency_id, (dossier.competent_agency, []))[1].append(row)
    return [HandoverGroup(agency, tuple(rows)) for agency, rows in groups.values()]


def handover_agencies(user: User, *, day: dt.date | None = None) -> QuerySet[Agency]:
    """Agencies that dossiers received at the user's one-stop units are decided by (the filter)."""
    places = places_of(user, HANDOVER_ROLES, day=day)
    if not places:
        return Agency.objects.none()
    ids = Dossier.objects.filter(_in(places, "received_at_unit_id")).values("competent_agency_id")
    return Agency.objects.filter(pk__in=ids).order_by("name")


@dataclass(frozen=True, slots=True)
class PostalRow:
    dossier: Dossier
    returned_at: dt.datetime | None = None
    tracking_number: str = ""


def postal_returns(
    user: User, *, day: dt.date, at: dt.datetime | None = None
) -> tuple[tuple[PostalRow, ...], tuple[PostalRow, ...]]:
    """Results to send by post from the user's one-stop units: (waiting to be handed to the postal
    service, handed over by post on ``day`` with their tracking numbers)."""
    when = at or clock.now()
    places = places_of(user, HANDOVER_ROLES, day=clock.to_local(when).date())
    if not places:
        return (), ()
    if places.everywhere:
        where = Q()
    else:
        where = Q(return_unit_id__in=places.units) | Q(
            return_unit__isnull=True, received_at_unit_id__in=places.units
        )
    base = _base().filter(where)
    waiting = _by_due(
        base.filter(
            result_delivery="postal",
            state__in=[State.RESULT_READY, State.REFUSED_AFTER_APPRAISAL],
        )
    )[:QUEUE_LIMIT]
    start, end = _local_day_bounds(day)
    events = (
        DossierEvent.objects.filter(
            dossier__in=base,
            name="result_returned",
            at__gte=start,
            at__lt=end,
            data__delivery_method="postal",
        )
        .select_related("dossier", "dossier__procedure_version")
        .order_by("at", "pk")
    )
    sent = tuple(PostalRow(e.dossier, e.at, str(e.data.get("tracking_number", ""))) for e in events)
    return tuple(PostalRow(d) for d in waiting), sent
