"""Keeping the report projections (``models.Figures``) in step with the dossier event log.

How a dossier is counted (its *facts*, ``Fact``):

* it counts only once accepted (the ``accepted`` event: T2/T7; SPEC scenario 3: guidance and
  intake refusals count nowhere) and only if it is not an inter-agency child (``parent`` set: SPEC
  scenario 20; motcua's own inter-agency work is one dossier with tasks, counted once);
* ``received_on``, ``finished_on``: the local (Vietnam) days of the ``accepted`` event and of the first
  event that ends processing (state after ∈ result ready, refused after appraisal, stopped), read
  from the event log; a stop whose previous state was "withdrawal requested" is a withdrawal;
* ``due_on`` and ``timeliness``: the local day of the dossier's current due date and its class, as
  the one door (``dossiers.services``) replays them from the clock events in the act's transaction;
* the dimensions (receiving one-stop unit, competent agency, procedure, field, level of the
  competent agency's administrative unit, channel) and the flags (paid online, digitized, reused,
  e-result) from the dossier row, except the competent agency and its level, which are those the
  dossier had **when it was received**: a dossier handed to a successor agency (SPEC scenario 30)
  stays counted under the agency it left, read from its hand-over event (``agencies_as_received``;
  decision 0062), so no period's figures move when it is handed over.

Each fact contributes +1 to measures on days (``contributions``), at both grains (the day and its
month). When a dossier changes, the projector subtracts the old fact's contributions and adds the
new ones (``apply``), so the counts are always the sum of the current facts, whatever order the
acts came in.

The worker runs ``refresh()`` every few seconds (``manage.py refresh_reports --every 20`` beside the
task worker; the ``tasks.refresh_reports`` task does the same for a scheduler): it reads
the events with ids above ``watermark - WINDOW`` (events whose transactions commit out of id order
are caught by the re-scanned window, and a dossier already projected up to its last event is
skipped), recomputes the facts of the dossiers they touch, and applies the differences.
``rebuild(check=True)`` recomputes every fact from scratch and lists the differences from what is
stored (there must be none).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any, Final

from django.db import connection, transaction
from django.db.models import Max

from motcua.core import clock
from motcua.core.clock import VN_TZ
from motcua.dossiers.models import HANDED_TO_SUCCESSOR, Dossier, DossierEvent, FeeLine, Result
from motcua.units.models import Agency
from motcua.workflow import State

from .models import (
    DIMENSIONS,
    MEASURES,
    SUMMARY_DIMENSIONS,
    EndKind,
    Figures,
    Grain,
    ProjectionState,
    ReportedDossier,
    Summary,
)

STATE_NAME: Final = "figures"
# Events re-scanned below the watermark on every refresh, for transactions that commit out of id order.
WINDOW: Final = 5000
BATCH: Final = 2000
# From this many keys on, ``apply`` adds them on PostgreSQL through COPY into a temporary table.
COPY_FROM: Final = 5000

_END_STATES: Final = {
    State.RESULT_READY.value: EndKind.RESULT,
    State.REFUSED_AFTER_APPRAISAL.value: EndKind.REFUSED,
    State.STOPPED.value: EndKind.STOPPED,
}
_ACCEPT_SOURCES: Final = {State.NEW.value, State.SUBMITTED.value}

Key = tuple[str, dt.date, int, int, int, int, str, str]


@dataclass(frozen=True, slots=True)
class Fact:
    dossier_id: int
    last_event_id: int
    unit_id: int
    agency_id: int
    procedure_id: int
    field_id: int
    level: str
    channel: str
    received_on: dt.date
    due_on: dt.date | None
    finished_on: dt.date | None
    end_kind: str
    timeliness: str
    paid_online: bool
    digitized: bool
    reused: bool
    e_result: bool
    vneid: bool = False
    with_fee: bool = False
    result_file: bool = False
    paper_result: bool = False
    supplement_twice: bool = False

    @classmethod
    def of_row(cls, row: ReportedDossier) -> Fact:
        return cls(**{name: getattr(row, name) for name in cls.__slots__})


def local_day(instant: dt.datetime) -> dt.date:
    return instant.astimezone(VN_TZ).date()


def finish_measure(fact: Fact) -> str:
    """Which of II.06a (8)-(10) a finished dossier counts in.

    A result or a refusal after appraisal is classified by the dossier's timeliness (SPEC §6, scenario
    18). A stop or withdrawal counts as on time, as the II.06a layouts note for col (9) ("including
    dossiers returned or withdrawn", SPEC §8.1 [P]); a dossier without a time limit is on time.
    """
    if fact.end_kind in (EndKind.RESULT, EndKind.REFUSED) and fact.timeliness == "early":
        return "finished_early"
    if fact.end_kind in (EndKind.RESULT, EndKind.REFUSED) and fact.timeliness == "late":
        return "finished_late"
    return "finished_on_time"


def _measures(fact: Fact) -> Iterator[tuple[dt.date, str]]:
    yield fact.received_on, "received"
    if fact.paid_online:
        yield fact.received_on, "paid_online"
    if fact.digitized:
        yield fact.received_on, "digitized"
    if fact.reused:
        yield fact.received_on, "reused"
    finished = fact.finished_on
    if finished is not None:
        yield finished, finish_measure(fact)
        if fact.end_kind in (EndKind.REFUSED, EndKind.STOPPED, EndKind.WITHDRAWN):
            yield finished, str(fact.end_kind)
        if fact.e_result:
            yield finished, "e_result"
    # Overdue stock: a dossier is overdue at the end of day E when due_on <= E < finished_on.
    overdue = fact.due_on is not None and (finished is None or finished > fact.due_on)
    if overdue and fact.due_on is not None:
        yield fact.due_on, "overdue_in"
        if finished is not None:
            yield finished, "overdue_out"
    # Decision 766 (``index766.from_projections``).
    if fact.vneid:
        yield fact.received_on, "vneid"
    if fact.with_fee:
        yield fact.received_on, "with_fee"
        if fact.paid_online:
            yield fact.received_on, "paid_with_fee"
    if fact.digitized and fact.result_file:
        yield fact.received_on, "digitized_file"
    if finished is not None:
        if fact.paper_result:
            yield finished, "paper_result"
            if fact.result_file:
                yield finished, "paper_file"
        if fact.timeliness != "late" and not fact.supplement_twice:
            yield finished, "finished_not_late"
    if fact.supplement_twice:
        yield fact.received_on, "twice_in"
        if finished is not None:
            yield finished, "twice_out"
        if overdue and fact.due_on is not None:
            yield fact.due_on, "twice_overdue_in"
            if finished is not None:
                yield finished, "twice_overdue_out"


def contributions(fact: Fact) -> Iterator[tuple[Key, str]]:
    """(key, measure) pairs, each worth +1, at both grains."""
    dims = (fact.unit_id, fact.agency_id, fact.procedure_id, fact.field_id, fact.level, fact.channel)
    for day, measure in _measures(fact):
        yield (Grain.DAY.value, day, *dims), measure
        yield (Grain.MONTH.value, day.replace(day=1), *dims), measure


Deltas = dict[Key, dict[str, int]]
# (grain, day, unit, agency, field, level, channel): a ``Summary`` key.
SummaryKey = tuple[str, dt.date, int, int, int, str, str]
SummaryDeltas = dict[SummaryKey, dict[str, int]]


# ``Summary`` roll-up rows: -1 in a dimension means "summed over it" (ids are never negative).
ALL: Final = -1


def summarize(deltas: Deltas) -> SummaryDeltas:
    """The ``Summary`` counts of ``Figures`` counts: the procedure summed out, each month's counts
    also added to its year (grain ``Y``), and each row also added to three roll-ups (``ALL``): over
    the places (unit and agency), over the field, and over both."""
    out: SummaryDeltas = {}
    for (grain, day, unit, agency, _procedure, field_id, level, channel), values in deltas.items():
        grains = [(grain, day)]
        if grain == Grain.MONTH.value:
            grains.append((Grain.YEAR.value, day.replace(month=1)))
        keys: list[SummaryKey] = []
        for g, d in grains:
            keys += [
                (g, d, unit, agency, field_id, level, channel),
                (g, d, ALL, ALL, field_id, level, channel),
                (g, d, unit, agency, ALL, level, channel),
                (g, d, ALL, ALL, ALL, level, channel),
            ]
        for key in keys:
            row = out.setdefault(key, {})
            for measure, value in values.items():
                row[measure] = row.get(measure, 0) + value
    return out


def add(deltas: Deltas, fact: Fact | None, sign: int) -> None:
    if fact is None:
        return
    for key, measure in contributions(fact):
        row = deltas.setdefault(key, {})
        row[measure] = row.get(measure, 0) + sign


# ---------------------------------------------------------------------------------------------------
# Facts from the event log and the dossier rows
# ---------------------------------------------------------------------------------------------------


def agencies_as_received(hand_over_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
    """(competent agency, its administrative level) each dossier had when it was received, for the
    dossiers whose competent agency moved since (SPEC scenario 30, decision 0062), from their
    ``HANDED_TO_SUCCESSOR`` events (``hand_over_ids``): the agency the first move came from.

    Every other dossier still has the agency it was received with (only the hand-over moves it, and
    only after acceptance: ``workflow.ACTIVE``), read from its row."""
    first: dict[int, int] = {}
    moves = (
        DossierEvent.objects.filter(pk__in=list(hand_over_ids))
        .order_by("dossier_id", "seq")
        .values_list("dossier_id", "data")
    )
    for dossier_id, data in moves:
        moved = (data or {}).get("competent_agency")
        if dossier_id not in first and isinstance(moved, dict) and moved.get("from") is not None:
            first[dossier_id] = int(moved["from"])
    levels = dict(Agency.objects.filter(pk__in=set(first.values())).values_list("pk", "admin_unit__level"))
    return {pk: (agency, levels.get(agency) or "") for pk, agency in first.items()}


def compute_facts(dossier_ids: Iterable[int]) -> dict[int, Fact | None]:
    """The current facts of ``dossier_ids`` (None: not counted: not accepted, or an inter-agency child)."""
    ids = list(dossier_ids)
    result: dict[int, Fact | None] = dict.fromkeys(ids)
    if not ids:
        return result
    received: dict[int, dt.datetime] = {}
    ended: dict[int, tuple[dt.datetime, str]] = {}
    last: dict[int, int] = {}
    handed_over: list[int] = []
    events = (
        DossierEvent.objects.filter(dossier_id__in=ids)
        .order_by("dossier_id", "seq")
        .values_list("id", "dossier_id", "at", "state_before", "state_after", "name")
    )
    for event_id, dossier_id, at, before, after, name in events.iterator(chunk_size=5000):
        last[dossier_id] = max(last.get(dossier_id, 0), event_id)
        if name == HANDED_TO_SUCCESSOR:
            handed_over.append(event_id)
        if after == State.RECEIVED.value and before in _ACCEPT_SOURCES and dossier_id not in received:
            received[dossier_id] = at
        elif after in _END_STATES and dossier_id not in ended and before != after:
            kind = _END_STATES[after]
            if kind == EndKind.STOPPED and before == State.WITHDRAWAL_REQUESTED.value:
                kind = EndKind.WITHDRAWN
            ended[dossier_id] = (at, kind.value)
    rows = Dossier.objects.filter(pk__in=list(received)).values_list(
        "pk",
        "parent_id",
        "received_at_unit_id",
        "competent_agency_id",
        "procedure_version__procedure_id",
        "procedure_version__field_id",
        "competent_agency__admin_unit__level",
        "channel",
        "due_at",
        "timeliness",
        "paid_online",
        "has_digitized_components",
        "has_reused_components",
        "result_delivery",
        "vneid_verified",
        "procedure_version__requires_paper_result",
        "supplement_requested_twice",
    )
    as_received = agencies_as_received(handed_over)
    fees = FeeLine.objects.filter(dossier_id__in=list(received), amount__gt=0)
    with_fee = set(fees.values_list("dossier_id", flat=True))
    result_file = set(
        Result.objects.filter(dossier_id__in=list(received))
        .exclude(file="")
        .values_list("dossier_id", flat=True)
    )
    for (
        pk,
        parent,
        unit,
        agency,
        procedure,
        field,
        level,
        channel,
        due,
        timeliness,
        paid,
        dig,
        reu,
        delivery,
        vneid,
        paper,
        twice,
    ) in rows:
        if parent is not None:
            continue
        if pk in as_received:
            agency, level = as_received[pk]
        end = ended.get(pk)
        kind = end[1] if end else ""
        result[pk] = Fact(
            dossier_id=pk,
            last_event_id=last[pk],
            unit_id=unit,
            agency_id=agency,
            procedure_id=procedure,
            field_id=field or 0,
            level=level or "",
            channel=channel,
            received_on=local_day(received[pk]),
            due_on=local_day(due) if due is not None else None,
            finished_on=local_day(end[0]) if end else None,
            end_kind=kind,
            timeliness=(timeliness or "") if end else "",
            paid_online=bool(paid),
            digitized=bool(dig),
            reused=bool(reu),
            e_result=kind == EndKind.RESULT and delivery == "online",
            vneid=bool(vneid),
            with_fee=pk in with_fee,
            result_file=pk in result_file,
            paper_result=bool(paper),
            supplement_twice=bool(twice),
        )
    return result


# ---------------------------------------------------------------------------------------------------
# Writing the differences
# ---------------------------------------------------------------------------------------------------

_KEY_COLUMNS: Final = ("grain", "day", *DIMENSIONS)
_SUMMARY_KEY_COLUMNS: Final = ("grain", "day", *SUMMARY_DIMENSIONS)


def upsert_sql(table: str, keys: tuple[str, ...], columns: tuple[str, ...], update: str, rows: int) -> str:
    """One multi-row ``INSERT … ON CONFLICT (keys) DO UPDATE`` (same SQL on PostgreSQL and SQLite);
    ``update`` is a format string of one column ``{c}`` applied to every non-key column."""
    names = (*keys, *columns)
    row = "(" + ", ".join(["%s"] * len(names)) + ")"
    sets = ", ".join(f"{c} = " + update.format(c=c, t=table) for c in columns)
    return (
        f"INSERT INTO {table} ({', '.join(names)}) VALUES {', '.join([row] * rows)} "  # noqa: S608 - model names
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}"
    )


def apply(deltas: Deltas, chunk: int = 500) -> None:
    """Add ``deltas`` to ``Figures`` and their sums to ``Summary`` (in the caller's transaction):
    UPSERTs of up to ``chunk`` keys each (``x = x + excluded.x``)."""
    _upsert(Figures._meta.db_table, _KEY_COLUMNS, deltas, chunk)
    _upsert(Summary._meta.db_table, _SUMMARY_KEY_COLUMNS, summarize(deltas), chunk)


def _upsert(table: str, keys: tuple[str, ...], deltas: dict[Any, dict[str, int]], chunk: int) -> None:
    rows: list[tuple[Any, ...]] = []
    for key, values in deltas.items():
        if not any(values.values()):
            continue
        rows.append((*key, *(values.get(m, 0) for m in MEASURES)))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) > COPY_FROM:
            # Many keys (a bulk load onto existing figures): COPY them into a temporary table and
            # add them in one statement, instead of hundreds of multi-row statements.
            names = ", ".join((*keys, *MEASURES))
            sets = ", ".join(f"{m} = {table}.{m} + excluded.{m}" for m in MEASURES)
            cursor.execute("DROP TABLE IF EXISTS reports_delta")
            cursor.execute(f"CREATE TEMPORARY TABLE reports_delta AS SELECT {names} FROM {table} WHERE 1 = 0")  # noqa: S608
            with cursor.cursor.copy(f"COPY reports_delta ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {names} FROM reports_delta "  # noqa: S608
                f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}"
            )
            cursor.execute("DROP TABLE reports_delta")
            return
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            sql = upsert_sql(table, keys, MEASURES, "{t}.{c} + excluded.{c}", len(part))
            cursor.execute(sql, [value for row in part for value in row])


def _save_facts(old: dict[int, ReportedDossier], new: dict[int, Fact | None]) -> None:
    gone = [pk for pk, fact in new.items() if fact is None and pk in old]
    if gone:
        ReportedDossier.objects.filter(pk__in=gone).delete()
    changed = [ReportedDossier(**asdict(f)) for pk, f in new.items() if f is not None and pk in old]
    fresh = [ReportedDossier(**asdict(f)) for pk, f in new.items() if f is not None and pk not in old]
    if fresh:
        ReportedDossier.objects.bulk_create(fresh)
    if changed:
        fields = [name for name in Fact.__slots__ if name != "dossier_id"]
        ReportedDossier.objects.bulk_update(changed, fields)


def project(dossier_ids: Iterable[int]) -> int:
    """Recompute the facts of ``dossier_ids`` and apply the differences; returns how many changed."""
    ids = sorted(set(dossier_ids))
    old = ReportedDossier.objects.in_bulk(ids)
    new = compute_facts(ids)
    deltas: Deltas = {}
    changed: dict[int, Fact | None] = {}
    for pk in ids:
        before = Fact.of_row(old[pk]) if pk in old else None
        after = new[pk]
        if before == after:
            continue
        add(deltas, before, -1)
        add(deltas, after, +1)
        changed[pk] = after
    apply(deltas)
    _save_facts({pk: old[pk] for pk in changed if pk in old}, changed)
    return len(changed)


def _state(lock: bool = True) -> ProjectionState:
    ProjectionState.objects.get_or_create(name=STATE_NAME)
    qs = ProjectionState.objects.filter(name=STATE_NAME)
    return (qs.select_for_update() if lock else qs).get()


def refresh() -> int:
    """Project every event not yet projected (see the module docstring); returns dossiers changed."""
    changed = 0
    with transaction.atomic():
        state = _state()
        if state.rebuilding:
            return 0
        low = max(0, state.watermark - WINDOW)
        touched = (
            DossierEvent.objects.filter(id__gt=low)
            .values("dossier_id")
            .annotate(top=Max("id"))
            .values_list("dossier_id", "top")
        )
        top_seen = state.watermark
        pending: list[int] = []
        known = dict(
            ReportedDossier.objects.filter(
                dossier_id__in=DossierEvent.objects.filter(id__gt=low).values("dossier_id")
            ).values_list("dossier_id", "last_event_id")
        )
        for dossier_id, top in touched:
            top_seen = max(top_seen, top)
            if known.get(dossier_id, 0) < top:
                pending.append(dossier_id)
        for start in range(0, len(pending), BATCH):
            changed += project(pending[start : start + BATCH])
        state.watermark = top_seen
        state.updated_at = clock.now()
        state.save()
    return changed


@dataclass(frozen=True, slots=True)
class Freshness:
    """Whether the projections include every committed event."""

    rebuilding: bool
    pending_events: int
    updated_at: dt.datetime | None

    @property
    def is_current(self) -> bool:
        return not self.rebuilding and self.pending_events == 0


def freshness() -> Freshness:
    state = ProjectionState.objects.filter(name=STATE_NAME).first()
    watermark = state.watermark if state else 0
    # The largest id first (an index lookup whatever the table's statistics say); count only when
    # there is something above the watermark.
    top = DossierEvent.objects.aggregate(top=Max("id"))["top"] or 0
    pending = DossierEvent.objects.filter(id__gt=watermark).count() if top > watermark else 0
    return Freshness(bool(state and state.rebuilding), pending, state.updated_at if state else None)


# ---------------------------------------------------------------------------------------------------
# From scratch
# ---------------------------------------------------------------------------------------------------


def all_facts(batch: int = 20000) -> Iterator[Fact]:
    """Every fact, recomputed from the event log and the dossier rows, in dossier id order."""
    top = Dossier.objects.aggregate(top=Max("id"))["top"] or 0
    for start in range(0, top + 1, batch):
        ids = list(
            Dossier.objects.filter(
                id__gte=start, id__lt=start + batch, received_at__isnull=False
            ).values_list("id", flat=True)
        )
        for fact in compute_facts(ids).values():
            if fact is not None:
                yield fact


def totals(facts: Iterable[Fact]) -> Deltas:
    deltas: Deltas = {}
    for fact in facts:
        add(deltas, fact, +1)
    return deltas


def stored_totals() -> Deltas:
    return _stored(Figures, _KEY_COLUMNS)


def stored_summary() -> SummaryDeltas:
    return _stored(Summary, _SUMMARY_KEY_COLUMNS)


def _stored(
    model: type[Figures] | type[Summary], keys: tuple[str, ...], where: Any = None
) -> dict[Any, dict[str, int]]:
    stored: dict[Any, dict[str, int]] = {}
    rows = model.objects.filter(where) if where is not None else model.objects.all()
    for row in rows.values_list(*keys, *MEASURES).iterator(chunk_size=10000):
        key = row[: len(keys)]
        values = {m: v for m, v in zip(MEASURES, row[len(keys) :], strict=True) if v}
        if values:
            stored[key] = values
    return stored


@dataclass(frozen=True, slots=True)
class Difference:
    key: tuple[Any, ...]
    measure: str
    stored: int
    computed: int


def compare(stored: dict[Any, dict[str, int]], computed: dict[Any, dict[str, int]]) -> list[Difference]:
    out: list[Difference] = []
    for key in sorted(set(stored) | set(computed), key=str):
        a, b = stored.get(key, {}), computed.get(key, {})
        for measure in MEASURES:
            if a.get(measure, 0) != b.get(measure, 0):
                out.append(Difference(key, measure, a.get(measure, 0), b.get(measure, 0)))
    return out


# Recomputation in bounded memory: the facts go by dossier id range (``FACT_BATCH`` at a time), and
# each range's contributions into a temporary table; the figures are then grouped, compared and
# written one chunk at a time (a month of day rows, or a year of month rows with its year row: every
# ``Summary`` row of a chunk comes from that chunk's ``Figures`` rows alone).
FACT_BATCH: Final = 20000
_SCRATCH: Final = "reports_recomputed"


def _create_scratch(cursor: Any) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {_SCRATCH}")
    columns = ", ".join((*_KEY_COLUMNS, *MEASURES))
    cursor.execute(
        f"CREATE TEMPORARY TABLE {_SCRATCH} AS SELECT {columns} FROM {Figures._meta.db_table} WHERE 1 = 0"  # noqa: S608
    )


def _to_scratch(cursor: Any, deltas: Deltas) -> None:
    rows = [(*key, *(values.get(m, 0) for m in MEASURES)) for key, values in deltas.items()]
    names = (*_KEY_COLUMNS, *MEASURES)
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {_SCRATCH} ({', '.join(names)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(names))
    cursor.executemany(f"INSERT INTO {_SCRATCH} ({', '.join(names)}) VALUES ({marks})", rows)  # noqa: S608


def _recompute(on_facts: Any, batch: int) -> int:
    """Recompute every fact, range by range: ``on_facts(low, high, facts)`` for each id range, and
    the range's contributions summed into the scratch table. Returns the number of facts."""
    top = Dossier.objects.aggregate(top=Max("id"))["top"] or 0
    count = 0
    with connection.cursor() as cursor:
        _create_scratch(cursor)
        for low in range(0, top + 1, batch):
            high = low + batch
            ids = list(
                Dossier.objects.filter(id__gte=low, id__lt=high, received_at__isnull=False).values_list(
                    "id", flat=True
                )
            )
            facts = [f for f in compute_facts(ids).values() if f is not None]
            on_facts(low, high, facts)
            _to_scratch(cursor, totals(facts))
            count += len(facts)
        cursor.execute(f"CREATE INDEX {_SCRATCH}_chunk ON {_SCRATCH} (grain, day)")
    return count


def _chunks() -> list[tuple[str, dt.date, dt.date]]:
    """(grain, first day, last day) of every chunk holding a recomputed or a stored row."""
    days: set[tuple[str, dt.date]] = set()
    with connection.cursor() as cursor:
        for table in (_SCRATCH, Figures._meta.db_table, Summary._meta.db_table):
            cursor.execute(f"SELECT DISTINCT grain, day FROM {table}")  # noqa: S608 - model names
            days.update((g, d if isinstance(d, dt.date) else dt.date.fromisoformat(d)) for g, d in cursor)
    out: set[tuple[str, dt.date, dt.date]] = set()
    for grain, day in days:
        if grain == Grain.DAY.value:
            first = day.replace(day=1)
            last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            out.add((Grain.DAY.value, first, last))
        else:  # a month row, or a year row: the year's month rows and its year row
            out.add((Grain.MONTH.value, dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)))
    return sorted(out)


def _chunk_filter(grain: str, first: dt.date, last: dt.date, summary: bool = False) -> Any:
    from django.db.models import Q

    q = Q(grain=grain, day__gte=first, day__lte=last)
    if summary and grain == Grain.MONTH.value:
        q |= Q(grain=Grain.YEAR.value, day=first)
    return q


def _recomputed_chunk(grain: str, first: dt.date, last: dt.date) -> Deltas:
    keys = ", ".join(_KEY_COLUMNS)
    sums = ", ".join(f"SUM({m})" for m in MEASURES)
    out: Deltas = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {keys}, {sums} FROM {_SCRATCH} WHERE grain = %s AND day >= %s AND day <= %s "  # noqa: S608
            f"GROUP BY {keys}",
            [grain, first, last],
        )
        for row in cursor:
            key = row[: len(_KEY_COLUMNS)]
            if not isinstance(key[1], dt.date):
                key = (key[0], dt.date.fromisoformat(key[1]), *key[2:])
            values = {m: int(v) for m, v in zip(MEASURES, row[len(_KEY_COLUMNS) :], strict=True) if v}
            if values:
                out[key] = values
    return out


