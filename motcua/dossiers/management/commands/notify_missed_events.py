from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.core import clock
from motcua.dossiers.effects import notify_missed_events


class Command(BaseCommand):
    help = (
        "Notify applicants of dossier events whose notification was never recorded (a worker killed "
        "mid-task, a database restart). Safe to run as often as the scheduler likes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=int, default=48, help="look at events of the last N hours")
        parser.add_argument("--limit", type=int, default=2000, help="at most this many events per run")

    def handle(self, *args: Any, **options: Any) -> None:
        since = clock.now() - dt.timedelta(hours=options["hours"])
        notified = notify_missed_events(since=since, limit=options["limit"])
        self.stdout.write(f"Dossier events notified after the fact: {notified}.")
