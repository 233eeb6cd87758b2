"""``manage.py generate_dossiers --count N --years Y --seed S``: synthetic dossiers (``demo.generator``).

``--restore-only``: recreate the indexes and foreign keys that a killed load set aside and did not put
back (``demo.bulk.repair``; every load also does this first), and load nothing.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.demo import bulk
from motcua.demo.generator import Generator


class Command(BaseCommand):
    help = "Create N realistic dossiers over Y years (bulk; hash-chained history; projections included)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int)
        parser.add_argument(
            "--restore-only",
            action="store_true",
            help="recreate what an interrupted load set aside (indexes, foreign keys); load nothing",
        )
        parser.add_argument("--years", type=int, default=2)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch", type=int, default=20000)
        parser.add_argument(
            "--workers",
            type=int,
            default=2,
            help="processes writing on PostgreSQL (the load is split by calendar years; default 2)",
        )

    def handle(
        self,
        *args: Any,
        count: int | None,
        years: int,
        seed: int,
        batch: int,
        workers: int = 2,
        restore_only: bool = False,
        **options: Any,
    ) -> None:
        restored = bulk.repair()
        if restored or restore_only:
            self.stdout.write(
                f"Đã tạo lại {restored} chỉ mục/khoá ngoại do lần nạp bị ngắt để lại / "
                f"recreated {restored} indexes and foreign keys left out by an interrupted load"
            )
        if restore_only:
            return
        if count is None or count < 1 or not 1 <= years <= 10 or batch < 1 or workers < 1:
            raise CommandError(
                "--count, --batch, --workers phải dương, --years từ 1 đến 10 / "
                "--count, --batch, --workers must be positive, --years between 1 and 10"
            )
        started = time.monotonic()

        def progress(done: int) -> None:
            rate = done / max(time.monotonic() - started, 1e-6)
            self.stdout.write(f"{done}/{count} dossiers ({rate:.0f}/s)")

        stats = Generator(count=count, years=years, seed=seed).run(
            batch=batch, progress=progress, workers=workers
        )
        self.stdout.write(
            f"Đã tạo / created: {stats.dossiers} dossiers, {stats.events} events, {stats.tasks} tasks, "
            f"{stats.ratings} ratings, "
            f"{stats.figures} figure rows in {stats.seconds:.1f} s; outcomes {stats.by_outcome}"
        )
        if stats.stopped:
            self.stdout.write(
                f"Đã dừng theo yêu cầu sau {stats.dossiers}/{count} hồ sơ (số liệu nhất quán) / "
                f"stopped on request after {stats.dossiers}/{count} dossiers (consistent)"
            )
