"""``manage.py env_reference [--write FILE | --check FILE]``: the environment variables table."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.envref import render_into, table


def settings_file() -> Path:
    module = sys.modules[settings.SETTINGS_MODULE]
    name = getattr(module, "__file__", None)
    if name is None:  # pragma: no cover - a settings module always has a file
        raise CommandError("the settings module has no source file")
    path = Path(name)
    # config.test_settings only sets MOTCUA_ENV and imports config.settings: document that one.
    real = path.with_name("settings.py")
    return real if real.exists() else path


class Command(BaseCommand):
    help = (
        "Print the table of environment variables read by the settings module (name, type, default, "
        "meaning), or write it into / check it against a Markdown file between its markers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--write", metavar="FILE", help="replace the table between the markers in FILE")
        group.add_argument("--check", metavar="FILE", help="exit 1 if FILE's table is not the generated one")

    def handle(self, *args: Any, **options: Any) -> None:
        generated = table(settings_file())
        target = options.get("write") or options.get("check")
        if not target:
            self.stdout.write(generated, ending="")
            return
        path = Path(target)
        document = path.read_text(encoding="utf-8")
        try:
            wanted = render_into(document, generated)
        except ValueError as error:
            raise CommandError(f"{path}: {error}") from error
        if options.get("check"):
            if wanted != document:
                raise CommandError(
                    f"{path}: the environment variables table is out of date; run "
                    f"`manage.py env_reference --write {path}`"
                )
            self.stdout.write(f"{path}: the environment variables table is up to date.")
            return
        if wanted != document:
            path.write_text(wanted, encoding="utf-8")
            self.stdout.write(f"{path}: table written.")
        else:
            self.stdout.write(f"{path}: already up to date.")
