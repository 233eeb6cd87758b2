"""The Hà Tĩnh demo data: loads twice without duplicates, with departments, communes and centres."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from motcua.units.demo import DEMO_COMMUNE_CODES, load_demo_units
from motcua.units.models import Agency, AgencyKind, Counter, Level, OfficeHours, OneStopKind, OneStopUnit
from motcua.units.services import validate_identifier_code

pytestmark = pytest.mark.django_db

T = dt.time


def snapshot() -> tuple[int, int, int, int]:
    return (
        Agency.objects.count(),
        OneStopUnit.objects.count(),
        Counter.objects.count(),
        OfficeHours.objects.count(),
    )


def test_demo_loads_twice_without_duplicates(demo: dict[str, Any]) -> None:
    assert "units" not in demo  # the real units are there already
    assert demo["agencies"]["agencies"]["created"] == 21
    assert snapshot() == (21, 9, 32, 46)
    again = load_demo_units()
    assert snapshot() == (21, 9, 32, 46)
    for name in ("agencies", "one_stop_units"):
        for key, tally in again[name].items():
            if key not in ("notes", "seconds"):
                assert (tally["created"], tally["updated"], tally["removed"]) == (0, 0, 0), (name, key)


def test_demo_agencies(demo: dict[str, Any]) -> None:
    for code in Agency.objects.values_list("identifier_code", flat=True):
        assert validate_identifier_code(code) == code
    committee = Agency.objects.get(kind=AgencyKind.PROVINCIAL_COMMITTEE)
    assert (committee.name, committee.admin_unit.code, committee.admin_unit.level) == (
        "Ủy ban nhân dân tỉnh Hà Tĩnh",
        "42",
        Level.PROVINCE,
    )
    departments = Agency.objects.filter(kind=AgencyKind.DEPARTMENT, name__startswith="Sở ", parent=committee)
    assert departments.count() >= 8
    required = {
        "Sở Tư pháp",
        "Sở Tài chính",
        "Sở Xây dựng",
        "Sở Nông nghiệp và Môi trường",
        "Sở Nội vụ",
        "Sở Y tế",
        "Sở Giáo dục và Đào tạo",
        "Sở Công Thương",
        "Sở Khoa học và Công nghệ",
    }
    assert required <= set(departments.values_list("short_name", flat=True))
    assert Agency.objects.filter(kind=AgencyKind.VERTICAL, name="Thuế tỉnh Hà Tĩnh").exists()
    communes = Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE)
    assert sorted(communes.values_list("admin_unit__code", flat=True)) == sorted(DEMO_COMMUNE_CODES)
    assert set(communes.values_list("admin_unit__parent__code", flat=True)) == {"42"}


def test_demo_one_stop_units(demo: dict[str, Any]) -> None:
    centre = OneStopUnit.objects.get(kind=OneStopKind.PROVINCIAL_CENTRE)
    assert centre.agency.name == "Văn phòng Ủy ban nhân dân tỉnh Hà Tĩnh"
    assert list(centre.branches.values_list("code", flat=True)) == ["ttpvhcc-42-hong-linh"]
    commune_centres = OneStopUnit.objects.filter(kind=OneStopKind.COMMUNE_CENTRE).select_related("agency")
    assert sorted(c.admin_unit.code for c in commune_centres) == sorted(DEMO_COMMUNE_CODES)
    assert all(
        c.agency.kind == AgencyKind.COMMUNE_COMMITTEE and c.agency.admin_unit == c.admin_unit
        for c in commune_centres
    )

    counters = list(centre.counters.order_by("number"))
    assert len(counters) == 10
    assert len({c.queue_prefix for c in counters}) == 10
    assert (counters[0].name, counters[0].queue_prefix) == ("Tư pháp – Hộ tịch, Chứng thực", "A")
    assert "dang-ky-kinh-doanh" in counters[2].field_codes
    assert all(unit.counters.exists() for unit in OneStopUnit.objects.all())

    hours = {h.weekday: h.windows() for h in centre.office_hours.all()}
    week = [(T(7), T(11, 30)), (T(13, 30), T(17))]
    assert hours == {0: week, 1: week, 2: week, 3: week, 4: week, 5: [(T(7), T(11, 30))]}
    assert not OfficeHours.objects.filter(weekday__gte=5).exclude(one_stop_unit=centre).exists()
