"""The one door (STYLE.md, the life cycle; DESIGN.md "The dossier"): every act on a dossier.

Each service, inside one transaction: lock the dossier row (``SELECT … FOR UPDATE``; SQLite takes
the write lock at BEGIN), refuse a stale ``expected_version`` (409), check the act against the state
table with the roles the actor holds *at the agency or unit concerned* (``workflow.check``), ask the
permission gate (``accounts.gate.require``), validate the inputs, append the hash-chained event and
the clock event, replay the clock (``deadlines.timeline.replay`` on the competent agency's province
calendar) into the due dates, update state, step, national status and dates, bump ``version``, and
schedule the side effects with ``transaction.on_commit``. A refused act raises before the
transaction commits, so it changes nothing.

``actor=None`` is the system itself (acts whose row admits the ``system`` pseudo-role).
``at`` defaults to ``core.clock.now()``; it may not be earlier than the dossier's last event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, partial, wraps
from typing import Any, Final, ParamSpec, TypeVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction

from motcua.accounts import gate
from motcua.accounts.models import Membership, User
from motcua.catalog.models import (
    AgencyRole,
    Channel,
    ChannelOffer,
    ComponentTemplate,
    InternalProcess,
    ProcedureCase,
    ProcedureVersion,
    ProcessStep,
    VersionAgency,
)
from motcua.catalog.selectors import local_day, version_in_force_beside, version_parts
from motcua.core import clock, revisions, rows
from motcua.core.clock import VN_TZ
from motcua.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from motcua.deadlines import timeline as tl
from motcua.deadlines.arithmetic import (
    DEFAULT_HOURS,
    Granularity,
    OfficeHours,
    TimeUnit,
    WorkingCalendar,
    due_date,
)
from motcua.deadlines.calendars import office_hours_for, revision_token, working_calendar
from motcua.deadlines.calendars import revision_sql as calendar_revision_sql
from motcua.deadlines.explain import explain
from motcua.units.models import AdminUnit, Agency, Level, OneStopUnit
from motcua.units.selectors import one_stop_units_valid_on
from motcua.workflow import ACTIVE, Act, ClockEffect, State, Step, Transition, after, check, national_status
from motcua.workflow import roles as wf_roles

from . import codes, effects, history, signals, signing
from .applicants import Person, clean_person, one_of
from .models import (
    HANDED_TO_SUCCESSOR,
    OBLIGATION,
    ClockEvent,
    Consultation,
    CopyType,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierFile,
    FeeLine,
    ProcessingTask,
    Result,
    ResultDelivery,
)

__all__ = [
    "ComponentInput",
    "Intake",
    "TaskInput",
    "accept_dossier",
    "answer_consultation",
    "apologise_and_extend",
    "appraise",
    "approve",
    "assign_handler",
    "attach_component_file",
    "complete_task",
    "confirm_payment",
    "consult",
    "forward_dossier",
    "issue_result",
    "propose_refusal",
    "read_memo",
    "read_once",
    "receive_at_counter",
    "receive_supplement",
    "refuse_after_appraisal",
    "refuse_at_intake",
    "report_incident",
    "request_completion",
    "request_financial_obligation",
    "request_supplement",
    "request_withdrawal",
    "resubmit_dossier",
    "return_result",
    "settle_fee_lines",
    "sign_result",
    "stop_processing",
    "submit_dossier",
    "transfer_to_successor",
    "urge",
    "warn_deadlines",
]

# The gate's permission for each act done by staff. Where accounts.gate has no "dossier.<act>"
# entry, the closest existing one is used (reported to the accounts owner, decision 0008):
# recording an applicant's resubmission or withdrawal request at the counter is reception work.

# Where an act happens: the receiving one-stop unit ("unit"), the competent agency ("agency"), or
# either ("both": forwarding between agencies, payment, stopping).
_UNIT: Final = "unit"
_AGENCY: Final = "agency"
_BOTH: Final = "both"
_SCOPE: Final[dict[Act, str]] = {
    Act.SUBMIT: _UNIT,
    Act.ACCEPT: _UNIT,
    Act.REQUEST_COMPLETION: _UNIT,
    Act.REFUSE_AT_INTAKE: _UNIT,
    Act.RESUBMIT: _UNIT,
    Act.FORWARD: _BOTH,
    Act.RECEIVE_SUPPLEMENT: _UNIT,
    Act.RETURN_RESULT: _UNIT,
    Act.REQUEST_WITHDRAWAL: _UNIT,
    Act.CONFIRM_PAYMENT: _BOTH,
    Act.STOP_PROCESSING: _BOTH,
}

# --------------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ComponentInput:
    """A component handed in: a template of the case (or free text), copy type and count."""

    template_id: int | None = None
    name: str = ""
    copy_type: str = CopyType.COPY
    count: int = 1
    reused_from: str = ""


@dataclass(frozen=True, slots=True)
class Intake:
    """What opens a dossier: at the counter (``receive_at_counter``) or online (``submit_dossier``)."""

    procedure_version_id: int
    applicant: Person
    received_at_unit_id: int
    channel: str = Channel.IN_PERSON
    procedure_case_id: int | None = None
    competent_agency_id: int | None = None
    return_unit_id: int | None = None
    representative: Person | None = None
    components: tuple[ComponentInput, ...] = ()
    result_delivery: str = ResultDelivery.COUNTER
    result_delivery_address: str = ""
    summary: str = ""
    vneid_verified: bool = False
    # The client's idempotency key (the counter form's token, an API Idempotency-Key): a repeated
    # request with the same key gets the dossier the first one opened instead of a second one.
    idempotency_key: str = ""


@dataclass(frozen=True, slots=True)
class TaskInput:
    """A task at one agency (SPEC T18): its budget, or the version's internal process steps there."""

    agency_id: int
    name: str = ""
    step_code: str = ""
    budget_amount: int | None = None
    budget_unit: str = TimeUnit.WORKING_DAY
    is_lead: bool = False


@dataclass(slots=True)
class _Pending:
    """What an act will write, computed before anything is written."""

    clock_kind: str | None = None
    new_due_at: dt.datetime | None = None
    data: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------
# One act, read once
# --------------------------------------------------------------------------------------------------

# Inside one act (one call of a public service), what does not change during the act is read once:
# the actor's memberships and the agency and unit chains (``gate.memoised``), the province of the
# competent agency, the calendar (its revision checked once), the office hours, the dossier's last
# event and, for a dossier opened by the act itself, its (empty) clock. The memo lives as long as
# the outermost service call; nothing is kept between acts, so every answer is the same as without it.
_memo: ContextVar[dict[Any, Any] | None] = ContextVar("motcua_dossier_act_memo", default=None)

_P = ParamSpec("_P")
_R = TypeVar("_R")


