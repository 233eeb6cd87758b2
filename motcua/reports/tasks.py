"""Background tasks: the projector runs in the worker (django-tasks), never in the act."""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_reports() -> int:
    """Project the events committed since the last run (safe to run twice, or concurrently: the
    projection state row is locked)."""
    from .projections import refresh

    return refresh()
