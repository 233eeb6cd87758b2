"""Synthetic dossiers for load tests and benchmarks: ``manage.py generate_dossiers --count N --years Y
--seed S`` (docs/decisions/0013).

The generator writes what the one door (``dossiers.services``) would have written, in bulk:

* dossiers over the installation's current one-stop units, agencies and published procedures
  (procedures drawn from a Zipf-like law; province-level procedures received at the provincial
  centre and decided by a department, commune-level ones at a commune centre and decided by its
  committee); channels 50% in person, 45% online, 5% postal; accepted on working days in office hours
  over the last ``years`` years;
* outcomes: about 56% early, 38% on time, 4% late, 1% refused after appraisal, 0.6% withdrawn,
  0.4% stopped for want of a supplement; 5% have a supplement during processing (the clock restarts,
  ND61 Art 19(4)); 3% are inter-agency (a second task at another agency, counted once); dossiers whose
  planned acts lie in the future stay where they are today (in processing, waiting, ready);
* every transition is taken from the state table (``workflow.check``/``after``), so the log is a
  legal history; each event's hash is ``dossiers.history.event_hash`` over the same fields, chained from
  ``GENESIS``, so ``verify_history`` passes; codes and ledger numbers are gap-free per agency and day /
  unit and year, and the code and ledger counters are advanced past them;
* due dates use the province's working calendar (working days; calendar days; other units as 5 working
  days); timeliness is classified at day granularity;
* the report projections (facts and figures) are computed from the same plan and written with the
  data; ``rebuild_reports --check`` recomputes them from the log and must find no difference.

* ratings (``feedback.Rating``, ND61 Art 31(1)): about 30% of the returned dossiers are rated, some
  minutes to a week after the return (none after now); scores mostly good, the time score by the
  dossier's timeliness; about 2% of the dossiers finished in time and a quarter of the late ones rated
  "dissatisfied" (Decision 766 indicator 5.4). They come from their own random stream, so adding them
  did not change the dossiers a seed gives. No officers are attached: the generated events have no
  actor (``RatingOfficer`` would come from them).

On PostgreSQL rows go in with ``COPY`` (psycopg); on SQLite with ``bulk_create`` (tests).
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import json
import multiprocessing
import random
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Final

from django.db import connection, connections, transaction
from django.db.models import Max

from motcua.catalog.models import ChannelOffer, ProcedureVersion, VersionAgency, VersionStatus
from motcua.core import clock
from motcua.core.clock import VN_TZ
from motcua.deadlines.arithmetic import WorkingCalendar
from motcua.deadlines.calendars import clear_cache, working_calendar
from motcua.deadlines.seed import seed_calendars
from motcua.demo import bulk
from motcua.dossiers import history
from motcua.dossiers.models import (
    ClockEvent,
    CodeCounter,
    Dossier,
    DossierEvent,
    LedgerCounter,
    ProcessingTask,
)
from motcua.feedback.models import Rating, Satisfaction
from motcua.reports import projections
from motcua.reports.models import Figures, ProjectionState, ReportedDossier
from motcua.units.models import Agency, AgencyKind, OneStopKind, OneStopUnit
from motcua.workflow import Act, State, Step, after, check, national_status
from motcua.workflow import roles as wf_roles

FAMILY: Final = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ")
MIDDLE: Final = ("Văn", "Thị", "Minh", "Quốc", "Thu", "Đức", "Ngọc", "Hữu", "Thanh", "Xuân")
GIVEN: Final = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Lan", "Long")
ALL_ROLES: Final = frozenset(wf_roles.ACTORS)
START_OF_DAY: Final = dt.time(7, 30)
RATED_SHARE: Final = 0.3  # of the returned dossiers
OFFICE_MINUTES: Final = 8 * 60


@dataclass
class Stats:
    dossiers: int = 0
    events: int = 0
    tasks: int = 0
    ratings: int = 0
    figures: int = 0
    seconds: float = 0.0
    by_outcome: dict[str, int] = field(default_factory=dict)
    stopped: bool = False  # stopped early on SIGINT/SIGTERM (what was written is complete)


@dataclass(frozen=True, slots=True)
class Offer:
    version_id: int
    procedure_id: int
    field_id: int
    case_id: int | None
    limits: dict[str, tuple[int, str]]
    levels: tuple[str, ...]
    competent: tuple[int, ...]
    paper_result: bool = True


@dataclass
class World:
    offers: list[Offer]
    cumulative: list[float]
    provincial_units: list[OneStopUnit]
    commune_units: list[OneStopUnit]
    departments: list[Agency]
    agency_codes: dict[int, str]
    agency_levels: dict[int, str]
    calendar: WorkingCalendar


def _world(rng: random.Random) -> World:
    cases: dict[int, int] = {}
    from motcua.catalog.models import ProcedureCase

    for case_id, version_id in ProcedureCase.objects.values_list("pk", "version_id").order_by("pk"):
        cases.setdefault(version_id, case_id)
    limits: dict[int, dict[str, tuple[int, str]]] = {}
    for version_id, channel, amount, unit in ChannelOffer.objects.values_list(
        "version_id", "channel", "time_limit_amount", "time_limit_unit"
    ):
        if amount and unit:
            limits.setdefault(version_id, {})[channel] = (amount, unit)
    competent: dict[int, list[int]] = {}
    for version_id, agency_id in VersionAgency.objects.filter(
        role="competent", agency__isnull=False, agency__kind=AgencyKind.DEPARTMENT
    ).values_list("version_id", "agency_id"):
        competent.setdefault(version_id, []).append(agency_id)
    offers = []
    versions = ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED).order_by("pk")
    for v in versions.values("pk", "procedure_id", "field_id", "levels", "requires_paper_result"):
        levels = tuple(x for x in ("province", "commune") if f",{x}," in (v["levels"] or ""))
        if not levels:
            continue
        offers.append(
            Offer(
                v["pk"],
                v["procedure_id"],
                v["field_id"] or 0,
                cases.get(v["pk"]),
                limits.get(v["pk"], {}),
                levels,
                tuple(competent.get(v["pk"], ())),
                bool(v["requires_paper_result"]),
            )
        )
    if not offers:
        raise RuntimeError("No published procedure: run load_demo (or import_procedures) first.")
    rng.shuffle(offers)
    weights = [1.0 / (rank + 1) ** 1.1 for rank in range(len(offers))]
    total = sum(weights)
    cumulative, running = [], 0.0
    for w in weights:
        running += w / total
        cumulative.append(running)
    units = list(OneStopUnit.objects.filter(valid_to__isnull=True).select_related("agency").order_by("pk"))
    provincial = [u for u in units if u.kind in (OneStopKind.PROVINCIAL_CENTRE, OneStopKind.BRANCH)]
    commune = [u for u in units if u.kind == OneStopKind.COMMUNE_CENTRE]
    departments = list(
        Agency.objects.filter(valid_to__isnull=True, kind=AgencyKind.DEPARTMENT).order_by("pk")
    )
    if not provincial or not commune or not departments:
        raise RuntimeError("The installation needs a provincial centre, commune centres and departments.")
    agencies = Agency.objects.select_related("admin_unit")
    province = provincial[0].province.code
    return World(
        offers=offers,
        cumulative=cumulative,
        provincial_units=provincial,
        commune_units=commune,
        departments=departments,
        agency_codes={a.pk: a.identifier_code for a in agencies},
        agency_levels={a.pk: a.admin_unit.level for a in agencies},
        calendar=working_calendar(province),
    )


PARTS: Final = 2
# From this many dossiers on, a PostgreSQL load sets the secondary indexes and foreign keys aside.
SET_ASIDE_FROM: Final = 50_000


@dataclass(frozen=True, slots=True)
class Part:
    """A span of calendar years of the load, written by one worker: dossier ids ``first`` onwards."""

    index: int
    first: int
    count: int
    start: dt.date
    end: dt.date


PartResult = tuple["projections.Deltas", dict[tuple[int, dt.date], int], dict[tuple[int, int], int], Stats]
# The generator, batch size and progress callback a forked worker runs with (set just before forking).
_ACTIVE: tuple[Generator, int, Callable[[int], None]] | None = None


@contextmanager
def _stop_on_signals(stop: Any) -> Iterator[None]:
    """SIGINT and SIGTERM set ``stop`` (also in the forked workers) instead of killing the load."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    handlers = {
        signum: signal.signal(signum, lambda *_: stop.set()) for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)


