"""Background tasks (django-tasks): the outbox pump. Safe to run twice or concurrently."""

from __future__ import annotations

from django_tasks import task


@task()
def pump_outbox() -> dict[str, int]:
    """Fan out new dossier events and deliver what is due (see ``outbox.pump``)."""
    from .outbox import pump

    report = pump()
    return {
        "dispatched": report.dispatched,
        "delivered": report.delivered,
        "failed": report.failed,
        "dead": report.dead,
    }
