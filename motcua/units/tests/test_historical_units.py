"""SPEC §11 scenario 30 and the selectors: a dossier of 20/06/2025 keeps its district; in 2026 the
successor is found. Search matches with or without accents."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from motcua.units.models import LEGACY_END, REFORM_2025, AgencyKind, Level, OneStopKind
from motcua.units.selectors import (
    agencies_of_unit,
    agency_in_force,
    agency_on,
    one_stop_units_in_province,
    one_stop_units_valid_on,
    predecessors_of,
    province_by_code,
    search_agencies,
    search_units,
    successors_of,
    unit_on,
)

pytestmark = pytest.mark.django_db

RECEIVED = dt.date(2025, 6, 20)
LATER = dt.date(2026, 3, 2)


def test_a_dossier_of_june_2025_keeps_its_district_and_finds_the_successor_in_2026(
    demo: dict[str, Any],
) -> None:
    district = unit_on("436", Level.DISTRICT, RECEIVED)
    assert district is not None
    assert (district.full_name, district.valid_to, district.parent.full_name) == (  # type: ignore[union-attr]
        "Thành phố Hà Tĩnh",
        LEGACY_END,
        "Tỉnh Hà Tĩnh",
    )
    assert unit_on("436", Level.DISTRICT, REFORM_2025) is None

    committee = agencies_of_unit(district, day=RECEIVED).get()
    assert (committee.kind, committee.name) == (
        AgencyKind.DISTRICT_COMMITTEE,
        "Ủy ban nhân dân thành phố Hà Tĩnh",
    )
    assert agency_on(committee.identifier_code, RECEIVED) == committee
    assert not agencies_of_unit(district, day=LATER).exists()

    successor = agency_in_force(committee, day=LATER)
    assert successor is not None
    assert (successor.name, successor.kind, successor.admin_unit.code) == (
        "Ủy ban nhân dân phường Thành Sen",
        AgencyKind.COMMUNE_COMMITTEE,
        "18073",
    )
    # The two share the identifier code over disjoint periods: the day decides.
    assert successor.identifier_code == committee.identifier_code
    assert agency_on(committee.identifier_code, LATER) == successor
    assert agency_in_force(committee, day=RECEIVED) == committee

    reception = one_stop_units_valid_on(RECEIVED).get(admin_unit=district)
    assert (reception.kind, reception.agency) == (OneStopKind.DISTRICT_RECEPTION, committee)
    assert not one_stop_units_valid_on(LATER).filter(admin_unit=district).exists()
    assert successor.one_stop_units.get().code == "ttpvhcc-18073"


def test_successors_and_predecessors_of_the_former_city() -> None:
    district = unit_on("436", Level.DISTRICT, RECEIVED)
    assert district is not None
    assert [(u.code, u.full_name) for u in successors_of(district)] == [
        ("18073", "Phường Thành Sen"),
        ("18100", "Phường Trần Phú"),
        ("18604", "Xã Thạch Khê"),
        ("18619", "Xã Đồng Tiến"),
        ("18628", "Xã Thạch Lạc"),
        ("18652", "Phường Hà Huy Tập"),
        ("18685", "Xã Cẩm Bình"),
    ]
    thanh_sen = unit_on("18073", Level.COMMUNE, LATER)
    assert thanh_sen is not None
    assert [u.full_name for u in predecessors_of(thanh_sen)] == [
        "Phường Nam Hà",
        "Phường Bắc Hà",
        "Phường Tân Giang",
        "Phường Đại Nài",
        "Phường Hà Huy Tập",
        "Phường Thạch Quý",
        "Phường Trần Phú",
        "Phường Văn Yên",
        "Phường Thạch Hưng",
    ]
    old_province = unit_on("42", Level.PROVINCE, RECEIVED)
    assert old_province is not None and successors_of(old_province).count() == 69


def test_the_same_code_means_different_units_before_and_after_the_reform() -> None:
    before = unit_on("18073", Level.COMMUNE, RECEIVED)
    after = unit_on("18073", Level.COMMUNE, LATER)
    assert (before.full_name, after.full_name) == ("Phường Nam Hà", "Phường Thành Sen")  # type: ignore[union-attr]
    assert province_by_code("42", at=LATER).valid_from == REFORM_2025  # type: ignore[union-attr]
    assert province_by_code("42", at=RECEIVED).valid_to == LEGACY_END  # type: ignore[union-attr]


@pytest.mark.parametrize("query", ["phuong yen hoa", "Phường Yên Hòa", "PHƯỜNG YÊN HOÀ", "yen hoa phuong"])
def test_search_units_ignores_accents_and_tone_mark_placement(query: str) -> None:
    found = search_units(query, level=Level.COMMUNE)
    assert [(u.code, u.valid_from) for u in found[:2]] == [("00172", None), ("00175", REFORM_2025)]
    assert {u.full_name for u in found[:2]} == {"Phường Yên Hoà"}


def test_search_units_by_day_and_code() -> None:
    assert [u.code for u in search_units("ha tinh", level=Level.PROVINCE)][:2] == ["42", "42"]
    assert [u.full_name for u in search_units("ha tinh", level=Level.PROVINCE, day=LATER)][:1] == [
        "Tỉnh Hà Tĩnh"
    ]
    assert [(u.level, u.full_name) for u in search_units("18073")] == [
        (Level.COMMUNE, "Phường Nam Hà"),
        (Level.COMMUNE, "Phường Thành Sen"),
    ]
    assert not search_units("   ").exists()
    assert not search_units("dang").filter(name_folded__contains="đ").exists()


def test_search_agencies_and_centres_of_the_province(demo: dict[str, Any]) -> None:
    assert [a.identifier_code for a in search_agencies("so tu phap")] == ["000.00.12.H42"]
    assert [a.name for a in search_agencies("000.00.3", day=LATER)] == [
        "Ủy ban nhân dân phường Thành Sen",
        "Ủy ban nhân dân phường Trần Phú",
        "Ủy ban nhân dân phường Bắc Hồng Lĩnh",
    ]
    province = province_by_code("42", at=LATER)
    assert province is not None
    codes = list(one_stop_units_in_province(province, day=LATER).values_list("code", flat=True))
    assert codes[:2] == ["ttpvhcc-18073", "ttpvhcc-18100"] and "ttpvhcc-42" in codes and len(codes) == 8