def _advance(mine: dict[Any, int], theirs: dict[Any, int]) -> None:
    for key, last in theirs.items():
        mine[key] = max(mine.get(key, 0), last)


def _run_part(part: Part) -> PartResult:
    assert _ACTIVE is not None
    generator, batch, progress = _ACTIVE
    try:
        return generator._part(part, batch, progress)
    finally:
        connections.close_all()


class Shape:
    """What every event of one transition between two positions has in common: its constant fields
    and the constant pieces of its canonical JSON (``dossiers.history.canonical``: sorted keys, no
    spaces), so that hashing an event only formats what varies (tested equal to ``canonical``)."""

    __slots__ = ("_form", "_head", "_reason", "_tail", "fields")

    def __init__(self, fields: dict[str, Any]) -> None:
        self.fields = fields

        def text(name: str) -> str:
            return json.dumps(fields[name], ensure_ascii=False)

        self._head = f'{{"act":{text("act")},"actor_id":null,"actor_role":{text("actor_role")},"at":"'
        self._form = f',"form":{text("form")},"name":{text("name")},"prev_hash":"'
        self._reason = f'","reason":{text("reason")},"seq":'
        self._tail = (
            f',"state_after":{text("state_after")},"state_before":{text("state_before")},'
            f'"step_after":{text("step_after")},"step_before":{text("step_before")}}}'
        )

    def canonical(self, pk: int, seq: int, at: dt.datetime, data_text: str, prev: str) -> str:
        instant = at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return (
            f'{self._head}{instant}","data":{data_text},"dossier_id":{pk}'
            f"{self._form}{prev}{self._reason}{seq}{self._tail}"
        )