def check(batch: int = FACT_BATCH) -> list[Difference]:
    """Differences between the stored figures (and facts) and a recomputation from scratch, in
    bounded memory (``FACT_BATCH`` facts and one chunk of figures at a time)."""
    differences: list[Difference] = []

    def compare_facts(low: int, high: int, facts: list[Fact]) -> None:
        computed = {f.dossier_id: f for f in facts}
        stored = {
            r.dossier_id: Fact.of_row(r)
            for r in ReportedDossier.objects.filter(dossier_id__gte=low, dossier_id__lt=high)
        }
        for pk in sorted(set(stored) | set(computed)):
            if stored.get(pk) != computed.get(pk):
                differences.append(
                    Difference(("dossier", pk), "fact", int(pk in stored), int(pk in computed))
                )

    with transaction.atomic():  # the scratch table and a consistent view of the log
        _recompute(compare_facts, batch)
        # facts beyond the last dossier id (their dossier is gone)
        top = Dossier.objects.aggregate(top=Max("id"))["top"] or 0
        for pk in ReportedDossier.objects.filter(dossier_id__gt=top).values_list("dossier_id", flat=True):
            differences.append(Difference(("dossier", pk), "fact", 1, 0))
        figures: list[Difference] = []
        summary: list[Difference] = []
        for grain, first, last in _chunks():
            computed = _recomputed_chunk(grain, first, last)
            figures += compare(_stored(Figures, _KEY_COLUMNS, _chunk_filter(grain, first, last)), computed)
            stored_summary = _stored(Summary, _SUMMARY_KEY_COLUMNS, _chunk_filter(grain, first, last, True))
            summary += [
                Difference(("summary", *d.key), d.measure, d.stored, d.computed)
                for d in compare(stored_summary, summarize(computed))
            ]
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {_SCRATCH}")
    return figures + summary + differences


