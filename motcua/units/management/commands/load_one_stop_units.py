"""``manage.py load_one_stop_units FILE [--counters FILE] [--office-hours FILE]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.units.loaders import UnitDataError, load_one_stop_units


class Command(BaseCommand):
    help = (
        "Nạp bộ phận một cửa, quầy và giờ làm việc từ tệp CSV. Load one-stop units, their counters and "
        "office hours from CSV files (format: motcua/units/demo/README.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv", type=Path, help="one-stop units CSV")
        parser.add_argument("--counters", type=Path, default=None, help="counters CSV")
        parser.add_argument("--office-hours", type=Path, default=None, help="office hours CSV")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = load_one_stop_units(
                options["csv"], counters=options["counters"], office_hours=options["office_hours"]
            )
        except UnitDataError as exc:
            raise CommandError(
                f"{exc.message_vi}\n{exc.message_en}\nKhông có gì được lưu / nothing was saved."
            ) from exc
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Xong / done."))