class Walker:
    """Takes acts through the state table (cached), producing the event fields and hash chain."""

    def __init__(self) -> None:
        self._cache: dict[tuple[Act, State, Step | None], Any] = {}
        self._shapes: dict[tuple[Any, ...], Shape] = {}

    def shape(
        self, transition: Any, state: State, step: Step | None, new_state: State, new_step: Step | None
    ) -> Shape:
        key = (transition.act, state, step, new_state, new_step)
        found = self._shapes.get(key)
        if found is None:
            found = self._shapes[key] = Shape(
                {
                    "act": transition.act.value,
                    "name": transition.event,
                    "actor_id": None,
                    "actor_role": sorted(transition.roles)[0],
                    "reason": "Dữ liệu mô phỏng" if transition.requires_reason else "",
                    "state_before": state.value,
                    "state_after": new_state.value,
                    "step_before": step.value if step else "",
                    "step_after": new_step.value if new_step else "",
                    "form": transition.form or "",
                }
            )
        return found

    def step(self, act: Act, state: State, step: Step | None) -> tuple[Any, State, Step | None]:
        key = (act, state, step)
        found = self._cache.get(key)
        if found is None:
            transition = check(act=act, state=state, step=step, roles=ALL_ROLES)
            position = after(transition, state=state, step=step)
            found = (transition, position.state, position.step)
            self._cache[key] = found
        return found


@dataclass
class Plan:
    """One dossier's planned acts: (act, local instant, data) in order."""

    acts: list[tuple[Act, dt.datetime, dict[str, Any]]]
    due: dt.datetime
    finished: dt.datetime | None = None
    timeliness: str | None = None


def _instant(day: dt.date, minute: int) -> dt.datetime:
    minute = max(0, min(minute, OFFICE_MINUTES - 1))
    start = dt.datetime.combine(day, START_OF_DAY, VN_TZ)
    # the lunch break (11:30-13:30) is skipped
    return start + dt.timedelta(minutes=minute + (120 if minute >= 240 else 0))


def _iso(value: dt.datetime) -> str:
    """As DjangoJSONEncoder writes an aware datetime into the event's JSON data."""
    text = value.astimezone(dt.UTC).isoformat()
    if value.microsecond:
        text = text[:23] + text[26:]
    return text.removesuffix("+00:00") + "Z"


