"""``manage.py load_agencies FILE``: create or update agencies from a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.units.loaders import UnitDataError, load_agencies


class Command(BaseCommand):
    help = (
        "Nạp cơ quan, đơn vị (mã định danh) từ tệp CSV. Load agencies with their identifier codes from a CSV "
        "file (format: motcua/units/demo/README.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv", type=Path, help="agencies CSV")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = load_agencies(options["csv"])
        except UnitDataError as exc:
            raise CommandError(
                f"{exc.message_vi}\n{exc.message_en}\nKhông có gì được lưu / nothing was saved."
            ) from exc
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Xong / done."))
