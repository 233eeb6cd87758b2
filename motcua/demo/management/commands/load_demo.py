from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from motcua.demo.loader import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo province, its agencies and one-stop units, staff logins and calendars (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        summary = load_demo()
        catalog = summary["catalog"]
        calendars = summary["calendars"]
        units = summary["units"].get("units")
        if units is None:
            self.stdout.write("Administrative units: already loaded")
        else:
            counts = {name: row["created"] for name, row in units.items() if isinstance(row, dict)}
            self.stdout.write(
                "Administrative units created: " + ", ".join(f"{n} {c}" for n, c in counts.items())
            )
        days = calendars["days"]
        self.stdout.write(
            f"Calendars {calendars['years'][0]}–{calendars['years'][-1]}: {days['created']} days created"
        )
        self.stdout.write(
            f"Catalogue: {catalog.get('created', 0)} created, {catalog.get('unchanged', 0)} unchanged, "
            f"{catalog.get('updated', 0)} updated"
        )
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, label in summary["logins"]:
            self.stdout.write(f"  {username:<14} {label}")
        self.stdout.write("")