class Generator:
    def __init__(self, *, count: int, years: int, seed: int, end: dt.date | None = None) -> None:
        self.count, self.years, self.seed = count, years, seed
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible by seed
        self.rating_rng = random.Random(f"{seed}:ratings")  # noqa: S311 - its own stream
        self.now = clock.now()
        # Up to yesterday, so every accepted dossier's acceptance lies in the past.
        self.end = (end or clock.today()) - dt.timedelta(days=1)
        self.start = self.end - dt.timedelta(days=365 * years)
        self.walker = Walker()
        self.code_seq: dict[tuple[int, dt.date], int] = {}
        self.ledger_seq: dict[tuple[int, int], int] = {}

    # -- one dossier ---------------------------------------------------------------------------------

    def _due(self, day: dt.date, limit: tuple[int, str]) -> dt.date:
        amount, unit = limit
        cal = self.world.calendar
        if unit == "calendar_day":
            target = day + dt.timedelta(days=amount)
            return target if cal.is_working(target) else cal.next_working(target)
        if unit != "working_day":
            amount = 5
        return cal.add_working_days(day, amount)

    def _offer(self) -> Offer:
        i = bisect.bisect_left(self.world.cumulative, self.rng.random())
        return self.world.offers[min(i, len(self.world.offers) - 1)]

    def _working_day(self) -> dt.date:
        """A working day of the current part's span (drawn again until one falls inside it, so that a
        part's days, and so its code and ledger numbers, never meet another part's)."""
        cal = self.world.calendar
        while True:
            day = self.start + dt.timedelta(days=self.rng.randrange((self.end - self.start).days + 1))
            day = day if cal.is_working(day) else cal.next_working(day)
            if day <= self.end:
                return day

    def dossier(self, pk: int) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]], Any]:
        rng, w = self.rng, self.world
        offer = self._offer()
        level = rng.choice(offer.levels)
        if level == "province":
            unit = rng.choice(w.provincial_units)
            agency_id = rng.choice(offer.competent) if offer.competent else rng.choice(w.departments).pk
        else:
            unit = rng.choice(w.commune_units)
            agency_id = unit.agency_id
        r = rng.random()
        channel = "in_person" if r < 0.50 else "online" if r < 0.95 else "postal"
        limit = offer.limits.get(channel) or offer.limits.get("in_person") or (5, "working_day")
        day = self._working_day()
        accepted = _instant(day, rng.randrange(OFFICE_MINUTES - 60))
        cal = w.calendar
        acts: list[tuple[Act, dt.datetime, dict[str, Any]]] = []
        if channel != "in_person":
            acts.append((Act.SUBMIT, accepted - dt.timedelta(hours=rng.randint(2, 40)), {}))
        code_key = (unit.agency_id, day)
        seq = self.code_seq.get(code_key, 0) + 1
        self.code_seq[code_key] = seq
        code = f"{w.agency_codes[unit.agency_id]}-{day:%y%m%d}-{seq:04d}"
        ledger_key = (unit.pk, day.year)
        ledger = self.ledger_seq.get(ledger_key, 0) + 1
        self.ledger_seq[ledger_key] = ledger
        due_day = self._due(day, limit)
        acts.append((Act.ACCEPT, accepted, {"code": code}))
        inter = rng.random() < 0.03
        other = rng.choice(w.departments).pk if inter else None
        t = accepted + dt.timedelta(minutes=rng.randint(5, 90))
        acts.append((Act.FORWARD, t, {}))
        t_assign = t + dt.timedelta(hours=rng.randint(1, 30))
        acts.append((Act.ASSIGN, t_assign, {}))
        u = rng.random()
        outcome = (
            "early"
            if u < 0.56
            else "on_time"
            if u < 0.94
            else "late"
            if u < 0.98
            else "refused"
            if u < 0.99
            else "withdrawn"
            if u < 0.996
            else "abandoned"
        )
        supplement = outcome != "abandoned" and rng.random() < 0.05
        if outcome == "abandoned" or supplement:
            ask = _instant(cal.add_working_days(t_assign.date(), 1), rng.randrange(OFFICE_MINUTES))
            acts.append((Act.REQUEST_SUPPLEMENT, ask, {}))
            if outcome == "abandoned":
                stop = _instant(cal.add_working_days(ask.date(), 15), rng.randrange(OFFICE_MINUTES))
                acts.append((Act.STOP_PROCESSING, stop, {}))
            else:
                back = _instant(
                    cal.add_working_days(ask.date(), rng.randint(1, 6)), rng.randrange(OFFICE_MINUTES)
                )
                acts.append((Act.RECEIVE_SUPPLEMENT, back, {}))
                due_day = self._due(back.date(), limit)  # RESTART (ND61 Art 19(4))
        start_work = acts[-1][1]
        if outcome in ("early", "on_time", "late", "refused"):
            budget = max(0, cal.working_days_between(start_work.date(), due_day))
            if outcome == "late":
                finish_day = cal.add_working_days(due_day, rng.randint(1, 8))
            elif outcome == "on_time" or budget == 0:
                finish_day = due_day
            else:
                finish_day = cal.add_working_days(start_work.date(), rng.randrange(budget))
            finish = _instant(finish_day, rng.randrange(OFFICE_MINUTES - 30) + 20)
            finish = max(finish, start_work + dt.timedelta(minutes=20))
            acts.append((Act.APPRAISE, finish - dt.timedelta(minutes=15), {}))
            if outcome == "refused":
                acts.append((Act.PROPOSE_REFUSAL, finish - dt.timedelta(minutes=10), {}))
                acts.append((Act.REFUSE_AFTER_APPRAISAL, finish, {}))
            else:
                acts.append((Act.APPROVE, finish - dt.timedelta(minutes=10), {}))
                acts.append((Act.SIGN_RESULT, finish - dt.timedelta(minutes=5), {}))
                acts.append((Act.ISSUE_RESULT, finish, {}))
            acts.append((Act.RETURN_RESULT, finish + dt.timedelta(hours=rng.randint(1, 120)), {}))
        elif outcome == "withdrawn":
            ask = start_work + dt.timedelta(hours=rng.randint(1, 48))
            acts.append((Act.REQUEST_WITHDRAWAL, ask, {}))
            acts.append((Act.STOP_PROCESSING, ask + dt.timedelta(hours=rng.randint(1, 24)), {}))
        # Today: acts planned after now have not happened yet.
        acts = [a for a in acts if a[1] <= self.now]
        due_at = dt.datetime.combine(due_day, dt.time(17), VN_TZ)
        self._limit = limit
        return self._rows(pk, offer, unit, agency_id, level, channel, code, ledger, day, acts, due_at, other)

    def _rows(
        self,
        pk: int,
        offer: Offer,
        unit: OneStopUnit,
        agency_id: int,
        level: str,
        channel: str,
        code: str,
        ledger: int,
        day: dt.date,
        acts: list[tuple[Act, dt.datetime, dict[str, Any]]],
        due_at: dt.datetime,
        other: int | None,
    ) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]], Any]:
        rng = self.rng
        state, step = (State.DRAFT if channel != "in_person" else State.NEW), None
        prev = history.GENESIS
        events: list[dict[str, Any]] = []
        tasks: list[dict[str, Any]] = []
        received_at = finished_at = forwarded_at = returned_at = submitted_at = None
        end_kind = ""
        for seq, (act, at, data) in enumerate(acts, start=1):
            transition, new_state, new_step = self.walker.step(act, state, step)
            payload = dict(data)
            if transition.clock.clock_event in ("start", "supplement_received"):
                payload["due_at"] = _iso(due_at)
            if act == Act.FORWARD:
                payload["tasks"] = [{"agency_id": agency_id}] + ([{"agency_id": other}] if other else [])
            shape = self.walker.shape(transition, state, step, new_state, new_step)
            data_text = (
                json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                if payload
                else "{}"
            )
            fields = {
                "dossier_id": pk,
                "seq": seq,
                "at": at,
                "data": payload,
                "data_text": data_text,
                "prev_hash": prev,
                **shape.fields,
            }
            fields["hash"] = prev = hashlib.sha256(
                shape.canonical(pk, seq, at, data_text, prev).encode()
            ).hexdigest()
            fields["clock"] = transition.clock.clock_event
            events.append(fields)
            if act == Act.SUBMIT:
                submitted_at = at
            elif act == Act.ACCEPT:
                received_at = at
            elif act == Act.FORWARD:
                forwarded_at = at
            elif act == Act.RETURN_RESULT:
                returned_at = at
            if new_state.value in projections._END_STATES and finished_at is None:
                finished_at = at
                end_kind = projections._END_STATES[new_state.value].value
                if end_kind == "stopped" and state == State.WITHDRAWAL_REQUESTED:
                    end_kind = "withdrawn"
            state, step = new_state, new_step
        if forwarded_at is not None:
            for position, agency in enumerate([agency_id] + ([other] if other else [])):
                tasks.append(
                    {
                        "dossier_id": pk,
                        "position": position,
                        "agency_id": agency,
                        "is_lead": position == 0,
                        "third_agency": agency not in (agency_id, unit.agency_id),
                        "started_at": forwarded_at,
                        "due_at": max(due_at, forwarded_at),
                        "completed_at": finished_at,
                    }
                )
        timeliness = None
        if finished_at is not None:
            f, d = finished_at.astimezone(VN_TZ).date(), due_at.date()
            timeliness = "early" if f < d else "on_time" if f == d else "late"
        paid = 1 if channel == "online" and rng.random() < 0.4 else 0
        digitized = rng.random() < 0.6
        reused = rng.random() < 0.2
        delivery = "online" if channel == "online" and rng.random() < 0.5 else "counter"
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        row = {
            "id": pk,
            "code": code,
            "temporary_reference": f"TMP-G{pk:011d}" if submitted_at else None,
            "procedure_version_id": offer.version_id,
            "procedure_case_id": offer.case_id,
            "channel": channel,
            "time_limit_amount": self._limit[0],
            "time_limit_unit": self._limit[1],
            "applicant_kind": "citizen",
            "applicant_name": name,
            "applicant_identifier_type": "citizen_id",
            "applicant_identifier": f"042{rng.randrange(10**9):09d}",
            "applicant_phone": f"09{rng.randrange(10**8):08d}",
            "received_at_unit_id": unit.pk,
            "receiving_agency_id": unit.agency_id,
            "competent_agency_id": agency_id,
            "return_unit_id": unit.pk,
            "submitted_at": submitted_at,
            "received_at": received_at,
            "due_at": due_at,
            "original_due_at": due_at,
            "forwarded_at": forwarded_at,
            "finished_at": finished_at,
            "returned_at": returned_at,
            "ledger_year": day.year,
            "ledger_number": ledger,
            "state": state.value,
            "step": step.value if step else None,
            "national_status": national_status(state),
            "timeliness": timeliness,
            "result_delivery": delivery,
            "has_digitized_components": digitized,
            "has_reused_components": reused,
            "paid_online": paid,
            "version": len(events) + 1,
            "created_at": events[0]["at"],
            "updated_at": events[-1]["at"],
        }
        fact = projections.Fact(
            dossier_id=pk,
            last_event_id=0,  # set once the event ids are known
            unit_id=unit.pk,
            agency_id=agency_id,
            procedure_id=offer.procedure_id,
            field_id=offer.field_id,
            level=self.world.agency_levels.get(agency_id, "") or "",
            channel=channel,
            received_on=projections.local_day(received_at) if received_at else day,
            due_on=due_at.date(),
            finished_on=projections.local_day(finished_at) if finished_at else None,
            end_kind=end_kind,
            timeliness=(timeliness or "") if finished_at else "",
            paid_online=bool(paid),
            digitized=digitized,
            reused=reused,
            e_result=end_kind == "result" and delivery == "online",
            paper_result=offer.paper_result,
        )
        return row, events, tasks, fact

    def rating(self, row: dict[str, Any]) -> dict[str, Any] | None:
        """The applicant's rating of a returned dossier, or None (not rated, or not yet)."""
        rng = self.rating_rng
        if row["state"] != State.RETURNED.value or rng.random() >= RATED_SHARE:
            return None
        rated_at = row["returned_at"] + dt.timedelta(minutes=rng.randint(10, 7 * 24 * 60))
        if rated_at > self.now:
            return None
        late, online = row["timeliness"] == "late", row["channel"] == "online"
        if late:
            time_score = 0 if rng.random() < 0.6 else 1
        else:
            time_score = 2 if rng.random() < (0.95 if row["timeliness"] == "early" else 0.7) else 1
        u = rng.random()
        satisfaction = (
            Satisfaction.DISSATISFIED
            if u < (0.25 if late else 0.02)
            else Satisfaction.NEUTRAL
            if u < (0.35 if late else 0.12)
            else Satisfaction.SATISFIED
        )
        return {
            "dossier_id": row["id"],
            "agency_id": row["competent_agency_id"],
            "one_stop_unit_id": row["received_at_unit_id"],
            "procedure_version_id": row["procedure_version_id"],
            "rated_at": rated_at,
            "returned_at": row["returned_at"],
            "proof": "owner" if online and rng.random() < 0.7 else rng.choice(("phone", "identifier")),
            "rated_by_id": None,
            "time_score": time_score,
            "agencies_contacted": 1 if rng.random() < 0.95 else 2,
            "contacts": (0 if rng.random() < 0.7 else 1) if online else (1 if rng.random() < 0.8 else 2),
            "information_score": _score(rng),
            "attitude_score": _score(rng),
            "lawfulness_score": _score(rng),
            "online_score": _score(rng) if online else None,
            "satisfaction": satisfaction.value,
            "comment": "",
        }

    # -- writing -------------------------------------------------------------------------------------

    def parts(self, first: int) -> list[Part]:
        """The load split by calendar years into at most ``PARTS`` contiguous spans, in proportion to
        their days: a part owns its days and years, so the per-day codes and per-year ledger numbers
        of two parts never meet and the parts can be written concurrently. The split depends only on
        the count and the dates, so the data does not depend on how many workers write it."""
        years = list(range(self.start.year, self.end.year + 1))
        spans = [(max(self.start, dt.date(y, 1, 1)), min(self.end, dt.date(y, 12, 31))) for y in years]
        days = [(b - a).days + 1 for a, b in spans]
        total = sum(days)
        groups: list[list[int]] = [list(range(len(years)))]
        if len(years) > 1 and PARTS > 1:
            # the cut that balances the days best (two parts)
            best = min(range(1, len(years)), key=lambda k: abs(sum(days[:k]) - sum(days[k:])))
            groups = [list(range(best)), list(range(best, len(years)))]
        out: list[Part] = []
        given = 0
        for index, group in enumerate(groups):
            share = sum(days[i] for i in group)
            count = self.count - given if index == len(groups) - 1 else self.count * share // total
            out.append(Part(index, first + given, count, spans[group[0]][0], spans[group[-1]][1]))
            given += count
        return [p for p in out if p.count > 0]

    def run(
        self,
        *,
        batch: int = 20000,
        progress: Callable[[int], None] | None = None,
        workers: int = 1,
        set_aside: bool | None = None,
    ) -> Stats:
        """Generate and write the dossiers. ``workers`` > 1 (PostgreSQL) writes the parts in that
        many processes. ``set_aside`` (default: on PostgreSQL for ``SET_ASIDE_FROM`` dossiers or
        more) drops the secondary indexes and foreign keys for the load and rebuilds them after."""
        started = clock.now()
        years = range(self.start.year, self.end.year + 2)
        seed_calendars(years)
        clear_cache()
        self.world = _world(self.rng)
        projections.refresh()  # whatever was there is projected; the new rows are projected below
        self.code_seq = {(a, d): n for a, d, n in CodeCounter.objects.values_list("agency_id", "day", "last")}
        self.ledger_seq = {
            (u, y): n for u, y, n in LedgerCounter.objects.values_list("one_stop_unit_id", "year", "last")
        }
        first = (Dossier.objects.aggregate(top=Max("id"))["top"] or 0) + 1
        parts = self.parts(first)
        # SIGINT / SIGTERM: every part stops after its current batch, and the load ends as usual
        # (figures, counters, indexes) with the dossiers written so far.
        self.stop = multiprocessing.get_context("fork").Event()
        postgres = connection.vendor == "postgresql"
        if set_aside is None:
            set_aside = postgres and self.count >= SET_ASIDE_FROM
        tables = [
            m._meta.db_table
            for m in (Dossier, DossierEvent, ClockEvent, ProcessingTask, ReportedDossier, Rating)
        ]
        with (
            _stop_on_signals(self.stop),
            bulk.without_secondary_indexes(tables) if set_aside else nullcontext(),
        ):
            if postgres and workers > 1 and len(parts) > 1 and not connection.in_atomic_block:
                results = self._in_processes(parts, batch, progress, workers)
            else:
                done = [0]

                def counted(n: int) -> None:
                    done[0] += n
                    if progress:
                        progress(done[0])

                results = [self._part(p, batch, counted) for p in parts]
            deltas: projections.Deltas = {}
            stats = Stats()
            for part_deltas, code_seq, ledger_seq, part_stats in results:
                for key, values in part_deltas.items():
                    row = deltas.setdefault(key, {})
                    for measure, value in values.items():
                        row[measure] = row.get(measure, 0) + value
                _advance(self.code_seq, code_seq)
                _advance(self.ledger_seq, ledger_seq)
                stats.dossiers += part_stats.dossiers
                stats.events += part_stats.events
                stats.tasks += part_stats.tasks
                stats.ratings += part_stats.ratings
                for outcome, n in part_stats.by_outcome.items():
                    stats.by_outcome[outcome] = stats.by_outcome.get(outcome, 0) + n
            writer = _Writer()
            with transaction.atomic():
                if postgres:
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL synchronous_commit = off")
                if Figures.objects.exists():
                    projections.apply(deltas)
                else:
                    writer.figures(deltas)
                self._counters()
                state, _ = ProjectionState.objects.get_or_create(name=projections.STATE_NAME)
                state.watermark = DossierEvent.objects.aggregate(top=Max("id"))["top"] or 0
                state.updated_at = clock.now()
                state.save()
            writer.finish()
        stats.figures = len(deltas)
        stats.stopped = self.stop.is_set()
        stats.seconds = (clock.now() - started).total_seconds()
        return stats

    def _in_processes(
        self, parts: list[Part], batch: int, progress: Callable[[int], None] | None, workers: int
    ) -> list[PartResult]:
        """The parts in forked processes, each with its own database connection."""
        global _ACTIVE
        context = multiprocessing.get_context("fork")
        counter = context.Value("q", 0)

        def counted(n: int) -> None:
            with counter.get_lock():
                counter.value += n
                total = counter.value
            if progress:
                progress(total)

        _ACTIVE = (self, batch, counted)
        connections.close_all()  # each child opens its own
        try:
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                return list(pool.map(_run_part, parts))
        finally:
            _ACTIVE = None

    def _part(self, part: Part, batch: int, progress: Callable[[int], None]) -> PartResult:
        """Generate and write one part (in this process), batch by batch, one transaction each."""
        self.rng = random.Random(f"{self.seed}:{part.index}")  # noqa: S311 - reproducible by seed
        self.rating_rng = random.Random(f"{self.seed}:{part.index}:ratings")  # noqa: S311
        self.start, self.end = part.start, part.end
        stats = Stats()
        writer = _Writer()
        deltas: projections.Deltas = {}
        done = 0
        while done < part.count and not self.stop.is_set():
            size = min(batch, part.count - done)
            rows, events, tasks, facts, ratings = [], [], [], [], []
            for pk in range(part.first + done, part.first + done + size):
                row, evs, tks, fact = self.dossier(pk)
                rows.append(row)
                events.extend(evs)
                tasks.extend(tks)
                facts.append(fact)
                rating = self.rating(row)
                if rating is not None:
                    ratings.append(rating)
            with transaction.atomic():
                if writer.postgres:
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL synchronous_commit = off")
                writer.dossiers(rows)
                last_ids = writer.events(events)
                writer.tasks(tasks)
                writer.ratings(ratings)
                facts = [replace(f, last_event_id=last_ids[f.dossier_id]) for f in facts]
                writer.facts(facts)
            for fact in facts:
                projections.add(deltas, fact, +1)
                stats.by_outcome[fact.end_kind or "in_progress"] = (
                    stats.by_outcome.get(fact.end_kind or "in_progress", 0) + 1
                )
            done += size
            stats.dossiers += size
            stats.events += len(events)
            stats.tasks += len(tasks)
            stats.ratings += len(ratings)
            progress(size)
        return deltas, self.code_seq, self.ledger_seq, stats

    def _counters(self) -> None:
        """Advance the code and ledger counters past the numbers given (never backwards)."""
        larger = "CASE WHEN excluded.{c} > {t}.{c} THEN excluded.{c} ELSE {t}.{c} END"
        for model, keys, items in (
            (CodeCounter, ("agency_id", "day"), list(self.code_seq.items())),
            (LedgerCounter, ("one_stop_unit_id", "year"), list(self.ledger_seq.items())),
        ):
            with connection.cursor() as cursor:
                for start in range(0, len(items), 500):
                    part = items[start : start + 500]
                    sql = projections.upsert_sql(model._meta.db_table, keys, ("last",), larger, len(part))
                    cursor.execute(sql, [v for (a, b), last in part for v in (a, b, last)])


