from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.paperwork.render import render_html, render_pdf
from motcua.paperwork.samples import all_samples


class Command(BaseCommand):
    help = (
        "Render the sample of every form (01–07, TT03/2025) from SPEC §11 to <out_dir> as "
        "form0N.pdf and form0N.html, and report the time each PDF took. Needs no database."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out_dir", type=Path, help="folder to write into (created if missing)")

    def handle(self, *args: Any, **options: Any) -> None:
        out_dir: Path = options["out_dir"]
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"cannot create {out_dir}: {exc}") from exc
        for form in all_samples():
            stem = f"form{form.form_number}"
            started = time.perf_counter()
            pdf = render_pdf(form)
            elapsed_ms = (time.perf_counter() - started) * 1000
            (out_dir / f"{stem}.pdf").write_bytes(pdf)
            (out_dir / f"{stem}.html").write_text(render_html(form), encoding="utf-8")
            self.stdout.write(f"{stem}  {form.title:<58} {len(pdf):>7} bytes  {elapsed_ms:6.0f} ms")
        self.stdout.write(self.style.SUCCESS(f"Wrote 7 forms (PDF and HTML) to {out_dir}"))