@contextmanager
def _memo_scope() -> Iterator[None]:
    """One act's memo (and the gate's); nested scopes share the outermost one."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        with gate.memoised():
            yield
    finally:
        _memo.reset(token)


def _act(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    @wraps(fn)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with _memo_scope():
            return fn(*args, **kwargs)

    return run


def read_once(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """For the staff pages' reads (``queues``): the same memo as one act, so the calendar revision,
    provinces and office hours are read once per page instead of once per dossier listed."""
    return _act(fn)


def _memoised(key: tuple[Any, ...], compute: Callable[[], _R]) -> _R:
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    value: _R = memo[key]
    return value


def read_memo(key: tuple[Any, ...], compute: Callable[[], _R]) -> _R:
    """``compute()``, once per ``read_once`` page (or act) for ``key``; every time outside one."""
    return _memoised(key, compute)


def _remember(key: tuple[Any, ...], value: object) -> None:
    memo = _memo.get()
    if memo is not None:
        memo[key] = value


def _recall(key: tuple[Any, ...]) -> tuple[bool, Any]:
    memo = _memo.get()
    if memo is None or key not in memo:
        return False, None
    return True, memo[key]


def _keep(instance: Any, name: str, rows: Iterable[Any]) -> None:
    """Leave ``rows`` as the prefetched answer of ``instance.<name>.all()`` (Django's own prefetch
    cache, as ``prefetch_related`` fills it): the rows an act has just read or written, so that what
    follows in the same request (Form 01 data, the API's answer) does not read them again.

    ``name`` is a reverse foreign key (``components``, ``events``…). The queryset is the one the
    related manager would give (its model's default manager's, filtered on ``instance``), built
    without the manager (decision 0055): the filter is left for Django to add if the queryset is
    ever chained (``_deferred_filter``, as ``RelatedManager._apply_rel_filters`` leaves it), so a
    ``.filter()`` on it still reads only this instance's rows, and the rows it reads point back to
    ``instance`` (``_known_related_objects``); cloning the manager's query for each (60 µs) is gone."""
    field = getattr(type(instance), name).field  # the foreign key on the related model
    queryset = field.model._default_manager.get_queryset()
    queryset._add_hints(instance=instance)
    queryset._deferred_filter = (False, (), {field.name: instance})
    queryset._known_related_objects = {field: {instance.pk: instance}}
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    cache = getattr(instance, "_prefetched_objects_cache", None)
    if cache is None:
        cache = {}
        instance._prefetched_objects_cache = cache
    cache[name] = queryset


# --------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------


def _required(field_name: str, vi: str, en: str) -> ValidationFailed:
    return ValidationFailed(f"Cần ghi {vi}.", f"The {en} is required.", code="required", field=field_name)


def _stale(dossier: Dossier, expected: int) -> Conflict:
    return Conflict(
        "Hồ sơ đã được cán bộ khác cập nhật trong lúc bạn thao tác; hãy tải lại hồ sơ và thực hiện lại.",
        "The dossier was updated by another officer while you were working on it; reload it and try again.",
        code="stale_dossier",
        expected_version=expected,
        current_version=dossier.version,
    )


# --------------------------------------------------------------------------------------------------
# Where the actor stands
# --------------------------------------------------------------------------------------------------


def _agency_chain(agency_id: int | None) -> set[int]:
    return gate.agency_chain(agency_id)


def _unit_chain(unit_id: int | None) -> set[int]:
    return gate.unit_chain(unit_id)


@_act
def roles_at(
    user: User,
    *,
    agency_ids: Iterable[int | None] = (),
    unit_ids: Iterable[int | None] = (),
    day: dt.date | None = None,
) -> set[str]:
    """The roles ``user`` holds on ``day`` at these agencies or one-stop units (or above them).

    The same reach as ``accounts.gate.allows``: a role at an agency covers the agencies under it, a
    role at a one-stop unit covers its branches and acts for the agency that owns it.
    """
    agencies: set[int] = set()
    for agency_id in agency_ids:
        agencies |= _agency_chain(agency_id)
    units: set[int] = set()
    for unit_id in unit_ids:
        units |= _unit_chain(unit_id)
    held: set[str] = set()
    membership: Membership
    for membership in gate.memberships_on(user, at=day):
        owner = membership.one_stop_unit.agency_id if membership.one_stop_unit is not None else None
        if (
            membership.role in gate.PROVINCE_WIDE_ROLES
            or (membership.agency_id is not None and membership.agency_id in agencies)
            or (membership.one_stop_unit_id is not None and membership.one_stop_unit_id in units)
            or (owner is not None and owner in agencies)
        ):
            held.add(str(membership.role))
    return held


def _applicant_roles(user: User, *, day: dt.date) -> set[str]:
    return {str(role) for role in gate.roles_of(user, at=day)} & set(wf_roles.APPLICANT)


def _authorise(
    dossier: Dossier,
    act: Act,
    actor: User | None,
    *,
    at: dt.datetime,
    agency_id: int | None = None,
    unit_id: int | None = None,
    is_owner: bool | None = None,
) -> tuple[Transition, str]:
    """The table's row for ``act`` and the actor's role in it; raises the table's or the gate's refusal."""
    day = at.astimezone(VN_TZ).date()
    scope = _SCOPE.get(act, _AGENCY)
    agency = agency_id if agency_id is not None else dossier.competent_agency_id
    unit = unit_id if unit_id is not None else dossier.received_at_unit_id
    place_agency = agency if scope in (_AGENCY, _BOTH) else None
    place_unit = unit if scope in (_UNIT, _BOTH) else None
    if actor is None:
        roles = {wf_roles.SYSTEM}
    else:
        roles = roles_at(actor, agency_ids=[place_agency], unit_ids=[place_unit], day=day)
        owner = is_owner if is_owner is not None else dossier.submitted_by_id == actor.pk
        if owner:
            roles |= _applicant_roles(actor, day=day)
    transition = check(act=act, state=State(dossier.state), step=_step(dossier), roles=roles)
    acting = sorted(transition.roles & roles)
    role = next((r for r in acting if r not in wf_roles.APPLICANT), acting[0])
    if actor is not None and role not in wf_roles.APPLICANT:
        gate.require(
            actor,
            f"dossier.{act.value}",
            agency_id=place_agency,
            one_stop_unit_id=place_unit,
            at=day,
        )
    return transition, role


def _step(dossier: Dossier) -> Step | None:
    return Step(dossier.step) if dossier.step else None


# --------------------------------------------------------------------------------------------------
# Time and the clock
# --------------------------------------------------------------------------------------------------


def _instant(at: dt.datetime | None, dossier: Dossier | None = None) -> dt.datetime:
    when = clock.now() if at is None else at
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValidationFailed(
            "Thời điểm phải kèm múi giờ.",
            "The instant must carry a time zone.",
            code="naive_datetime",
            field="at",
        )
    if dossier is not None and dossier.pk is not None:
        previous = _last_event(dossier)
        last = previous[2] if previous is not None else None
        if last is not None and when < last:
            raise ValidationFailed(
                "Thời điểm thao tác không được trước thao tác gần nhất của hồ sơ.",
                "An act cannot be dated before the dossier's last act.",
                code="at_before_last_event",
                field="at",
            )
    return when


def _last_event(dossier: Dossier) -> tuple[int, str, dt.datetime] | None:
    """(seq, hash, at) of the dossier's last event: one query per act (the dossier row is locked)."""

    def read() -> tuple[int, str, dt.datetime] | None:
        row = (
            DossierEvent.objects.filter(dossier_id=dossier.pk)
            .order_by("-seq")
            .values_list("seq", "hash", "at")
            .first()
        )
        return (row[0], row[1], row[2]) if row is not None else None

    return _memoised(("last_event", dossier.pk), read)


def _province_code(agency: Agency) -> str | None:
    def walk() -> str | None:
        unit = agency.admin_unit
        while unit.level != Level.PROVINCE and unit.parent is not None:
            unit = unit.parent
        return unit.code if unit.level == Level.PROVINCE else None

    return _memoised(("province", agency.pk, agency.admin_unit_id), walk)


def _calendar(province_code: str | None) -> WorkingCalendar:
    def build() -> WorkingCalendar:
        # Read with the lock or the intake's tokens; else once per act or page, for every province.
        known, token = _recall(("calendar_token",))
        if not known or token is None:
            token = revision_token()
            _remember(("calendar_token",), token)
        return working_calendar(province_code, token=token)

    return _memoised(("calendar", province_code), build)


def province_calendar(province_code: str | None) -> WorkingCalendar:
    """``working_calendar(province_code)``, once per act or ``read_once`` page, with the calendar
    revision read once for all its provinces. Raises ``ValidationFailed`` as it does."""
    return _calendar(province_code)


def calendar_for(dossier: Dossier) -> WorkingCalendar:
    """The competent agency's province calendar (SPEC §6.1 rule 3); the national one if unknown."""
    return _agency_calendar(dossier.competent_agency)


def _agency_calendar(agency: Agency) -> WorkingCalendar:
    try:
        return _calendar(_province_code(agency))
    except ValidationFailed as error:
        if error.code != "unknown_province":
            raise
        return _calendar(None)


def note_places(agency_ids: Iterable[int], unit_ids: Iterable[int | None]) -> None:
    """Read, in one query each, the competent agencies (with their administrative units) and the
    receiving units (with their office hours) that ``calendar_of_agency``/``hours_of_unit`` will be
    asked for in this act or page, so that a list of many dossiers costs no query per row."""
    memo = _memo.get()
    if memo is None:
        return
    agencies = {
        pk for pk in agency_ids if ("calendar_of_agency", pk) not in memo and ("agency_row", pk) not in memo
    }
    units = {pk for pk in unit_ids if pk and ("hours", pk) not in memo}
    if agencies:
        for agency in Agency.objects.select_related("admin_unit__parent__parent").filter(pk__in=agencies):
            memo[("agency_row", agency.pk)] = agency
    if units:
        for unit in OneStopUnit.objects.prefetch_related("office_hours").filter(pk__in=units):
            memo[("hours", unit.pk)] = office_hours_for(unit)


def calendar_of_agency(agency_id: int) -> WorkingCalendar:
    """``calendar_for`` by the competent agency's id (lists read as values): the agency and its
    administrative units are read once per act or ``read_once`` page."""

    def read() -> WorkingCalendar:
        known, agency = _recall(("agency_row", agency_id))
        if not known:
            agency = Agency.objects.select_related("admin_unit__parent__parent").get(pk=agency_id)
        return _agency_calendar(agency)

    return _memoised(("calendar_of_agency", agency_id), read)


def _hours(unit_id: int, unit: OneStopUnit | None = None) -> OfficeHours:
    """The unit's office hours, kept per process under the reference revision (decision 0043)."""
    cache = gate.reference()
    key = ("hours", unit_id)
    if key not in cache:
        if unit is None:
            unit = OneStopUnit.objects.prefetch_related("office_hours").filter(pk=unit_id).first()
        cache[key] = office_hours_for(unit) if unit is not None else DEFAULT_HOURS
    hours: OfficeHours = cache[key]
    return hours


def hours_of_unit(unit_id: int | None) -> OfficeHours:
    """``hours_for`` by the receiving unit's id (lists read as values), once per act or page."""
    if not unit_id:
        return DEFAULT_HOURS
    return _memoised(("hours", unit_id), partial(_hours, unit_id))


def hours_for(dossier: Dossier) -> OfficeHours:
    if not dossier.received_at_unit_id:
        return DEFAULT_HOURS
    return _memoised(
        ("hours", dossier.received_at_unit_id),
        partial(_hours, dossier.received_at_unit_id, dossier.received_at_unit),
    )


def _clock_events(dossier_id: int) -> list[tl.ClockEvent]:
    """The dossier's clock events in order (a hand-written statement, decision 0043)."""
    q = rows.quote
    at_field, due_field = ClockEvent._meta.get_field("at"), ClockEvent._meta.get_field("new_due_at")
    with rows.kept_cursor() as cursor:
        cursor.execute(
            f"SELECT {q('kind')}, {q('at')}, {q('new_due_at')} FROM {q(ClockEvent._meta.db_table)} "  # noqa: S608
            f"WHERE {q('dossier_id')} = %s ORDER BY {q('at')}, {q('id')}",
            [dossier_id],
        )
        found = cursor.fetchall()
    return [
        tl.ClockEvent(tl.ClockEventKind(kind), rows.convert(at_field, at), rows.convert(due_field, due))
        for kind, at, due in found
    ]


def _replay(dossier: Dossier, extra: Sequence[tl.ClockEvent], *, at: dt.datetime) -> tl.Timeline | None:
    if dossier.time_limit_amount is None or dossier.time_limit_unit is None:
        return None
    known, recorded = _recall(("clock", dossier.pk))
    if known:
        events: list[tl.ClockEvent] = list(recorded)
    else:
        events = _clock_events(dossier.pk)
    events.extend(extra)
    if not events:
        return None
    version = dossier.procedure_version
    return tl.replay(
        events,
        amount=dossier.time_limit_amount,
        unit=TimeUnit(dossier.time_limit_unit),
        calendar=calendar_for(dossier),
        hours=hours_for(dossier),
        cutoff=version.same_day_cutoff,
        policy=tl.SupplementPolicy(version.supplement_clock_policy),
        granularity=Granularity(settings.MOTCUA_TIMELINESS_GRANULARITY),
        extension_aware=settings.MOTCUA_CLASSIFY_EXTENSION_AWARE,
        at=max(at, events[-1].at),
    )


@_act
def timeline_for(dossier: Dossier, *, at: dt.datetime | None = None) -> tl.Timeline | None:
    """The dossier's clock replayed as of ``at`` (None before acceptance or without a time limit)."""
    return _replay(dossier, (), at=at or clock.now())


def _end_of_day(day: dt.date, hours: OfficeHours) -> dt.datetime:
    return dt.datetime.combine(day, hours.end_of_day(day), VN_TZ)


# --------------------------------------------------------------------------------------------------
# The record of an act
# --------------------------------------------------------------------------------------------------


def _json(data: dict[str, Any]) -> dict[str, Any]:
    """Data as it reads back from the JSON column, so the hash recomputes the same."""
    result: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return result


def _record(
    dossier: Dossier,
    transition: Transition,
    *,
    actor: User | None,
    role: str,
    at: dt.datetime,
    reason: str = "",
    data: dict[str, Any] | None = None,
    new_due_at: dt.datetime | None = None,
    step_override: Step | None = None,
    numbers: Callable[[], dict[str, Any]] | None = None,
    explained: Callable[[dt.datetime], str] | None = None,
) -> DossierEvent:
    """Append the event (and its clock event), then move the dossier and recompute its due dates.

    ``explained`` (the acceptance's): the Vietnamese explanation of the appointment the replay gives,
    or "" when it cannot explain that date; kept in the event's data as ``due_explanation``.

    ``numbers`` (the acceptance's code and ledger line: counter rows locked until commit) runs as
    late as it can and its answer goes first in the event's data. When the event's id was taken
    beforehand (an act that opened the dossier: ``_tokens``), the rows that point to the event —
    its clock event, its outbox row (``event_recorded``) and its task rows (``effects.schedule``) —
    are written before ``numbers`` runs, so that only the event and the dossier row are written
    while the counters are locked (decision 0048); otherwise they follow the event's row.
    """
    state_before, step_before = State(dossier.state), _step(dossier)
    position = after(transition, state=state_before, step=step_before)
    step_after = step_override if step_override is not None else position.step
    clock_kind = transition.clock.clock_event
    extra = [tl.ClockEvent(tl.ClockEventKind(clock_kind), at, new_due_at)] if clock_kind else []
    timeline = _replay(dossier, extra, at=at) if (extra or dossier.received_at) else None
    payload = dict(data or {})
    if timeline is not None and extra:
        payload.setdefault("due_at", timeline.due_at)
    if timeline is not None and explained is not None:
        text = explained(timeline.due_at)
        if text:
            payload["due_explanation"] = text
    last = _last_event(dossier)
    fields: dict[str, Any] = {
        "dossier_id": dossier.pk,
        "seq": last[0] + 1 if last else 1,
        "act": transition.act.value,
        "name": transition.event,
        "actor_id": actor.pk if actor is not None else None,
        "actor_role": role,
        "at": at,
        "reason": reason,
        "state_before": state_before.value,
        "state_after": position.state.value,
        "step_before": step_before.value if step_before else "",
        "step_after": step_after.value if step_after else "",
        "form": transition.form or "",
        "prev_hash": last[1] if last else history.GENESIS,
    }
    _known, event_id = _recall(("new_event_id", dossier.pk))
    _remember(("new_event_id", dossier.pk), None)  # used once
    event = rows.new(
        DossierEvent, pk=event_id, **fields, actor_name=(actor.full_name or actor.username) if actor else ""
    )
    if actor is not None:
        event.actor = actor  # the signer of the form, without reading the user back
    dossier.state = position.state.value
    dossier.step = step_after.value if step_after else None
    dossier.national_status = national_status(position.state)
    if timeline is not None:
        dossier.original_due_at = timeline.original_due_at
        dossier.due_at = timeline.due_at
        dossier.extended_due_at = timeline.extended_due_at
        dossier.timeliness = timeline.timeliness.value if timeline.timeliness else None
    if transition.clock in (ClockEffect.FINISH, ClockEffect.STOP):
        dossier.finished_at = at
    dossier.version += 1
    with rows.together():  # on PostgreSQL, these rows go with the next statement (decision 0056)
        if event_id is not None:
            _point_to(event, dossier, clock_kind, new_due_at, extra)
        if numbers is not None:
            payload = {**numbers(), **payload}
        fields["data"] = event.data = _json(payload)
        event.hash = history.event_hash(fields)
        if event_id is not None:
            rows.write(event, with_key=True)
        else:
            rows.insert(event)
        known, previous = _recall(("events", dossier.pk))
        if known:  # a dossier opened by this act: these are all its events
            _remember(("events", dossier.pk), [*previous, event])
            _keep(dossier, "events", [*previous, event])
        _remember(("last_event", dossier.pk), (event.seq, event.hash, event.at))
        if event_id is None:
            _point_to(event, dossier, clock_kind, new_due_at, extra)
        _save(dossier)
    return event


def _point_to(
    event: DossierEvent,
    dossier: Dossier,
    clock_kind: str | None,
    new_due_at: dt.datetime | None,
    extra: list[tl.ClockEvent],
) -> None:
    """The rows that point to ``event`` (its id known): its clock event, its outbox row (the
    ``event_recorded`` receiver) and its task rows (``effects.schedule``)."""
    if clock_kind:
        rows.write(
            rows.new(
                ClockEvent, dossier=dossier, event=event, kind=clock_kind, at=event.at, new_due_at=new_due_at
            )
        )
        known, recorded = _recall(("clock", dossier.pk))
        if known:
            _remember(("clock", dossier.pk), [*recorded, *extra])
    signals.event_recorded.send(sender=DossierEvent, event=event, dossier=dossier)
    effects.schedule(event_id=event.pk, name=event.name)


class _LockStatement:
    """The one statement that opens a transition (decision 0043): the dossier row locked, with the
    rows ``select_related`` would bring (its version, competent agency and that agency's
    administrative unit, receiving unit), the last event's seq, hash and time, and the reference
    revision token; compiled once per process and database vendor."""

    def __init__(self, vendor: str, lead_task: bool = False, result: bool = False) -> None:
        q = rows.quote
        self.dossier = rows.Reader(Dossier, "d")
        self.version = rows.Reader(ProcedureVersion, "v")
        self.agency = rows.Reader(Agency, "a")
        self.admin_unit = rows.Reader(AdminUnit, "au")
        self.unit = rows.Reader(OneStopUnit, "u")
        events = q(DossierEvent._meta.db_table)
        last = f"FROM {events} e WHERE e.{q('dossier_id')} = d.{q('id')} "
        last += f"ORDER BY e.{q('seq')} DESC LIMIT 1"
        clock = q(ClockEvent._meta.db_table)
        kind, at, due, key = q("kind"), q("at"), q("new_due_at"), q("id")
        if vendor == "postgresql":  # the clock events, in order, as one JSON array (decision 0054)
            clock_events = (
                f"(SELECT json_agg(json_build_array(c.{kind}, c.{at}, c.{due}) ORDER BY c.{at}, c.{key}) "  # noqa: S608
                f"FROM {clock} c WHERE c.{q('dossier_id')} = d.{q('id')})"
            )
        else:  # SQLite: json_group_array over an ordered subquery
            clock_events = (
                f"(SELECT json_group_array(json_array(c.{kind}, c.{at}, c.{due})) FROM "  # noqa: S608
                f"(SELECT {kind}, {at}, {due} FROM {clock} WHERE {q('dossier_id')} = d.{q('id')} "
                f"ORDER BY {at}, {key}) c)"
            )
        # PostgreSQL: the id of the act's event, taken now (decision 0056), so that the event, the rows
        # that point to it and the dossier's row go to the server as one statement (``rows.together``).
        self.event_id = f", {_next_id_sql(DossierEvent)}" if vendor == "postgresql" else ""
        # ``lead_task``: the open lead task too (``_lead_task``'s row; decision 0056), for the acts
        # that check or change it (assign, appraise, …) instead of a statement of their own.
        self.task = rows.Reader(ProcessingTask, "lt") if lead_task else None
        extra_select, extra_joins = "", ""
        if self.task is not None:
            tasks = q(ProcessingTask._meta.db_table)
            extra_select = f", {self.task.select}"
            extra_joins = (
                f"LEFT JOIN {tasks} lt ON lt.{q('id')} = (SELECT t.{q('id')} FROM {tasks} t "  # noqa: S608
                f"WHERE t.{q('dossier_id')} = d.{q('id')} AND t.{q('is_lead')} = %s "
                f"AND t.{q('completed_at')} IS NULL ORDER BY t.{q('position')}, t.{q('id')} LIMIT 1) "
            )
        # ``result``: the dossier's result row (one per dossier), for sign and issue (decision 0056).
        self.result = rows.Reader(Result, "lr") if result else None
        if self.result is not None:
            extra_select += f", {self.result.select}"
            extra_joins += f"LEFT JOIN {q(Result._meta.db_table)} lr ON lr.{q('dossier_id')} = d.{q('id')} "
        self.sql = (  # table and column names from _meta
            f"SELECT {self.dossier.select}, {self.version.select}, {self.agency.select}, "  # noqa: S608
            f"{self.admin_unit.select}, {self.unit.select}, "
            f"(SELECT e.{q('seq')} {last}), (SELECT e.{q('hash')} {last}), (SELECT e.{q('at')} {last}), "
            f"(SELECT token FROM {q('core_revision')} WHERE name = %s), "
            f"(SELECT token FROM {q('core_revision')} WHERE name = %s), {calendar_revision_sql()}, "
            f"{clock_events}{self.event_id}{extra_select} "
            f"FROM {q(Dossier._meta.db_table)} d "
            f"INNER JOIN {q(ProcedureVersion._meta.db_table)} v "
            f"ON v.{q('id')} = d.{q('procedure_version_id')} "
            f"LEFT JOIN {q(Agency._meta.db_table)} a ON a.{q('id')} = d.{q('competent_agency_id')} "
            f"LEFT JOIN {q(AdminUnit._meta.db_table)} au ON au.{q('id')} = a.{q('admin_unit_id')} "
            f"LEFT JOIN {q(OneStopUnit._meta.db_table)} u ON u.{q('id')} = d.{q('received_at_unit_id')} "
            f"{extra_joins}WHERE d.{q('id')} = %s"
        )
        self.readers = (self.dossier, self.version, self.agency, self.admin_unit, self.unit)

    @staticmethod
    def clock_events(found: Any) -> list[tl.ClockEvent]:
        """The clock column's events, the values ``_clock_events`` reads: PostgreSQL's JSON renders a
        ``timestamptz`` in ISO 8601 with its offset, put back in the time zone psycopg reads the
        column in; SQLite's keeps the column's text, converted as the column is."""
        if found is None:  # json_agg over no row
            return []
        items = json.loads(found) if isinstance(found, str) else found
        at_field, due_field = ClockEvent._meta.get_field("at"), ClockEvent._meta.get_field("new_due_at")
        if connection.vendor == "postgresql":
            zone = connection.connection.info.timezone

            def instant(value: str) -> dt.datetime:
                return dt.datetime.fromisoformat(value).astimezone(zone)

            return [
                tl.ClockEvent(tl.ClockEventKind(kind), instant(at), None if due is None else instant(due))
                for kind, at, due in items
            ]
        return [
            tl.ClockEvent(tl.ClockEventKind(kind), rows.convert(at_field, at), rows.convert(due_field, due))
            for kind, at, due in items
        ]


_lock_statements: dict[tuple[str, bool, bool], _LockStatement] = {}


def _lock(
    dossier_id: int, expected_version: int | None, *, lead_task: bool = False, result: bool = False
) -> Dossier:
    """The dossier, locked (``_LockStatement``); with ``lead_task``, its open lead task is read in
    the same statement and kept for the act's first ``_lead_task``; with ``result``, its result row,
    kept for the act's first ``_result_of`` (``_taken_with_lock``)."""
    key = (connection.vendor, lead_task, result)
    statement = _lock_statements.get(key)
    if statement is None:
        statement = _lock_statements[key] = _LockStatement(connection.vendor, lead_task, result)
    sql = statement.sql + (" FOR UPDATE OF d" if connection.features.has_select_for_update_of else "")
    params: list[Any] = [revisions.REFERENCE, revisions.CATALOG]
    if statement.task is not None:
        params.append(True)
    with rows.kept_cursor() as cursor:
        cursor.execute(sql, [*params, dossier_id])
        row = cursor.fetchone()
    if row is None:
        raise NotFound("Không tìm thấy hồ sơ.", "Dossier not found.", code="dossier_not_found")
    built = []
    start = 0
    for reader in statement.readers:
        built.append(reader.build(row[start : start + len(reader)]))
        start += len(reader)
    dossier: Dossier = built[0]
    version, agency, admin_unit, unit = built[1:]
    seq, last_hash, last_at, token, catalog_token, calendar_token, clock_events = row[start : start + 7]
    _remember(("clock", dossier.pk), statement.clock_events(clock_events))  # for ``_replay``
    if statement.event_id:
        _remember(("new_event_id", dossier.pk), int(row[start + 7]))  # for ``_record``
    extra = start + (8 if statement.event_id else 7)
    for name, joined in (("lead_task", statement.task), ("result", statement.result)):
        if joined is not None:  # kept for the act's first ``_taken_with_lock``
            _remember(("locked", name, dossier.pk), joined.build(row[extra : extra + len(joined)]))
            extra += len(joined)
    calendar = str(calendar_token) if calendar_token is not None else "None"
    _remember(("calendar_token",), calendar)
    known = {revisions.REFERENCE: token, revisions.CATALOG: catalog_token, "calendar": calendar}
    _remember(("tokens",), {name: str(value) for name, value in known.items() if value is not None})
    dossier.procedure_version = version
    if agency is not None:
        if admin_unit is not None:
            agency.admin_unit = admin_unit
        dossier.competent_agency = agency
    if unit is not None:
        dossier.received_at_unit = unit
    if expected_version is not None and dossier.version != expected_version:
        raise _stale(dossier, expected_version)
    gate.use_reference(token)
    if seq is not None:
        at = rows.convert(DossierEvent._meta.get_field("at"), last_at)
        _remember(("last_event", dossier.pk), (seq, last_hash, at))
    else:
        _remember(("last_event", dossier.pk), None)
    _remember(("loaded", dossier.pk), rows.snapshot(dossier))
    if agency is not None:
        gate.note_parent("agency", dossier.competent_agency_id, agency.parent_id)
    if unit is not None:
        gate.note_parent("unit", dossier.received_at_unit_id, unit.parent_centre_id)
    return dossier


def _save(dossier: Dossier) -> None:
    """Write what the act changed on the dossier: the whole row, inserted once, for a dossier
    opened by this act (``_open``: ADR 0044); only the changed columns of a row read in this act
    (``_lock``); the whole row otherwise."""
    known, before = _recall(("loaded", dossier.pk))
    if not known:
        dossier.save()
        return
    if before is None:
        rows.insert(dossier, with_key=True)
    else:
        rows.update(dossier, [*rows.changed(dossier, before), "version"])
    _remember(("loaded", dossier.pk), rows.snapshot(dossier))


def _reason(transition: Transition, reason: str) -> str:
    text = reason.strip()
    if transition.requires_reason and not text:
        raise _required("reason", "lý do", "reason")
    return text


# --------------------------------------------------------------------------------------------------
# Intake: opening a dossier
# --------------------------------------------------------------------------------------------------


def _tokens(*, dossier_id: bool = False, components: int = 0) -> dict[str, str]:
    """The revision tokens, read once per act (one statement); the reference one is handed to the
    gate so that memberships and units are checked against it without another read. With
    ``dossier_id``, the same statement also takes the id of the dossier the act opens (ADR 0044),
    kept for ``_new_dossier_id``, and the id of its first event (decision 0048), kept for ``_record``."""

    def read() -> dict[str, str]:
        sql = _tokens_sql(connection.vendor, dossier_id, components)
        keys: list[int] = []
        with rows.kept_cursor() as cursor:
            cursor.execute(sql, [])
            found: dict[str, str] = {}
            for name, token in cursor.fetchall():
                if name == "component_id":
                    keys.append(int(token))
                else:
                    found[str(name)] = str(token)
        keys.sort()  # in the order the rows take them, as an INSERT … RETURNING gives them
        if dossier_id:
            taken = int(found.pop("dossier_id"))
            _remember(("new_dossier_id",), taken)
            _remember(("new_event_id", taken), int(found.pop("event_id")))  # that dossier's first
            _remember(("new_component_ids", taken), keys)
        gate.use_reference(found.get(revisions.REFERENCE))
        _remember(("calendar_token",), found["calendar"])
        return found

    return _memoised(("tokens",), read)


@cache
def _tokens_sql(vendor: str, dossier_id: bool, components: int) -> str:
    """``_tokens``'s statement, built once per process for each form.

    It has no parameter: the names and the number of components are written into it (decision
    0057). With a parameter, PostgreSQL planned it again on every call (0.17 ms): its generic plan
    counts 1,000 rows for ``generate_series(1, $n)``, so it kept to custom plans. Without one, the
    plan is made once per connection and kept."""
    sql = (
        f"SELECT name, token FROM {rows.quote('core_revision')} "  # noqa: S608 - names from _meta
        f"UNION ALL SELECT 'calendar', {calendar_revision_sql()}"
    )
    text = _TEXT[vendor]
    if dossier_id:
        sql += f" UNION ALL SELECT 'dossier_id', CAST({_next_id_sql(Dossier)} AS {text})"
        sql += f" UNION ALL SELECT 'event_id', CAST({_next_id_sql(DossierEvent)} AS {text})"
    if dossier_id and components and vendor == "postgresql":
        # the keys of its components (decision 0056): written with them, they wait for the act's
        # next statement (``rows.together``) instead of an INSERT … RETURNING of their own
        sql += f" UNION ALL SELECT 'component_id', CAST({_next_id_sql(DossierComponent)} AS {text}) "
        sql += f"FROM generate_series(1, {int(components)})"
    return sql


_TEXT: Final = {"postgresql": "varchar", "sqlite": "text"}


def _next_id_sql(model: type[Dossier] | type[DossierEvent] | type[DossierComponent]) -> str:
    """An expression of the id the next row of ``model`` takes (ADR 0044), so that an act that opens
    a dossier can write its components, events and fee lines before the row itself (the foreign keys
    are DEFERRABLE INITIALLY DEFERRED on both databases) and insert the row once, with its final
    values; and write the rows that point to its first event before that event (decision 0048).
    PostgreSQL: the value is taken from the identity column's sequence (a value taken by an act that
    rolls back is lost, as an INSERT's is). SQLite: the act's transaction holds the database write
    lock from BEGIN (``transaction_mode = IMMEDIATE``), so nobody else inserts a row until it ends,
    and the next AUTOINCREMENT value can be read."""
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        return f"nextval(pg_get_serial_sequence('{table}', '{model._meta.pk.column}'))"
    quoted = rows.quote(table)
    return (
        f"MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0), "  # noqa: S608
        f"COALESCE((SELECT MAX({rows.quote(model._meta.pk.column)}) FROM {quoted}), 0)) + 1"
    )


def _new_dossier_id(components: int = 0) -> int:
    """The id of the dossier this act opens: taken with the act's revision tokens when they are
    read first (``_open``), else by a statement of its own. On PostgreSQL, the same statement takes
    the keys of its first ``components`` components."""
    _tokens(dossier_id=True, components=components)
    known, taken = _recall(("new_dossier_id",))
    _remember(("new_dossier_id",), None)  # used once
    if known and taken is not None:
        return int(taken)
    with rows.kept_cursor() as cursor:
        cursor.execute(f"SELECT {_next_id_sql(Dossier)}")
        return int(cursor.fetchone()[0])


def _version_for(intake: Intake, at: dt.datetime) -> ProcedureVersion:
    # The version in force, kept per process under the catalogue revision (decision 0043): a
    # version published, superseded or abolished anywhere is seen at the next intake.
    cache = revisions.store(revisions.CATALOG, _tokens().get(revisions.CATALOG))
    key = ("in_force_beside", intake.procedure_version_id, local_day(at))
    if key not in cache:
        cache[key] = version_in_force_beside(intake.procedure_version_id, at=at)
    version: ProcedureVersion | None = cache[key]
    if version is not None and version.pk == intake.procedure_version_id:
        return version
    if not ProcedureVersion.objects.filter(pk=intake.procedure_version_id).exists():
        raise NotFound("Không tìm thấy thủ tục.", "Procedure version not found.", code="version_not_found")
    raise ValidationFailed(
        "Phiên bản thủ tục này không còn (hoặc chưa) có hiệu lực vào ngày tiếp nhận.",
        "This procedure version is not in force on the day of receipt.",
        code="version_not_in_force",
        field="procedure_version_id",
    )


def _case_for(version: ProcedureVersion, case_id: int | None) -> ProcedureCase | None:
    cases = list(version_parts(version).cases)
    _keep(version, "cases", cases)
    if case_id is None:
        if len(cases) > 1:
            raise _required("procedure_case_id", "trường hợp của thủ tục", "procedure case")
        return cases[0] if cases else None
    case = next((c for c in cases if c.pk == case_id), None)
    if case is None:
        raise ValidationFailed(
            "Trường hợp không thuộc thủ tục này.",
            "The case does not belong to this procedure version.",
            code="invalid",
            field="procedure_case_id",
        )
    return case


def _agency(agency_id: int) -> Agency | None:
    """The agency with its administrative unit, kept per process under the reference revision
    (decision 0043): shared by the acts of the process, never changed by them."""
    found: Agency | None = gate.kept(
        ("agency", agency_id),
        lambda: Agency.objects.select_related("admin_unit").filter(pk=agency_id).first(),
    )
    return found


def _competent_agency(version: ProcedureVersion, agency_id: int | None) -> Agency:
    if agency_id is not None:
        agency: Agency | None = _agency(agency_id)
    else:
        named = (
            VersionAgency.objects.filter(
                version=version,
                agency__isnull=False,
                role__in=[AgencyRole.COMPETENT, AgencyRole.IMPLEMENTING],
            )
            .order_by("role", "position")
            .first()
        )
        agency = named.agency if named is not None else None
    if agency is None:
        raise _required("competent_agency_id", "cơ quan có thẩm quyền giải quyết", "competent agency")
    return agency


def _admin_units_up(admin_unit_id: int) -> tuple[int, ...]:
    """The administrative unit and the units above it, nearest first (commune, province), kept per
    process under the reference revision."""

    def walk() -> tuple[int, ...]:
        chain: list[int] = []
        current: int | None = admin_unit_id
        while current is not None and current not in chain:
            chain.append(current)
            current = AdminUnit.objects.filter(pk=current).values_list("parent_id", flat=True).first()
        return tuple(chain)

    found: tuple[int, ...] = gate.kept(("admin_units_up", admin_unit_id), walk)
    return found


def unit_serving(agency_id: int) -> OneStopUnit | None:
    """A one-stop unit in force whose area takes ``agency_id``'s dossiers without the
    boundary-independent list (``_check_boundary``): the agency's own unit, else a unit of its
    administrative unit, else of the nearest unit above (a commune before the province)."""
    agency = _agency(agency_id)
    if agency is None:
        return None
    in_force = one_stop_units_valid_on(clock.today()).order_by("pk")
    own = in_force.filter(agency_id=agency_id).first()
    if own is not None or agency.admin_unit_id is None:
        return own
    above = _admin_units_up(agency.admin_unit_id)
    units: dict[int, OneStopUnit] = {}
    for unit in in_force.filter(admin_unit_id__in=above):
        units.setdefault(unit.admin_unit_id, unit)  # the lowest pk of each area
    return next((units[area] for area in above if area in units), None)


def _check_boundary(unit: OneStopUnit, agency: Agency, version: ProcedureVersion) -> None:
    """SPEC §2 (3), scenario 22: a one-stop unit receives the procedures of the agencies of its own
    area (its administrative unit and the units above it: a commune centre those of its commune and
    of the province); a dossier another area's agency decides (another commune, another province)
    only when the procedure is on the province's boundary-independent list
    (``is_boundary_independent``) and the unit takes such dossiers (``accepts_boundary_independent``)."""
    if agency.admin_unit_id is None or agency.admin_unit_id in _admin_units_up(unit.admin_unit_id):
        return
    if not version.is_boundary_independent:
        raise ValidationFailed(
            f"Thủ tục này không thuộc danh mục thủ tục hành chính không phụ thuộc vào địa giới hành "
            f"chính: {unit.name} không tiếp nhận hồ sơ do {agency.name} giải quyết. Hãy hướng dẫn "
            f"người nộp đến bộ phận một cửa nơi {agency.name} tiếp nhận.",
            f"This procedure is not on the boundary-independent list: {unit.name} does not receive "
            f"dossiers that {agency.name} decides. Refer the applicant to the one-stop unit serving "
            f"{agency.name}.",
            code="outside_boundary",
            field="competent_agency_id",
        )
    if not unit.accepts_boundary_independent:
        raise ValidationFailed(
            f"{unit.name} không tiếp nhận hồ sơ không phụ thuộc vào địa giới hành chính của nơi khác "
            f"({agency.name}).",
            f"{unit.name} does not receive boundary-independent dossiers of other areas ({agency.name}).",
            code="outside_boundary",
            field="received_at_unit_id",
        )


# The accepted values of the intake's choices, once (``Choices.values`` builds a new list each time).
_CHANNELS = frozenset(Channel.values)
_RESULT_DELIVERIES = frozenset(ResultDelivery.values)
_COPY_TYPES = frozenset(CopyType.values)


def _open(intake: Intake, *, state: State, at: dt.datetime, submitted_by: User | None) -> Dossier:
    """A dossier in NEW (counter) or DRAFT (online), with its components; no code, no clock.

    The dossier row itself is not written here: it carries its id already (``_new_dossier_id``)
    and the act's ``_save`` inserts it once, with the values the act gives it (ADR 0044)."""
    dossier_id = _new_dossier_id(components=len(intake.components))
    version = _version_for(intake, at)
    case = _case_for(version, intake.procedure_case_id)
    if not one_of(intake.channel, _CHANNELS):
        raise ValidationFailed("Kênh nộp không hợp lệ.", "Unknown channel.", code="invalid", field="channel")
    cache = gate.reference()  # the unit is kept per process under the reference revision (0043)
    if ("unit", intake.received_at_unit_id) not in cache:
        cache[("unit", intake.received_at_unit_id)] = (
            OneStopUnit.objects.select_related("agency", "admin_unit")
            .prefetch_related("office_hours")
            .filter(pk=intake.received_at_unit_id)
            .first()
        )
    unit = cache[("unit", intake.received_at_unit_id)]
    if unit is None:
        raise _required("received_at_unit_id", "nơi tiếp nhận", "receiving unit")
    agency = _competent_agency(version, intake.competent_agency_id)
    _check_boundary(unit, agency, version)
    applicant = clean_person(intake.applicant, field="applicant")
    rep = clean_person(intake.representative, field="representative") if intake.representative else None
    if not one_of(intake.result_delivery, _RESULT_DELIVERIES):
        raise ValidationFailed(
            "Hình thức nhận kết quả không hợp lệ.", "Unknown result delivery.", field="result_delivery"
        )
    if intake.result_delivery == ResultDelivery.POSTAL and not intake.result_delivery_address.strip():
        raise _required("result_delivery_address", "địa chỉ nhận kết quả qua bưu chính", "postal address")
    dossier = rows.new(  # Dossier(...) through the positional constructor (decision 0060)
        Dossier,
        procedure_version=version,
        procedure_case=case,
        channel=intake.channel,
        applicant_kind=applicant.kind,
        applicant_name=applicant.full_name,
        applicant_identifier_type=applicant.identifier_type,
        applicant_identifier=applicant.identifier_number,
        applicant_date_of_birth=applicant.date_of_birth,
        applicant_address=applicant.address,
        applicant_commune_id=applicant.commune_id,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        has_representative=rep is not None,
        submitted_by=submitted_by,
        received_at_unit=unit,
        competent_agency=agency,
        return_unit=unit if intake.return_unit_id in (None, unit.pk) else None,
        return_unit_id=intake.return_unit_id or unit.pk,
        state=state.value,
        result_delivery=intake.result_delivery,
        result_delivery_address=intake.result_delivery_address.strip(),
        summary=intake.summary.strip(),
        vneid_verified=intake.vneid_verified,
    )
    if rep is not None:
        dossier.representative_name = rep.full_name
        dossier.representative_identifier_type = rep.identifier_type
        dossier.representative_identifier = rep.identifier_number
        dossier.representative_date_of_birth = rep.date_of_birth
        dossier.representative_address = rep.address
        dossier.representative_commune_id = rep.commune_id
        dossier.representative_phone = rep.phone
        dossier.representative_email = rep.email
    if state == State.DRAFT:
        dossier.temporary_reference = f"TMP-{secrets.token_hex(6).upper()}"
    dossier.intake_key = _intake_key(intake) or None
    dossier.pk = dossier_id
    _remember(("loaded", dossier.pk), None)  # not written yet: ``_save`` inserts it
    # A dossier opened by this act has no event, no clock event and no component yet.
    _remember(("last_event", dossier.pk), None)
    _remember(("events", dossier.pk), [])
    _remember(("clock", dossier.pk), [])
    gate.note_parent("unit", unit.pk, unit.parent_centre_id)
    gate.note_parent("agency", agency.pk, agency.parent_id)
    templates = version_parts(version).templates.get(case.pk, ()) if case is not None else ()
    _add_components(dossier, intake.components, case, start=0, templates=templates)
    return dossier


def _intake_key(intake: Intake | None) -> str:
    key = (intake.idempotency_key if intake is not None else "").strip()
    if len(key) > 64:
        raise ValidationFailed(
            "Khóa chống gửi trùng quá dài (tối đa 64 ký tự).",
            "The idempotency key is too long (64 characters at most).",
            code="invalid_idempotency_key",
            field="idempotency_key",
        )
    return key


def _once(intake: Intake | None, open_dossier: Callable[[], Dossier]) -> Dossier:
    """Open a dossier once per idempotency key: a repeated request (a double click, a retried POST)
    gets the dossier the first one opened. Two concurrent requests with one key: the unique
    ``intake_key`` lets one insert; the other waits for it, fails, and returns the winner's dossier."""
    key = _intake_key(intake)
    if not key:
        return open_dossier()
    # Almost always a new key: one statement built once per process (``rows.first``), which finds
    # nothing, instead of a queryset compiled on every intake; a repeat gets its row from it.
    existing = rows.first(Dossier, intake_key=key)
    if existing is not None:
        return existing
    try:
        return open_dossier()
    except IntegrityError:
        existing = Dossier.objects.filter(intake_key=key).first()
        if existing is None:
            raise
        return existing


def _add_components(
    dossier: Dossier,
    components: Sequence[ComponentInput],
    case: ProcedureCase | None,
    *,
    start: int | None = None,
    templates: Iterable[ComponentTemplate] | None = None,
) -> None:
    if templates is not None:  # the case's templates, already read (catalog.selectors.version_parts)
        by_pk = {t.pk: t for t in templates}
    else:
        by_pk = {t.pk: t for t in ComponentTemplate.objects.filter(case=case)} if case else {}
    if start is None:
        start = dossier.components.count()
    else:  # a dossier just opened: its components are these, and the case's templates are known
        _remember(("templates", case.pk if case else None), list(by_pk.values()))
    added: list[DossierComponent] = []
    for position, item in enumerate(components, start=start):
        template = by_pk.get(item.template_id) if item.template_id is not None else None
        if item.template_id is not None and template is None:
            raise ValidationFailed(
                "Thành phần hồ sơ không thuộc trường hợp của thủ tục.",
                "The component does not belong to the procedure case.",
                code="invalid_component",
                field="components",
            )
        name = item.name.strip() or (template.name if template else "")
        if not name:
            raise _required("components", "tên thành phần hồ sơ", "component name")
        if not one_of(item.copy_type, _COPY_TYPES) or item.count < 1:
            raise ValidationFailed(
                "Loại bản hoặc số lượng thành phần không hợp lệ.",
                "Invalid copy type or count.",
                code="invalid_component",
                field="components",
            )
        added.append(
            rows.new(
                DossierComponent,
                dossier=dossier,
                template=template,
                name=name,
                copy_type=item.copy_type,
                count=item.count,
                reused_from=item.reused_from.strip(),
                position=position,
            )
        )
        if item.reused_from.strip():
            dossier.has_reused_components = True
    known, keys = _recall(("new_component_ids", dossier.pk)) if start == 0 else (False, None)
    if known and keys and len(keys) == len(added):  # taken beforehand (PostgreSQL, decision 0056)
        _remember(("new_component_ids", dossier.pk), None)  # used once
        for component, key in zip(added, keys, strict=True):
            component.pk = key
            rows.write(component, with_key=True)
    elif added:
        rows.insert_many(added)
    if start == 0 and dossier.pk is not None:
        _remember(("present", dossier.pk), {row.template_id for row in added if row.template_id is not None})
        _keep(dossier, "components", added)
    if dossier.has_reused_components and _recall(("loaded", dossier.pk)) != (True, None):
        # (a dossier opened by this act gets the flag with its row, in ``_save``)
        Dossier.objects.filter(pk=dossier.pk).update(has_reused_components=True)


def _missing_components(dossier: Dossier) -> list[ComponentTemplate]:
    if dossier.procedure_case_id is None:
        return []
    known, present = _recall(("present", dossier.pk))
    if not known:
        present = set(dossier.components.exclude(template=None).values_list("template_id", flat=True))
    known, templates = _recall(("templates", dossier.procedure_case_id))
    if known:
        required = [t for t in templates if t.is_required]
    else:
        required = list(ComponentTemplate.objects.filter(case_id=dossier.procedure_case_id, is_required=True))
    return [t for t in required if t.pk not in present]


def _offer(dossier: Dossier) -> ChannelOffer | None:
    offers = list(version_parts(dossier.procedure_version).offers)

    def rank(offer: ChannelOffer) -> tuple[int, int, int]:
        return (
            0 if offer.channel == dossier.channel else 1,
            0 if offer.case_id == dossier.procedure_case_id else (1 if offer.case_id is None else 2),
            0 if offer.time_limit_amount is not None else 1,
        )

    usable = [o for o in offers if o.case_id in (None, dossier.procedure_case_id)] or offers
    return min(usable, key=rank) if usable else None


def _accept(
    dossier: Dossier, transition: Transition, *, actor: User | None, role: str, at: dt.datetime
) -> None:
    """T2/T7: the code, the time limit, the fees, the hand-over deadlines, and the clock's START."""
    missing = _missing_components(dossier)
    if missing:
        names = "; ".join(t.name for t in missing)
        raise ValidationFailed(
            f"Hồ sơ còn thiếu thành phần bắt buộc: {names}. Hãy hướng dẫn bổ sung, hoàn thiện (Mẫu 02).",
            f"Required components are missing: {names}. Request completion (Form 02) instead.",
            code="missing_components",
            field="components",
            missing=[t.pk for t in missing],
        )
    receiving = dossier.received_at_unit.agency
    dossier.receiving_agency = receiving
    dossier.received_at = at
    opened_here = _recall(("last_event", dossier.pk)) == (True, None)
    lines: list[FeeLine] = []
    offer = _offer(dossier)
    if offer is not None and offer.time_limit_amount is not None and offer.time_limit_unit:
        dossier.time_limit_amount = offer.time_limit_amount
        dossier.time_limit_unit = offer.time_limit_unit
        lines = [
            rows.new(
                FeeLine,
                dossier=dossier,
                fee=fee,
                description=fee.description or fee.get_kind_display(),
                amount=fee.amount,
                collect_at=fee.collected_when,
            )
            for fee in offer.fees.all()
            if fee.amount is not None and fee.amount > 0
        ]
        # with the rows waiting (``rows.together``): no statement of their own (decision 0060)
        rows.insert_many(lines)
    if opened_here:  # a dossier opened by this act: these are all its fee lines
        _keep(dossier, "fee_lines", lines)
    calendar, hours = calendar_for(dossier), hours_for(dossier)
    dossier.handover_due_at, dossier.paper_handover_due_at = handover_deadlines(at, calendar, hours)

    def numbers() -> dict[str, Any]:
        # As late as it can (in ``_record``): the counter rows stay locked until commit (codes.py).
        return {"code": codes.issue_numbers(dossier, receiving_agency=receiving, accepted_at=at)}

    def explained(due_at: dt.datetime) -> str:
        # Form 01's "why this date" (item 5), as the receipt gives it (decision 0055): from the
        # calendar and office hours this act counted with, when they give the same appointment.
        amount, unit = dossier.time_limit_amount, dossier.time_limit_unit
        if amount is None or not unit:
            return ""
        try:
            due = due_date(
                received_at=at,
                amount=amount,
                unit=TimeUnit(unit),
                calendar=calendar,
                hours=hours,
                cutoff=dossier.procedure_version.same_day_cutoff,
            )
        except ValidationFailed:
            return ""
        return explain(due, calendar, language="vi") if due.due_at == due_at else ""

    _record(
        dossier,
        transition,
        actor=actor,
        role=role,
        at=at,
        data={"handover_due_at": dossier.handover_due_at},
        numbers=numbers,
        explained=explained,
    )


def handover_deadlines(
    accepted_at: dt.datetime, calendar: WorkingCalendar, hours: OfficeHours
) -> tuple[dt.datetime, dt.datetime]:
    """(electronic, paper) hand-over deadlines to the competent agency.

    ND61 Art 18(2); ND118 Art 18 as restated in 2025 internal processes [S]: the e-dossier goes at
    once, or at the start of the next working day when accepted after 15:00 (scenario 6: 15:20 Tue
    03/03/2026 → 07:00 Wed 04/03; 14:20 → 17:00 Tue 03/03); the paper file within 1 working day.
    """
    local = accepted_at.astimezone(VN_TZ)
    day = local.date()
    cutoff = dt.time.fromisoformat(settings.MOTCUA_HANDOVER_CUTOFF)
    if calendar.is_working(day) and local.time() < cutoff:
        electronic = _end_of_day(day, hours)
    else:
        following = calendar.next_working(day)
        electronic = dt.datetime.combine(following, hours.windows_for(following, calendar)[0][0], VN_TZ)
    paper_day = calendar.add_working_days(day, settings.MOTCUA_PAPER_HANDOVER_WORKING_DAYS)
    return electronic, _end_of_day(paper_day, hours)


@_act
def receive_at_counter(*, intake: Intake, actor: User, at: dt.datetime | None = None) -> Dossier:
    """T2: a complete dossier accepted at the counter: code, Form 01, the clock starts."""
    when = _instant(at)

    def open_dossier() -> Dossier:
        # PostgreSQL: the components, the clock event and the outbox row go with the code counters'
        # statement, the event with the dossier's row (``rows.together``, decision 0056)
        with transaction.atomic(), rows.together():
            dossier = _open(intake, state=State.NEW, at=when, submitted_by=None)
            transition, role = _authorise(dossier, Act.ACCEPT, actor, at=when)
            _accept(dossier, transition, actor=actor, role=role, at=when)
        return dossier

    return _once(intake, open_dossier)


@_act
def submit_dossier(*, intake: Intake, actor: User, at: dt.datetime | None = None) -> Dossier:
    """T1: an online (or postal) submission: SUBMITTED with a temporary reference, no code, no clock."""
    when = _instant(at)

    def open_dossier() -> Dossier:
        with transaction.atomic():
            is_applicant = bool(_applicant_roles(actor, day=when.astimezone(VN_TZ).date()))
            dossier = _open(intake, state=State.DRAFT, at=when, submitted_by=actor if is_applicant else None)
            transition, role = _authorise(dossier, Act.SUBMIT, actor, at=when, is_owner=is_applicant)
            dossier.submitted_at = when
            _record(
                dossier,
                transition,
                actor=actor,
                role=role,
                at=when,
                data={"reference": dossier.temporary_reference},
            )
        return dossier

    return _once(intake, open_dossier)


@_act
def accept_dossier(
    *, dossier_id: int, actor: User, at: dt.datetime | None = None, expected_version: int | None = None
) -> Dossier:
    """T7: an online or postal submission is complete and valid: code, e-Form 01, the clock starts."""
    with transaction.atomic():
        dossier = _lock(dossier_id, expected_version)
        when = _instant(at, dossier)
        transition, role = _authorise(dossier, Act.ACCEPT, actor, at=when)
        _accept(dossier, transition, actor=actor, role=role, at=when)
    return dossier


def _completion_data(dossier: Dossier, missing_component_ids: Sequence[int], guidance: str) -> dict[str, Any]:
    """ND61 Art 15(3), 17(1)(a): everything missing, in one list, in one go."""
    case_templates = (
        {t.pk: t for t in ComponentTemplate.objects.filter(case_id=dossier.procedure_case_id)}
        if dossier.procedure_case_id
        else {}
    )
    unknown = [pk for pk in missing_component_ids if pk not in case_templates]
    if unknown:
        raise ValidationFailed(
            "Thành phần cần bổ sung không thuộc trường hợp của thủ tục.",
            "A component to complete does not belong to the procedure case.",
            code="invalid_component",
            field="missing_component_ids",
        )
    if not missing_component_ids and not guidance.strip():
        raise _required(
            "missing_component_ids", "các thành phần cần bổ sung", "list of components to complete"
        )
    return {
        "missing": [
            {"template_id": pk, "name": case_templates[pk].name}
            for pk in dict.fromkeys(missing_component_ids)
        ],
        "guidance": guidance.strip(),
    }


@_act
def request_completion(
    *,
    actor: User,
    reason: str,
    missing_component_ids: Sequence[int] = (),
    guidance: str = "",
    dossier_id: int | None = None,
    intake: Intake | None = None,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """T3 (counter: pass ``intake``) / T5 (online: pass ``dossier_id``): Form 02, no code, no clock.

    At the counter the record of the guidance is a dossier row in INTAKE_SUPPLEMENT_REQUESTED with
    neither code nor ``received_at`` (SPEC scenario 3: counted in no statistic of received dossiers).
    """

    def act() -> Dossier:
        with transaction.atomic():
            dossier, when = _intake_target(dossier_id, intake, at, expected_version)
            transition, role = _authorise(dossier, Act.REQUEST_COMPLETION, actor, at=when)
            text = _reason(transition, reason)
            data = _completion_data(dossier, missing_component_ids, guidance)
            _record(dossier, transition, actor=actor, role=role, at=when, reason=text, data=data)
        return dossier

    return _once(intake, act) if dossier_id is None else act()


@_act
def refuse_at_intake(
    *,
    actor: User,
    reason: str,
    dossier_id: int | None = None,
    intake: Intake | None = None,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """T4 (counter) / T8 (online): Form 03 with the reason; terminal, no code, no clock."""

    def act() -> Dossier:
        with transaction.atomic():
            dossier, when = _intake_target(dossier_id, intake, at, expected_version)
            transition, role = _authorise(dossier, Act.REFUSE_AT_INTAKE, actor, at=when)
            text = _reason(transition, reason)
            _record(dossier, transition, actor=actor, role=role, at=when, reason=text)
        return dossier

    return _once(intake, act) if dossier_id is None else act()


def _intake_target(
    dossier_id: int | None, intake: Intake | None, at: dt.datetime | None, expected_version: int | None
) -> tuple[Dossier, dt.datetime]:
    if (dossier_id is None) == (intake is None):
        raise ValidationFailed(
            "Cần đúng một trong hai: hồ sơ đã nộp hoặc thông tin tiếp nhận tại quầy.",
            "Give exactly one of dossier_id (an online submission) or intake (at the counter).",
            code="invalid",
            field="dossier_id",
        )
    if intake is not None:
        when = _instant(at)
        return _open(intake, state=State.NEW, at=when, submitted_by=None), when
    assert dossier_id is not None
    dossier = _lock(dossier_id, expected_version)
    return dossier, _instant(at, dossier)


@_act
def resubmit_dossier(
    *,
    dossier_id: int,
    actor: User,
    components: Sequence[ComponentInput] = (),
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """T6: the completed dossier comes back (online, or recorded at the counter)."""
    with transaction.atomic():
        dossier = _lock(dossier_id, expected_version)
        when = _instant(at, dossier)
        transition, role = _authorise(dossier, Act.RESUBMIT, actor, at=when)
        _add_components(dossier, components, dossier.procedure_case)
        dossier.submitted_at = when
        _record(
            dossier, transition, actor=actor, role=role, at=when, data={"components_added": len(components)}
        )
    return dossier


# --------------------------------------------------------------------------------------------------
# Files (digitization)
# --------------------------------------------------------------------------------------------------

_MAGIC: Final = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff_content_type(head: bytes) -> str | None:
    """PDF, JPEG or PNG from the first bytes (never from the name or the browser's claim)."""
    return next((kind for magic, kind in _MAGIC if head.startswith(magic)), None)


@_act
def attach_component_file(
    *, component_id: int, actor: User, content: bytes, name: str, at: dt.datetime | None = None
) -> DossierFile:
    """Store a digitized copy of a component (reception officer, or the applicant before acceptance)."""
    component = DossierComponent.objects.filter(pk=component_id).first()
    if component is None:
        raise NotFound("Không tìm thấy thành phần hồ sơ.", "Component not found.", code="component_not_found")
    _within_limit(content)
    kind = sniff_content_type(content[:16])
    if kind is None:
        raise ValidationFailed(
            "Chỉ nhận tệp PDF, JPEG hoặc PNG.",
            "Only PDF, JPEG or PNG files are accepted.",
            code="unsupported_file_type",
            field="file",
        )
    with transaction.atomic():
        dossier = _lock(component.dossier_id, None)
        when = _instant(at)
        day = when.astimezone(VN_TZ).date()
        is_owner = dossier.submitted_by_id == actor.pk and State(dossier.state) in {
            State.DRAFT,
            State.SUBMITTED,
            State.INTAKE_SUPPLEMENT_REQUESTED,
            State.PROCESSING_SUPPLEMENT_REQUESTED,
        }
        if not is_owner:
            gate.require(actor, "dossier.digitize", one_stop_unit_id=dossier.received_at_unit_id, at=day)
            if State(dossier.state) in {State.INTAKE_REFUSED, State.STOPPED, State.RETURNED}:
                raise ValidationFailed(
                    "Hồ sơ đã kết thúc; không thể bổ sung tệp.",
                    "The dossier is closed; files cannot be added.",
                    code="dossier_closed",
                )
        digest = hashlib.sha256(content).hexdigest()
        stored = DossierFile(
            component=component,
            original_name=name[:255] or "tep",
            sha256=digest,
            size=len(content),
            content_type=kind,
            uploaded_by=actor,
            uploaded_at=when,
        )
        stored.file.save(digest, ContentFile(content), save=False)
        stored.save()
        if not is_owner:
            DossierComponent.objects.filter(pk=component.pk).update(digitized_by=actor, digitized_at=when)
            dossier.has_digitized_components = True
            # Digitized at the counter: kept in the applicant's personal store too (issue #7 part 3).
            transaction.on_commit(partial(effects.after_file, file_id=stored.pk), robust=True)
        dossier.version += 1
        dossier.save()
    return stored


# --------------------------------------------------------------------------------------------------
# Forwarding and inter-agency tasks
# --------------------------------------------------------------------------------------------------


def _budget_from_process(dossier: Dossier, agency_id: int) -> tuple[int, TimeUnit] | None:
    """The version's internal process steps at ``agency_id`` in the competent province, summed;
    kept per process under the catalogue revision (decision 0043)."""
    province = _province_code(dossier.competent_agency) or ""
    cache = revisions.store(revisions.CATALOG, _tokens().get(revisions.CATALOG))
    key = ("budget", dossier.procedure_version_id, province, agency_id)
    if key not in cache:
        cache[key] = _read_budget(dossier.procedure_version_id, province, agency_id)
    budget: tuple[int, TimeUnit] | None = cache[key]
    return budget


def _read_budget(version_id: int, province: str, agency_id: int) -> tuple[int, TimeUnit] | None:
    process = InternalProcess.objects.filter(version_id=version_id, province_code=province).first()
    if process is None:
        return None
    steps = list(ProcessStep.objects.filter(process=process, agency_id=agency_id))
    if not steps:
        return None
    hours = sum(
        (
            s.budget_amount * (Decimal(8) if s.budget_unit == TimeUnit.WORKING_DAY else Decimal(1))
            for s in steps
        ),
        Decimal(0),
    )
    if hours % 8 == 0:
        return int(hours / 8), TimeUnit.WORKING_DAY
    return int(hours.to_integral_value()), TimeUnit.WORKING_HOUR


def _third_agency(dossier: Dossier, agency_id: int) -> bool:
    """A task at ``agency_id`` is inter-agency work at a third agency (``ProcessingTask.third_agency``)."""
    return agency_id not in (dossier.competent_agency_id, dossier.receiving_agency_id)


def _open_task(
    dossier: Dossier, task: TaskInput, *, at: dt.datetime, from_agency_id: int | None, position: int
) -> ProcessingTask:
    agency = _agency(task.agency_id) if task.agency_id is not None else None
    if agency is None:
        raise NotFound("Không tìm thấy cơ quan.", "Agency not found.", code="agency_not_found")
    if task.budget_amount is not None:
        if task.budget_amount < 1 or task.budget_unit not in (TimeUnit.WORKING_DAY, TimeUnit.WORKING_HOUR):
            raise ValidationFailed(
                "Thời hạn của bước xử lý không hợp lệ.",
                "Invalid task budget.",
                code="invalid_budget",
                field="tasks",
            )
        budget: tuple[int, TimeUnit] | None = (task.budget_amount, TimeUnit(task.budget_unit))
    else:
        budget = _budget_from_process(dossier, agency.pk)
        if budget is None and task.is_lead and dossier.time_limit_amount and dossier.time_limit_unit:
            budget = (dossier.time_limit_amount, TimeUnit(dossier.time_limit_unit))
    if budget is None:
        raise ValidationFailed(
            f"Chưa có thời hạn cho bước xử lý tại {agency.name}: ghi rõ hoặc khai báo quy trình nội bộ.",
            f"No budget for the task at {agency.name}: give one or declare the internal process.",
            code="no_task_budget",
            field="tasks",
        )
    amount, unit = budget
    due = tl.step_due(
        started_at=at,
        budget_amount=amount,
        budget_unit=unit,
        calendar=calendar_for(dossier),
        hours=hours_for(dossier),
    )
    opened = ProcessingTask(
        dossier=dossier,
        position=position,
        step_code=task.step_code,
        name=task.name.strip() or agency.name,
        agency=agency,
        from_agency_id=from_agency_id,
        is_lead=task.is_lead,
        third_agency=_third_agency(dossier, agency.pk),
        budget_amount=amount,
        budget_unit=unit.value,
        started_at=at,
        due_at=due.due_at,
    )
    rows.insert(opened)
    return opened


@_act
def forward_dossier(
    *,
    dossier_id: int,
    actor: User | None,
    tasks: Sequence[TaskInput] = (),
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """T9: hand the dossier over to the competent agency (a lead task there); T18: add tasks at other
    agencies (inter-agency work, each task with its own budget). The dossier stays one dossier."""
    with transaction.atomic():
        dossier = _lock(dossier_id, expected_version)
        when = _instant(at, dossier)
        transition, role = _authorise(dossier, Act.FORWARD, actor, at=when)
        first = State(dossier.state) == State.RECEIVED
        wanted = list(tasks)
        if first and not any(t.agency_id == dossier.competent_agency_id for t in wanted):
            wanted.insert(0, TaskInput(agency_id=dossier.competent_agency_id, is_lead=True))
        if not wanted:
            raise _required("tasks", "cơ quan nhận hồ sơ", "receiving agency of the forwarded dossier")
        existing = _task_agencies(dossier.pk)
        lead = next((agency for agency, is_lead in existing if is_lead), None)
        position = len(existing)
        opened = []
        for offset, item in enumerate(wanted):
            if first and item.agency_id == dossier.competent_agency_id:
                item = TaskInput(**{**_task_fields(item), "is_lead": True})
            task = _open_task(
                dossier, item, at=when, from_agency_id=None if first else lead, position=position + offset
            )
            opened.append({"task_id": task.pk, "agency_id": task.agency_id, "due_at": task.due_at})
        data: dict[str, Any] = {"tasks": opened}
        if first:
            dossier.forwarded_at = when
            data["handover_due_at"] = dossier.handover_due_at
            data["is_handover_late"] = bool(dossier.handover_due_at and when > dossier.handover_due_at)
        _record(dossier, transition, actor=actor, role=role, at=when, data=data)
    return dossier


def _task_agencies(dossier_id: int) -> list[tuple[int, bool]]:
    """The agency of each of the dossier's tasks and whether it leads, in order (a hand-written
    statement, decision 0043: the queryset's compiling was a tenth of the forward act's CPU)."""
    q = rows.quote
    with rows.kept_cursor() as cursor:
        cursor.execute(
            f"SELECT {q('agency_id')}, {q('is_lead')} FROM {q(ProcessingTask._meta.db_table)} "  # noqa: S608
            f"WHERE {q('dossier_id')} = %s ORDER BY {q('position')}, {q('id')}",
            [dossier_id],
        )
        return [(agency_id, bool(is_lead)) for agency_id, is_lead in cursor.fetchall()]


def _task_fields(task: TaskInput) -> dict[str, Any]:
    return {name: getattr(task, name) for name in TaskInput.__slots__}


@_act
def complete_task(
    *, task_id: int, actor: User, outcome: str, opinion: str = "", at: dt.datetime | None = None
) -> ProcessingTask:
    """An agency finishes its part: early, on time or late against its own budget (scenario 19).

    Not an act of the state table (the dossier does not move); it is asked of the gate as answering
    for one's agency (``dossier.answer_consultation``) at the task's agency.
    """
    task = ProcessingTask.objects.filter(pk=task_id).first()
    if task is None:
        raise NotFound("Không tìm thấy bước xử lý.", "Task not found.", code="task_not_found")
    with transaction.atomic():
        dossier = _lock(task.dossier_id, None)
        task = ProcessingTask.objects.select_for_update().get(pk=task_id)
        when = _instant(at, dossier)
        gate.require(
            actor, "dossier.answer_consultation", agency_id=task.agency_id, at=when.astimezone(VN_TZ).date()
        )
        if task.completed_at is not None:
            raise Conflict(
                "Bước xử lý đã hoàn thành.", "The task is already completed.", code="task_completed"
            )
        if not outcome.strip():
            raise _required("outcome", "kết quả xử lý", "outcome")
        task.completed_at = when
        task.outcome = outcome.strip()[:40]
        task.opinion = opinion.strip()
        task.assignee = task.assignee or actor
        task.timeliness = tl.classify_step(
            started_at=task.started_at,
            finished_at=when,
            budget_amount=task.budget_amount,
            budget_unit=TimeUnit(task.budget_unit),
            calendar=calendar_for(dossier),
            hours=hours_for(dossier),
            granularity=Granularity(settings.MOTCUA_TIMELINESS_GRANULARITY),
        ).value
        task.save()
        dossier.version += 1
        dossier.save(update_fields=["version", "updated_at"])
    return task


# --------------------------------------------------------------------------------------------------
# Processing at the competent agency
# --------------------------------------------------------------------------------------------------


def _simple(
    act: Act,
    *,
    dossier_id: int,
    actor: User | None,
    at: dt.datetime | None,
    expected_version: int | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> Dossier:
    with transaction.atomic():
        dossier = _lock(dossier_id, expected_version)
        when = _instant(at, dossier)
        transition, role = _authorise(dossier, act, actor, at=when)
        text = _reason(transition, reason)
        _record(dossier, transition, actor=actor, role=role, at=when, reason=text, data=data)
    return dossier


_task_reader: rows.Reader | None = None


def _taken_with_lock(name: str, dossier: Dossier) -> tuple[bool, Any]:
    """(True, the row) the first time after a ``_lock`` that read ``name`` ("lead_task", "result")
    in its statement (decision 0056); (False, None) otherwise, and after that first time."""
    memo = _memo.get()
    key = ("locked", name, dossier.pk)
    if memo is None or key not in memo:
        return False, None
    return True, memo.pop(key)


def _result_of(dossier: Dossier) -> Result | None:
    """The dossier's result row: as the act's lock read it (``_lock(result=True)``) the first time
    after that lock, else by a statement built once (``rows.first``)."""
    taken, locked = _taken_with_lock("result", dossier)
    return locked if taken else rows.first(Result, dossier_id=dossier.pk)


def _lead_task(dossier: Dossier) -> ProcessingTask | None:
    """The open lead task (first by position): as the act's lock read it (``_lock(lead_task=True)``,
    decision 0056) the first time after that lock, else by a hand-written statement (decision 0043)."""
    taken, locked = _taken_with_lock("lead_task", dossier)
    if taken:
        found: ProcessingTask | None = locked
        return found
    global _task_reader
    if _task_reader is None:
        _task_reader = rows.Reader(ProcessingTask, "t")
    reader = _task_reader
    q = rows.quote
    with rows.kept_cursor() as cursor:
        cursor.execute(
            f"SELECT {reader.select} FROM {q(ProcessingTask._meta.db_table)} t "  # noqa: S608 - from _meta
            f"WHERE t.{q('dossier_id')} = %s AND t.{q('is_lead')} = %s AND t.{q('completed_at')} IS NULL "
            f"ORDER BY t.{q('position')}, t.{q('id')} LIMIT 1",
            [dossier.pk, True],
        )
        row = cursor.fetchone()
    task: ProcessingTask | None = reader.build(row) if row is not None else None
    return task


@_act
def assign_handler(
    *,
    dossier_id: int,
    actor: User,
    handler_id: int,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """T10: the head of the competent agency assigns a handler (ND61 Art 19(1))."""
    with transaction.atomic(), rows.together():  # the task's UPDATE rides with the act's (0056)
        dossier = _lock(dossier_id, expected_version, lead_task=True)
        when = _instant(at, dossier)
        transition, role = _authorise(dossier, Act.ASSIGN, actor, at=when)
        handler = rows.first(User, id=handler_id, is_active=True) if handler_id is not None else None
        held = (
            roles_at(handler, agency_ids=[dossier.competent_agency_id], day=when.astimezone(VN_TZ).date())
            if handler
            else set()
        )
        if handler is None or wf_roles.HANDLER not in held:
            raise ValidationFailed(
                "Người được phân công không phải chuyên viên thụ lý của cơ quan giải quyết.",
                "The person assigned is not a handler at the competent agency.",
                code="not_a_handler",
                field="handler_id",
            )
        task = _lead_task(dossier)
        if task is not None:  # ProcessingTask has no auto_now field: these two columns alone
            task.assignee, task.role = handler, wf_roles.HANDLER
            rows.write_update(task, ["assignee_id", "role"])
        _record(
            dossier,
            transition,
            actor=actor,
            role=role,
            at=when,
            data={"handler_id": handler.pk, "handler_name": handler.full_name or handler.username},
        )
    return dossier


def _require_assignee(dossier: Dossier, actor: User) -> None:
    task = _lead_task(dossier)
    if task is not None and task.assignee_id is not None and task.assignee_id != actor.pk:
        raise PermissionRefused(
            "Hồ sơ được phân công cho chuyên viên khác.",
            "The dossier is assigned to another handler.",
            code="not_assigned_handler",
        )


@_act
def appraise(
    *,
    dossier_id: int,
    actor: User,
    opinion: str,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """T11: the assigned handler records an appraisal or verification (ND61 Art 19(3))."""
    with transaction.atomic():
        dossier = _lock(dossier_id, expected_version, lead_task=True)
        when = _instant(at, dossier)
        transition, role = _authorise(dossier, Act.APPRAISE, actor, at=when)
        _require_assignee(dossier, actor)
        if not opinion.strip():
            raise _required("opinion", "ý kiến thẩm định", "appraisal opinion")
        _record(dossier, transition, actor=actor, role=role, at=when, data={"opinion": opinion.strip()})
    return dossier


@_act
def consult(
    *,
    dossier_id: int,
    actor: User,
    agency_id: int,
    content: str,
    deadline: dt.datetime,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Consultation:
    """T12a: ask another agency's opinion with content and a deadline (ND61 Art 19(5))."""
    with transaction.atomic():
        dossier = _lock(dossier_id, expected_version, lead_task=True)
        when = _instant(at, dossier)
        transition, role = _authorise(dossier, Act.CONSULT, actor, at=when)
        _require_assignee(dossier, actor)
        if not content.strip():
            raise _required("content", "nội dung xin ý kiến", "consultation content")
        if deadline.tzinfo is None or deadline <= when:
            raise ValidationFailed(
                "Thời hạn trả lời phải sau thời điểm xin ý kiến.",
                "The answer deadline must be after the request.",
                code="invalid_deadline",
                field="deadline",
            )
        agency = Agency.objects.filter(pk=agency_id).first()
        if agency is None or agency.pk == dossier.competent_agency_id:
            raise ValidationFailed(
                "Cơ quan được xin ý kiến không hợp lệ.",
                "Invalid agency to consult.",
                code="invalid_agency",
                field="agency_id",
            )
        consultation = Consultation.objects.create(
            dossier=dossier,
            requested_agency=agency,
            requested_by=actor,
            requested_at=when,
            content=content.strip(),
            deadline=deadline,
        )
        _record(
            dossier,
            transition,
            actor=actor,
            role=role,
            at=when,
            data={"consultation_id": consultation.pk, "agency_id": agency.pk, "deadline": deadline},
        )
    return consultation


@_act
def answer_consultation(
    *,
    consultation_id: int,
    actor: User,
    response: str,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Consultation:
    """T12b: the consulted agency answers; the dossier is back at APPRAISING once no question is open."""
    found = Consultation.objects.filter(pk=consultation_id).first()
    if found is None:
        raise NotFound(
            "Không tìm thấy yêu cầu xin ý kiến.", "Consultation not found.", code="consultation_not_found"
        )
    with transaction.atomic():
        dossier = _lock(found.dossier_id, expected_version)
        consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
        when = _instant(at, dossier)
        transition, role = _authorise(
            dossier, Act.ANSWER_CONSULTATION, actor, at=when, agency_id=consultation.requested_agency_id
        )
        if consultation.responded_at is not None:
            raise Conflict(
                "Yêu cầu này đã được trả lời.", "This consultation is already answered.", code="answered"
            )
        if not response.strip():
            raise _required("response", "nội dung trả lời", "response")
        consultation.response = response.strip()
        consultation.responded_at = when
        consultation.responded_by = actor
        consultation.save()
        still_open = dossier.consultations.filter(responded_at__isnull=True).exists()
        _record(
            dossier,
            transition,
            actor=actor,
            role=role,
            at=when,
            data={
                "consultation_id": consultation.pk,
                "is_late": when > consultation.deadline,
                "still_open": still_open,
            },
            step_override=Step.CONSULTING if still_open else None,
        )
    return consultation


@_act
def request_supplement(
    *,
    dossier_id: int,
    actor: User,
    reason: str,
    missing_component_ids: Sequence[int] = (),
    guidance: str = "",
    override_basis: str = "",
    confirm_repeat: bool = False,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """T13: Form 02 through the one-stop unit; the clock stops (RESTART or PAUSE per the version).

    ND61 Art 19(4): within 3 working days of receipt (the setting ``MOTCUA_SUPPLEMENT_WINDOW_DAYS``);
    later only with ``override_basis`` naming the specialised law, and flagged (scenario 14). Guidance
    is given in one go (ND61 Art 15(3)): a second request needs ``confirm_repeat`` and is flagged,
    since QD766 2.1 counts such a dossier as late (scenario 15).
    """
    with transaction.atomic():
        dossier = _lock(dossier_id, expected_version, lead_task=True)
        when = _instant(at, dossier)
        transition, role = _authorise(dossier, Act.REQUEST_SUPPLEMENT, actor, at=when)
        _require_assignee(dossier, actor)
        text = _reason(transition, reason)
        data = _completion_data(dossier, missing_component_ids, guidance)
        previous = ClockEvent.objects.filter(
            dossier=dossier, kind=tl.ClockEventKind.SUPPLEMENT_REQUESTED
        ).count()
        if previous and not confirm_repeat:
            raise ValidationFailed(
                "Hồ sơ đã được yêu cầu bổ sung một lần. NĐ 61 Điều 15(3) yêu cầu hướng dẫn một lần, đầy đủ; "
                "nếu vẫn yêu cầu lần nữa, hồ sơ bị tính là trễ hạn theo chỉ số QĐ 766 (2.1). "
                "Xác nhận để tiếp tục.",
                "A supplement was already requested once. ND61 Art 15(3) requires complete guidance "
                "in one go; a second request counts the dossier as late in the QD766 index (2.1). "
                "Confirm to proceed.",
                code="second_supplement_request",
                field="confirm_repeat",
            )
        calendar = calendar_for(dossier)
        anchor = (
            ClockEvent.objects.filter(dossier=dossier, kind=tl.ClockEventKind.SUPPLEMENT_RECEIVED)
            .order_by("-at")
            .values_list("at", flat=True)
            .first()
        ) or dossier.received_at
        assert anchor is not None
        window_end = tl.supplement_window_end(anchor, calendar, settings.MOTCUA_SUPPLEMENT_WINDOW_DAYS)
        outside = when.astimezone(VN_TZ).date() > window_end
        if outside and not override_basis.strip():
            raise ValidationFailed(
                f"Đã quá thời hạn {settings.MOTCUA_SUPPLEMENT_WINDOW_DAYS} ngày làm việc để yêu cầu bổ sung "
                f"(đến hết ngày {window_end:%d/%m/%Y}; NĐ 61 Điều 19(4)). Chỉ được yêu cầu khi ghi rõ căn cứ "
                "pháp luật chuyên ngành.",
                f"The {settings.MOTCUA_SUPPLEMENT_WINDOW_DAYS}-working-day window to request a supplement "
                f"ended on {window_end:%d/%m/%Y} (ND61 Art 19(4)). A request now needs the legal basis in "
                "specialised law.",
                code="supplement_window_passed",
                field="override_basis",
                window_end=window_end.isoformat(),
            )
        data.update(
            {
                "window_end": window_end,
                "outside_window": outside,
                "override_basis": override_basis.strip(),
                "repeat": bool(previous),
                "policy": dossier.procedure_version.supplement_clock_policy,
            }
        )
        if outside:
            dossier.supplement_outside_window = True
        if previous:
            dossier.supplement_requested_twice = True
        _record(dossier, transition, actor=actor, role=role, at=when, reason=text, data=data)
    return dossier


@_act
def receive_supplement(
    *,
    dossier_id: int,
    actor: User,
    components: Sequence[ComponentInput] = (),
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """T14: the supplement is complete; a new appointment (RESTART: the full limit again), Form 01."""
    with transaction.atomic():
        dossier = _lock(dossier_id, expected_version)
        when = _instant(at, dossier)
        transition, role = _authorise(dossier, Act.RECEIVE_SUPPLEMENT, actor, at=when)
        _add_components(dossier, components, dossier.procedure_case)
        _record(
            dossier,
            transition,
            actor=actor,
            role=role,
            at=when,
            data={"previous_due_at": dossier.due_at, "components_added": len(components)},
        )
    return dossier


@_act
def request_financial_obligation(
    *,
    dossier_id: int,
    actor: User,
    amount: int,
    description: str,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """T16: taxes, levies or fees due before the result; the clock pauses until paid."""
    if amount < 0:
        raise ValidationFailed(
            "Số tiền không hợp lệ.", "Invalid amount.", code="invalid_amount", field="amount"
        )
    if not description.strip():
        raise _required("description", "nội dung nghĩa vụ tài chính", "description of the obligation")
    with transaction.atomic():
        dossier = _lock(dossier_id, expected_version)
        when = _instant(at, dossier)
        transition, role = _authorise(dossier, Act.REQUEST_FINANCIAL_OBLIGATION, actor, at=when)
        if amount > 0:  # the amount becomes a fee line the applicant pays (motcua.payments)
            FeeLine(
                dossier=dossier, description=description.strip(), amount=amount, collect_at=OBLIGATION
            ).save()
        _record(
            dossier,
            transition,
            actor=actor,
            role=role,
            at=when,
            data={"amount": amount, "description": description.strip()},
        )
    return dossier


@_act
def confirm_payment(
    *,
    dossier_id: int,
    actor: User | None,
    receipt_no: str = "",
    paid_online: int = 0,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """T17: payment confirmed (at the counter, by finance, or by reconciliation); the clock resumes."""
    if paid_online not in (0, 1, 2):
        raise ValidationFailed(
            "Hình thức thanh toán trực tuyến không hợp lệ.",
            "Invalid online payment flag.",
            field="paid_online",
        )
    with transaction.atomic():
        dossier = _lock(dossier_id, expected_version)
        when = _instant(at, dossier)
        transition, role = _authorise(dossier, Act.CONFIRM_PAYMENT, actor, at=when)
        if paid_online:
            dossier.paid_online = paid_online
        _record(
            dossier,
            transition,
            actor=actor,
            role=role,
            at=when,
            data={"receipt_no": receipt_no.strip(), "paid_online": paid_online},
        )
    return dossier


@_act
def propose_refusal(
    *,
    dossier_id: int,
    actor: User,
    reason: str,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """T19a: the handler proposes a reasoned refusal after appraisal."""
    return _simple(
        Act.PROPOSE_REFUSAL,
        dossier_id=dossier_id,
        actor=actor,
        at=at,
        expected_version=expected_version,
        reason=reason,
    )


@_act
def refuse_after_appraisal(
    *,
    dossier_id: int,
    actor: User,
    reason: str,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """T19b: not eligible; the reasoned Form 03 is the result, returned like one (ND61 Art 19(8))."""
    with transaction.atomic():
        dossier = _lock(dossier_id, expected_version)
        when = _instant(at, dossier)
        transition, role = _authorise(dossier, Act.REFUSE_AFTER_APPRAISAL, actor, at=when)
        text = _reason(transition, reason)
        Result.objects.update_or_create(
            dossier=dossier,
            defaults={"is_refusal": True, "signer": actor, "signed_at": when, "issued_at": when},
        )
        _record(dossier, transition, actor=actor, role=role, at=when, reason=text)
    return dossier


@_act
def approve(
    *,
    dossier_id: int,
    actor: User,
    opinion: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """T21a: the competent person approves the appraised result."""
    return _simple(
        Act.APPROVE,
        dossier_id=dossier_id,
        actor=actor,
        at=at,
        expected_version=expected_version,
        data={"opinion": opinion.strip()},
    )


_RESULT_COLUMNS: Final = tuple(f.attname for f in Result._meta.concrete_fields if not f.primary_key)


@_act
def sign_result(
    *,
    dossier_id: int,
    actor: User,
    content: bytes | None = None,
    file_name: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """T21b: the result is signed (TT01/2018 Art 10(1)(d)).

    With ``content`` (the result document, a PDF) or a document already attached to the result, the
    configured signature provider signs it digitally (``signing.py``) and the signature is kept on
    the result; without a document the act records who signed on paper. A provider that refuses
    refuses the act: nothing is saved.
    """
    _require_pdf(content)
    with transaction.atomic():
        dossier = _lock(dossier_id, expected_version, result=True)
        when = _instant(at, dossier)
        transition, role = _authorise(dossier, Act.SIGN_RESULT, actor, at=when)
        # The dossier row is locked: nobody else creates its result meanwhile.
        result = _result_of(dossier) or Result(dossier=dossier)
        result.signer, result.signed_at = actor, when
        if content is not None:
            result.sha256 = hashlib.sha256(content).hexdigest()
            result.file.save(file_name or f"{result.sha256}.pdf", ContentFile(content), save=False)
        data: dict[str, Any] = {}
        if result.file:
            document = content if content is not None else _read(result)
            signer = signing.Signer(user_id=actor.pk, full_name=actor.full_name, username=actor.username)
            signature = signing.provider().sign(document, signer=signer, at=when)
            result.signature_provider = signature.provider
            result.signature_algorithm = signature.algorithm
            result.signature_value = signature.value
            result.signature_certificate = signature.certificate
            data = {"sha256": signature.document_sha256, "certificate": signature.certificate}
        # What ``result.save()`` wrote, by statements built once per process (decision 0054): the
        # new row, or every column of the existing one; each field's ``pre_save`` runs (the file's too).
        if result.pk is None:
            rows.insert(result)
        else:
            rows.update(result, _RESULT_COLUMNS)
        _record(dossier, transition, actor=actor, role=role, at=when, data=data)
    return dossier


def _read(result: Result) -> bytes:
    with result.file.open("rb") as handle:
        content: bytes = handle.read()
    return content


def _within_limit(content: bytes) -> None:
    limit = settings.MOTCUA_DOSSIER_FILE_MAX_BYTES
    if len(content) > limit:
        raise ValidationFailed(
            f"Tệp quá lớn ({len(content):,} byte); tối đa {limit:,} byte.".replace(",", "."),
            f"The file is too large ({len(content):,} bytes); the limit is {limit:,} bytes.",
            code="file_too_large",
            field="file",
        )


def _require_pdf(content: bytes | None) -> None:
    if content is not None:
        _within_limit(content)
    kind = sniff_content_type(content[:16]) if content else None
    if content is not None and kind != "application/pdf":
        raise ValidationFailed(
            "Tệp kết quả phải là PDF.",
            "The result file must be a PDF.",
            code="unsupported_file_type",
            field="file",
        )


def result_signature_valid(result: Result) -> bool | None:
    """Whether the result's file still matches its digital signature (None: not digitally signed)."""
    if not result.is_digitally_signed or not result.file or result.signed_at is None:
        return None
    signature = signing.Signature(
        provider=result.signature_provider,
        algorithm=result.signature_algorithm,
        value=result.signature_value,
        certificate=result.signature_certificate,
        signed_at=result.signed_at,
        document_sha256=result.sha256,
    )
    return signing.provider().verify(_read(result), signature)


@_act
def issue_result(
    *,
    dossier_id: int,
    actor: User,
    number: str,
    content: bytes | None = None,
    file_name: str = "",
    result_code: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """T21c: numbered and issued; processing ends (``finished_at``) and is classified."""
    if not number.strip():
        raise _required("number", "số văn bản kết quả", "result number")
    _require_pdf(content)
    with transaction.atomic(), rows.together():  # the result's UPDATE rides with the act's (0056)
        dossier = _lock(dossier_id, expected_version, result=True)
        when = _instant(at, dossier)
        transition, role = _authorise(dossier, Act.ISSUE_RESULT, actor, at=when)
        # The dossier row is locked: nobody else creates its result meanwhile.
        result = _result_of(dossier) or Result(dossier=dossier)
        result.number = number.strip()
        result.result_code = result_code.strip()
        result.issued_at = when
        signed_other = (
            content is not None
            and result.is_digitally_signed
            and hashlib.sha256(content).hexdigest() != result.sha256
        )
        if signed_other:
            raise ValidationFailed(
                "Tệp kết quả khác với tệp đã được ký số; hãy ký số lại tệp này trước khi ban hành.",
                "The result file differs from the digitally signed one; sign this file before issuing it.",
                code="result_not_the_signed_one",
                field="file",
            )
        if content is not None and not result.is_digitally_signed:
            result.sha256 = hashlib.sha256(content).hexdigest()
            result.file.save(file_name or f"{result.sha256}.pdf", ContentFile(content), save=False)
        # The new row, or the columns this act writes on the signed result's row (decision 0045).
        if result.pk is None:
            rows.insert(result)
        else:
            rows.write_update(result, ["number", "result_code", "issued_at", "sha256", "file"])
        _record(
            dossier,
            transition,
            actor=actor,
            role=role,
            at=when,
            data={"number": result.number, "sha256": result.sha256},
        )
    return dossier


# T22 delivery methods and the person collecting at the counter (ND61 Art 6(2)(b): the applicant
# presents Form 01, a representative also the authorisation).
RETURN_METHODS: Final = (ResultDelivery.COUNTER, ResultDelivery.POSTAL, ResultDelivery.ONLINE)
RECIPIENT_APPLICANT: Final = "applicant"
RECIPIENT_REPRESENTATIVE: Final = "representative"


def _return_details(
    *,
    delivery_method: str,
    recipient_kind: str,
    recipient_name: str,
    recipient_identifier: str,
    authorisation_number: str,
    tracking_number: str,
) -> dict[str, Any]:
    """The delivery proof stored in the return event's data; raises for what is missing."""
    if delivery_method not in RETURN_METHODS:
        raise ValidationFailed(
            "Cách trả kết quả không hợp lệ.",
            "Invalid delivery method.",
            code="invalid_delivery_method",
            field="delivery_method",
        )
    details: dict[str, Any] = {"delivery_method": delivery_method}
    if delivery_method == ResultDelivery.COUNTER:
        if recipient_kind not in (RECIPIENT_APPLICANT, RECIPIENT_REPRESENTATIVE):
            raise _required("recipient_kind", "người nhận kết quả", "person collecting the result")
        if not recipient_name.strip():
            raise _required("recipient_name", "họ tên người nhận", "name of the person collecting")
        if not recipient_identifier.strip():
            raise _required(
                "recipient_identifier",
                "số giấy tờ tùy thân người nhận",
                "identity number of the person collecting",
            )
        details |= {
            "recipient_kind": recipient_kind,
            "recipient_name": recipient_name.strip()[:255],
            "recipient_identifier": recipient_identifier.strip()[:40],
        }
        if recipient_kind == RECIPIENT_REPRESENTATIVE:
            if not authorisation_number.strip():
                raise _required(
                    "authorisation_number", "số văn bản ủy quyền", "authorisation document number"
                )
            details["authorisation_number"] = authorisation_number.strip()[:60]
    elif delivery_method == ResultDelivery.POSTAL:
        if not tracking_number.strip():
            raise _required("tracking_number", "số hiệu bưu gửi", "postal tracking number")
        details["tracking_number"] = tracking_number.strip()[:60]
    return details


@_act
def return_result(
    *,
    dossier_id: int,
    actor: User | None,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
    delivery_method: str | None = None,
    recipient_kind: str = RECIPIENT_APPLICANT,
    recipient_name: str = "",
    recipient_identifier: str = "",
    authorisation_number: str = "",
    tracking_number: str = "",
) -> Dossier:
    """T22: the result (or the refusal notice) is handed over at the return unit, by post or online.

    With ``delivery_method`` (counter, postal, online) the proof of delivery is kept in the event's
    data: at the counter the person collecting (the applicant, or a representative with the number
    of the authorisation document) and the identity number checked; by post the tracking number.
    """
    details: dict[str, Any] = {}
    if delivery_method is not None:
        details = _return_details(
            delivery_method=delivery_method,
            recipient_kind=recipient_kind,
            recipient_name=recipient_name,
            recipient_identifier=recipient_identifier,
            authorisation_number=authorisation_number,
            tracking_number=tracking_number,
        )
    with transaction.atomic():
        dossier = _lock(dossier_id, expected_version)
        when = _instant(at, dossier)
        transition, role = _authorise(
            dossier,
            Act.RETURN_RESULT,
            actor,
            at=when,
            unit_id=dossier.return_unit_id or dossier.received_at_unit_id,
        )
        dossier.returned_at = when
        # SPEC T22: fees due on return are collected (and receipted) at the counter first, through
        # the payment ledger (motcua.payments.services.record_counter_payment).
        due = FeeLine.objects.filter(dossier=dossier, collect_at="on_return", is_paid=False)
        if due.exists():
            raise Conflict(
                "Còn phí, lệ phí phải nộp khi trả kết quả: hãy thu và in biên lai trước khi trả kết quả.",
                "Fees due on return are unpaid: collect them and print the receipt before returning.",
                code="fees_due",
            )
        _record(
            dossier,
            transition,
            actor=actor,
            role=role,
            at=when,
            data={"delivery": dossier.result_delivery, **details},
        )
    return dossier


def settle_fee_lines(*, fee_line_ids: Sequence[int], paid_at: dt.datetime | None) -> int:
    """Mark the fee lines paid at ``paid_at`` (or unpaid again with ``None``, after a refund).

    Called only by ``motcua.payments.services`` inside the transaction that writes the ledger entry,
    so a fee line is paid exactly when a payment covering it is. Returns the lines changed.
    """
    lines = FeeLine.objects.filter(pk__in=list(fee_line_ids))
    if paid_at is None:
        return lines.filter(is_paid=True).update(is_paid=False, paid_at=None)
    return lines.filter(is_paid=False).update(is_paid=True, paid_at=paid_at)


@_act
def apologise_and_extend(
    *,
    dossier_id: int,
    actor: User,
    reason: str,
    new_due: dt.datetime | dt.date,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """T20: Form 04, the apology with the reason and the new appointment; at most once, to a later date.

    ND61 Art 19(9), kept after ND118 [S]: at the latest one working day before the due date; a later
    apology is still recorded (the applicant must be told) but flagged ``apology_late``.
    """
    with transaction.atomic():
        dossier = _lock(dossier_id, expected_version)
        when = _instant(at, dossier)
        transition, role = _authorise(dossier, Act.APOLOGISE_AND_EXTEND, actor, at=when)
        text = _reason(transition, reason)
        hours, calendar = hours_for(dossier), calendar_for(dossier)
        new_due_at = new_due if isinstance(new_due, dt.datetime) else _end_of_day(new_due, hours)
        if dossier.extended_due_at is not None:
            raise ValidationFailed(
                "Hồ sơ đã được hẹn lại một lần; không được gia hạn lần thứ hai (NĐ 61 Điều 19(9)).",
                "The appointment was already rescheduled once; a second extension is not allowed "
                "(ND61 Art 19(9)).",
                code="second_extension",
                field="new_due",
            )
        legal = dossier.due_at
        assert legal is not None
        deadline = tl.apology_deadline(legal, calendar)
        _record(
            dossier,
            transition,
            actor=actor,
            role=role,
            at=when,
            reason=text,
            new_due_at=new_due_at,
            data={
                "original_due_at": legal,
                "new_due_at": new_due_at,
                "apology_deadline": deadline,
                "apology_late": when.astimezone(VN_TZ).date() > deadline,
            },
        )
    return dossier


@_act
def request_withdrawal(
    *,
    dossier_id: int,
    actor: User | None,
    reason: str,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """T23a: the applicant asks to withdraw (online, at the counter, by post); refused once a result
    is signed or ready (TT03 Art 7: only while no decision or result exists)."""
    return _simple(
        Act.REQUEST_WITHDRAWAL,
        dossier_id=dossier_id,
        actor=actor,
        at=at,
        expected_version=expected_version,
        reason=reason,
    )


@_act
def stop_processing(
    *,
    dossier_id: int,
    actor: User,
    reason: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """T15 (no supplement in time; reason required) / T23b (on the applicant's request): TT03 Form 05."""
    return _simple(
        Act.STOP_PROCESSING,
        dossier_id=dossier_id,
        actor=actor,
        at=at,
        expected_version=expected_version,
        reason=reason,
    )


# --------------------------------------------------------------------------------------------------
# Incidents (T24), deadline warnings (SPEC §6.1 rule 11), successor agencies (scenario 30)
# --------------------------------------------------------------------------------------------------


def _places(dossier: Dossier) -> tuple[list[int], list[int]]:
    """Every agency and one-stop unit holding the dossier: competent agency, open tasks, units."""
    agencies = [dossier.competent_agency_id]
    agencies += [
        a
        for a in dossier.tasks.filter(completed_at__isnull=True).values_list("agency_id", flat=True)
        if a not in agencies
    ]
    units = [u for u in dict.fromkeys((dossier.received_at_unit_id, dossier.return_unit_id)) if u is not None]
    return agencies, units


@_act
def report_incident(
    *,
    dossier_id: int,
    actor: User,
    reason: str,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """T24: the dossier was lost or damaged; the event records what happened, the state is kept.

    ND61 Art 21(2): the agency that lost or damaged the dossier fixes it, the responsibility is
    assigned, and the applicant receives an apology (``effects``: template ``dossier.incident_reported``).
    Whoever holds the dossier may report it: staff of the receiving or return unit, of the competent
    agency, or of an agency with an open task on it.
    """
    with transaction.atomic():
        dossier = _lock(dossier_id, expected_version)
        when = _instant(at, dossier)
        day = when.astimezone(VN_TZ).date()
        agencies, units = _places(dossier)
        roles = roles_at(actor, agency_ids=agencies, unit_ids=units, day=day)
        transition = check(
            act=Act.REPORT_INCIDENT, state=State(dossier.state), step=_step(dossier), roles=roles
        )
        permission = "dossier.report_incident"
        if not any(gate.allows(actor, permission, agency_id=a, at=day) for a in agencies) and not any(
            gate.allows(actor, permission, one_stop_unit_id=u, at=day) for u in units
        ):
            gate.require(actor, permission, agency_id=dossier.competent_agency_id, at=day)
        granting = {str(r) for r in gate.PERMISSIONS[permission]}
        role = sorted(transition.roles & roles & granting)[0]
        text = _reason(transition, reason)
        _record(dossier, transition, actor=actor, role=role, at=when, reason=text)
    return dossier


@_act
def apology_deadline_end(dossier: Dossier) -> dt.datetime | None:
    """When the time to send the apology (Form 04) runs out: the end of the office day of the last
    working day before the due date (ND61 Art 19(9): "chậm nhất 01 ngày trước ngày hết hạn";
    scenario 16: due Mon 16/03/2026 → Fri 13/03/2026 17:00). None without a due date."""
    if dossier.due_at is None:
        return None
    day = tl.apology_deadline(dossier.due_at, calendar_for(dossier))
    return _end_of_day(day, hours_for(dossier))


# The urging notices are history rows that change nothing: no state, no clock, no version bump (a
# handler editing the dossier at night is not told it went stale). ``urge`` is the one-stop head's
# "đôn đốc" (SPEC §4.1); the state table has no row for it because it moves nothing.
_URGE: Final = "urge"
APOLOGY_OVERDUE_WARNED: Final = "apology_overdue_warned"
CONSULTATION_OVERDUE_WARNED: Final = "consultation_overdue_warned"


@dataclass(slots=True)
class WarningReport:
    """What one run of ``warn_deadlines`` did (printed by the command)."""

    apology_overdue: int = 0
    consultations_overdue: int = 0
    warnings_recorded: int = 0
    already_warned: int = 0
    emails_queued: int = 0
    recipients_without_email: int = 0
    skipped: list[str] = field(default_factory=list)


def _append_notice(dossier: Dossier, *, name: str, at: dt.datetime, data: dict[str, Any]) -> DossierEvent:
    """A system notice in the hash-chained history (the dossier row must be locked)."""
    state = State(dossier.state)
    step = _step(dossier)
    last = DossierEvent.objects.filter(dossier=dossier).order_by("-seq").values_list("seq", "hash").first()
    fields: dict[str, Any] = {
        "dossier_id": dossier.pk,
        "seq": last[0] + 1 if last else 1,
        "act": _URGE,
        "name": name,
        "actor_id": None,
        "actor_role": wf_roles.SYSTEM,
        "at": at,
        "reason": "",
        "state_before": state.value,
        "state_after": state.value,
        "step_before": step.value if step else "",
        "step_after": step.value if step else "",
        "form": "",
        "data": _json(data),
        "prev_hash": last[1] if last else history.GENESIS,
    }
    event = DossierEvent(**fields, actor_name="", hash=history.event_hash(fields))
    event.save()
    _remember(("last_event", dossier.pk), (event.seq, event.hash, event.at))
    signals.event_recorded.send(sender=DossierEvent, event=event, dossier=dossier)
    return event


def _staff(
    role: str, *, day: dt.date, agency_ids: Iterable[int] = (), unit_ids: Iterable[int] = ()
) -> list[User]:
    from django.db.models import Q

    from motcua.core.models import valid_on

    place = Q(agency_id__in=list(agency_ids)) | Q(one_stop_unit_id__in=list(unit_ids))
    memberships = (
        Membership.objects.filter(valid_on(day), place, role=role, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    return list({m.user_id: m.user for m in memberships}.values())


@_act
def warning_recipients(dossier: Dossier, *, day: dt.date) -> list[User]:
    """The competent agency's leaders and the receiving one-stop unit's heads (or its centre's)."""
    leaders = _staff(wf_roles.DEPT_LEADER, day=day, agency_ids=[dossier.competent_agency_id])
    heads = _staff(wf_roles.ONE_STOP_HEAD, day=day, unit_ids=_unit_chain(dossier.received_at_unit_id))
    return list({u.pk: u for u in [*leaders, *heads]}.values())


def _warn(
    report: WarningReport,
    *,
    dossier_id: int,
    name: str,
    at: dt.datetime,
    data: dict[str, Any],
    template_key: str,
    context: dict[str, str | int],
) -> None:
    from motcua.notifications.services import notify

    with transaction.atomic():
        dossier = _lock(dossier_id, None)
        day = at.astimezone(VN_TZ).date()
        marker = {"day": day.isoformat(), **{k: v for k, v in data.items() if k.endswith("_id")}}
        if DossierEvent.objects.filter(
            dossier=dossier, name=name, **{f"data__{k}": v for k, v in marker.items()}
        ).exists():
            report.already_warned += 1
            return
        last = (
            DossierEvent.objects.filter(dossier=dossier).order_by("-seq").values_list("at", flat=True).first()
        )
        if last is not None and at < last:
            report.skipped.append(dossier.reference)
            return
        recipients = warning_recipients(dossier, day=day)
        with_email = [u for u in recipients if u.email.strip()]
        report.recipients_without_email += len(recipients) - len(with_email)
        event = _append_notice(
            dossier,
            name=name,
            at=at,
            data={**data, "day": day.isoformat(), "notified": [u.pk for u in with_email]},
        )
        report.warnings_recorded += 1
        for user in with_email:
            notify(
                template_key=template_key,
                channel="email",
                recipient=user.email,
                context={**context, "recipient_name": user.full_name or user.username},
                subject_ref=f"dossier:{dossier.pk}",
                idempotency_key=f"dossier-warning:{event.pk}:{user.pk}",
            )
            report.emails_queued += 1


@_act
def warn_deadlines(*, at: dt.datetime | None = None) -> WarningReport:
    """The daily run (SPEC §6.1 rule 11, scenario 16; ND61 Art 19(5)): one warning per dossier and
    day whose apology deadline passed without Form 04 or a result, and per overdue consultation and
    day, recorded in the dossier's history and e-mailed to the competent agency's leaders and the
    one-stop unit's heads. A second run on the same day finds the warnings and sends nothing."""
    from . import selectors

    when = _instant(at)
    report = WarningReport()
    overdue = list(
        selectors.dossiers_apology_overdue(at=when).select_related(
            "procedure_version", "competent_agency", "received_at_unit"
        )
    )
    report.apology_overdue = len(overdue)
    for dossier in overdue:
        deadline = apology_deadline_end(dossier)
        assert dossier.due_at is not None and deadline is not None
        _warn(
            report,
            dossier_id=dossier.pk,
            name=APOLOGY_OVERDUE_WARNED,
            at=when,
            data={"due_at": dossier.due_at, "apology_deadline": deadline},
            template_key="dossier.apology_overdue",
            context={
                "dossier_code": dossier.reference,
                "procedure_name": dossier.procedure_version.name,
                "agency_name": dossier.competent_agency.name,
                "unit_name": dossier.received_at_unit.name,
                "due_at": dossier.due_at.isoformat(),
                "apology_deadline_at": deadline.isoformat(),
            },
        )
    consultations = list(
        selectors.consultations_overdue(at=when).select_related(
            "requested_agency",
            "dossier__procedure_version",
            "dossier__competent_agency",
            "dossier__received_at_unit",
        )
    )
    report.consultations_overdue = len(consultations)
    for consultation in consultations:
        dossier = consultation.dossier
        _warn(
            report,
            dossier_id=dossier.pk,
            name=CONSULTATION_OVERDUE_WARNED,
            at=when,
            data={
                "consultation_id": consultation.pk,
                "agency_id": consultation.requested_agency_id,
                "deadline": consultation.deadline,
            },
            template_key="dossier.consultation_overdue",
            context={
                "dossier_code": dossier.reference,
                "procedure_name": dossier.procedure_version.name,
                "agency_name": dossier.competent_agency.name,
                "consulted_agency_name": consultation.requested_agency.name,
                "unit_name": dossier.received_at_unit.name,
                "requested_at": consultation.requested_at.isoformat(),
                "deadline_at": consultation.deadline.isoformat(),
            },
        )
    return report


@_act
def successor_of(agency: Agency, *, day: dt.date) -> Agency | None:
    """The agency in force on ``day`` that took over the work of ``agency`` (following successor
    links), or None when ``agency`` is still in force or has no successor."""
    current, seen = agency, {agency.pk}
    while current.valid_to is not None and current.valid_to < day and current.successor_id is not None:
        following = Agency.objects.filter(pk=current.successor_id).first()
        if following is None or following.pk in seen:
            break
        seen.add(following.pk)
        current = following
    return None if current.pk == agency.pk or not current.is_valid_on(day) else current


# Not a row of the state table: the dossier does not move, it changes hands (decision 0010). Kept
# here as a Transition so the event is written, hashed and replayed like every act.
_HAND_OVER: Final = Transition(
    number="S30",
    act=Act.FORWARD,
    sources=frozenset(ACTIVE),
    target=None,
    roles=frozenset({wf_roles.SYSTEM, wf_roles.DEPT_LEADER}),
    event=HANDED_TO_SUCCESSOR,
    form=None,
    clock=ClockEffect.NONE,
    requires_reason=False,
    note_vi="Kịch bản 30: cơ quan kế thừa giải quyết phần việc còn dở của cơ quan đã chấm dứt hoạt động",
    note_en="Scenario 30: the successor agency handles the pending work of an abolished agency",
)


@_act
def transfer_to_successor(
    *,
    dossier_id: int,
    actor: User | None,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Scenario 30: pending work of an abolished agency (``valid_to`` past, ``successor`` set) goes
    to its successor. The competent agency becomes the successor; each open task at an abolished
    agency is closed ("transferred") and reopened at the successor with the same budget from now,
    unassigned; a return unit no longer in force becomes the successor's one-stop unit. The
    receiving unit, the code and the history keep the old agency (reports by receipt are unchanged).

    Done by the system (``actor=None``, the scheduler) or the successor's department leader, who
    then assigns a handler (ND61 Art 19(1)).
    """
    with transaction.atomic():
        dossier = _lock(dossier_id, expected_version)
        when = _instant(at, dossier)
        day = when.astimezone(VN_TZ).date()
        if State(dossier.state) not in ACTIVE:
            raise ValidationFailed(
                "Chỉ chuyển cho cơ quan kế thừa hồ sơ đang giải quyết.",
                "Only a dossier being processed can be handed to a successor agency.",
                code="act_not_allowed_in_state",
                state=dossier.state,
            )
        moves: dict[int, Agency] = {}
        old_competent = dossier.competent_agency
        competent = successor_of(old_competent, day=day)
        if competent is not None:
            moves[old_competent.pk] = competent
        open_tasks = list(dossier.tasks.filter(completed_at__isnull=True).select_related("agency"))
        for task in open_tasks:
            if task.agency_id not in moves:
                following = successor_of(task.agency, day=day)
                if following is not None:
                    moves[task.agency_id] = following
        if not moves:
            raise ValidationFailed(
                "Hồ sơ không có phần việc nào ở cơ quan đã chấm dứt hoạt động có cơ quan kế thừa.",
                "No pending work of this dossier is at an abolished agency with a successor.",
                code="nothing_to_transfer",
            )
        new_competent = competent or old_competent
        if actor is None:
            role = wf_roles.SYSTEM
        else:
            if wf_roles.DEPT_LEADER not in roles_at(actor, agency_ids=[new_competent.pk], day=day):
                raise PermissionRefused(
                    "Chỉ lãnh đạo cơ quan kế thừa được nhận hồ sơ của cơ quan đã chấm dứt hoạt động.",
                    "Only a leader of the successor agency may take over the dossier.",
                    code="role_not_allowed",
                )
            gate.require(actor, "dossier.assign", agency_id=new_competent.pk, at=day)
            role = wf_roles.DEPT_LEADER
        calendar, hours = calendar_for(dossier), hours_for(dossier)
        if competent is not None:
            dossier.competent_agency = competent
            calendar = calendar_for(dossier)
        moved: list[dict[str, Any]] = []
        position = dossier.tasks.count()
        for task in open_tasks:
            following = moves.get(task.agency_id)
            if following is None:
                continue
            task.completed_at = when
            task.outcome = "transferred"
            task.timeliness = tl.classify_step(
                started_at=task.started_at,
                finished_at=when,
                budget_amount=task.budget_amount,
                budget_unit=TimeUnit(task.budget_unit),
                calendar=calendar,
                hours=hours,
                granularity=Granularity(settings.MOTCUA_TIMELINESS_GRANULARITY),
            ).value
            task.save()
            due = tl.step_due(
                started_at=when,
                budget_amount=task.budget_amount,
                budget_unit=TimeUnit(task.budget_unit),
                calendar=calendar,
                hours=hours,
            )
            reopened = ProcessingTask.objects.create(
                dossier=dossier,
                position=position,
                step_code=task.step_code,
                name=following.name if task.name == task.agency.name else task.name,
                agency=following,
                from_agency_id=task.agency_id,
                is_lead=task.is_lead,
                third_agency=_third_agency(dossier, following.pk),
                budget_amount=task.budget_amount,
                budget_unit=task.budget_unit,
                started_at=when,
                due_at=due.due_at,
            )
            position += 1
            moved.append(
                {"task_id": task.pk, "new_task_id": reopened.pk, "from": task.agency_id, "to": following.pk}
            )
        data: dict[str, Any] = {"agencies": {str(k): v.pk for k, v in moves.items()}, "tasks": moved}
        return_unit = dossier.return_unit
        if return_unit is not None and not return_unit.is_valid_on(day):
            from motcua.core.models import valid_on

            replacement = (
                OneStopUnit.objects.filter(valid_on(day), agency=new_competent).order_by("pk").first()
            )
            if replacement is not None:
                data["return_unit"] = {"from": return_unit.pk, "to": replacement.pk}
                dossier.return_unit = replacement
        if competent is not None:
            data["competent_agency"] = {"from": old_competent.pk, "to": competent.pk}
            # The dossier's agencies changed: which of its tasks are at a third agency changes too.
            own = [a for a in (dossier.competent_agency_id, dossier.receiving_agency_id) if a is not None]
            earlier = dossier.tasks.exclude(pk__in=[m["new_task_id"] for m in moved])
            earlier.filter(agency_id__in=own).update(third_agency=False)
            earlier.exclude(agency_id__in=own).update(third_agency=True)
        _record(dossier, _HAND_OVER, actor=actor, role=role, at=when, data=data)
    return dossier


# --------------------------------------------------------------------------------------------------
# Urging (đôn đốc)
# --------------------------------------------------------------------------------------------------

URGED: Final = "urged"


def urge_recipients(dossier: Dossier, *, day: dt.date) -> list[User]:
    """The department leaders of the agencies where the dossier now sits (open tasks), else of the
    competent agency."""
    agencies = set(dossier.tasks.filter(completed_at__isnull=True).values_list("agency_id", flat=True))
    return _staff(wf_roles.DEPT_LEADER, day=day, agency_ids=agencies or {dossier.competent_agency_id})


@_act
def urge(*, dossier_id: int, actor: User, message: str, at: dt.datetime | None = None) -> DossierEvent:
    """Urge the agency handling a running dossier (SPEC §4.1 "đôn đốc"; ND61 Art 19(5)).

    Like the deadline warnings it moves nothing: one event in the history (no state change, no
    version bump) and one e-mail to each department leader of the responsible agency.
    """
    from motcua.notifications.services import notify

    text = message.strip()
    if not text:
        raise _required("message", "nội dung đôn đốc", "urging message")
    with transaction.atomic():
        dossier = _lock(dossier_id, None)
        when = _instant(at, dossier)
        day = when.astimezone(VN_TZ).date()
        gate.require(
            actor,
            "dossier.urge",
            agency_id=dossier.competent_agency_id,
            one_stop_unit_id=dossier.received_at_unit_id,
            at=day,
        )
        state = State(dossier.state)
        if state not in ACTIVE:
            raise ValidationFailed(
                "Hồ sơ không còn đang giải quyết; không cần đôn đốc.",
                "The dossier is no longer being processed; there is nothing to urge.",
                code="dossier_not_running",
            )
        held = roles_at(
            actor, agency_ids=[dossier.competent_agency_id], unit_ids=[dossier.received_at_unit_id], day=day
        ) & set(gate.PERMISSIONS["dossier.urge"])
        recipients = [u for u in urge_recipients(dossier, day=day) if u.pk != actor.pk]
        with_email = [u for u in recipients if u.email.strip()]
        step = _step(dossier)
        last = _last_event(dossier)
        fields: dict[str, Any] = {
            "dossier_id": dossier.pk,
            "seq": last[0] + 1 if last else 1,
            "act": _URGE,
            "name": URGED,
            "actor_id": actor.pk,
            "actor_role": sorted(held)[0] if held else "",
            "at": when,
            "reason": text[:4000],
            "state_before": state.value,
            "state_after": state.value,
            "step_before": step.value if step else "",
            "step_after": step.value if step else "",
            "form": "",
            "data": _json({"notified": [u.pk for u in with_email]}),
            "prev_hash": last[1] if last else history.GENESIS,
        }
        event = DossierEvent(
            **fields, actor_name=actor.full_name or actor.username, hash=history.event_hash(fields)
        )
        event.save()
        _remember(("last_event", dossier.pk), (event.seq, event.hash, event.at))
        signals.event_recorded.send(sender=DossierEvent, event=event, dossier=dossier)
        for user in with_email:
            notify(
                template_key="dossier.urged",
                channel="email",
                recipient=user.email,
                context={
                    "recipient_name": user.full_name or user.username,
                    "dossier_code": dossier.reference,
                    "procedure_name": dossier.procedure_version.name,
                    "agency_name": dossier.competent_agency.name,
                    "unit_name": dossier.received_at_unit.name,
                    "urged_by": actor.full_name or actor.username,
                    "message": text,
                    **({"due_at": dossier.due_at.isoformat()} if dossier.due_at else {}),
                },
                subject_ref=f"dossier:{dossier.pk}",
                idempotency_key=f"dossier-urge:{event.pk}:{user.pk}",
            )
    return event
