"""``manage.py load_units [--data-dir DIR]``: load both unit sets and the 2025 successions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.units.loaders import UnitDataError, default_units_dir, load_units


class Command(BaseCommand):
    help = (
        "Nạp danh mục đơn vị hành chính (hiện hành, trước 01/7/2025) và bảng chuyển đổi 2025. "
        "Load the administrative units (current and pre-01/07/2025 sets) and the 2025 conversion table."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            help=f"Thư mục dữ liệu / data directory (default: {default_units_dir()})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = load_units(options["data_dir"])
        except UnitDataError as exc:
            raise CommandError(
                f"{exc.message_vi}\n{exc.message_en}\nKhông có gì được lưu / nothing was saved."
            ) from exc
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Xong / done."))