# ---------------------------------------------------------------------------------------------------
# Bulk writers: COPY on PostgreSQL, bulk_create elsewhere
# ---------------------------------------------------------------------------------------------------


def _score(rng: random.Random) -> int:
    """A criterion's score (TT01/2018 Art 13): good 88%, fair 10%, poor 2%."""
    u = rng.random()
    return 2 if u < 0.88 else 1 if u < 0.98 else 0


def _defaults(model: type[Any]) -> list[tuple[str, Any]]:
    out = []
    for f in model._meta.concrete_fields:
        default = f.get_default()
        if callable(default):
            default = default()
        out.append((f.attname, default))
    return out


class _Writer:
    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.dossier_fields = _defaults(Dossier)
        self.event_fields = [(n, d) for n, d in _defaults(DossierEvent) if n != "id"]
        self.task_fields = [(n, d) for n, d in _defaults(ProcessingTask) if n != "id"]
        self.max_dossier = 0

    def _copy(self, model: type[Any], names: list[str], rows: Iterator[tuple[Any, ...]]) -> None:
        table = model._meta.db_table
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def dossiers(self, rows: list[dict[str, Any]]) -> None:
        self.max_dossier = max(self.max_dossier, rows[-1]["id"])
        if self.postgres:
            names = [n for n, _ in self.dossier_fields]
            defaults = dict(self.dossier_fields)
            self._copy(Dossier, names, (tuple(r.get(n, defaults[n]) for n in names) for r in rows))
        else:
            Dossier.objects.bulk_create([Dossier(**r) for r in rows], batch_size=500)

    def _ids(self, model: type[Any], count: int) -> list[int]:
        """``count`` fresh primary keys (from the sequence on PostgreSQL; after the largest on SQLite)."""
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [model._meta.db_table, count],
                )
                return [row[0] for row in cursor.fetchall()]
        top = model.objects.aggregate(top=Max("id"))["top"] or 0
        return list(range(top + 1, top + count + 1))

    def events(self, events: list[dict[str, Any]]) -> dict[int, int]:
        names = ["id", *(n for n, _ in self.event_fields)]
        defaults = {"id": None, **dict(self.event_fields)}
        for e, pk in zip(events, self._ids(DossierEvent, len(events)), strict=True):
            e["id"] = pk
            if "data_text" not in e:
                e["data_text"] = json.dumps(e["data"], ensure_ascii=False)
        if self.postgres:
            self._copy(
                DossierEvent,
                names,
                (
                    tuple(e["data_text"] if n == "data" else e.get(n, defaults[n]) for n in names)
                    for e in events
                ),
            )
        else:
            DossierEvent.objects.bulk_create(
                [DossierEvent(**{n: e.get(n, defaults[n]) for n in names}) for e in events], batch_size=500
            )
        last: dict[int, int] = {}
        clocks = []
        for e in events:
            event_id = e["id"]
            last[e["dossier_id"]] = max(last.get(e["dossier_id"], 0), event_id)
            if e["clock"]:
                new_due = None
                clocks.append((e["dossier_id"], event_id, e["clock"], e["at"], new_due))
        if self.postgres:
            self._copy(ClockEvent, ["dossier_id", "event_id", "kind", "at", "new_due_at"], iter(clocks))
        else:
            ClockEvent.objects.bulk_create(
                [ClockEvent(dossier_id=d, event_id=i, kind=k, at=a, new_due_at=n) for d, i, k, a, n in clocks]
            )
        return last

    def tasks(self, tasks: list[dict[str, Any]]) -> None:
        names = [n for n, _ in self.task_fields]
        defaults = dict(self.task_fields)
        base = {"step_code": "", "name": "Giải quyết", "budget_amount": 1, "budget_unit": "working_day"}
        rows = [{**defaults, **base, **t} for t in tasks]
        if self.postgres:
            self._copy(ProcessingTask, names, (tuple(r[n] for n in names) for r in rows))
        else:
            ProcessingTask.objects.bulk_create([ProcessingTask(**{n: r[n] for n in names}) for r in rows])

    def ratings(self, ratings: list[dict[str, Any]]) -> None:
        if not ratings:
            return
        if self.postgres:
            names = list(ratings[0])
            self._copy(Rating, names, (tuple(r.values()) for r in ratings))
        else:
            Rating.objects.bulk_create([Rating(**r) for r in ratings], batch_size=500)

    def facts(self, facts: list[projections.Fact]) -> None:
        if self.postgres:
            names = list(projections.Fact.__slots__)
            self._copy(ReportedDossier, names, (tuple(getattr(f, n) for n in names) for f in facts))
            return
        else:
            ReportedDossier.objects.bulk_create([ReportedDossier(**asdict(f)) for f in facts])

    def figures(self, deltas: projections.Deltas) -> None:
        if not self.postgres:
            projections.write_figures(deltas)
            return
        from motcua.reports.models import DIMENSIONS, MEASURES, SUMMARY_DIMENSIONS, Summary

        names = ["grain", "day", *DIMENSIONS, *MEASURES]
        self._copy(
            Figures, names, ((*key, *(values.get(m, 0) for m in MEASURES)) for key, values in deltas.items())
        )
        names = ["grain", "day", *SUMMARY_DIMENSIONS, *MEASURES]
        summary = projections.summarize(deltas)
        self._copy(
            Summary, names, ((*key, *(values.get(m, 0) for m in MEASURES)) for key, values in summary.items())
        )

    def finish(self) -> None:
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM dossiers_dossier))",
                    [Dossier._meta.db_table],
                )
