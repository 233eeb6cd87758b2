"""``manage.py verify_history [--dossier CODE]``: check every dossier's hash chain; exit 1 if altered."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.dossiers.history import verify_history
from motcua.dossiers.models import Dossier, DossierEvent


class Command(BaseCommand):
    help = "Verify the hash chain of dossier histories; names every dossier whose history was altered."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dossier", help="a dossier code (or temporary reference) to check alone")

    def handle(self, *args: Any, **options: Any) -> None:
        ids = DossierEvent.objects.values_list("dossier_id", flat=True).distinct().order_by("dossier_id")
        if options.get("dossier"):
            ref = options["dossier"]
            dossier = (
                Dossier.objects.filter(code=ref).first()
                or Dossier.objects.filter(temporary_reference=ref).first()
            )
            if dossier is None:
                raise CommandError(f"No dossier {ref}.")
            ids = ids.filter(dossier_id=dossier.pk)
        altered: list[str] = []
        checked = 0
        for dossier_id in ids.iterator():
            checked += 1
            problems = verify_history(dossier_id)
            if problems:
                ref = str(Dossier.objects.get(pk=dossier_id))
                altered.append(ref)
                for problem in problems:
                    self.stdout.write(f"{ref}: event {problem.seq}: {problem.kind}: {problem.message_en}")
        if altered:
            raise CommandError(f"History altered in {len(altered)} dossier(s): {', '.join(altered)}")
        self.stdout.write(f"{checked} dossier history(ies) verified; no alteration found.")
