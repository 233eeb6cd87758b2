"""manage.py load_boundary_independent_list <file> --decision "<number>" [--replace]

The province's published list of procedures received regardless of administrative boundary
(decision 0063): one procedure code per line (CSV: the first column; a header line whose first cell
is not a procedure code of the catalogue, such as ``ma_thu_tuc``, is skipped). All or nothing.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.catalog.models import Procedure
from motcua.catalog.services import apply_boundary_independent_list
from motcua.core.errors import MotcuaError

HEADERS = frozenset({"ma_thu_tuc", "mã thủ tục", "ma thu tuc", "code", "procedure_code", "matthc"})


class Command(BaseCommand):
    help = "Apply the province's list of boundary-independent procedures (one code per line)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--decision", required=True, help="the number of the decision publishing the list"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="the file is the whole list: take every other procedure off",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text = options["file"].read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Không đọc được tệp / cannot read the file: {exc}") from exc
        codes = [row[0].strip() for row in csv.reader(text.splitlines()) if row and row[0].strip()]
        if codes and codes[0].lower() in HEADERS and not Procedure.objects.filter(code=codes[0]).exists():
            codes = codes[1:]
        try:
            done = apply_boundary_independent_list(
                actor=None, codes=codes, decision=options["decision"], replace=options["replace"]
            )
        except MotcuaError as exc:
            raise CommandError(f"{exc.message_vi} / {exc.message_en}") from exc
        self.stdout.write(
            f"{done.listed} thủ tục trong danh mục ({done.newly_listed} mới), {done.unlisted} được đưa ra / "
            f"{done.listed} procedures listed ({done.newly_listed} new), {done.unlisted} taken off"
        )
