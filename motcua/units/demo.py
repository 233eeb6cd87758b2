"""The demo reference data of ``units``: Hà Tĩnh with its agencies and one-stop units.

``load_demo_units()`` is what the project's ``load_demo`` command calls; it is idempotent. The CSV
files live in ``units/demo/`` (see its README: names are real, identifier codes are illustrative)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction

from .loaders import load_agencies, load_one_stop_units, load_units
from .models import LEGACY_END, REFORM_2025, AdminUnit, Level, UnitSuccession

DEMO_DIR = Path(__file__).resolve().with_name("demo")
DEMO_PROVINCE_CODE = "42"  # Tỉnh Hà Tĩnh
DEMO_LEGACY_DISTRICT_CODE = "436"  # Thành phố Hà Tĩnh, until 30/06/2025
DEMO_COMMUNE_CODES = ("18073", "18100", "18652", "18115", "18229", "18673")


def units_loaded() -> bool:
    """Whether both unit sets and the successions are in the database (checked on the demo province)."""
    return (
        AdminUnit.objects.filter(
            level=Level.PROVINCE, code=DEMO_PROVINCE_CODE, valid_from=REFORM_2025
        ).exists()
        and AdminUnit.objects.filter(
            level=Level.DISTRICT, code=DEMO_LEGACY_DISTRICT_CODE, valid_to=LEGACY_END
        ).exists()
        and UnitSuccession.objects.filter(successor__code=DEMO_COMMUNE_CODES[0]).exists()
    )


def load_demo_units(*, data_dir: Path | str | None = None) -> dict[str, Any]:
    """Load the administrative units (if missing), then the demo agencies and one-stop units with
    their counters and office hours. Returns what each loader did."""
    result: dict[str, Any] = {}
    with transaction.atomic():
        if not units_loaded():
            result["units"] = load_units(data_dir).as_dict()
        result["agencies"] = load_agencies(DEMO_DIR / "agencies.csv").as_dict()
        result["one_stop_units"] = load_one_stop_units(
            DEMO_DIR / "one_stop_units.csv",
            counters=DEMO_DIR / "counters.csv",
            office_hours=DEMO_DIR / "office_hours.csv",
        ).as_dict()
    return result
