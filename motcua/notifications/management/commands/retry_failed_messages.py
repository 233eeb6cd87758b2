from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.notifications.services import retry_due_messages


class Command(BaseCommand):
    help = (
        "Re-schedule notification messages that are due: FAILED ones whose next attempt has come, "
        "QUEUED ones whose delivery task was lost, SENDING ones whose worker stopped. Safe to run "
        "as often as the scheduler likes (a message is never sent twice by running it)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=500, help="at most this many messages per run")

    def handle(self, *args: Any, **options: Any) -> None:
        report = retry_due_messages(limit=options["limit"])
        self.stdout.write(
            f"Notifications: {report.enqueued} enqueued "
            f"({report.failed_due} failed and due, {report.queued_stale} queued without a task), "
            f"{report.interrupted} interrupted while sending released."
        )
