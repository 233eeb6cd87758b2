"""Reads of dossiers: the one gate for seeing a dossier, and its timeline for pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q, QuerySet

from motcua.accounts import gate
from motcua.accounts.models import User
from motcua.core import clock, rows
from motcua.core.clock import VN_TZ
from motcua.core.errors import NotFound
from motcua.workflow import ACT_LABELS, ACTIVE, Act, State

from .models import Consultation, Dossier, DossierEvent, ProcessingTask


def _not_found() -> NotFound:
    return NotFound("Không tìm thấy hồ sơ.", "Dossier not found.", code="dossier_not_found")


def visible_dossiers(user: User, *, at: dt.date | None = None, within: Q | None = None) -> QuerySet[Dossier]:
    """Dossiers ``user`` may read: their own submissions; for staff holding ``dossier.view``, those
    received at their unit, decided by their agency, or with a task or consultation at it.
    ``within``: only those of the dossiers matching it (a page about open dossiers, or today's): the
    same rows as ``visible_dossiers(user).filter(within)``, with the list of third-agency work
    narrowed to them as well (a department with years of inter-agency work lists thousands of ids,
    and each statement carrying them costs planning time; ADR 0038).

    One condition per way of seeing a dossier, each answerable from an index of the dossier table on
    its own (``staff_places_q``), so PostgreSQL estimates how many rows the user sees and picks its
    plan with the rest of the page's filters and order: a bitmap of the user's dossiers for an agency
    that sees few, a walk down the page's ordering index for a unit that sees many (ADR 0031)."""
    query = _visible_q(user, at=at, within=within)
    if query is None:
        return Dossier.objects.none()
    found = Dossier.objects.filter(query)
    return found if within is None else found.filter(within)


def _visible_q(user: User, *, at: dt.date | None = None, within: Q | None = None) -> Q | None:
    """The condition of ``visible_dossiers``: None for no dossier, an empty ``Q()`` for every one."""
    if not user.is_authenticated or not user.is_active:
        return None
    query = Q(submitted_by=user)
    if user.identity_verified and user.identifier:
        # The applicant whose identity the identity provider vouched for sees dossiers received in
        # their name at the counter too (a self-declared identifier never does).
        query |= Q(applicant_identifier=user.identifier)
    if gate.allows(user, "dossier.view", at=at):
        memberships = [
            m for m in gate.memberships_on(user, at=at) if m.role in gate.PERMISSIONS["dossier.view"]
        ]
        if any(m.role in gate.PROVINCE_WIDE_ROLES for m in memberships):
            return Q()
        query |= staff_places_q(
            with_descendants({m.agency_id for m in memberships if m.agency_id is not None}, "agency"),
            with_descendants({m.one_stop_unit_id for m in memberships if m.one_stop_unit_id}, "unit"),
            within=within,
        )
    return query


def staff_places_q(
    agencies: set[int] | frozenset[int], units: set[int] | frozenset[int], *, within: Q | None = None
) -> Q:
    """Dossiers received or returned at ``units``, or decided by, received by, with a task at or a
    consultation requested from ``agencies`` (the staff part of ``visible_dossiers``).

    The dossier's own columns admit the dossiers of the user's units and agencies. Work at a third
    agency (tasks flagged ``third_agency``, consultations) is read now, from a small partial index,
    and becomes a list of ids: ``id IN (…)`` is an index condition the planner can count, where
    ``EXISTS`` over another table is a filter it can only guess at. The list is as fresh as the
    queryset's construction (ADR 0031, 0038)."""
    query = Q(pk__in=[])
    if units:
        query |= Q(received_at_unit_id__in=units) | Q(return_unit_id__in=units)
    if agencies:
        query |= Q(competent_agency_id__in=agencies) | Q(receiving_agency_id__in=agencies)
        tasks = ProcessingTask.objects.filter(agency_id__in=agencies, third_agency=True)
        asked = Consultation.objects.filter(requested_agency_id__in=agencies)
        if within is not None:  # only the dossiers the caller will keep anyway
            tasks = tasks.filter(dossier__in=Dossier.objects.filter(within))
            asked = asked.filter(dossier__in=Dossier.objects.filter(within))
        extra = set(tasks.order_by().values_list("dossier_id", flat=True))
        extra |= set(asked.order_by().values_list("dossier_id", flat=True))
        if extra:
            query |= Q(pk__any_of=sorted(extra))
    return query


def with_descendants(ids: set[int], kind: str) -> set[int]:
    """``ids`` and every agency (``kind`` "agency") or one-stop unit ("unit") under them: kept per
    process under the reference revision (ADR 0043: any write to agencies or units changes the
    token), and once per page or act (``read_once``) without asking the token again. The gate of
    every dossier request, the work lists (``queues._descendants``) and the petitions
    (``feedback.selectors``) share it."""
    from motcua.units.models import Agency, OneStopUnit

    from .services import read_memo

    if not ids:
        return set()
    model = Agency if kind == "agency" else OneStopUnit
    key = ("descendants", model.__name__, frozenset(ids))

    return set(read_memo(key, lambda: gate.kept(key, lambda: frozenset(_walk_down(ids, kind)))))


def _walk_down(ids: set[int], kind: str) -> set[int]:
    from motcua.units.models import Agency, OneStopUnit

    found = set(ids)
    frontier = set(ids)
    while frontier:
        if kind == "agency":
            children = set(Agency.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        else:
            children = set(
                OneStopUnit.objects.filter(parent_centre_id__in=frontier).values_list("pk", flat=True)
            )
        frontier = children - found
        found |= children
    return found


# What a dossier's pages show of its related rows, read with it (``dossier_for_user``).
DOSSIER_RELATED: Final = (
    "procedure_version__procedure",
    "received_at_unit",
    "competent_agency__admin_unit",
    "return_unit",
)


def dossier_for_user(user: User, dossier_id: int, *, related: tuple[str, ...] = DOSSIER_RELATED) -> Dossier:
    """The one gate for reading a dossier (STYLE.md): the dossier, or NotFound (404, never 403, so
    ids cannot be probed).

    The gate's question is asked alone (``visible_dossiers(…).exists()``); the dossier and its
    related rows are then read by one statement built once per process (``rows.with_related``,
    decision 0048): the query compiler spent about 1.5 ms of CPU on every dossier request
    building the joined SELECT of some 150 columns. The question's statement is compiled once per
    process for each distinct condition (``_sees``). ``related``: the related rows read with it (an act
    takes the dossier alone: its service reads the row again, locked, with what it needs); without
    any, the question and the read are one statement (``_visible_dossier``)."""
    if not related:  # the question and the read in one statement
        alone = _visible_dossier(user, dossier_id)
        if alone is None:
            raise _not_found()
        return alone
    if not _sees(user, dossier_id):
        raise _not_found()
    dossier = rows.with_related(Dossier, dossier_id, *related)
    if dossier is None:  # removed in between
        raise _not_found()
    return dossier


def fresh(dossier_id: int) -> Dossier:
    """The dossier read again with the related rows its pages show, as ``refresh_from_db`` with
    them: for a page drawn after an act was refused. Not a gate: the caller read the dossier through
    ``dossier_for_user`` in the same request."""
    dossier = rows.with_related(Dossier, dossier_id, *DOSSIER_RELATED)
    if dossier is None:
        raise _not_found()
    return dossier


# ``visible_dossiers(user).filter(pk=…)`` compiled, as its ``exists()`` or as the SELECT of the
# dossier's row, per condition of ``_visible_q`` (a Q is hashable and equal Qs compile to the same
# SQL): the dossier's id is the one parameter that changes.
_MARK = 987_654_321
_GATE_KEPT = 512
_gate_statements: dict[tuple[Q, bool, str], tuple[str, list[Any], int] | None] = {}
_readers: list[rows.Reader] = []


def _gate_statement(query: Q, *, row: bool) -> tuple[str, list[Any], int] | None:
    """The SQL, its parameters and the index of the dossier's id among them; None when the id cannot
    be told apart (or, for the row, the columns are not the model's in order): use the queryset."""
    key = (query, row, connections[DEFAULT_DB_ALIAS].vendor)
    try:
        return _gate_statements[key]
    except KeyError:
        pass
    if len(_gate_statements) >= _GATE_KEPT:  # a few per officer; third-agency ids vary
        _gate_statements.clear()
    found = Dossier.objects.filter(query).filter(pk=_MARK).order_by()
    compiler = (found.query if row else found.query.exists()).get_compiler(DEFAULT_DB_ALIAS)
    sql, params = compiler.as_sql()
    marks = [i for i, value in enumerate(params) if value == _MARK]
    columns = [getattr(column, "target", None) for column, _sql, _alias in compiler.select]
    usable = len(marks) == 1 and (not row or columns == list(Dossier._meta.concrete_fields))
    statement = _gate_statements[key] = (sql, list(params), marks[0]) if usable else None
    return statement


def _send(statement: tuple[str, list[Any], int], dossier_id: int) -> Any:
    sql, params, index = statement
    values = list(params)
    values[index] = int(dossier_id)
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.fetchone()


def _sees(user: User, dossier_id: int) -> bool:
    """``visible_dossiers(user).filter(pk=dossier_id).exists()``, the same statement, without building
    the queryset and compiling it on every dossier request (about 1.5 ms of CPU, issue #9)."""
    query = _visible_q(user)
    if query is None:
        return False
    statement = _gate_statement(query, row=False)
    if statement is None:
        return Dossier.objects.filter(query).filter(pk=dossier_id).exists()
    return _send(statement, dossier_id) is not None


def _visible_dossier(user: User, dossier_id: int) -> Dossier | None:
    """``visible_dossiers(user).filter(pk=dossier_id).first()`` (the dossier alone) in one statement
    compiled once per condition: the gate's question and the read together."""
    query = _visible_q(user)
    if query is None:
        return None
    statement = _gate_statement(query, row=True)
    if statement is None:
        return Dossier.objects.filter(query).filter(pk=dossier_id).order_by().first()
    found = _send(statement, dossier_id)
    if found is None:
        return None
    if not _readers:
        _readers.append(rows.Reader(Dossier, "t"))
    dossier: Dossier = _readers[0].build(found)
    return dossier


def dossier_by_code(code: str) -> Dossier | None:
    return Dossier.objects.filter(code=code).first()


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    seq: int
    at: dt.datetime
    act: str
    event: str
    act_vi: str
    act_en: str
    actor_name: str
    actor_role: str
    reason: str
    state_before: str
    state_after: str
    step_after: str
    form: str
    data: dict[str, Any]


def timeline_of(dossier: Dossier) -> list[TimelineEntry]:
    """The dossier's events in order, with actor names, act labels (vi/en) and forms produced."""
    events = DossierEvent.objects.filter(dossier=dossier).select_related("actor").order_by("seq")
    return timeline_entries(events)


def timeline_entries(events: Iterable[DossierEvent]) -> list[TimelineEntry]:
    """``timeline_of`` from the dossier's events already read in order, with their actors."""
    entries = []
    for event in events:
        label = ACT_LABELS.get(Act(event.act)) if event.act in Act.__members__.values() else None
        actor = event.actor
        name = (actor.full_name or actor.username) if actor is not None else (event.actor_name or "Hệ thống")
        entries.append(
            TimelineEntry(
                seq=event.seq,
                at=event.at,
                act=event.act,
                event=event.name,
                act_vi=label.vi if label else event.act,
                act_en=label.en if label else event.act,
                actor_name=name,
                actor_role=event.actor_role,
                reason=event.reason,
                state_before=event.state_before,
                state_after=event.state_after,
                step_after=event.step_after,
                form=event.form,
                data=dict(event.data or {}),
            )
        )
    return entries


def tasks_of(dossier: Dossier) -> QuerySet[ProcessingTask]:
    return ProcessingTask.objects.filter(dossier=dossier).select_related("agency", "assignee")


def dossiers_due_before(*, at: dt.datetime | None = None) -> QuerySet[Dossier]:
    """Open dossiers whose appointment is before ``at`` (default now)."""
    return Dossier.objects.filter(
        due_at__lt=at or clock.now(), finished_at__isnull=True, due_at__isnull=False
    )


# --------------------------------------------------------------------------------------------------
# Deadline watch (SPEC §6.1 rule 11, scenario 16; ND61 Art 19(5))
# --------------------------------------------------------------------------------------------------

# The clock runs: accepted or at the agency. While the applicant supplements or pays the clock is
# stopped or paused (SPEC §6.1 rule 7, T16), and a withdrawal request waits for the one-stop unit.
CLOCK_RUNNING = (State.RECEIVED.value, State.IN_PROCESSING.value)
# The longest run of days off in a Vietnamese calendar (Tết: 9 days in 2026) with room to spare:
# the apology deadline is never further than this before the due date.
_LONGEST_BREAK = dt.timedelta(days=21)


def _running() -> QuerySet[Dossier]:
    return Dossier.objects.filter(
        state__in=CLOCK_RUNNING, finished_at__isnull=True, due_at__isnull=False
    ).select_related("competent_agency__admin_unit", "received_at_unit", "procedure_version")


def dossiers_apology_overdue(*, at: dt.datetime) -> QuerySet[Dossier]:
    """Dossiers whose clock runs, with neither a result nor an extension, whose apology deadline
    (the end of the last working day before the due date, ND61 Art 19(9)) has passed at ``at``.

    Scenario 16: 5 working days accepted Mon 09/03/2026, due Mon 16/03; from Fri 13/03 17:00 on,
    without Form 04, the dossier is listed.
    """
    from .services import apology_deadline_end

    candidates = _running().filter(extended_due_at__isnull=True, due_at__lte=at + _LONGEST_BREAK)
    ids = [d.pk for d in candidates if (deadline := apology_deadline_end(d)) is not None and deadline <= at]
    return Dossier.objects.filter(pk__in=ids)


def dossiers_due_within(*, working_days: int = 1, at: dt.datetime) -> QuerySet[Dossier]:
    """Dossiers whose clock runs, not yet due at ``at``, due by the end of the ``working_days``-th
    working day after the day of ``at`` (0: today), in the competent agency's calendar."""
    from .services import calendar_for

    day = at.astimezone(VN_TZ).date()
    horizon = at + _LONGEST_BREAK + dt.timedelta(days=2 * working_days)
    ids = []
    for dossier in _running().filter(due_at__gt=at, due_at__lte=horizon):
        assert dossier.due_at is not None
        last = calendar_for(dossier).add_working_days(day, working_days)
        if dossier.due_at.astimezone(VN_TZ).date() <= last:
            ids.append(dossier.pk)
    return Dossier.objects.filter(pk__in=ids)


def consultations_overdue(*, at: dt.datetime) -> QuerySet[Consultation]:
    """Consultations unanswered past their deadline on dossiers still being processed: the lead
    agency informs the head of the one-stop unit (ND61 Art 19(5))."""
    return Consultation.objects.filter(
        responded_at__isnull=True,
        deadline__lt=at,
        dossier__state__in=[s.value for s in ACTIVE],
        dossier__finished_at__isnull=True,
    ).order_by("deadline", "pk")


def dossiers_with_abolished_agency(*, at: dt.datetime) -> QuerySet[Dossier]:
    """Dossiers being processed whose competent agency, or an agency with an open task, is no longer
    in force on the day of ``at`` and has a successor (scenario 30: ``transfer_to_successor``)."""
    day = at.astimezone(VN_TZ).date()
    abolished = Q(valid_to__lt=day, successor__isnull=False)
    from motcua.units.models import Agency

    agencies = Agency.objects.filter(abolished).values("pk")
    return Dossier.objects.filter(
        Q(competent_agency__in=agencies)
        | Q(
            pk__in=ProcessingTask.objects.filter(completed_at__isnull=True, agency__in=agencies).values(
                "dossier"
            )
        ),
        state__in=[s.value for s in ACTIVE],
    )


def within_agencies(dossiers: QuerySet[Dossier], agency_ids: set[int] | frozenset[int]) -> QuerySet[Dossier]:
    """Narrow ``dossiers`` to those decided by, received for, or worked on at these agencies (and the
    agencies under them): what an API token scoped to these agencies may read (decision 0024)."""
    agencies = with_descendants(set(agency_ids), "agency")
    return dossiers.filter(
        Q(competent_agency_id__in=agencies)
        | Q(receiving_agency_id__in=agencies)
        | Q(received_at_unit__agency_id__in=agencies)
        | Q(tasks__agency_id__in=agencies)
    ).distinct()


def dossier_id_for_intake_key(key: str) -> int | None:
    """The dossier a request with this idempotency key already opened (``Dossier.intake_key``), if any."""
    if not key:
        return None
    found: int | None = Dossier.objects.filter(intake_key=key).values_list("pk", flat=True).first()
    return found
