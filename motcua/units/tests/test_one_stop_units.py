"""One-stop units, counters and office hours: the services and the CSV loader."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.core.errors import ValidationFailed
from motcua.units.loaders import UnitDataError, load_one_stop_units
from motcua.units.models import (
    REFORM_2025,
    AdminUnit,
    Agency,
    AgencyKind,
    Counter,
    Level,
    OfficeHours,
    OneStopKind,
    OneStopUnit,
)
from motcua.units.services import create_agency, create_one_stop_unit, set_counter, set_office_hours

pytestmark = pytest.mark.django_db

T = dt.time


@pytest.fixture
def office() -> Agency:
    province = AdminUnit.objects.get(level=Level.PROVINCE, code="42", valid_from=REFORM_2025)
    return create_agency(
        identifier_code="000.00.01.H42",
        name="Văn phòng UBND tỉnh",
        kind=AgencyKind.DEPARTMENT,
        admin_unit=province,
    )


@pytest.fixture
def centre(office: Agency) -> OneStopUnit:
    return create_one_stop_unit(
        code="ttpvhcc-42",
        name="Trung tâm Phục vụ hành chính công tỉnh Hà Tĩnh",
        kind=OneStopKind.PROVINCIAL_CENTRE,
        agency=office,
        admin_unit=office.admin_unit,
    )


def test_branch_needs_a_centre_and_a_centre_is_not_a_branch(office: Agency, centre: OneStopUnit) -> None:
    ward = AdminUnit.objects.get(level=Level.COMMUNE, code="18115", valid_from=REFORM_2025)
    with pytest.raises(ValidationFailed) as caught:
        create_one_stop_unit(
            code="cn-1", name="Chi nhánh", kind=OneStopKind.BRANCH, agency=office, admin_unit=ward
        )
    assert caught.value.code == "parent_centre_required"
    branch = create_one_stop_unit(
        code="cn-1",
        name="Chi nhánh",
        kind=OneStopKind.BRANCH,
        agency=office,
        admin_unit=ward,
        parent_centre=centre,
    )
    with pytest.raises(ValidationFailed) as caught:
        create_one_stop_unit(
            code="cn-2",
            name="Chi nhánh 2",
            kind=OneStopKind.BRANCH,
            agency=office,
            admin_unit=ward,
            parent_centre=branch,
        )
    assert caught.value.code == "invalid_parent_centre"
    with pytest.raises(ValidationFailed) as caught:
        create_one_stop_unit(
            code="cn-1",
            name="Trùng",
            kind=OneStopKind.PROVINCIAL_CENTRE,
            agency=office,
            admin_unit=office.admin_unit,
        )
    assert caught.value.code == "duplicate_code"
    with pytest.raises(ValidationFailed) as caught:
        create_one_stop_unit(
            code="xa",
            name="TT xã",
            kind=OneStopKind.COMMUNE_CENTRE,
            agency=office,
            admin_unit=office.admin_unit,
        )
    assert caught.value.code == "admin_unit_level_mismatch"
    assert OneStopUnit.objects.count() == 2


@pytest.mark.parametrize(
    ("windows", "code"),
    [
        ({"weekday": 7, "morning_start": T(7), "morning_end": T(11, 30)}, "invalid_weekday"),
        ({"weekday": 0, "morning_start": T(11, 30), "morning_end": T(7)}, "invalid_window"),
        ({"weekday": 0, "morning_start": T(7)}, "incomplete_window"),
        ({"weekday": 0}, "empty_office_hours"),
        (
            {
                "weekday": 0,
                "morning_start": T(7),
                "morning_end": T(11, 30),
                "afternoon_start": T(11),
                "afternoon_end": T(17),
            },
            "overlapping_windows",
        ),
    ],
)
def test_bad_office_hours_are_refused(centre: OneStopUnit, windows: dict[str, object], code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        set_office_hours(one_stop_unit=centre, **windows)  # type: ignore[arg-type]
    assert caught.value.code == code
    assert not OfficeHours.objects.exists()


def test_set_office_hours_replaces_the_day(centre: OneStopUnit) -> None:
    set_office_hours(one_stop_unit=centre, weekday=5, morning_start=T(7), morning_end=T(11, 30))
    hours = set_office_hours(one_stop_unit=centre, weekday=5, morning_start=T(7, 30), morning_end=T(11, 30))
    assert OfficeHours.objects.count() == 1
    assert hours.windows() == [(T(7, 30), T(11, 30))]


def test_counters_have_unique_queue_prefixes(centre: OneStopUnit) -> None:
    set_counter(
        one_stop_unit=centre, number=1, name="Tư pháp – Hộ tịch", field_codes=["ho-tich"], queue_prefix="A"
    )
    with pytest.raises(ValidationFailed) as caught:
        set_counter(one_stop_unit=centre, number=2, name="Đất đai", field_codes=["dat-dai"], queue_prefix="A")
    assert caught.value.code == "duplicate_queue_prefix"
    with pytest.raises(ValidationFailed) as caught:
        set_counter(one_stop_unit=centre, number=2, name="Đất đai", queue_prefix="a1")
    assert caught.value.code == "invalid_queue_prefix"
    set_counter(
        one_stop_unit=centre,
        number=1,
        name="Tư pháp",
        field_codes=["ho-tich", "chung-thuc"],
        queue_prefix="A",
    )
    assert list(Counter.objects.values_list("number", "name", "field_codes")) == [
        (1, "Tư pháp", ["ho-tich", "chung-thuc"])
    ]


UNITS = """
code,name,kind,agency_identifier_code,admin_unit_code,parent_centre_code,address,phone,email,accepts_boundary_independent
ttpvhcc-42,Trung tâm Phục vụ hành chính công tỉnh Hà Tĩnh,provincial_centre,000.00.01.H42,42,,Hà Tĩnh,,,1
cn-hl,Chi nhánh Hồng Lĩnh,branch,000.00.01.H42,18115,ttpvhcc-42,,,,0
"""
COUNTERS = """
one_stop_unit_code,number,name,field_codes,queue_prefix
ttpvhcc-42,1,Tư pháp – Hộ tịch,tu-phap;ho-tich,A
ttpvhcc-42,2,Đất đai,dat-dai,B
"""
HOURS = """
one_stop_unit_code,weekday,morning_start,morning_end,afternoon_start,afternoon_end
ttpvhcc-42,mon,07:00,11:30,13:30,17:00
ttpvhcc-42,5,07:00,11:30,,
"""


def test_loader_creates_then_changes_nothing(office: Agency, write_csv) -> None:  # type: ignore[no-untyped-def]
    files = (write_csv("u.csv", UNITS), write_csv("c.csv", COUNTERS), write_csv("h.csv", HOURS))
    first = load_one_stop_units(files[0], counters=files[1], office_hours=files[2])
    assert {k: (t.created, t.updated, t.unchanged) for k, t in first.tallies.items()} == {
        "one-stop units": (2, 0, 0),
        "counters": (2, 0, 0),
        "office hours": (2, 0, 0),
    }
    second = load_one_stop_units(files[0], counters=files[1], office_hours=files[2])
    assert second.changed == 0
    branch = OneStopUnit.objects.get(code="cn-hl")
    assert (branch.parent_centre.code, branch.accepts_boundary_independent, branch.admin_unit.code) == (  # type: ignore[union-attr]
        "ttpvhcc-42",
        False,
        "18115",
    )
    assert list(OfficeHours.objects.values_list("weekday", "afternoon_start")) == [(0, T(13, 30)), (5, None)]


def test_loader_deactivates_counters_and_closes_days_left_out(office: Agency, write_csv) -> None:  # type: ignore[no-untyped-def]
    files = (write_csv("u.csv", UNITS), write_csv("c.csv", COUNTERS), write_csv("h.csv", HOURS))
    load_one_stop_units(files[0], counters=files[1], office_hours=files[2])
    write_csv("c.csv", COUNTERS.rsplit("ttpvhcc-42,2", 1)[0])
    write_csv("h.csv", HOURS.rsplit("ttpvhcc-42,5", 1)[0])
    report = load_one_stop_units(files[0], counters=files[1], office_hours=files[2])
    assert (report.tally("counters").removed, report.tally("office hours").removed) == (1, 1)
    assert list(Counter.objects.values_list("number", "is_active")) == [(1, True), (2, False)]
    assert list(OfficeHours.objects.values_list("weekday", flat=True)) == [0]


@pytest.mark.parametrize(
    ("which", "bad_line", "code"),
    [
        ("h", "ttpvhcc-42,2,11:30,07:00,,\n", "invalid_window"),
        ("h", "ttpvhcc-42,2,7h,11:30,,\n", "invalid_time"),
        ("h", "ttpvhcc-42,mon,07:00,11:30,,\n", "duplicate_office_hours"),
        ("h", "khong-co,1,07:00,11:30,,\n", "unknown_one_stop_unit"),
        ("c", "ttpvhcc-42,3,Xây dựng,xay-dung,A\n", "duplicate_queue_prefix"),
        ("c", "ttpvhcc-42,2,Xây dựng,xay-dung,D\n", "duplicate_counter"),
        ("c", "ttpvhcc-42,ba,Xây dựng,xay-dung,D\n", "invalid_counter_number"),
        ("u", "xa-1,TT xã,commune_centre,000.00.99.H42,18073,,,,,1\n", "unknown_agency"),
        ("u", "xa-1,TT xã,commune_centre,000.00.01.H42,99999,,,,,1\n", "unknown_admin_unit"),
        ("u", "cn-2,Chi nhánh,branch,000.00.01.H42,18073,khong-co,,,,1\n", "unknown_parent"),
        ("u", "cn-2,Chi nhánh,branch,000.00.01.H42,18073,ttpvhcc-42,,,sai@,1\n", "invalid_email"),
        ("u", "cn-2,Chi nhánh,branch,000.00.01.H42,18073,ttpvhcc-42,,,,có lẽ\n", "invalid_boolean"),
    ],
)
def test_loader_refuses_bad_rows_and_saves_nothing(
    office: Agency, write_csv, which: str, bad_line: str, code: str
) -> None:  # type: ignore[no-untyped-def]
    texts = {"u": UNITS, "c": COUNTERS, "h": HOURS}
    texts[which] = texts[which].strip("\n") + "\n" + bad_line
    files = {key: write_csv(f"{key}.csv", text) for key, text in texts.items()}
    with pytest.raises(UnitDataError) as caught:
        load_one_stop_units(files["u"], counters=files["c"], office_hours=files["h"])
    expected_line = texts[which].strip("\n").count("\n") + 1
    assert (caught.value.file, caught.value.line, caught.value.code) == (
        str(files[which]),
        expected_line,
        code,
    )
    assert f", dòng {expected_line}: " in caught.value.message_vi
    assert f", line {expected_line}: " in caught.value.message_en
    assert (OneStopUnit.objects.count(), Counter.objects.count(), OfficeHours.objects.count()) == (0, 0, 0)
