"""Side effects of an act, run after the transaction commits (STYLE.md: never inside the act).

``services._record`` schedules ``after_event(event_id=…)`` with ``transaction.on_commit(…,
robust=True)``: a failing notification is logged, never undoes the act. Each effect takes ids and
is safe to run twice (the notifications app deduplicates on the idempotency key).

Forms: the event records which form it produced (``DossierEvent.form``: form01 … form07);
``paperwork`` sits above ``dossiers`` and renders them from the dossier and its events, so nothing
here builds a form.
"""

from __future__ import annotations

import logging
from typing import Final

from django_tasks import task

from motcua.notifications.services import notify

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


def notify_applicant(*, event_id: int) -> int:
    """E-mail and SMS to the applicant for the events that call for it; returns the messages queued."""
    event = DossierEvent.objects.select_related("dossier").filter(pk=event_id).first()
    if event is None or event.name not in TEMPLATES:
        return 0
    dossier = Dossier.objects.select_related(
        "procedure_version", "received_at_unit", "return_unit", "competent_agency"
    ).get(pk=event.dossier_id)
    context = context_for(event, dossier)
    sent = 0
    for channel, recipient in (("email", dossier.applicant_email), ("sms", dossier.applicant_phone)):
        if not recipient:
            continue
        notify(
            template_key=TEMPLATES[event.name],
            channel=channel,
            recipient=recipient,
            context=context,
            subject_ref=f"dossier:{dossier.pk}",
            idempotency_key=f"dossier-event:{event.pk}:{channel}",
        )
        sent += 1
    return sent


@task()
def notify_event(event_id: int) -> int:
    """The worker's half of ``after_event``: render and queue the applicant's messages for one event.

    Safe to run twice: ``notify`` finds the message already recorded under the event's key.
    """
    try:
        return notify_applicant(event_id=event_id)
    except Exception:  # a side effect never undoes the act; the notification log shows what failed
        logger.exception("notifying the applicant of dossier event %s failed", event_id)
        return 0


def after_event(*, event_id: int, name: str | None = None) -> None:
    """Everything that follows an act, after commit: one task per event that notifies the applicant.

    The request only enqueues (one row with the database queue); rendering the e-mail and SMS and
    recording them happens in the worker. ``name`` (the event's name, when the caller knows it)
    skips events that notify nobody without reading the event back.
    """
    if name == "result_issued":
        try:
            store_result.enqueue(event_id)
        except Exception:  # an enqueue error never undoes the act
            logger.exception("enqueueing the e-result of dossier event %s for the store failed", event_id)
    if name is not None and name not in TEMPLATES:
        return
    try:
        notify_event.enqueue(event_id)
    except Exception:  # an enqueue error never undoes the act
        logger.exception("enqueueing the notification of dossier event %s failed", event_id)


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
