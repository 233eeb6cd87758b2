"""After an act commits, ask the worker to project it (DESIGN.md: reports are projections of the log).

The receiver only registers an after-commit callback: the act's transaction writes nothing for the
reports, so concurrent acceptances never contend on a hot counter row (docs/decisions/0012).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from motcua.dossiers.models import DossierEvent
from motcua.dossiers.signals import event_recorded


def _enqueue() -> None:
    from .tasks import refresh_reports

    refresh_reports.enqueue()


@receiver(event_recorded, sender=DossierEvent, dispatch_uid="reports.refresh_after_act")
def schedule_refresh(sender: Any, **kwargs: Any) -> None:
    transaction.on_commit(_enqueue, robust=True)
