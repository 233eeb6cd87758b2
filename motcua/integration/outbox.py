"""The outbox: record in the act's transaction, fan out, claim, deliver in order, retry, dead-letter.

* ``record_event`` is the ``event_recorded`` receiver: one INSERT in the act's transaction (an act
  that fails or rolls back leaves no row), and, after commit, a debounced wake-up of the worker.
* ``pump`` is one worker run: release expired claims, fan new events out into deliveries, claim the
  deliveries that are due and at the head of their (destination, dossier) queue, send them, record
  the outcome. Claims use ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite (no row
  locks, one writer at a time) the conditional UPDATE that turns PENDING into DELIVERING with this
  run's claim token is the guard on both. The outcome is recorded only by the claim that sent it, so
  a delivery is marked delivered once, even with two workers.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from motcua.core import clock
from motcua.core import rows as core_rows

from .models import NATIONAL, SETTLED, Delivery, DeliveryState, OutboxEvent, PumpSchedule, WebhookSubscription

logger = logging.getLogger(__name__)


# --- recording (inside the act's transaction) ---------------------------------------------------


def record_event(sender: Any, *, event: Any, dossier: Any, **_: Any) -> None:
    """Insert the outbox row for ``event`` (nothing read; the act's transaction is the only one); on
    PostgreSQL it goes with the act's next statement (``rows.together``, decision 0056)."""
    core_rows.write(  # one statement built once (decision 0043); OutboxEvent has no model signals
        core_rows.new(
            OutboxEvent,
            dossier_id=dossier.pk,
            event_id=event.pk,
            seq=event.seq,
            name=event.name,
            created_at=event.at,
        )
    )
    if settings.MOTCUA_OUTBOX_AUTOWAKE:
        transaction.on_commit(wake, robust=True)


_woken_until: dt.datetime | None = None


def wake() -> None:
    """Enqueue a pump run at the end of the current one-second window, once per window and process.

    Every event committed in the window is visible to that run; a burst of acts costs one task row
    per second and process, not one per act.
    """
    global _woken_until
    now = clock.now()
    if _woken_until is not None and now < _woken_until:
        return
    _woken_until = now.replace(microsecond=0) + dt.timedelta(seconds=1)
    _enqueue(_woken_until)


def _enqueue(run_after: dt.datetime | None) -> bool:
    from django_tasks import default_task_backend

    from .tasks import pump_outbox

    try:
        if run_after is not None and default_task_backend.supports_defer:
            pump_outbox.using(run_after=run_after).enqueue()
        else:
            pump_outbox.enqueue()
    except Exception:
        logger.exception(
            "could not enqueue the outbox pump; the scheduler's `manage.py pump_outbox` runs within 5 minutes"
        )
        return False
    return True


# --- settings ------------------------------------------------------------------------------------


def max_attempts() -> int:
    return max(int(settings.MOTCUA_OUTBOX_MAX_ATTEMPTS), 1)


def retry_delay(attempts: int) -> dt.timedelta:
    """Back-off after the ``attempts``-th failure: base, doubled each time, capped."""
    base = int(settings.MOTCUA_OUTBOX_RETRY_SECONDS)
    cap = int(settings.MOTCUA_OUTBOX_RETRY_MAX_SECONDS)
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


def lease() -> dt.timedelta:
    """How long a claim holds: longer than any send can take (two HTTP calls plus a re-login)."""
    longest = max(float(settings.MOTCUA_WEBHOOK_TIMEOUT), float(settings.MOTCUA_NATIONAL_PORTAL_TIMEOUT))
    return dt.timedelta(seconds=4 * longest + 60)


# --- outcome of one send -------------------------------------------------------------------------


@dataclass
class Outcome:
    ok: bool
    status: str = ""
    error: str = ""
    request: Any = None
    response: str = ""
    permanent: bool = False  # retrying the same message cannot help: dead-letter at once


Sender = Callable[[Delivery], Outcome]


def _sender(delivery: Delivery) -> Sender:
    if delivery.destination == NATIONAL:
        from .national import send

        return send
    from .webhooks import send as send_webhook

    return send_webhook


# --- the pump ------------------------------------------------------------------------------------


@dataclass
class PumpReport:
    released: int = 0
    dispatched: int = 0
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    deferred: int = 0
    outcomes: list[tuple[int, str]] = field(default_factory=list)


def _skip_locked() -> bool:
    return bool(connection.features.has_select_for_update_skip_locked)


def release_expired(now: dt.datetime) -> int:
    """Claims whose worker died: back to PENDING now (the attempt counts), or DEAD if it was the last."""
    stale = Delivery.objects.filter(state=DeliveryState.DELIVERING, claimed_until__lt=now)
    dead = stale.filter(attempts__gte=max_attempts()).update(
        state=DeliveryState.DEAD, claim=None, claimed_until=None, last_error="worker lost (claim expired)"
    )
    back = stale.update(
        state=DeliveryState.PENDING,
        claim=None,
        claimed_until=None,
        next_attempt_at=now,
        last_error="worker lost",
    )
    return dead + back


def national_wanted(event_names: dict[int, Any]) -> set[int]:
    from .national import wants

    return {pk for pk, event in event_names.items() if wants(event)}


def dispatch(*, now: dt.datetime, limit: int = 500) -> int:
    """Fan undispatched outbox events out into deliveries (once: unique per event and destination)."""
    from motcua.dossiers.effects import TEMPLATES as NOTIFYING
    from motcua.dossiers.effects import notifies_through_outbox, notify_applicants, store_results
    from motcua.dossiers.models import DossierEvent

    created = 0
    with transaction.atomic():
        rows = OutboxEvent.objects.filter(dispatched_at__isnull=True).order_by("id")
        if _skip_locked():
            rows = rows.select_for_update(skip_locked=True)
        events = list(rows[:limit])
        if not events:
            return 0
        subscriptions = list(WebhookSubscription.objects.filter(is_active=True))
        national_on = bool(settings.MOTCUA_NATIONAL_PORTAL_URL)
        wanted: set[int] = set()
        if national_on:
            # SPEC scenario 20: an inter-agency split's sub-dossiers (``parent`` set) never go to the
            # national portal; their parent does.
            by_id = DossierEvent.objects.filter(dossier__parent__isnull=True).in_bulk(
                [e.event_id for e in events]
            )
            wanted = national_wanted({e.pk: by_id[e.event_id] for e in events if e.event_id in by_id})
        deliveries: list[Delivery] = []
        for event in events:
            for sub in subscriptions:
                if sub.wants(event.name):
                    deliveries.append(
                        Delivery(
                            outbox_event=event,
                            destination=f"webhook:{sub.pk}",
                            subscription=sub,
                            dossier_id=event.dossier_id,
                            next_attempt_at=now,
                            created_at=now,
                        )
                    )
            if event.pk in wanted:
                deliveries.append(
                    Delivery(
                        outbox_event=event,
                        destination=NATIONAL,
                        dossier_id=event.dossier_id,
                        next_attempt_at=now,
                        created_at=now,
                    )
                )
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        created = len(deliveries)
        if notifies_through_outbox():
            # The applicant's e-mail and SMS, recorded with the fan-out and sent after its commit
            # (decision 0051): the act wrote no task row for them.
            notify_applicants(e.event_id for e in events if e.name in NOTIFYING)
            # The issued e-result's store task, enqueued here rather than by the act (decision 0054).
            store_results(e.event_id for e in events if e.name == "result_issued")
        OutboxEvent.objects.filter(pk__in=[e.pk for e in events], dispatched_at__isnull=True).update(
            dispatched_at=now
        )
    return created


def heads() -> QuerySet[Delivery]:
    """Pending deliveries that are the oldest unsettled one of their (destination, dossier)."""
    earlier_open = Delivery.objects.filter(
        destination=OuterRef("destination"), dossier_id=OuterRef("dossier_id"), id__lt=OuterRef("id")
    ).exclude(state__in=SETTLED)
    return Delivery.objects.filter(state=DeliveryState.PENDING).filter(~Exists(earlier_open))


def claim(*, now: dt.datetime, limit: int) -> list[Delivery]:
    """Claim up to ``limit`` due deliveries, each the oldest unsettled one of its (destination, dossier)."""
    token = uuid.uuid4()
    with transaction.atomic():
        due = heads().filter(next_attempt_at__lte=now).order_by("next_attempt_at", "id")
        if _skip_locked():
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        Delivery.objects.filter(pk__in=ids, state=DeliveryState.PENDING).update(
            state=DeliveryState.DELIVERING,
            claim=token,
            claimed_until=now + lease(),
            attempts=F("attempts") + 1,
        )
    return list(
        Delivery.objects.filter(claim=token).select_related("outbox_event", "subscription").order_by("id")
    )


def record_outcome(delivery: Delivery, outcome: Outcome, *, now: dt.datetime) -> str:
    """Write the outcome if this claim still holds the delivery; return the new state ('' if not)."""
    mine = Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.DELIVERING, claim=delivery.claim)
    common: dict[str, Any] = {
        "claim": None,
        "claimed_until": None,
        "last_status": outcome.status[:40],
        "last_request": outcome.request,
        "last_response": outcome.response[:4000],
    }
    if outcome.ok:
        state = DeliveryState.DELIVERED
        updated = mine.update(state=state, delivered_at=now, last_error="", **common)
    elif outcome.permanent or delivery.attempts >= max_attempts():
        state = DeliveryState.DEAD
        updated = mine.update(state=state, last_error=outcome.error[:4000], **common)
    else:
        state = DeliveryState.PENDING
        updated = mine.update(
            state=state,
            next_attempt_at=now + retry_delay(delivery.attempts),
            last_error=outcome.error[:4000],
            **common,
        )
    return str(state) if updated else ""


