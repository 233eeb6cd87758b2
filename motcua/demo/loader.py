"""Builds the demo installation: idempotent, so `make demo` can run it every time."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from motcua.accounts.models import Membership, Role, User, UserKind
from motcua.accounts.services import grant_membership
from motcua.catalog.demo import load_demo_catalog
from motcua.deadlines.seed import seed_calendars
from motcua.units.demo import load_demo_units
from motcua.units.models import Agency, AgencyKind, OneStopKind, OneStopUnit

DEMO_PASSWORD = "motcua-demo"  # noqa: S105 - demo only, printed on purpose

# username, full name, role, where: ("agency", AgencyKind or identifier) / ("unit", OneStopKind)
DEMO_STAFF: list[tuple[str, str, Role, str, str]] = [
    ("tiepnhan", "Nguyễn Thị Lan", Role.RECEPTION_OFFICER, "unit", OneStopKind.PROVINCIAL_CENTRE),
    ("tiepnhanxa", "Trần Văn Bình", Role.RECEPTION_OFFICER, "unit", OneStopKind.COMMUNE_CENTRE),
    ("giamdoc", "Lê Minh Hoà", Role.ONE_STOP_HEAD, "unit", OneStopKind.PROVINCIAL_CENTRE),
    ("lanhdao", "Phạm Quốc Huy", Role.DEPT_LEADER, "agency", "Sở Tư pháp"),
    ("chuyenvien", "Đặng Thu Thủy", Role.HANDLER, "agency", "Sở Tư pháp"),
    ("pheduyet", "Võ Đức Thắng", Role.APPROVER, "agency", "Sở Tư pháp"),
    ("vanthu", "Hồ Thị Mai", Role.CLERK, "agency", "Sở Tư pháp"),
    ("ketoan", "Bùi Văn Long", Role.FINANCE, "agency", "Sở Tư pháp"),
    ("kiemsoat", "Ngô Thị Hạnh", Role.PROCEDURE_CONTROLLER, "agency", AgencyKind.PROVINCIAL_COMMITTEE),
    ("quantri", "Quản trị hệ thống", Role.SYSTEM_ADMIN, "none", ""),
]


def _place(kind: str, key: str) -> dict[str, Any]:
    if kind == "unit":
        unit = OneStopUnit.objects.filter(kind=key, valid_to__isnull=True).order_by("code").first()
        return {"one_stop_unit_id": unit.pk} if unit else {}
    if kind == "agency":
        qs = Agency.objects.filter(valid_to__isnull=True)
        agency = (
            qs.filter(kind=key) if key in AgencyKind.values else qs.filter(name__startswith=key)
        ).first()
        return {"agency_id": agency.pk} if agency else {}
    return {}


@transaction.atomic
def load_staff() -> list[tuple[str, str]]:
    logins: list[tuple[str, str]] = []
    for username, full_name, role, kind, key in DEMO_STAFF:
        user, created = User.objects.get_or_create(
            username=username, defaults={"full_name": full_name, "kind": UserKind.STAFF}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = role == Role.SYSTEM_ADMIN
            user.is_superuser = role == Role.SYSTEM_ADMIN
            user.save()
        place = _place(kind, key)
        if kind != "none" and not place:
            continue
        if not Membership.objects.filter(user=user, role=role).exists():
            grant_membership(user=user, role=role, **place)
        logins.append((username, f"{role.label} — {full_name}"))
    citizen, created = User.objects.get_or_create(
        username="congdan", defaults={"full_name": "Nguyễn Văn An", "kind": UserKind.CITIZEN}
    )
    if created:
        citizen.set_password(DEMO_PASSWORD)
        citizen.save()
        grant_membership(user=citizen, role=Role.CITIZEN)
    logins.append(("congdan", f"{Role.CITIZEN.label} — {citizen.full_name}"))
    return logins


def load_demo() -> dict[str, Any]:
    """Units and agencies of the demo province, calendars, the real procedure catalogue, staff."""
    return {
        "units": load_demo_units(),
        "calendars": seed_calendars(),
        "catalog": load_demo_catalog(),
        "logins": load_staff(),
    }
