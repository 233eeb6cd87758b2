"""Side effects of an act, run by the worker after the transaction commits (STYLE.md: never inside the act).

``services._record`` calls ``schedule(event_id=…)``. With the database queue the task rows are
inserted inside the act's transaction (no savepoint: decision 0048), so they commit with the act and
a process killed right after the commit loses no notification; the work itself (rendering, sending)
runs in the worker after commit. The applicant's notification needs no task row of its own when the
outbox pump is woken by every act: the pump records and sends it as it fans the event's outbox row
out (``notifies_through_outbox``, ``notify_applicants``; decision 0051), for its whole batch of
events at once (decision 0052). With any other queue ``after_event`` runs on commit
(``transaction.on_commit(…, robust=True)``). A task the queue refuses is logged and never undoes
the act; a database error writing its row fails the act (``_enqueue``). Each effect takes ids and is
safe to run twice (the notifications app deduplicates on the idempotency key).

Forms: the event records which form it produced (``DossierEvent.form``: form01 … form07);
``paperwork`` sits above ``dossiers`` and renders them from the dossier and its events, so nothing
here builds a form.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterable
from functools import partial
from typing import Any, Final

from django.conf import settings
from django.db import DatabaseError, transaction
from django_tasks import task

from motcua.core import rows
from motcua.notifications.models import Message
from motcua.notifications.services import Notice, Prepared, notify, notify_many, prepare

from .models import Dossier, DossierEvent

logger = logging.getLogger(__name__)

# Event name → notification template (notifications/rendering.TEMPLATE_SPECS).
TEMPLATES: Final[dict[str, str]] = {
    "accepted": "dossier.accepted",
    "completion_requested": "dossier.completion_requested",
    "supplement_requested": "dossier.supplement_requested",
    "supplement_received": "dossier.supplement_received",
    "extended": "dossier.extended",
    "result_issued": "dossier.result_ready",
    "refused_after_appraisal": "dossier.result_ready",
    "stopped": "dossier.stopped",
    "incident_reported": "dossier.incident_reported",
}


def _iso(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value or "")


def context_for(event: DossierEvent, dossier: Dossier) -> dict[str, str | int]:
    """The values the event's template asks for (see TEMPLATE_SPECS)."""
    data = event.data or {}
    unit = dossier.received_at_unit
    return_unit = dossier.return_unit or unit
    base: dict[str, str | int] = {
        "applicant_name": dossier.applicant_name,
        "procedure_name": dossier.procedure_version.name,
        "unit_name": unit.name,
    }
    name = event.name
    if name == "completion_requested":
        missing = "; ".join(item.get("name", "") for item in data.get("missing", []))
        guidance = " ".join(part for part in (missing, data.get("guidance", "")) if part)
        return {**base, "reference": dossier.reference, "reason": event.reason, "guidance": guidance or "-"}
    base["dossier_code"] = dossier.reference
    if name in ("accepted", "supplement_received"):
        return {**base, "received_at": _iso(event.at), "due_at": _iso(dossier.due_at)}
    if name == "supplement_requested":
        missing = "; ".join(item.get("name", "") for item in data.get("missing", []))
        guidance = " ".join(part for part in (missing, data.get("guidance", "")) if part)
        return {**base, "reason": event.reason, "guidance": guidance or "-"}
    if name == "extended":
        return {
            **base,
            "agency_name": dossier.competent_agency.name,
            "reason": event.reason,
            "original_due_at": str(data.get("original_due_at", "")),
            "new_due_at": str(data.get("new_due_at", "")),
        }
    if name in ("result_issued", "refused_after_appraisal"):
        return {**base, "pickup_place": return_unit.address or return_unit.name}
    return {**base, "reason": event.reason or "-"}


# What the messages name, read with the event (see ``context_for``).
NOTICE_PATHS: Final = (
    "dossier__procedure_version",
    "dossier__received_at_unit",
    "dossier__return_unit",
    "dossier__competent_agency",
)


def notify_applicant(*, event_id: int) -> int:
    """E-mail and SMS to the applicant for the events that call for it, sent after the commit (by this
    process: ``notify(send_now=True)``); returns the messages recorded."""
    # The event, its dossier and what the messages name in one statement built once per process
    # (``rows.with_related``, decision 0048), not two querysets compiled on every notification.
    event = rows.with_related(DossierEvent, event_id, *NOTICE_PATHS)
    if event is None or event.name not in TEMPLATES:
        return 0
    # Both messages are recorded in one transaction (a worker killed half-way leaves both or neither,
    # and notify_missed_events finds the neither).
    with transaction.atomic():
        return _record_messages(event)


