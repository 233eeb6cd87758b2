from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.deadlines.seed import default_years, parse_years, seed_calendars


class Command(BaseCommand):
    help = (
        "Seed the national working calendar (holidays, make-up working days) from the holidays package "
        "and motcua's table of announced notices. Idempotent; never overwrites a manual edit. "
        "Default years: the past two, this year and the next two."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--years", help="e.g. 2024-2028, 2026 or 2025,2027")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            years = parse_years(options["years"]) if options.get("years") else default_years()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        report = seed_calendars(years)
        days, calendar_years = report["days"], report["calendar_years"]
        self.stdout.write(self.style.SUCCESS(f"Calendars seeded for {years[0]}–{years[-1]}."))
        self.stdout.write(f"  days:  {_line(days)}")
        self.stdout.write(f"  years: {_line(calendar_years)}")


def _line(counts: object) -> str:
    assert isinstance(counts, dict)
    return ", ".join(f"{key} {value}" for key, value in counts.items())