def rebuild(batch: int = FACT_BATCH) -> int:
    """Recompute everything from scratch, in bounded memory; returns the number of facts. Pages say
    "being recomputed" while it runs (``ProjectionState.rebuilding``), and the result appears in one
    commit."""
    with transaction.atomic():
        state = _state()
        state.rebuilding = True
        state.save()
    try:
        with transaction.atomic():
            state = _state()
            watermark = DossierEvent.objects.aggregate(top=Max("id"))["top"] or 0
            Figures.objects.all().delete()
            Summary.objects.all().delete()
            ReportedDossier.objects.all().delete()
            count = _recompute(lambda low, high, facts: _write_facts(facts), batch)
            for grain, first, last in _chunks():
                write_figures(_recomputed_chunk(grain, first, last))
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE {_SCRATCH}")
            state.watermark = watermark
            state.rebuilding = False
            state.updated_at = clock.now()
            state.save()
    finally:
        ProjectionState.objects.filter(name=STATE_NAME, rebuilding=True).update(rebuilding=False)
    return count


def _write_facts(facts: list[Fact]) -> None:
    if connection.vendor == "postgresql":
        names = list(Fact.__slots__)
        with connection.cursor() as cursor:
            table = ReportedDossier._meta.db_table
            with cursor.cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                for fact in facts:
                    copy.write_row(tuple(getattr(fact, n) for n in names))
        return
    ReportedDossier.objects.bulk_create([ReportedDossier(**asdict(f)) for f in facts], batch_size=5000)


def write_figures(deltas: Deltas, batch: int = 10000) -> None:
    """Insert ``deltas`` into empty ``Figures`` and ``Summary`` tables."""
    rows = [Figures(**dict(zip(_KEY_COLUMNS, key, strict=True)), **values) for key, values in deltas.items()]
    for start in range(0, len(rows), batch):
        Figures.objects.bulk_create(rows[start : start + batch])
    summary = [
        Summary(**dict(zip(_SUMMARY_KEY_COLUMNS, key, strict=True)), **values)
        for key, values in summarize(deltas).items()
    ]
    for start in range(0, len(summary), batch):
        Summary.objects.bulk_create(summary[start : start + batch])


def group(deltas: Deltas) -> dict[str, int]:
    """Sum of every measure over day-grain keys (a quick overall view, used by tests)."""
    out: dict[str, int] = defaultdict(int)
    for key, values in deltas.items():
        if key[0] == Grain.DAY.value:
            for m, v in values.items():
                out[m] += v
    return dict(out)