def _notices(event: DossierEvent) -> list[Notice]:
    """The applicant's e-mail and SMS for ``event`` (those the dossier has an address for)."""
    dossier = event.dossier
    context = context_for(event, dossier)
    return [
        Notice(
            template_key=TEMPLATES[event.name],
            channel=channel,
            recipient=recipient,
            context=context,
            subject_ref=f"dossier:{dossier.pk}",
            idempotency_key=f"dossier-event:{event.pk}:{channel}",
        )
        for channel, recipient in (("email", dossier.applicant_email), ("sms", dossier.applicant_phone))
        if recipient
    ]


def _record_messages(event: DossierEvent) -> int:
    """Record the event's e-mail and SMS (inside the caller's transaction); each is sent by this
    process after the commit, without a task per message (``notify(send_now=True)``)."""
    sent = 0
    for notice in _notices(event):
        notify(**dataclasses.asdict(notice), send_now=True)
        sent += 1
    return sent


def notifies_through_outbox() -> bool:
    """True when the outbox pump notifies the applicant as it fans each event out (decision 0051):
    with the database queue, whose pump every act wakes (``MOTCUA_OUTBOX_AUTOWAKE``), as in
    production and the demo. The act then writes no task row of its own for the notification: its
    outbox row, written in the act's transaction anyway, is what the notification waits on. Otherwise
    (the tests' immediate queue, or a pump only the 5-minute timer runs) a ``notify_event`` task per
    event, as before."""
    return bool(settings.MOTCUA_OUTBOX_AUTOWAKE) and _queue_commits_with_the_act()


def notify_applicants(event_ids: Iterable[int]) -> int:
    """The outbox pump's half (``integration.outbox.dispatch``, inside its transaction): record the
    applicant's messages for each of ``event_ids`` that calls for them; they are sent after that
    transaction commits. Returns the messages recorded (or found recorded already).

    One batch for all the events (decision 0052): one read of the events with what the messages
    name, one read of the keys already recorded, one multi-row insert, and after the commit one
    UPDATE per fifty sent messages. An event whose messages cannot be rendered or addressed (a
    broken template, a recipient refused) is logged and left out of the batch before anything is
    written; ``notify_missed_events`` notifies it later. If the batch fails anyway (a key reused, a
    database error, a bug), its savepoint is rolled back and the events are notified one by one,
    each in its own savepoint as before (decision 0051): one that fails is logged and leaves the
    others, and the pump's run, untouched.
    """
    ids = list(dict.fromkeys(event_ids))
    if not ids:
        return 0
    try:
        with transaction.atomic():
            return _notify_batch(ids)
    except Exception:  # a side effect never undoes anything: one event at a time instead
        logger.exception("notifying the applicants of %s dossier events in one batch failed", len(ids))
    recorded = 0
    for event_id in ids:
        try:
            with transaction.atomic():
                event = rows.with_related(DossierEvent, event_id, *NOTICE_PATHS)
                if event is not None and event.name in TEMPLATES:
                    recorded += _record_messages(event)
        except Exception:  # a side effect never undoes anything; the notification log shows what failed
            logger.exception("notifying the applicant of dossier event %s failed", event_id)
    return recorded


def _notify_batch(event_ids: list[int]) -> int:
    prepared: list[Prepared] = []
    for event in rows.with_related_many(DossierEvent, event_ids, *NOTICE_PATHS):
        if event.name not in TEMPLATES:
            continue
        try:  # rendering and addressing read and write nothing: an event that fails is left out whole
            prepared.extend([prepare(notice) for notice in _notices(event)])
        except Exception:
            logger.exception("notifying the applicant of dossier event %s failed", event.pk)
    return len(notify_many(prepared, send_now=True))


@task()
def notify_event(event_id: int) -> int:
    """The worker's half of ``after_event``: render, record and send the applicant's messages for one
    event, in this task (a failed send is retried by its own deferred task, decision 0046).

    Safe to run twice: ``notify`` finds the message already recorded under the event's key.
    """
    try:
        return notify_applicant(event_id=event_id)
    except Exception:  # a side effect never undoes the act; the notification log shows what failed
        logger.exception("notifying the applicant of dossier event %s failed", event_id)
        return 0


def _queue_commits_with_the_act() -> bool:
    """True with the database queue: a task row inserted inside the act's transaction commits, or
    rolls back, with the act."""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks_db import DatabaseBackend

    # The backend itself: ``django_tasks.default_task_backend`` is a proxy, never an instance of it.
    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)


def schedule(*, event_id: int, name: str) -> None:
    """Schedule what follows an act, from inside the act's transaction.

    With the database queue (production, demo) the task rows are inserted now, in the act's own
    transaction: a process killed between the commit and an after-commit hook would otherwise lose
    the applicant's notification (found by tests/test_faults.py). The worker sees the rows only once
    the act commits, and an act that rolls back leaves none. When the outbox pump notifies
    (``notifies_through_outbox``) the act writes no task row: its outbox row, in the same
    transaction, is what the pump's notification and e-result task wait on (decisions 0051, 0054).
    Other queues (the immediate backend of the tests) run after commit, as before.
    """
    if _queue_commits_with_the_act():
        after_event(event_id=event_id, name=name)
    else:
        transaction.on_commit(partial(after_event, event_id=event_id, name=name), robust=True)


