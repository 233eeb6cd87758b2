"""manage.py export_procedures <out.json>: every published procedure, in the API detail shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.catalog.models import ProcedureVersion, VersionStatus
from motcua.catalog.representation import prefetched, version_detail


class Command(BaseCommand):
    help = "Export the published procedures as JSON (the shape of GET /api/v1/procedures/<code>)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        versions = prefetched(
            ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED).order_by("procedure__code")
        )
        data = [version_detail(version) for version in versions]
        options["out"].write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        self.stdout.write(f"exported {len(data)} procedures to {options['out']}")
