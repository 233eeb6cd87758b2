"""manage.py import_procedures <path> [--report report.json] [--publish] [--effective-from YYYY-MM-DD]"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.catalog.importer import import_procedures


class Command(BaseCommand):
    help = "Import procedures from the national portal's JSON lines or Excel lists (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="a .jsonl or .xlsx file, or a folder of them")
        parser.add_argument("--report", type=Path, help="write the import report (JSON) here")
        parser.add_argument("--publish", action="store_true", help="publish new and changed versions")
        parser.add_argument(
            "--effective-from", type=dt.date.fromisoformat, help="effective date (default today)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.exists():
            raise CommandError(f"Không có tệp / no such file: {path}")
        report = import_procedures(path, publish=options["publish"], effective_from=options["effective_from"])
        data = report.as_dict()
        if options["report"]:
            options["report"].write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        self.stdout.write(
            f"read {data['records_read']}, created {data['created']}, updated {data['updated']}, "
            f"unchanged {data['unchanged']}, failed {len(data['failed'])}, published {data['published']}"
        )
        for failure in data["failed"]:
            self.stderr.write(failure["reason"])
        for name, entry in data["parse"].items():
            self.stdout.write(f"  {name}: {entry['parsed']}/{entry['total']}")