def _enqueue(event_id: int, tasks: list[tuple[str, Any]]) -> None:
    """Enqueue ``tasks`` ((what, enqueue) pairs) for the event, without a savepoint (decision 0048).

    An error raised before a task's row is sent (a task refused by the queue, say) is logged and
    never undoes the act: the transaction is still clean, and ``notify_missed_events`` notifies
    later. A database error on the row itself fails the act: the task row is part of the act (the
    reason it is written in the act's transaction), and on PostgreSQL the transaction could not go
    on without the savepoint anyway. Nothing is half-written either way.
    """
    for what, enqueue in tasks:
        try:
            enqueue(event_id)
        except DatabaseError:
            raise
        except Exception:  # not sent: the act goes on; the sweep notifies later
            logger.exception("enqueueing %s of dossier event %s failed", what, event_id)


def after_event(*, event_id: int, name: str | None = None) -> None:
    """Everything that follows an act, after commit: the applicant's notification and, for an issued
    result, a task that keeps the e-result in the applicant's store.

    The request only enqueues (one row per task with the database queue); rendering the e-mail and
    SMS and recording them happens in the worker: in the outbox pump when it fans the event out
    (``notifies_through_outbox``: no task of its own, decision 0051), else in a ``notify_event``
    task. With the pump, the e-result's task is enqueued by the pump too (``store_results``,
    decision 0054): the act then writes no task row at all, its outbox row standing for both.
    ``name`` (the event's name, when the caller knows it) skips events that notify nobody
    without reading the event back.
    """
    if notifies_through_outbox():  # the pump does both as it fans the event out (decisions 0051, 0054)
        return
    tasks: list[tuple[str, Any]] = []
    if name == "result_issued":
        tasks.append(("the e-result for the store", store_result.enqueue))
    if name is None or name in TEMPLATES:
        tasks.append(("the notification", notify_event.enqueue))
    if tasks:
        _enqueue(event_id, tasks)


def store_results(event_ids: Iterable[int]) -> None:
    """The outbox pump's half for issued results (``integration.outbox.dispatch``, inside its
    transaction, when ``notifies_through_outbox``; decision 0054): a ``store_result`` task per
    event, its row committed with the fan-out that marks the event dispatched. A pump killed before
    that commit leaves the event undispatched and the next run enqueues it; after it, the task row
    is there. A task refused before its row is sent is logged and skipped, as in the act
    (``_enqueue``); a database error fails the fan-out, which the next run does again."""
    for event_id in event_ids:
        _enqueue(event_id, [("the e-result for the store", store_result.enqueue)])


@task()
def store_result(event_id: int) -> int:
    """The issued e-result goes to the applicant's personal store (``online.keep_result``)."""
    from . import online  # online builds on services, which imports this module

    dossier_id = DossierEvent.objects.filter(pk=event_id).values_list("dossier_id", flat=True).first()
    if dossier_id is None:
        return 0
    try:
        return 1 if online.keep_result(dossier_id=dossier_id) is not None else 0
    except Exception:
        logger.exception("keeping the e-result of dossier %s in the store failed", dossier_id)
        return 0


@task()
def store_file(file_id: int) -> int:
    """A component digitized at the counter goes to the applicant's store (``online.keep_dossier_file``)."""
    from . import online

    try:
        return 1 if online.keep_dossier_file(file_id=file_id) is not None else 0
    except Exception:
        logger.exception("keeping dossier file %s in the store failed", file_id)
        return 0


def after_file(*, file_id: int) -> None:
    try:
        store_file.enqueue(file_id)
    except Exception:
        logger.exception("enqueueing dossier file %s for the store failed", file_id)


def notify_missed_events(*, since: dt.datetime, limit: int = 2000) -> int:
    """Notify the applicant of events since ``since`` whose notification was never recorded.

    The recovery half of ``schedule``: a notification task that a crash interrupted, or that ran while
    the database was restarting, leaves its event without messages. The event log is the truth, so
    this sweep (``manage.py notify_missed_events``, run by the same timer as the message retries)
    finds those events and notifies them; ``notify`` deduplicates on the event's key, so running it
    twice sends nothing twice. Returns the number of events notified.
    """
    events = list(
        DossierEvent.objects.filter(name__in=list(TEMPLATES), at__gte=since)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    keys = [f"dossier-event:{pk}:{channel}" for pk in events for channel in ("email", "sms")]
    recorded = set(Message.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
    notified = 0
    for pk in events:
        if f"dossier-event:{pk}:email" in recorded or f"dossier-event:{pk}:sms" in recorded:
            continue
        if notify_applicant(event_id=pk):
            notified += 1
    return notified
