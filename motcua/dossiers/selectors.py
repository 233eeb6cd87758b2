"""Reads of dossiers: the one gate for seeing a dossier, and its timeline for pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from motcua.accounts import gate
from motcua.accounts.models import User
from motcua.core import clock
from motcua.core.errors import NotFound
from motcua.workflow import ACT_LABELS, Act

from .models import Dossier, DossierEvent, ProcessingTask


def _not_found() -> NotFound:
    return NotFound("Không tìm thấy hồ sơ.", "Dossier not found.", code="dossier_not_found")


def visible_dossiers(user: User, *, at: dt.date | None = None) -> QuerySet[Dossier]:
    """Dossiers ``user`` may read: their own submissions; for staff holding ``dossier.view``, those
    received at their unit, decided by their agency, or with a task or consultation at it."""
    if not user.is_authenticated or not user.is_active:
        return Dossier.objects.none()
    query = Q(submitted_by=user)
    if gate.allows(user, "dossier.view", at=at):
        memberships = [
            m for m in gate.active_memberships(user, at=at) if m.role in gate.PERMISSIONS["dossier.view"]
        ]
        if any(m.role in gate.PROVINCE_WIDE_ROLES for m in memberships):
            return Dossier.objects.all()
        agencies = _with_descendants({m.agency_id for m in memberships if m.agency_id is not None}, "agency")
        units = _with_descendants({m.one_stop_unit_id for m in memberships if m.one_stop_unit_id}, "unit")
        query |= (
            Q(received_at_unit_id__in=units)
            | Q(return_unit_id__in=units)
            | Q(competent_agency_id__in=agencies)
            | Q(receiving_agency_id__in=agencies)
            | Q(tasks__agency_id__in=agencies)
            | Q(consultations__requested_agency_id__in=agencies)
        )
    return Dossier.objects.filter(pk__in=Dossier.objects.filter(query).values("pk"))


def _with_descendants(ids: set[int], kind: str) -> set[int]:
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


def dossier_for_user(user: User, dossier_id: int) -> Dossier:
    """The one gate for reading a dossier (STYLE.md): the dossier, or NotFound (404, never 403, so
    ids cannot be probed)."""
    dossier = (
        visible_dossiers(user)
        .select_related("procedure_version", "received_at_unit", "competent_agency", "return_unit")
        .filter(pk=dossier_id)
        .first()
    )
    if dossier is None:
        raise _not_found()
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
    entries = []
    for event in DossierEvent.objects.filter(dossier=dossier).select_related("actor").order_by("seq"):
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
