"""``manage.py refresh_reports [--every SECONDS]``: project the events committed since the last run.

Once, or (``--every``) in a loop beside the task worker, so the report projections are never more
than that many seconds behind the event log (default 20 s; docs/decisions/0012). Nothing is written
in the act's transaction, so concurrent acts never wait on report rows. Safe to run twice at once:
the projection state row is locked.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from motcua.reports import projections


class Command(BaseCommand):
    help = "Project the dossier events not yet in the report projections (--every: keep doing it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=0, help="seconds between runs (0: run once)")

    def handle(self, *args: Any, every: float = 0, **options: Any) -> None:
        while True:
            changed = projections.refresh()
            if every <= 0:
                self.stdout.write(f"{changed} dossiers updated")
                return
            time.sleep(every)
            close_old_connections()  # a long-running loop drops connections past their age
