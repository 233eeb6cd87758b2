from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from motcua.demo.loader import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo province, its agencies and one-stop units, staff logins and calendars (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        summary = load_demo()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, label in summary["logins"]:
            self.stdout.write(f"  {username:<14} {label}")
        self.stdout.write("")
