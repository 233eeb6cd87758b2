"""Registering agencies: identifier code format, duplicates, overlapping and disjoint validity."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from motcua.core.errors import ValidationFailed
from motcua.units.loaders import UnitDataError, load_agencies
from motcua.units.models import LEGACY_END, REFORM_2025, AdminUnit, Agency, AgencyKind, Level
from motcua.units.services import create_agency, set_agency_successor, update_agency, validate_identifier_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def ha_tinh() -> AdminUnit:
    return AdminUnit.objects.get(level=Level.PROVINCE, code="42", valid_from=REFORM_2025)


@pytest.fixture
def thanh_sen() -> AdminUnit:
    return AdminUnit.objects.get(level=Level.COMMUNE, code="18073", valid_from=REFORM_2025)


@pytest.fixture
def old_city() -> AdminUnit:
    return AdminUnit.objects.get(level=Level.DISTRICT, code="436", valid_to=LEGACY_END)


@pytest.mark.parametrize("code", ["000.00.12.H38", "000.00.00.H42", "123.45.67.G12", "000.01.15.A00"])
def test_good_identifier_codes(code: str) -> None:
    assert validate_identifier_code(code) == code


@pytest.mark.parametrize(
    "code",
    [
        "",
        "000.00.12.h38",
        "00.00.12.H38",
        "000.00.12.H3",
        "000.00.12.H380",
        "000-00-12-H38",
        "000.00.12.38H",
        "000.0A.12.H38",
        "000.00.12.H38 x",
        "H38",
    ],
)
def test_bad_identifier_codes_are_refused(code: str, ha_tinh: AdminUnit) -> None:
    with pytest.raises(ValidationFailed) as caught:
        create_agency(identifier_code=code, name="Sở Tư pháp", kind=AgencyKind.DEPARTMENT, admin_unit=ha_tinh)
    assert caught.value.code == "invalid_identifier_code"
    assert caught.value.field == "identifier_code"
    assert "V1V2V3.Z1Z2.Y1Y2.MX1X2" in caught.value.message_vi
    assert "layout" in caught.value.message_en
    assert Agency.objects.count() == 0


def test_create_agency_stores_folded_name(ha_tinh: AdminUnit) -> None:
    agency = create_agency(
        identifier_code="000.00.12.H42",
        name="Sở Tư pháp tỉnh Hà Tĩnh",
        short_name="Sở Tư pháp",
        kind=AgencyKind.DEPARTMENT,
        admin_unit=ha_tinh,
    )
    assert (agency.name_folded, agency.short_name) == ("so tu phap tinh ha tinh", "Sở Tư pháp")


def test_duplicate_identifier_code_is_refused(ha_tinh: AdminUnit) -> None:
    create_agency(
        identifier_code="000.00.12.H42", name="Sở Tư pháp", kind=AgencyKind.DEPARTMENT, admin_unit=ha_tinh
    )
    with pytest.raises(ValidationFailed) as caught:
        create_agency(
            identifier_code="000.00.12.H42", name="Sở Y tế", kind=AgencyKind.DEPARTMENT, admin_unit=ha_tinh
        )
    assert caught.value.code == "duplicate_identifier_code"
    assert "đã được cấp cho “Sở Tư pháp”" in caught.value.message_vi
    assert "already used by “Sở Tư pháp”" in caught.value.message_en
    assert list(Agency.objects.values_list("name", flat=True)) == ["Sở Tư pháp"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ((None, LEGACY_END), (dt.date(2025, 6, 1), None)),  # the successor starts before the end
        ((None, None), (REFORM_2025, None)),  # the first never ended
        (
            (dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
            (dt.date(2024, 12, 31), dt.date(2025, 3, 1)),
        ),  # one day
        ((REFORM_2025, None), (None, REFORM_2025)),
    ],
)
def test_overlapping_validity_for_the_same_code_is_refused(
    first: tuple[dt.date | None, dt.date | None],
    second: tuple[dt.date | None, dt.date | None],
    ha_tinh: AdminUnit,
    old_city: AdminUnit,
) -> None:
    create_agency(
        identifier_code="000.00.30.H42",
        name="Cơ quan thứ nhất",
        kind=AgencyKind.DEPARTMENT,
        admin_unit=ha_tinh if first[1] is None or first[1] > LEGACY_END else old_city,
        valid_from=first[0],
        valid_to=first[1],
    )
    with pytest.raises(ValidationFailed) as caught:
        create_agency(
            identifier_code="000.00.30.H42",
            name="Cơ quan thứ hai",
            kind=AgencyKind.DEPARTMENT,
            admin_unit=ha_tinh,
            valid_from=second[0],
            valid_to=second[1],
        )
    assert caught.value.code == "overlapping_validity"
    assert "không giao nhau" in caught.value.message_vi and "disjoint periods" in caught.value.message_en
    assert Agency.objects.count() == 1


def test_overlap_is_reported_as_overlap(ha_tinh: AdminUnit, old_city: AdminUnit) -> None:
    create_agency(
        identifier_code="000.00.30.H42",
        name="UBND thành phố Hà Tĩnh",
        kind=AgencyKind.DISTRICT_COMMITTEE,
        admin_unit=old_city,
        valid_to=LEGACY_END,
    )
    with pytest.raises(ValidationFailed) as caught:
        create_agency(
            identifier_code="000.00.30.H42",
            name="Cơ quan mới",
            kind=AgencyKind.DEPARTMENT,
            admin_unit=ha_tinh,
            valid_from=dt.date(2025, 6, 1),
        )
    assert caught.value.code == "overlapping_validity"
    assert "UBND thành phố Hà Tĩnh" in caught.value.message_vi
    assert "từ trước đến 30/06/2025" in caught.value.message_vi
    assert "to 2025-06-30" in caught.value.message_en


def test_disjoint_validity_shares_the_code_and_links_the_successor(
    ha_tinh: AdminUnit, thanh_sen: AdminUnit, old_city: AdminUnit
) -> None:
    district = create_agency(
        identifier_code="000.00.30.H42",
        name="UBND thành phố Hà Tĩnh",
        kind=AgencyKind.DISTRICT_COMMITTEE,
        admin_unit=old_city,
        valid_to=LEGACY_END,
    )
    ward = create_agency(
        identifier_code="000.00.30.H42",
        name="UBND phường Thành Sen",
        kind=AgencyKind.COMMUNE_COMMITTEE,
        admin_unit=thanh_sen,
        valid_from=REFORM_2025,
    )
    set_agency_successor(agency=district, successor=ward)
    district.refresh_from_db()
    assert district.successor == ward
    assert Agency.objects.filter(identifier_code="000.00.30.H42").count() == 2


def test_successor_must_take_over_the_next_day(
    ha_tinh: AdminUnit, thanh_sen: AdminUnit, old_city: AdminUnit
) -> None:
    committee = create_agency(
        identifier_code="000.00.00.H42",
        name="UBND tỉnh",
        kind=AgencyKind.PROVINCIAL_COMMITTEE,
        admin_unit=ha_tinh,
    )
    ward = create_agency(
        identifier_code="000.00.30.H42",
        name="UBND phường Thành Sen",
        kind=AgencyKind.COMMUNE_COMMITTEE,
        admin_unit=thanh_sen,
        valid_from=dt.date(2025, 8, 1),
    )
    with pytest.raises(ValidationFailed) as caught:
        set_agency_successor(agency=committee, successor=ward)
    assert caught.value.code == "invalid_successor"  # the committee is still in force
    district = create_agency(
        identifier_code="000.00.31.H42",
        name="UBND thành phố Hà Tĩnh",
        kind=AgencyKind.DISTRICT_COMMITTEE,
        admin_unit=old_city,
        valid_to=LEGACY_END,
    )
    with pytest.raises(ValidationFailed) as caught:
        set_agency_successor(agency=district, successor=ward)
    assert caught.value.code == "invalid_successor"  # a gap in July 2025
    assert "01/07/2025" in caught.value.message_vi
    district.refresh_from_db()
    assert district.successor is None


def test_admin_unit_must_fit_the_kind_and_the_period(
    ha_tinh: AdminUnit, thanh_sen: AdminUnit, old_city: AdminUnit
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        create_agency(
            identifier_code="000.00.30.H42",
            name="UBND",
            kind=AgencyKind.COMMUNE_COMMITTEE,
            admin_unit=ha_tinh,
        )
    assert caught.value.code == "admin_unit_level_mismatch"
    with pytest.raises(ValidationFailed) as caught:
        create_agency(
            identifier_code="000.00.30.H42",
            name="UBND thành phố Hà Tĩnh",
            kind=AgencyKind.DISTRICT_COMMITTEE,
            admin_unit=old_city,
            valid_from=REFORM_2025,
        )
    assert caught.value.code == "admin_unit_not_in_force"
    assert Agency.objects.count() == 0


def test_update_keeps_checks_and_ignores_itself(ha_tinh: AdminUnit) -> None:
    a = create_agency(
        identifier_code="000.00.12.H42", name="Sở Tư pháp", kind=AgencyKind.DEPARTMENT, admin_unit=ha_tinh
    )
    create_agency(
        identifier_code="000.00.13.H42", name="Sở Tài chính", kind=AgencyKind.DEPARTMENT, admin_unit=ha_tinh
    )
    update_agency(
        agency=a,
        identifier_code="000.00.12.H42",
        name="Sở Tư pháp tỉnh",
        kind=AgencyKind.DEPARTMENT,
        admin_unit=ha_tinh,
    )
    with pytest.raises(ValidationFailed) as caught:
        update_agency(
            agency=a,
            identifier_code="000.00.13.H42",
            name="Sở Tư pháp",
            kind=AgencyKind.DEPARTMENT,
            admin_unit=ha_tinh,
        )
    assert caught.value.code == "duplicate_identifier_code"
    a.refresh_from_db()
    assert (a.identifier_code, a.name) == ("000.00.12.H42", "Sở Tư pháp tỉnh")


def test_parent_cannot_be_a_descendant(ha_tinh: AdminUnit) -> None:
    top = create_agency(
        identifier_code="000.00.00.H42",
        name="UBND tỉnh",
        kind=AgencyKind.PROVINCIAL_COMMITTEE,
        admin_unit=ha_tinh,
    )
    child = create_agency(
        identifier_code="000.00.12.H42",
        name="Sở Tư pháp",
        kind=AgencyKind.DEPARTMENT,
        admin_unit=ha_tinh,
        parent=top,
    )
    with pytest.raises(ValidationFailed) as caught:
        update_agency(
            agency=top,
            identifier_code="000.00.00.H42",
            name="UBND tỉnh",
            kind=AgencyKind.PROVINCIAL_COMMITTEE,
            admin_unit=ha_tinh,
            parent=child,
        )
    assert caught.value.code == "invalid_parent"


# --- The CSV loader ------------------------------------------------------------------------------

HEADER = (
    "identifier_code,name,short_name,kind,admin_unit_level,admin_unit_code,parent_identifier_code,"
    "valid_from,valid_to\n"
)
GOOD = [
    "000.00.00.H42,Ủy ban nhân dân tỉnh Hà Tĩnh,UBND tỉnh,provincial_committee,province,42,,,\n",
    "000.00.12.H42,Sở Tư pháp tỉnh Hà Tĩnh,Sở Tư pháp,department,province,42,000.00.00.H42,,\n",
]


@pytest.mark.parametrize(
    ("bad_row", "code"),
    [
        ("000.00.13.h42,Sở Tài chính,,department,province,42,000.00.00.H42,,\n", "invalid_identifier_code"),
        ("000.00.12.H42,Sở Tài chính,,department,province,42,000.00.00.H42,,\n", "duplicate_identifier_code"),
        (
            "000.00.12.H42,Sở Tài chính,,department,province,42,000.00.00.H42,2025-03-01,\n",
            "overlapping_validity",
        ),
        ("000.00.13.H42,Sở Tài chính,,department,province,99,000.00.00.H42,,\n", "unknown_admin_unit"),
        ("000.00.13.H42,Sở Tài chính,,department,province,42,000.00.99.H42,,\n", "unknown_parent"),
        ("000.00.13.H42,Sở Tài chính,,department,province,42,,01/13/2025,\n", "invalid_date"),
        ("000.00.13.H42,Sở Tài chính,,sở,province,42,,,\n", "invalid_kind"),
        ("000.00.13.H42,,,department,province,42,,,\n", "required"),
        ("000.00.13.H42,Sở Tài chính,,department,tỉnh,42,,,\n", "invalid_level"),
    ],
)
def test_loader_refuses_a_bad_row_with_file_and_line_and_saves_nothing(
    bad_row: str, code: str, write_csv
) -> None:  # type: ignore[no-untyped-def]
    path: Path = write_csv("agencies.csv", HEADER + "".join(GOOD) + bad_row)
    with pytest.raises(UnitDataError) as caught:
        load_agencies(path)
    assert (caught.value.file, caught.value.line, caught.value.code) == (str(path), 4, code)
    assert caught.value.message_vi.startswith(f"Tệp {path}, dòng 4: ")
    assert caught.value.message_en.startswith(f"File {path}, line 4: ")
    assert Agency.objects.count() == 0


def test_loader_header_must_name_the_columns(write_csv) -> None:  # type: ignore[no-untyped-def]
    path: Path = write_csv("agencies.csv", "identifier_code,name,kind\n" + GOOD[0])
    with pytest.raises(UnitDataError) as caught:
        load_agencies(path)
    assert (caught.value.line, caught.value.code) == (1, "invalid_header")


def test_loader_is_idempotent_and_updates_changes(write_csv) -> None:  # type: ignore[no-untyped-def]
    path: Path = write_csv("agencies.csv", HEADER + "".join(GOOD))
    first = load_agencies(path)
    assert first.tally("agencies").as_dict() == {"created": 2, "updated": 0, "unchanged": 0, "removed": 0}
    second = load_agencies(path)
    assert second.tally("agencies").as_dict() == {"created": 0, "updated": 0, "unchanged": 2, "removed": 0}
    write_csv(
        "agencies.csv", HEADER + GOOD[0] + GOOD[1].replace("Sở Tư pháp tỉnh Hà Tĩnh", "Sở Tư pháp Hà Tĩnh")
    )
    third = load_agencies(path)
    assert third.tally("agencies").as_dict() == {"created": 0, "updated": 1, "unchanged": 1, "removed": 0}
    assert Agency.objects.get(identifier_code="000.00.12.H42").name_folded == "so tu phap ha tinh"
