"""Loading the real administrative-unit files: exact counts, successions, idempotency, bad input."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from motcua.units import loaders
from motcua.units.loaders import (
    CONVERSION_FILE,
    CURRENT_FILE,
    LEGACY_FILE,
    UnitDataError,
    default_units_dir,
    is_whole_note,
    load_units,
)
from motcua.units.models import LEGACY_END, REFORM_2025, AdminUnit, Level, UnitSuccession
from motcua.units.selectors import successions_from, unit_on

pytestmark = pytest.mark.django_db

BEFORE = dt.date(2025, 6, 20)
AFTER = dt.date(2026, 1, 15)


def counts() -> dict[str, int]:
    return {
        "current provinces": AdminUnit.objects.filter(level=Level.PROVINCE, valid_from=REFORM_2025).count(),
        "current communes": AdminUnit.objects.filter(level=Level.COMMUNE, valid_from=REFORM_2025).count(),
        "legacy provinces": AdminUnit.objects.filter(level=Level.PROVINCE, valid_to=LEGACY_END).count(),
        "legacy districts": AdminUnit.objects.filter(level=Level.DISTRICT, valid_to=LEGACY_END).count(),
        "legacy communes": AdminUnit.objects.filter(level=Level.COMMUNE, valid_to=LEGACY_END).count(),
        "successions": UnitSuccession.objects.count(),
    }


REAL_COUNTS = {
    "current provinces": 34,
    "current communes": 3321,
    "legacy provinces": 63,
    "legacy districts": 696,
    "legacy communes": 10035,
    # 10,571 data rows in the conversion table: 10,565 commune → commune, 5 island district → special
    # zone, and 1 coastal alluvial area (not a unit) skipped.
    "successions": 10570,
}


def test_real_files_load_with_exact_counts() -> None:
    assert counts() == REAL_COUNTS
    assert AdminUnit.objects.count() == 34 + 3321 + 63 + 696 + 10035
    assert not AdminUnit.objects.filter(level=Level.DISTRICT, valid_from=REFORM_2025).exists()
    assert UnitSuccession.objects.filter(predecessor__level=Level.DISTRICT).count() == 5
    assert UnitSuccession.objects.filter(is_whole=True).count() == 9601


def test_first_load_report_counts_every_row(real_units: loaders.LoadReport) -> None:
    seen = {name: t.created + t.updated + t.unchanged for name, t in real_units.tallies.items()}
    assert seen == {
        "current province": 34,
        "current commune": 3321,
        "legacy province": 63,
        "legacy district": 696,
        "legacy commune": 10035,
        "successions": 10570,
    }


def test_kinds_are_derived_from_full_names() -> None:
    def kinds(**filters: object) -> dict[str, int]:
        rows = AdminUnit.objects.filter(**filters).values_list("kind", flat=True)
        return {kind: list(rows).count(kind) for kind in set(rows)}

    current = {"valid_from": REFORM_2025}
    legacy = {"valid_to": LEGACY_END}
    assert kinds(level=Level.COMMUNE, **current) == {"xã": 2611, "phường": 697, "đặc khu": 13}
    assert kinds(level=Level.PROVINCE, **current) == {"tỉnh": 27, "thành phố": 7}
    assert kinds(level=Level.PROVINCE, **legacy) == {"tỉnh": 57, "thành phố": 6}
    assert kinds(level=Level.DISTRICT, **legacy) == {"huyện": 508, "quận": 49, "thị xã": 52, "thành phố": 87}
    assert kinds(level=Level.COMMUNE, **legacy) == {"xã": 7692, "phường": 1726, "thị trấn": 617}


def test_names_parents_and_folding() -> None:
    district = unit_on("436", Level.DISTRICT, BEFORE)
    assert district is not None
    assert (district.name, district.full_name, district.kind) == ("Hà Tĩnh", "Thành phố Hà Tĩnh", "thành phố")
    assert district.parent is not None and district.parent.full_name == "Tỉnh Hà Tĩnh"
    assert district.parent.valid_to == LEGACY_END

    rach_goc = unit_on("32244", Level.COMMUNE, BEFORE)
    assert rach_goc is not None
    assert (rach_goc.kind, rach_goc.name, rach_goc.parent.code) == ("thị trấn", "Rạch Gốc", "973")  # type: ignore[union-attr]

    thanh_sen = unit_on("18073", Level.COMMUNE, AFTER)
    assert thanh_sen is not None
    assert (thanh_sen.full_name, thanh_sen.name_en, thanh_sen.name_folded) == (
        "Phường Thành Sen",
        "Thanh Sen Ward",
        "phuong thanh sen",
    )
    assert thanh_sen.parent is not None and thanh_sen.parent.code == "42"
    assert thanh_sen.parent.valid_from == REFORM_2025

    # The source writes "xã Bắc Sơn" (Lạng Sơn) in lower case; the loader rebuilds "<Kind> <name>".
    bac_son = unit_on("06325", Level.COMMUNE, AFTER)
    assert bac_son is not None and bac_son.full_name == "Xã Bắc Sơn"


def test_known_successions() -> None:
    nam_ha = unit_on("18073", Level.COMMUNE, BEFORE)
    assert nam_ha is not None and nam_ha.full_name == "Phường Nam Hà"
    assert [(s.successor.code, s.successor.full_name, s.is_whole) for s in successions_from(nam_ha)] == [
        ("18073", "Phường Thành Sen", True)
    ]
    assert nam_ha.successions.get().successor.valid_from == REFORM_2025

    dai_nai = unit_on("18082", Level.COMMUNE, BEFORE)
    assert dai_nai is not None
    assert [(s.successor.full_name, s.is_whole, s.note) for s in successions_from(dai_nai)] == [
        ("Phường Thành Sen", False, "Nhập một phần"),
        ("Phường Hà Huy Tập", False, "Nhập một phần"),
    ]

    con_dao = unit_on("755", Level.DISTRICT, BEFORE)
    assert con_dao is not None
    assert [(s.successor.full_name, s.is_whole) for s in successions_from(con_dao)] == [
        ("Đặc khu Côn Đảo", True)
    ]

    # Erratum: the table prints 06970 for the new Xã Ba Chẽ; the current list says 06978.
    ba_che_town = unit_on("06970", Level.COMMUNE, BEFORE)
    assert ba_che_town is not None and ba_che_town.full_name == "Thị trấn Ba Chẽ"
    assert [s.successor.code for s in successions_from(ba_che_town)] == ["06978"]


@pytest.mark.parametrize(
    ("note", "whole"),
    [
        ("Nhập toàn bộ", True),
        ("Giữ nguyên", True),
        ("Đổi tên", True),
        ("Sắp xếp toàn bộ huyện Côn Đảo thành đặc khu Côn Đảo", True),
        ("Nhập một phần", False),
        ("Nhập một  phần", False),
        ("Nhâp một phần diện tích", False),
        ("Nhập một phần diện tích, toàn bộ dân số", False),
        ("Phần còn lại sau khi tách một phần vào xã Canh Vinh", False),
    ],
)
def test_whole_or_part_from_the_note(note: str, whole: bool) -> None:
    assert is_whole_note(note) is whole


def test_second_load_changes_nothing() -> None:
    before = counts()
    report = load_units()
    assert report.changed == 0
    assert {name: (t.created, t.updated) for name, t in report.tallies.items()} == {
        name: (0, 0) for name in report.tallies
    }
    assert report.tally("legacy commune").unchanged == 10035
    assert report.tally("successions").unchanged == 10570
    assert counts() == before


def test_load_repairs_an_edited_row() -> None:
    AdminUnit.objects.filter(level=Level.COMMUNE, code="18073", valid_from=REFORM_2025).update(name="Sai")
    report = load_units()
    assert report.tally("current commune").updated == 1
    assert (
        AdminUnit.objects.get(level=Level.COMMUNE, code="18073", valid_from=REFORM_2025).name == "Thành Sen"
    )


def test_command_prints_the_counts() -> None:
    out = io.StringIO()
    call_command("load_units", stdout=out)
    text = out.getvalue()
    assert "current commune: tạo mới 0, cập nhật 0, giữ nguyên 3321" in text
    assert "successions: tạo mới 0, cập nhật 0, giữ nguyên 10570" in text
    assert "06970 → 06978" in text


# --- Malformed input: error names file and line/path, and nothing is saved ---------------------


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    source = default_units_dir()
    for name in (CURRENT_FILE, LEGACY_FILE, CONVERSION_FILE):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / name, tmp_path / name)
    return tmp_path


def add_current_commune(data_dir: Path, code: str = "99999") -> None:
    """A new commune in Hà Tĩnh, so that a load that went wrong would have something to save."""
    path = data_dir / CURRENT_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    province = next(p for p in data if p["Code"] == "42")
    province["Wards"].append(
        {"Code": code, "Name": "Thử Nghiệm", "FullName": "Xã Thử Nghiệm", "ProvinceCode": "42"}
    )
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def replace_line(path: Path, number: int, old: str, new: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    assert old in lines[number - 1]
    lines[number - 1] = lines[number - 1].replace(old, new)
    path.write_text("\n".join(lines), encoding="utf-8")


def assert_nothing_saved(before: dict[str, int]) -> None:
    assert counts() == before
    assert not AdminUnit.objects.filter(code="99999").exists()


def test_conversion_row_with_unknown_code_is_refused_with_file_and_line(data_copy: Path) -> None:
    before = counts()
    add_current_commune(data_copy)
    # Line 5: "Thành phố Hà Nội (01),Phường Ba Đình,00004,Phường Quán Thánh,00013,Nhập toàn bộ,…"
    replace_line(data_copy / CONVERSION_FILE, 5, ",00013,", ",00014,")
    with pytest.raises(UnitDataError) as caught:
        load_units(data_copy)
    error = caught.value
    assert (error.file, error.line, error.code) == (str(CONVERSION_FILE), 5, "unknown_code")
    assert error.message_vi.startswith(f"Tệp {CONVERSION_FILE}, dòng 5: mã xã cũ 00014")
    assert error.message_en.startswith(f"File {CONVERSION_FILE}, line 5: old commune code 00014")
    assert_nothing_saved(before)


def test_conversion_row_with_unknown_new_code(data_copy: Path) -> None:
    replace_line(data_copy / CONVERSION_FILE, 4, ",00004,", ",00003,")
    with pytest.raises(UnitDataError) as caught:
        load_units(data_copy)
    assert (caught.value.line, caught.value.code) == (4, "unknown_code")
    assert "00003" in caught.value.message_en


def test_conversion_row_without_old_code(data_copy: Path) -> None:
    replace_line(data_copy / CONVERSION_FILE, 4, "Phường Trúc Bạch,00004,", "Phường Trúc Bạch,,")
    with pytest.raises(UnitDataError) as caught:
        load_units(data_copy)
    assert (caught.value.line, caught.value.code) == (4, "missing_code")


def test_broken_json_names_the_line(data_copy: Path) -> None:
    before = counts()
    path = data_copy / CURRENT_FILE
    text = path.read_text(encoding="utf-8")
    path.write_text("[\n" + text[1:4000], encoding="utf-8")
    with pytest.raises(UnitDataError) as caught:
        load_units(data_copy)
    assert caught.value.file == str(CURRENT_FILE)
    assert caught.value.line is not None and caught.value.line >= 1
    assert "JSON không hợp lệ" in caught.value.message_vi and "invalid JSON" in caught.value.message_en
    assert_nothing_saved(before)


def edit_json(path: Path, edit) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


W1 = "[0].Wards[1]"
D0 = "[1].District[0]"


@pytest.mark.parametrize(
    ("file", "edit", "path", "code"),
    [
        (CURRENT_FILE, lambda d: d[0]["Wards"][1].pop("Code"), f"{W1}.Code", "missing_code"),
        (CURRENT_FILE, lambda d: d[0]["Wards"][1].update(FullName=""), f"{W1}.FullName", "missing_name"),
        (CURRENT_FILE, lambda d: d[0]["Wards"][1].update(Code="00004"), W1, "duplicate_code"),
        (
            CURRENT_FILE,
            lambda d: d[0]["Wards"][1].update(ProvinceCode="02"),
            f"{W1}.ProvinceCode",
            "unknown_parent",
        ),
        (CURRENT_FILE, lambda d: d[0]["Wards"][1].update(Code="1234"), f"{W1}.Code", "invalid_code"),
        (
            LEGACY_FILE,
            lambda d: d[1]["District"][0]["Ward"][0].update(DistrictCode="001"),
            f"{D0}.Ward[0].DistrictCode",
            "unknown_parent",
        ),
        (LEGACY_FILE, lambda d: d[1]["District"][0].update(Code="001"), D0, "duplicate_code"),
        (
            LEGACY_FILE,
            lambda d: d[1]["District"][0].update(FullName="Khu Tự Trị Bảo Lạc"),
            f"{D0}.FullName",
            "unknown_unit_kind",
        ),
    ],
)
def test_malformed_json_is_refused_with_its_path(
    data_copy: Path, file: Path, edit, path: str, code: str
) -> None:  # type: ignore[no-untyped-def]
    before = counts()
    add_current_commune(data_copy)
    edit_json(data_copy / file, edit)
    with pytest.raises(UnitDataError) as caught:
        load_units(data_copy)
    assert (caught.value.file, caught.value.path, caught.value.code) == (str(file), path, code)
    assert f"mục {path}" in caught.value.message_vi and f"at {path}" in caught.value.message_en
    assert_nothing_saved(before)


def test_failure_while_writing_rolls_everything_back(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = counts()
    add_current_commune(data_copy)

    def fail(*args: object, **kwargs: object) -> None:
        raise UnitDataError(file="x", line=1, reason_vi="hỏng", reason_en="broken")

    monkeypatch.setattr(loaders, "_sync_successions", fail)
    with pytest.raises(UnitDataError):
        load_units(data_copy)
    assert_nothing_saved(before)


def test_command_reports_the_error(data_copy: Path) -> None:
    replace_line(data_copy / CONVERSION_FILE, 5, ",00013,", ",00014,")
    with pytest.raises(CommandError) as caught:
        call_command("load_units", "--data-dir", str(data_copy), stdout=io.StringIO())
    assert f"{CONVERSION_FILE}, dòng 5" in str(caught.value)
    assert f"{CONVERSION_FILE}, line 5" in str(caught.value)
    assert "nothing was saved" in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UnitDataError) as caught:
        load_units(tmp_path)
    assert caught.value.file == str(CURRENT_FILE)
    assert "không tìm thấy tệp" in caught.value.message_vi
