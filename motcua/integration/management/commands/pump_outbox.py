"""``manage.py pump_outbox``: one outbox run now (fan out, deliver what is due); safe at any time."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from motcua.integration.outbox import pump


class Command(BaseCommand):
    help = "Deliver due outbox deliveries (webhooks, national portal) once."

    def handle(self, *args: Any, **options: Any) -> None:
        report = pump()
        self.stdout.write(
            f"dispatched={report.dispatched} delivered={report.delivered} "
            f"retry_later={report.failed} dead={report.dead} released={report.released}"
        )