NO_ANSWER = "no answer"


def attempt(delivery: Delivery) -> tuple[str, Outcome]:
    try:
        outcome = _sender(delivery)(delivery)
    except Exception as exc:  # a bug or an unexpected answer: recorded, retried, never raised
        logger.exception("outbox delivery %s failed unexpectedly", delivery.pk)
        outcome = Outcome(ok=False, status="error", error=f"{type(exc).__name__}: {exc}")
    return record_outcome(delivery, outcome, now=clock.now()), outcome


def defer(delivery: Delivery, *, now: dt.datetime) -> bool:
    """Give a claimed delivery back unsent (its destination did not answer earlier in this run).

    The attempt is not counted; it goes again after the first back-off, so one hanging endpoint
    costs one timeout per run instead of one per dossier, and other destinations are not held up.
    """
    return bool(
        Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.DELIVERING, claim=delivery.claim).update(
            state=DeliveryState.PENDING,
            claim=None,
            claimed_until=None,
            attempts=F("attempts") - 1,
            next_attempt_at=now + retry_delay(1),
        )
    )


_has_work: dict[str, str] = {}


def has_work() -> bool:
    """Whether a run has anything to do: an event not fanned out yet, or a delivery pending or being
    delivered (a claim that may have expired). One statement on two partial or leading indexes,
    built once per database (decision 0043), instead of the five a run with nothing to do sends.

    Every web process wakes the pump once per second (``wake``), so most runs under load find
    everything done by the run before them."""
    connection = connections[DEFAULT_DB_ALIAS]
    sql = _has_work.get(connection.vendor)
    if sql is None:
        q = core_rows.quote
        events, deliveries = OutboxEvent._meta, Delivery._meta
        dispatched = next(f.column for f in events.concrete_fields if f.name == "dispatched_at")
        state = next(f.column for f in deliveries.concrete_fields if f.name == "state")
        sql = (
            f"SELECT EXISTS(SELECT 1 FROM {q(events.db_table)} WHERE {q(dispatched)} IS NULL) "  # noqa: S608
            f"OR EXISTS(SELECT 1 FROM {q(deliveries.db_table)} WHERE {q(state)} IN (%s, %s))"
        )
        _has_work[connection.vendor] = sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [DeliveryState.PENDING.value, DeliveryState.DELIVERING.value])
        row = cursor.fetchone()
    return bool(row[0])


