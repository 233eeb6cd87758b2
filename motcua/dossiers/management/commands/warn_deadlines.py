"""``manage.py warn_deadlines [--at ISO]``: the daily deadline warnings (run by the scheduler).

For each dossier past its apology deadline without Form 04 or a result (SPEC §6.1 rule 11, scenario
16) and each consultation past its answer deadline (ND61 Art 19(5)), one warning per day in the
dossier's history and an e-mail to the competent agency's leaders and the one-stop unit's heads.
Running it twice on the same day sends nothing more.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.clock import VN_TZ
from motcua.dossiers.services import warn_deadlines


class Command(BaseCommand):
    help = "Warn leaders and one-stop heads of missed apology deadlines and overdue consultations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--at", help="the instant to check, ISO 8601 (a naive value is Vietnam time); default: now"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        at: dt.datetime | None = None
        if options.get("at"):
            try:
                at = dt.datetime.fromisoformat(options["at"])
            except ValueError as error:
                raise CommandError(f"--at: not an ISO 8601 date-time: {options['at']!r}") from error
            if at.tzinfo is None:
                at = at.replace(tzinfo=VN_TZ)
        report = warn_deadlines(at=at)
        self.stdout.write(
            f"apology overdue: {report.apology_overdue}; consultations overdue: "
            f"{report.consultations_overdue}; warnings recorded: {report.warnings_recorded}; "
            f"already warned today: {report.already_warned}; e-mails queued: {report.emails_queued}; "
            f"recipients without e-mail: {report.recipients_without_email}"
        )
        if report.skipped:
            self.stdout.write(f"skipped (a later act exists): {', '.join(report.skipped)}")
