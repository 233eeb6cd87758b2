"""``manage.py rebuild_reports [--check]``: recompute the report projections from the event log.

Without ``--check``: replace every fact and figure with a recomputation from scratch (pages say the
reports are being recomputed meanwhile). With ``--check``: change nothing, list every difference
between the stored projections and a recomputation, and exit with status 1 if there is any.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.reports import projections


class Command(BaseCommand):
    help = "Recompute the report projections from the event log (--check: compare, change nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="compare only; exit 1 on any difference")
        parser.add_argument("--limit", type=int, default=20, help="differences to print (default 20)")

    def handle(self, *args: Any, check: bool = False, limit: int = 20, **options: Any) -> None:
        started = time.monotonic()
        if check:
            projections.refresh()
            differences = projections.check()
            for d in differences[:limit]:
                self.stdout.write(f"{d.key} {d.measure}: stored {d.stored}, recomputed {d.computed}")
            if differences:
                raise CommandError(
                    f"{len(differences)} khác biệt giữa số liệu đã lưu và số liệu tính lại / "
                    f"{len(differences)} differences between the stored and the recomputed projections"
                )
            self.stdout.write(f"Khớp / consistent: no difference ({time.monotonic() - started:.1f} s)")
            return
        count = projections.rebuild()
        self.stdout.write(f"Đã tính lại / rebuilt: {count} dossiers ({time.monotonic() - started:.1f} s)")