def pump(*, batch: int | None = None, rounds: int = 20) -> PumpReport:
    """One worker run: up to ``rounds`` batches of due deliveries, then schedule the next retry."""
    size = batch or int(settings.MOTCUA_OUTBOX_BATCH)
    report = PumpReport()
    if not has_work():  # nothing to release, fan out, claim or schedule
        return report
    now = clock.now()
    report.released = release_expired(now)
    report.dispatched = dispatch(now=now)
    silent: set[str] = set()  # destinations that did not answer in this run
    for _round in range(rounds):
        claimed = claim(now=clock.now(), limit=size)
        if not claimed:
            break
        for delivery in claimed:
            if delivery.destination in silent:
                defer(delivery, now=clock.now())
                report.deferred += 1
                continue
            state, outcome = attempt(delivery)
            if outcome.status == NO_ANSWER:
                silent.add(delivery.destination)
            report.outcomes.append((delivery.pk, state))
            if state == DeliveryState.DELIVERED:
                report.delivered += 1
            elif state == DeliveryState.DEAD:
                report.dead += 1
            elif state == DeliveryState.PENDING:
                report.failed += 1
        # New events may have arrived while sending.
        report.dispatched += dispatch(now=clock.now())
    schedule_next()
    return report


def schedule_next() -> None:
    """Enqueue one deferred run for the earliest pending retry, unless one is already enqueued then."""
    from django_tasks import default_task_backend

    if not default_task_backend.supports_defer:
        return
    # Only queue heads: a delivery waiting behind another is not due whatever its own time says.
    nxt = heads().order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
    if nxt is None:
        return
    now = clock.now()
    when = max(nxt, now)
    PumpSchedule.objects.get_or_create(pk=1)
    taken = (
        PumpSchedule.objects.filter(pk=1)
        .filter(Q(next_run_at__isnull=True) | Q(next_run_at__gt=when) | Q(next_run_at__lt=now))
        .update(next_run_at=when)
    )
    if taken:
        _enqueue(when)
