"""Loaders for the reference data of ``units``: administrative units, agencies, one-stop units.

``load_units`` reads the shared data set (``settings.SHARED_DATA_DIR / "admin-units"``, see its
README for sources and licences; nothing is copied into the repository):

- the current two-tier set (34 provinces, 3,321 communes; ``valid_from`` 01/07/2025);
- the legacy three-tier set (63 provinces, 696 districts, 10,035 communes; ``valid_to`` 30/06/2025,
  ``valid_from`` empty, i.e. "since before motcua's records");
- the government's 2025 conversion table (legacy commune → current commune) into ``UnitSuccession``.

``load_agencies`` and ``load_one_stop_units`` read CSV files (formats in ``units/demo/README.md``)
and go through ``services`` so that they refuse exactly what the admin refuses.

Every loader parses and checks everything first, writes in one transaction, and raises
``UnitDataError`` naming the file, the line (or the JSON index path) and the reason in Vietnamese and
English; then nothing is saved. Every loader is idempotent: a second run creates and updates nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

from motcua.core.errors import ValidationFailed
from motcua.core.models import overlapping
from motcua.core.text import fold, nfc

from . import services
from .models import (
    LEGACY_END,
    REFORM_2025,
    AdminUnit,
    Agency,
    Counter,
    Level,
    OfficeHours,
    OneStopKind,
    OneStopUnit,
    UnitSuccession,
)

BATCH_SIZE = 1000

CURRENT_FILE = Path("2025-two-tier/simplified_json_generated_data_vn_units_2026-07-25.json")
LEGACY_FILE = Path("pre-2025-three-tier/vn_only_simplified_json_generated_data_vn_units_minified.json")
CONVERSION_FILE = Path("conversion-2025/BangChuyendoiDVHC_moi_cu_khong_merge.csv")

# The kind of a unit is the first words of its full name ("Thị trấn Rạch Gốc" → thị trấn).
KIND_LABELS = {
    "tỉnh": "Tỉnh",
    "thành phố": "Thành phố",
    "quận": "Quận",
    "huyện": "Huyện",
    "thị xã": "Thị xã",
    "xã": "Xã",
    "phường": "Phường",
    "thị trấn": "Thị trấn",
    "đặc khu": "Đặc khu",
}
CURRENT_KINDS = {Level.PROVINCE: ("tỉnh", "thành phố"), Level.COMMUNE: ("xã", "phường", "đặc khu")}
LEGACY_KINDS = {
    Level.PROVINCE: ("tỉnh", "thành phố"),
    Level.DISTRICT: ("quận", "huyện", "thị xã", "thành phố"),
    Level.COMMUNE: ("phường", "xã", "thị trấn"),
}
CODE_LENGTH: dict[str, int] = {Level.PROVINCE: 2, Level.DISTRICT: 3, Level.COMMUNE: 5}
LEVEL_ORDER = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)

# Known misprints in the government conversion table, corrected on load and reported every time.
# (column, code as printed) -> (corrected code, folded new-commune name the row must carry).
CONVERSION_ERRATA: dict[tuple[str, str], tuple[str, str]] = {
    # Quảng Ninh: the table gives the new Xã Ba Chẽ the code of the old Thị trấn Ba Chẽ (06970);
    # the GSO list in force gives it 06978, and 06978 appears nowhere else in the table.
    ("new", "06970"): ("06978", "xa ba che"),
}


class UnitDataError(ValidationFailed):
    """Malformed reference data: names the file, the line or JSON path, and the reason."""

    code = "unit_data_error"

    def __init__(
        self,
        *,
        file: str,
        reason_vi: str,
        reason_en: str,
        line: int | None = None,
        path: str | None = None,
        code: str | None = None,
        field: str | None = None,
    ) -> None:
        where_vi = (f", dòng {line}" if line is not None else "") + (f", mục {path}" if path else "")
        where_en = (f", line {line}" if line is not None else "") + (f", at {path}" if path else "")
        super().__init__(
            f"Tệp {file}{where_vi}: {reason_vi}",
            f"File {file}{where_en}: {reason_en}",
            code=code,
            field=field,
        )
        self.file = file
        self.line = line
        self.path = path


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
        }

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def __str__(self) -> str:
        text = f"tạo mới {self.created}, cập nhật {self.updated}, giữ nguyên {self.unchanged}"
        text += f" (created {self.created}, updated {self.updated}, unchanged {self.unchanged}"
        if self.removed:
            text += f", removed/deactivated {self.removed}"
        return text + ")"


@dataclass
class LoadReport:
    """What a loader did: one tally per kind of row, notes about the data, and the time it took."""

    tallies: dict[str, Tally] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def tally(self, name: str) -> Tally:
        return self.tallies.setdefault(name, Tally())

    @property
    def changed(self) -> int:
        return sum(t.created + t.updated + t.removed for t in self.tallies.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            **{name: tally.as_dict() for name, tally in self.tallies.items()},
            "notes": list(self.notes),
            "seconds": round(self.seconds, 2),
        }

    def lines(self) -> list[str]:
        out = [f"{name}: {tally}" for name, tally in self.tallies.items()]
        out += [f"- {note}" for note in self.notes]
        out.append(f"Thời gian / time: {self.seconds:.1f} s")
        return out


# --- Reading files ----------------------------------------------------------------------------


def _relative(path: Path, base: Path | None) -> str:
    if base is not None:
        try:
            return str(path.relative_to(base))
        except ValueError:
            pass
    return str(path)


def _read_json(path: Path, rel: str) -> Any:
    try:
        with path.open(encoding="utf-8-sig") as handle:
            return json.load(handle)
    except FileNotFoundError:
        raise UnitDataError(file=rel, reason_vi="không tìm thấy tệp.", reason_en="file not found.") from None
    except UnicodeDecodeError as exc:
        raise UnitDataError(
            file=rel,
            reason_vi=f"tệp không phải UTF-8 (byte {exc.start}).",
            reason_en=f"the file is not UTF-8 (byte {exc.start}).",
        ) from None
    except json.JSONDecodeError as exc:
        raise UnitDataError(
            file=rel,
            line=exc.lineno,
            reason_vi=f"JSON không hợp lệ ở cột {exc.colno}: {exc.msg}.",
            reason_en=f"invalid JSON at column {exc.colno}: {exc.msg}.",
        ) from None


def _csv_records(path: Path, rel: str) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, cells) for each CSV record; quoted cells may span several lines."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise UnitDataError(file=rel, reason_vi="không tìm thấy tệp.", reason_en="file not found.") from None
    with handle:
        reader = csv.reader(handle)
        last = 0
        try:
            for cells in reader:
                yield last + 1, cells
                last = reader.line_num
        except UnicodeDecodeError as exc:
            raise UnitDataError(
                file=rel,
                line=last + 1,
                reason_vi=f"tệp không phải UTF-8 (byte {exc.start}).",
                reason_en=f"the file is not UTF-8 (byte {exc.start}).",
            ) from None
        except csv.Error as exc:
            raise UnitDataError(
                file=rel, line=last + 1, reason_vi=f"CSV hỏng: {exc}.", reason_en=f"malformed CSV: {exc}."
            ) from None


def _read_table(
    path: Path, rel: str, *, required: Sequence[str], optional: Sequence[str] = ()
) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV file with a header line, as (line, {column: stripped text}).

    Blank lines and lines whose first cell starts with ``#`` are comments."""
    records = _csv_records(path, rel)
    header: list[str] | None = None
    header_line = 1
    rows: list[tuple[int, dict[str, str]]] = []
    for line, cells in records:
        if not any(cell.strip() for cell in cells) or cells[0].lstrip().startswith("#"):
            continue
        if header is None:
            header, header_line = [cell.strip() for cell in cells], line
            missing = [name for name in required if name not in header]
            unknown = [name for name in header if name not in required and name not in optional]
            if missing or unknown:
                raise UnitDataError(
                    file=rel,
                    line=line,
                    reason_vi=f"dòng tiêu đề thiếu cột {missing} hoặc có cột lạ {unknown}; "
                    f"cần các cột {list(required)} (tùy chọn {list(optional)}).",
                    reason_en=f"header misses columns {missing} or has unknown columns {unknown}; "
                    f"expected {list(required)} (optional {list(optional)}).",
                    code="invalid_header",
                )
            continue
        if len(cells) > len(header):
            raise UnitDataError(
                file=rel,
                line=line,
                reason_vi=f"có {len(cells)} ô nhưng tiêu đề (dòng {header_line}) chỉ có {len(header)} cột.",
                reason_en=f"{len(cells)} cells but the header (line {header_line}) "
                f"has {len(header)} columns.",
                code="too_many_cells",
            )
        cells = cells + [""] * (len(header) - len(cells))
        rows.append((line, {name: cell.strip() for name, cell in zip(header, cells, strict=True)}))
    if header is None:
        raise UnitDataError(
            file=rel, reason_vi="tệp rỗng, không có dòng tiêu đề.", reason_en="empty file, no header line."
        )
    return rows


_T = TypeVar("_T")


def _parse_cell(
    rel: str,
    line: int,
    column: str,
    text: str,
    parse: Callable[[str], _T],
    what_vi: str,
    what_en: str,
    code: str,
) -> _T:
    try:
        return parse(text)
    except (ValueError, KeyError):
        raise UnitDataError(
            file=rel,
            line=line,
            reason_vi=f"cột {column}: “{text}” không phải {what_vi}.",
            reason_en=f"column {column}: “{text}” is not {what_en}.",
            code=code,
            field=column,
        ) from None


def _date_or_none(text: str) -> dt.date | None:
    if not text:
        return None
    if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", text):
        return dt.datetime.strptime(text, "%d/%m/%Y").date()
    return dt.date.fromisoformat(text)


def _time_or_none(text: str) -> dt.time | None:
    if not text:
        return None
    if not re.fullmatch(r"\d{1,2}:\d{2}", text):
        raise ValueError(text)
    hours, minutes = (int(part) for part in text.split(":"))
    return dt.time(hours, minutes)


_TRUE = {"1", "true", "yes", "y", "x", "có", "co"}
_FALSE = {"0", "false", "no", "n", "không", "khong"}


def _bool_default_true(text: str) -> bool:
    value = text.strip().lower()
    if not value or value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(text)


_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def _weekday(text: str) -> int:
    value = text.strip().lower()
    if value in _WEEKDAYS:
        return _WEEKDAYS[value]
    number = int(value)
    if not 0 <= number <= 6:
        raise ValueError(text)
    return number


def _level(text: str) -> str:
    if text not in Level.values:
        raise ValueError(text)
    return text


# --- Administrative units: parsing ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnitRow:
    level: str
    code: str
    name: str
    full_name: str
    name_en: str
    kind: str
    parent_level: str | None
    parent_code: str | None
    where: str


@dataclass(frozen=True, slots=True)
class SuccessionRow:
    predecessor_level: str
    predecessor_code: str
    successor_code: str
    is_whole: bool
    note: str
    line: int


def _json_object(value: Any, rel: str, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise UnitDataError(
            file=rel,
            path=path,
            reason_vi=f"cần một đối tượng JSON, gặp {type(value).__name__}.",
            reason_en=f"expected a JSON object, found {type(value).__name__}.",
        )
    return value


def _json_list(value: Any, rel: str, path: str, *, allow_null: bool = False) -> list[Any]:
    if value is None and allow_null:
        return []
    if not isinstance(value, list):
        raise UnitDataError(
            file=rel,
            path=path,
            reason_vi=f"cần một danh sách JSON, gặp {type(value).__name__}.",
            reason_en=f"expected a JSON list, found {type(value).__name__}.",
        )
    return value


def _json_code(obj: dict[str, Any], level: str, rel: str, path: str) -> str:
    raw = obj.get("Code")
    code = raw.strip() if isinstance(raw, str) else ""
    if not code:
        raise UnitDataError(
            file=rel,
            path=f"{path}.Code",
            reason_vi="thiếu mã đơn vị hành chính.",
            reason_en="the unit code is missing.",
            code="missing_code",
        )
    if not (code.isdigit() and len(code) == CODE_LENGTH[level]):
        raise UnitDataError(
            file=rel,
            path=f"{path}.Code",
            reason_vi=f"mã “{code}” không phải {CODE_LENGTH[level]} chữ số ({services.LEVEL_VI[level]}).",
            reason_en=f"code “{code}” is not {CODE_LENGTH[level]} digits ({services.LEVEL_EN[level]}).",
            code="invalid_code",
        )
    return code


def split_kind(full_name: str, allowed: Sequence[str]) -> tuple[str, str] | None:
    """("thị trấn", "Rạch Gốc") for "Thị trấn Rạch Gốc"; None when no allowed kind starts the name."""
    lowered = full_name.lower()
    for kind in sorted(allowed, key=len, reverse=True):
        if lowered.startswith(kind + " ") and full_name[len(kind) :].strip():
            return kind, full_name[len(kind) :].strip()
    return None


def _json_names(
    obj: dict[str, Any], level: str, kinds: Sequence[str], rel: str, path: str, notes: list[str]
) -> tuple[str, str, str]:
    """(kind, short name, full name) of a unit; the full name is rebuilt as "<Kind> <name>"."""
    raw_full = obj.get("FullName")
    full = nfc(raw_full) if isinstance(raw_full, str) else ""
    if not full:
        raise UnitDataError(
            file=rel,
            path=f"{path}.FullName",
            reason_vi="thiếu tên đơn vị hành chính.",
            reason_en="the unit name is missing.",
            code="missing_name",
        )
    split = split_kind(full, kinds)
    if split is None:
        raise UnitDataError(
            file=rel,
            path=f"{path}.FullName",
            reason_vi=f"không nhận ra loại đơn vị {services.LEVEL_VI[level]} trong “{full}” "
            f"(cần bắt đầu bằng: {', '.join(KIND_LABELS[k] for k in kinds)}).",
            reason_en=f"cannot tell the kind of {services.LEVEL_EN[level]} “{full}” "
            f"(expected it to start with: {', '.join(KIND_LABELS[k] for k in kinds)}).",
            code="unknown_unit_kind",
        )
    kind, name = split
    if "Name" in obj:
        given = nfc(obj["Name"]) if isinstance(obj["Name"], str) else ""
        if not given:
            raise UnitDataError(
                file=rel,
                path=f"{path}.Name",
                reason_vi="thiếu tên ngắn của đơn vị.",
                reason_en="the short name is missing.",
                code="missing_name",
            )
        if given != name:
            raise UnitDataError(
                file=rel,
                path=f"{path}.Name",
                reason_vi=f"tên “{given}” không khớp tên đầy đủ “{full}”.",
                reason_en=f"name “{given}” does not match full name “{full}”.",
                code="inconsistent_name",
            )
    rebuilt = f"{KIND_LABELS[kind]} {name}"
    if rebuilt != full:
        notes.append(
            f"{rel} {path}: tên “{full}” được chuẩn hóa thành “{rebuilt}” (name normalised to “{rebuilt}”)."
        )
    return kind, name, rebuilt


def _remember(seen: dict[tuple[str, str], str], key: tuple[str, str], rel: str, path: str) -> None:
    if key in seen:
        raise UnitDataError(
            file=rel,
            path=path,
            reason_vi=f"mã {key[1]} ({services.LEVEL_VI[key[0]]}) bị trùng, đã có ở mục {seen[key]}.",
            reason_en=f"duplicate code {key[1]} ({services.LEVEL_EN[key[0]]}), already at {seen[key]}.",
            code="duplicate_code",
        )
    seen[key] = path


def _check_parent_code(obj: dict[str, Any], key: str, expected: str, rel: str, path: str) -> None:
    if key not in obj or obj[key] is None:
        return
    given = str(obj[key]).strip()
    if given != expected:
        raise UnitDataError(
            file=rel,
            path=f"{path}.{key}",
            reason_vi=f"{key} “{given}” không phải mã của đơn vị cấp trên chứa nó ({expected}).",
            reason_en=f"{key} “{given}” is not the code of the enclosing parent unit ({expected}).",
            code="unknown_parent",
        )


def parse_current_units(path: Path, rel: str, notes: list[str]) -> list[UnitRow]:
    """The two-tier set: [{Code, Name, NameEn, FullName, FullNameEn, Wards: [...]}, ...]."""
    data = _json_list(_read_json(path, rel), rel, "$")
    rows: list[UnitRow] = []
    seen: dict[tuple[str, str], str] = {}
    for i, item in enumerate(data):
        where = f"[{i}]"
        province = _json_object(item, rel, where)
        code = _json_code(province, Level.PROVINCE, rel, where)
        _remember(seen, (Level.PROVINCE, code), rel, where)
        kind, name, full = _json_names(
            province, Level.PROVINCE, CURRENT_KINDS[Level.PROVINCE], rel, where, notes
        )
        name_en = nfc(str(province.get("FullNameEn") or ""))
        rows.append(UnitRow(Level.PROVINCE, code, name, full, name_en, kind, None, None, where))
        for j, ward_item in enumerate(_json_list(province.get("Wards"), rel, f"{where}.Wards")):
            ward_where = f"{where}.Wards[{j}]"
            ward = _json_object(ward_item, rel, ward_where)
            ward_code = _json_code(ward, Level.COMMUNE, rel, ward_where)
            _remember(seen, (Level.COMMUNE, ward_code), rel, ward_where)
            _check_parent_code(ward, "ProvinceCode", code, rel, ward_where)
            w_kind, w_name, w_full = _json_names(
                ward, Level.COMMUNE, CURRENT_KINDS[Level.COMMUNE], rel, ward_where, notes
            )
            w_en = nfc(str(ward.get("FullNameEn") or ""))
            rows.append(
                UnitRow(
                    Level.COMMUNE, ward_code, w_name, w_full, w_en, w_kind, Level.PROVINCE, code, ward_where
                )
            )
    return rows


def parse_legacy_units(path: Path, rel: str, notes: list[str]) -> list[UnitRow]:
    """The three-tier set: [{Code, FullName, District: [{Code, FullName, ProvinceCode, Ward: [...]}]}]."""
    data = _json_list(_read_json(path, rel), rel, "$")
    rows: list[UnitRow] = []
    seen: dict[tuple[str, str], str] = {}
    empty_districts: list[str] = []
    for i, item in enumerate(data):
        where = f"[{i}]"
        province = _json_object(item, rel, where)
        code = _json_code(province, Level.PROVINCE, rel, where)
        _remember(seen, (Level.PROVINCE, code), rel, where)
        kind, name, full = _json_names(
            province, Level.PROVINCE, LEGACY_KINDS[Level.PROVINCE], rel, where, notes
        )
        rows.append(UnitRow(Level.PROVINCE, code, name, full, "", kind, None, None, where))
        for j, district_item in enumerate(_json_list(province.get("District"), rel, f"{where}.District")):
            d_where = f"{where}.District[{j}]"
            district = _json_object(district_item, rel, d_where)
            d_code = _json_code(district, Level.DISTRICT, rel, d_where)
            _remember(seen, (Level.DISTRICT, d_code), rel, d_where)
            _check_parent_code(district, "ProvinceCode", code, rel, d_where)
            d_kind, d_name, d_full = _json_names(
                district, Level.DISTRICT, LEGACY_KINDS[Level.DISTRICT], rel, d_where, notes
            )
            rows.append(
                UnitRow(Level.DISTRICT, d_code, d_name, d_full, "", d_kind, Level.PROVINCE, code, d_where)
            )
            wards = _json_list(district.get("Ward"), rel, f"{d_where}.Ward", allow_null=True)
            if not wards:
                empty_districts.append(f"{d_full} ({d_code})")
            for k, ward_item in enumerate(wards):
                w_where = f"{d_where}.Ward[{k}]"
                ward = _json_object(ward_item, rel, w_where)
                w_code = _json_code(ward, Level.COMMUNE, rel, w_where)
                _remember(seen, (Level.COMMUNE, w_code), rel, w_where)
                _check_parent_code(ward, "DistrictCode", d_code, rel, w_where)
                w_kind, w_name, w_full = _json_names(
                    ward, Level.COMMUNE, LEGACY_KINDS[Level.COMMUNE], rel, w_where, notes
                )
                rows.append(
                    UnitRow(
                        Level.COMMUNE, w_code, w_name, w_full, "", w_kind, Level.DISTRICT, d_code, w_where
                    )
                )
    if empty_districts:
        notes.append(
            f"{rel}: {len(empty_districts)} huyện không có xã (island districts without communes): "
            + ", ".join(empty_districts)
            + "."
        )
    return rows


_PAREN_CODE = re.compile(r"\((\d+)\)\s*$")
_WHOLE_AREA_RE = re.compile(r"^sap xep toan bo huyen ")


def _paren_code(text: str) -> str | None:
    match = _PAREN_CODE.search(text.strip())
    return match.group(1) if match else None


def is_whole_note(note: str) -> bool:
    """Whether a conversion row's note means the old unit went in whole.

    "Nhập toàn bộ", "Giữ nguyên", "Đổi tên", "Sắp xếp toàn bộ huyện …" → whole; any note that says
    "một phần" (part), or "phần còn lại" (the remainder after a split) → part."""
    folded = fold(note)
    return "mot phan" not in folded and "phan con lai" not in folded


def parse_conversion(
    path: Path,
    rel: str,
    *,
    current: Sequence[UnitRow],
    legacy: Sequence[UnitRow],
    notes: list[str],
) -> list[SuccessionRow]:
    """The 2025 conversion table: two header lines, then per province a title line and its rows:
    new province (code), new commune name, new code, old commune name, old code, note,
    old district (code), old province (code)."""
    current_province_of = {r.code: r.parent_code for r in current if r.level == Level.COMMUNE}
    legacy_commune_district = {r.code: r.parent_code for r in legacy if r.level == Level.COMMUNE}
    legacy_districts = {r.code for r in legacy if r.level == Level.DISTRICT}
    rows: list[SuccessionRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    corrected: list[int] = []
    skipped: list[str] = []
    for line, cells in _csv_records(path, rel):
        if line <= 2:
            if line == 2 and not (
                len(cells) >= 8 and "ma xa moi" in fold(cells[2]) and "ma xa cu" in fold(cells[4])
            ):
                raise UnitDataError(
                    file=rel,
                    line=line,
                    reason_vi="dòng tiêu đề không đúng bố cục bảng chuyển đổi "
                    "(cột 3 “Mã Xã mới”, cột 5 “Mã Xã cũ”).",
                    reason_en="header does not match the conversion table layout "
                    "(column 3 “Mã Xã mới”, column 5 “Mã Xã cũ”).",
                    code="invalid_header",
                )
            continue
        filled = [cell.strip() for cell in cells]
        if not any(filled):
            continue
        if not any(filled[1:]):
            continue  # a province title such as "THÀNH PHỐ HÀ NỘI"
        if len(filled) < 8:
            raise UnitDataError(
                file=rel,
                line=line,
                reason_vi=f"dòng có {len(filled)} ô, cần ít nhất 8.",
                reason_en=f"the row has {len(filled)} cells, at least 8 are needed.",
                code="too_few_cells",
            )
        new_province, new_name, new_code, old_name, old_code, note, old_district, _old_province = filled[:8]
        new_name, old_name, note = nfc(new_name), nfc(old_name), nfc(note)

        if not new_code:
            raise UnitDataError(
                file=rel,
                line=line,
                reason_vi="thiếu mã xã mới.",
                reason_en="the new commune code is missing.",
                code="missing_code",
            )
        erratum = CONVERSION_ERRATA.get(("new", new_code))
        if erratum is not None and new_code not in current_province_of and fold(new_name) == erratum[1]:
            new_code = erratum[0]
            corrected.append(line)
        if new_code not in current_province_of:
            raise UnitDataError(
                file=rel,
                line=line,
                reason_vi=f"mã xã mới {new_code} ({new_name}) không có trong danh mục "
                "đơn vị hành chính hiện hành.",
                reason_en=f"new commune code {new_code} ({new_name}) is not in the current unit list.",
                code="unknown_code",
            )
        province_code = _paren_code(new_province)
        if province_code != current_province_of[new_code]:
            raise UnitDataError(
                file=rel,
                line=line,
                reason_vi=f"xã mới {new_code} thuộc tỉnh {current_province_of[new_code]}, "
                f"nhưng dòng ghi “{new_province}”.",
                reason_en=f"new commune {new_code} belongs to province {current_province_of[new_code]}, "
                f"but the row says “{new_province}”.",
                code="unknown_parent",
            )

        district_code = _paren_code(old_district)
        if old_code:
            if old_code not in legacy_commune_district:
                raise UnitDataError(
                    file=rel,
                    line=line,
                    reason_vi=f"mã xã cũ {old_code} ({old_name}) không có trong danh mục trước 01/7/2025.",
                    reason_en=f"old commune code {old_code} ({old_name}) is not in the pre-01/07/2025 list.",
                    code="unknown_code",
                )
            if district_code != legacy_commune_district[old_code]:
                raise UnitDataError(
                    file=rel,
                    line=line,
                    reason_vi=f"xã cũ {old_code} thuộc huyện {legacy_commune_district[old_code]}, "
                    f"nhưng dòng ghi “{old_district}”.",
                    reason_en=f"old commune {old_code} belongs to district "
                    f"{legacy_commune_district[old_code]}, "
                    f"but the row says “{old_district}”.",
                    code="unknown_parent",
                )
            predecessor = (Level.COMMUNE, old_code)
        elif not old_name and _WHOLE_AREA_RE.match(fold(note)) and district_code in legacy_districts:
            # "Sắp xếp toàn bộ huyện Côn Đảo thành đặc khu Côn Đảo": an island district without
            # communes became one special zone, so the district itself is the predecessor.
            predecessor = (Level.DISTRICT, district_code)
        elif old_name and split_kind(old_name, LEGACY_KINDS[Level.COMMUNE]) is None:
            skipped.append(f"dòng/line {line}: “{old_name}” → {new_name} ({new_code})")
            continue  # not an administrative unit (e.g. a coastal alluvial area), nothing to map
        else:
            raise UnitDataError(
                file=rel,
                line=line,
                reason_vi=f"thiếu mã xã cũ cho “{old_name or '?'}”.",
                reason_en=f"the old commune code for “{old_name or '?'}” is missing.",
                code="missing_code",
            )
        key = (*predecessor, new_code)
        if key in seen:
            raise UnitDataError(
                file=rel,
                line=line,
                reason_vi=f"dòng trùng với dòng {seen[key]} ({predecessor[1]} → {new_code}).",
                reason_en=f"duplicates line {seen[key]} ({predecessor[1]} → {new_code}).",
                code="duplicate_row",
            )
        seen[key] = line
        rows.append(
            SuccessionRow(predecessor[0], predecessor[1], new_code, is_whole_note(note), note[:200], line)
        )
    if corrected:
        notes.append(
            f"{rel}: đã sửa mã xã mới in sai ở dòng {', '.join(map(str, corrected))} theo danh mục hiện hành "
            f"(misprinted new commune codes corrected on lines {', '.join(map(str, corrected))}: "
            + ", ".join(f"{old} → {new}" for (_col, old), (new, _name) in CONVERSION_ERRATA.items())
            + ")."
        )
    if skipped:
        notes.append(
            f"{rel}: bỏ qua {len(skipped)} dòng không phải đơn vị hành chính "
            f"(skipped {len(skipped)} rows that name no administrative unit): " + "; ".join(skipped) + "."
        )
    mapped = {r.predecessor_code for r in rows if r.predecessor_level == Level.COMMUNE}
    unmapped = sorted(code for code in legacy_commune_district if code not in mapped)
    if unmapped:
        notes.append(
            f"{rel}: {len(unmapped)} xã cũ không có trong bảng chuyển đổi "
            f"({len(unmapped)} legacy communes have no row in the table): {', '.join(unmapped)}."
        )
    return rows


# --- Administrative units: writing ------------------------------------------------------------

_UNIT_FIELDS = ("name", "full_name", "name_en", "kind", "parent_id", "valid_to", "name_folded")


def _set_filter(valid_from: dt.date | None) -> Q:
    return Q(valid_from__isnull=True) if valid_from is None else Q(valid_from=valid_from)


def _sync_units(
    rows: Sequence[UnitRow],
    *,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    label: str,
    report: LoadReport,
) -> dict[tuple[str, str], int]:
    """Create or update one set of units keyed on (level, code, valid_from); returns their ids."""
    existing = {(u.level, u.code): u for u in AdminUnit.objects.filter(_set_filter(valid_from))}
    ids = {key: unit.pk for key, unit in existing.items()}
    for level in LEVEL_ORDER:
        level_rows = [r for r in rows if r.level == level]
        if not level_rows:
            continue
        tally = report.tally(f"{label} {level}")
        to_create: list[AdminUnit] = []
        to_update: list[AdminUnit] = []
        for row in level_rows:
            wanted = {
                "name": row.name,
                "full_name": row.full_name,
                "name_en": row.name_en,
                "kind": row.kind,
                "parent_id": ids[(row.parent_level, row.parent_code)]
                if row.parent_level and row.parent_code
                else None,
                "valid_to": valid_to,
                "name_folded": fold(row.full_name),
            }
            unit = existing.get((level, row.code))
            if unit is None:
                to_create.append(AdminUnit(level=level, code=row.code, valid_from=valid_from, **wanted))
                tally.created += 1
            elif any(getattr(unit, name) != value for name, value in wanted.items()):
                for name, value in wanted.items():
                    setattr(unit, name, value)
                to_update.append(unit)
                tally.updated += 1
            else:
                tally.unchanged += 1
        AdminUnit.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        if to_update:
            AdminUnit.objects.bulk_update(to_update, _UNIT_FIELDS, batch_size=BATCH_SIZE)
        if to_create:
            ids.update(
                ((level, code), pk)
                for pk, code in AdminUnit.objects.filter(_set_filter(valid_from), level=level).values_list(
                    "pk", "code"
                )
            )
        in_file = {r.code for r in level_rows}
        stale = [key[1] for key in existing if key[0] == level and key[1] not in in_file]
        if stale:
            report.notes.append(
                f"{label} {level}: {len(stale)} đơn vị trong CSDL không có trong tệp, được giữ nguyên "
                f"({len(stale)} units in the database are not in the file and were kept): "
                f"{', '.join(stale[:20])}" + (" …" if len(stale) > 20 else "")
            )
    return ids


def _sync_successions(
    rows: Sequence[SuccessionRow],
    *,
    legacy_ids: dict[tuple[str, str], int],
    current_ids: dict[tuple[str, str], int],
    report: LoadReport,
) -> None:
    tally = report.tally("successions")
    existing = {(s.predecessor_id, s.successor_id): s for s in UnitSuccession.objects.all()}
    to_create: list[UnitSuccession] = []
    to_update: list[UnitSuccession] = []
    for row in rows:
        pred = legacy_ids[(row.predecessor_level, row.predecessor_code)]
        succ = current_ids[(Level.COMMUNE, row.successor_code)]
        found = existing.get((pred, succ))
        if found is None:
            to_create.append(
                UnitSuccession(
                    predecessor_id=pred,
                    successor_id=succ,
                    is_whole=row.is_whole,
                    note=row.note,
                    effective_on=REFORM_2025,
                )
            )
            tally.created += 1
        elif (found.is_whole, found.note, found.effective_on) != (row.is_whole, row.note, REFORM_2025):
            found.is_whole, found.note, found.effective_on = row.is_whole, row.note, REFORM_2025
            to_update.append(found)
            tally.updated += 1
        else:
            tally.unchanged += 1
    UnitSuccession.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    if to_update:
        UnitSuccession.objects.bulk_update(
            to_update, ["is_whole", "note", "effective_on"], batch_size=BATCH_SIZE
        )


def default_units_dir() -> Path:
    return Path(settings.SHARED_DATA_DIR) / "admin-units"


def load_units(data_dir: Path | str | None = None) -> LoadReport:
    """Load (or refresh) both unit sets and the 2025 successions from ``data_dir``; idempotent."""
    started = time.perf_counter()
    base = Path(data_dir) if data_dir is not None else default_units_dir()
    report = LoadReport()
    current = parse_current_units(base / CURRENT_FILE, str(CURRENT_FILE), report.notes)
    legacy = parse_legacy_units(base / LEGACY_FILE, str(LEGACY_FILE), report.notes)
    successions = parse_conversion(
        base / CONVERSION_FILE, str(CONVERSION_FILE), current=current, legacy=legacy, notes=report.notes
    )
    with transaction.atomic():
        current_ids = _sync_units(
            current, valid_from=REFORM_2025, valid_to=None, label="current", report=report
        )
        legacy_ids = _sync_units(legacy, valid_from=None, valid_to=LEGACY_END, label="legacy", report=report)
        _sync_successions(successions, legacy_ids=legacy_ids, current_ids=current_ids, report=report)
    report.seconds = time.perf_counter() - started
    return report


# --- Agencies ---------------------------------------------------------------------------------

AGENCY_COLUMNS = (
    "identifier_code",
    "name",
    "short_name",
    "kind",
    "admin_unit_level",
    "admin_unit_code",
    "parent_identifier_code",
    "valid_from",
    "valid_to",
)
AGENCY_OPTIONAL_COLUMNS = ("successor_identifier_code",)


def _wrap(rel: str, line: int, exc: ValidationFailed) -> UnitDataError:
    if isinstance(exc, UnitDataError):
        return exc
    return UnitDataError(
        file=rel,
        line=line,
        reason_vi=exc.message_vi,
        reason_en=exc.message_en,
        code=exc.code,
        field=exc.field,
    )


def _latest_first() -> Any:
    return F("valid_from").desc(nulls_last=True)


def resolve_unit(
    level: str, code: str, valid_from: dt.date | None, valid_to: dt.date | None
) -> AdminUnit | None:
    """The unit with this level and code in force during the period (the most recent set if several)."""
    return (
        AdminUnit.objects.filter(level=level, code=code)
        .filter(overlapping(valid_from, valid_to))
        .order_by(_latest_first())
        .first()
    )


def _admin_unit_cell(
    rel: str, line: int, level_text: str, code: str, valid_from: dt.date | None, valid_to: dt.date | None
) -> AdminUnit:
    """The administrative unit a CSV row names (level + code) in force over its period, or a row error."""
    level = _parse_cell(
        rel,
        line,
        "admin_unit_level",
        level_text,
        _level,
        f"một cấp hành chính ({', '.join(Level.values)})",
        f"a level ({', '.join(Level.values)})",
        "invalid_level",
    )
    admin_unit = resolve_unit(level, code, valid_from, valid_to)
    if admin_unit is None:
        raise UnitDataError(
            file=rel,
            line=line,
            reason_vi=f"không có đơn vị hành chính {services.LEVEL_VI[level]} mã “{code}” "
            f"có hiệu lực {services.period_vi(valid_from, valid_to)} (đã chạy load_units chưa?).",
            reason_en=f"no {services.LEVEL_EN[level]} with code “{code}” in force "
            f"{services.period_en(valid_from, valid_to)} (has load_units been run?).",
            code="unknown_admin_unit",
            field="admin_unit_code",
        )
    return admin_unit


def resolve_agency(
    identifier_code: str, valid_from: dt.date | None, valid_to: dt.date | None
) -> Agency | None:
    """The agency with this code in force during the period (the most recent if several)."""
    return (
        Agency.objects.filter(identifier_code=identifier_code)
        .filter(overlapping(valid_from, valid_to))
        .order_by(_latest_first())
        .first()
    )


def load_agencies(path: Path | str) -> LoadReport:
    """Create or update agencies from a CSV file (columns ``AGENCY_COLUMNS``, optionally
    ``successor_identifier_code``); rows are keyed on (identifier_code, valid_from).

    A parent must be listed before its children or be loaded already; a successor may come later."""
    started = time.perf_counter()
    source = Path(path)
    rel = str(source)
    report = LoadReport()
    tally = report.tally("agencies")
    rows = _read_table(source, rel, required=AGENCY_COLUMNS, optional=AGENCY_OPTIONAL_COLUMNS)
    outcomes: dict[int, str] = {}
    successors: list[tuple[int, Agency, str]] = []
    with transaction.atomic():
        seen: dict[tuple[str, dt.date | None], int] = {}
        for line, row in rows:
            try:
                agency, outcome = _load_agency_row(rel, line, row, seen)
            except ValidationFailed as exc:
                raise _wrap(rel, line, exc) from exc
            outcomes[line] = outcome
            if row.get("successor_identifier_code"):
                successors.append((line, agency, row["successor_identifier_code"]))
        for line, agency, successor_code in successors:
            try:
                if agency.valid_to is None:
                    raise ValidationFailed(
                        "cơ quan còn hiệu lực (valid_to trống) nên chưa thể có cơ quan kế thừa.",
                        "the agency is still in force (valid_to empty), so it cannot have a successor.",
                        code="invalid_successor",
                        field="successor_identifier_code",
                    )
                takeover = agency.valid_to + dt.timedelta(days=1)
                successor = resolve_agency(successor_code, takeover, takeover)
                if successor is None:
                    raise ValidationFailed(
                        f"không có cơ quan mã {successor_code} hiệu lực ngày {takeover:%d/%m/%Y} để kế thừa.",
                        f"no agency with code {successor_code} is in force on {takeover.isoformat()} "
                        "to succeed it.",
                        code="unknown_successor",
                        field="successor_identifier_code",
                    )
                if agency.successor_id != successor.pk:
                    services.set_agency_successor(agency=agency, successor=successor)
                    if outcomes[line] == "unchanged":
                        outcomes[line] = "updated"
            except ValidationFailed as exc:
                raise _wrap(rel, line, exc) from exc
    for outcome in outcomes.values():
        tally.add(outcome)
    report.seconds = time.perf_counter() - started
    return report


def _load_agency_row(
    rel: str, line: int, row: dict[str, str], seen: dict[tuple[str, dt.date | None], int]
) -> tuple[Agency, str]:
    code = services.validate_identifier_code(row["identifier_code"])
    valid_from = _parse_cell(
        rel, line, "valid_from", row["valid_from"], _date_or_none, "một ngày", "a date", "invalid_date"
    )
    valid_to = _parse_cell(
        rel, line, "valid_to", row["valid_to"], _date_or_none, "một ngày", "a date", "invalid_date"
    )
    key = (code, valid_from)
    if key in seen:
        raise UnitDataError(
            file=rel,
            line=line,
            reason_vi=f"mã định danh {code} với cùng ngày bắt đầu hiệu lực đã có ở dòng {seen[key]}.",
            reason_en=f"identifier code {code} with the same valid_from is already on line {seen[key]}.",
            code="duplicate_identifier_code",
            field="identifier_code",
        )
    seen[key] = line
    admin_unit = _admin_unit_cell(
        rel, line, row["admin_unit_level"], row["admin_unit_code"], valid_from, valid_to
    )
    parent = None
    if row["parent_identifier_code"]:
        parent = resolve_agency(row["parent_identifier_code"], valid_from, valid_to)
        if parent is None:
            raise UnitDataError(
                file=rel,
                line=line,
                reason_vi=f"không có cơ quan cấp trên mã {row['parent_identifier_code']} có hiệu lực "
                f"{services.period_vi(valid_from, valid_to)}; cơ quan cấp trên phải đứng trước trong tệp "
                "hoặc đã được nạp.",
                reason_en=f"no parent agency with code {row['parent_identifier_code']} in force "
                f"{services.period_en(valid_from, valid_to)}; a parent must come earlier in the file "
                "or be loaded already.",
                code="unknown_parent",
                field="parent_identifier_code",
            )
    existing = Agency.objects.filter(identifier_code=code).filter(_set_filter(valid_from)).first()
    successor: Agency | None = None
    if (
        existing is not None
        and existing.successor is not None
        and existing.successor.identifier_code == row.get("successor_identifier_code")
    ):
        successor = existing.successor  # kept; re-checked in the successor pass
    values: dict[str, Any] = {
        "identifier_code": code,
        "name": row["name"],
        "short_name": row["short_name"],
        "kind": row["kind"],
        "admin_unit": admin_unit,
        "parent": parent,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "successor": successor,
    }
    if existing is None:
        return services.create_agency(**values), "created"
    current = {
        "identifier_code": existing.identifier_code,
        "name": existing.name,
        "short_name": existing.short_name,
        "kind": existing.kind,
        "admin_unit": existing.admin_unit,
        "parent": existing.parent,
        "valid_from": existing.valid_from,
        "valid_to": existing.valid_to,
        "successor": existing.successor,
    }
    wanted = {**values, "name": nfc(row["name"]), "short_name": nfc(row["short_name"])}
    if current == wanted:
        return existing, "unchanged"
    return services.update_agency(agency=existing, **values), "updated"


# --- One-stop units, counters, office hours ---------------------------------------------------

ONE_STOP_COLUMNS = (
    "code",
    "name",
    "kind",
    "agency_identifier_code",
    "admin_unit_code",
    "parent_centre_code",
    "address",
    "phone",
    "email",
    "accepts_boundary_independent",
)
ONE_STOP_OPTIONAL_COLUMNS = ("admin_unit_level", "valid_from", "valid_to")
COUNTER_COLUMNS = ("one_stop_unit_code", "number", "name", "field_codes", "queue_prefix")
COUNTER_OPTIONAL_COLUMNS = ("is_active",)
OFFICE_HOURS_COLUMNS = (
    "one_stop_unit_code",
    "weekday",
    "morning_start",
    "morning_end",
    "afternoon_start",
    "afternoon_end",
)
# The level of the unit named by admin_unit_code when the file does not say.
DEFAULT_ONE_STOP_LEVEL: dict[str, str] = {
    OneStopKind.PROVINCIAL_CENTRE: Level.PROVINCE,
    OneStopKind.MINISTRY_RECEPTION: Level.PROVINCE,
    OneStopKind.COMMUNE_CENTRE: Level.COMMUNE,
    OneStopKind.BRANCH: Level.COMMUNE,
    OneStopKind.DISTRICT_RECEPTION: Level.DISTRICT,
}


def load_one_stop_units(
    path: Path | str, *, counters: Path | str | None = None, office_hours: Path | str | None = None
) -> LoadReport:
    """Create or update one-stop units (keyed on ``code``) and, from two optional files, their
    counters (keyed on unit and number) and office hours (keyed on unit and weekday).

    The counters file lists every counter of the units it names: counters it leaves out are
    deactivated. The office-hours file lists every opening day of the units it names: days it
    leaves out are closed. All three files load in one transaction."""
    started = time.perf_counter()
    report = LoadReport()
    source = Path(path)
    rel = str(source)
    rows = _read_table(source, rel, required=ONE_STOP_COLUMNS, optional=ONE_STOP_OPTIONAL_COLUMNS)
    counter_rows = (
        _read_table(
            Path(counters), str(counters), required=COUNTER_COLUMNS, optional=COUNTER_OPTIONAL_COLUMNS
        )
        if counters is not None
        else None
    )
    hours_rows = (
        _read_table(Path(office_hours), str(office_hours), required=OFFICE_HOURS_COLUMNS)
        if office_hours is not None
        else None
    )
    with transaction.atomic():
        tally = report.tally("one-stop units")
        seen: dict[str, int] = {}
        for line, row in rows:
            try:
                tally.add(_load_one_stop_row(rel, line, row, seen))
            except ValidationFailed as exc:
                raise _wrap(rel, line, exc) from exc
        if counter_rows is not None:
            _load_counters(str(counters), counter_rows, report.tally("counters"))
        if hours_rows is not None:
            _load_office_hours(str(office_hours), hours_rows, report.tally("office hours"))
    report.seconds = time.perf_counter() - started
    return report


def _load_one_stop_row(rel: str, line: int, row: dict[str, str], seen: dict[str, int]) -> str:
    code = row["code"]
    if code in seen:
        raise UnitDataError(
            file=rel,
            line=line,
            reason_vi=f"mã bộ phận một cửa “{code}” đã có ở dòng {seen[code]}.",
            reason_en=f"one-stop unit code “{code}” is already on line {seen[code]}.",
            code="duplicate_code",
            field="code",
        )
    seen[code] = line
    kind = row["kind"]
    valid_from = _parse_cell(
        rel,
        line,
        "valid_from",
        row.get("valid_from", ""),
        _date_or_none,
        "một ngày",
        "a date",
        "invalid_date",
    )
    valid_to = _parse_cell(
        rel, line, "valid_to", row.get("valid_to", ""), _date_or_none, "một ngày", "a date", "invalid_date"
    )
    accepts = _parse_cell(
        rel,
        line,
        "accepts_boundary_independent",
        row["accepts_boundary_independent"],
        _bool_default_true,
        "có/không (1/0)",
        "a yes/no value (1/0)",
        "invalid_boolean",
    )
    level_text = row.get("admin_unit_level") or DEFAULT_ONE_STOP_LEVEL.get(kind, Level.COMMUNE)
    admin_unit = _admin_unit_cell(rel, line, level_text, row["admin_unit_code"], valid_from, valid_to)
    agency = resolve_agency(row["agency_identifier_code"], valid_from, valid_to)
    if agency is None:
        raise UnitDataError(
            file=rel,
            line=line,
            reason_vi=f"không có cơ quan mã “{row['agency_identifier_code']}” có hiệu lực "
            f"{services.period_vi(valid_from, valid_to)} (đã nạp load_agencies chưa?).",
            reason_en=f"no agency with code “{row['agency_identifier_code']}” in force "
            f"{services.period_en(valid_from, valid_to)} (have the agencies been loaded?).",
            code="unknown_agency",
            field="agency_identifier_code",
        )
    parent_centre = None
    if row["parent_centre_code"]:
        parent_centre = OneStopUnit.objects.filter(code=row["parent_centre_code"]).first()
        if parent_centre is None:
            raise UnitDataError(
                file=rel,
                line=line,
                reason_vi=f"không có trung tâm cấp trên mã “{row['parent_centre_code']}”; "
                "trung tâm phải đứng trước chi nhánh trong tệp hoặc đã được nạp.",
                reason_en=f"no parent centre with code “{row['parent_centre_code']}”; the centre must come "
                "before its branch in the file or be loaded already.",
                code="unknown_parent",
                field="parent_centre_code",
            )
    values: dict[str, Any] = {
        "code": code,
        "name": row["name"],
        "kind": kind,
        "agency": agency,
        "admin_unit": admin_unit,
        "parent_centre": parent_centre,
        "address": row["address"],
        "phone": row["phone"],
        "email": row["email"],
        "accepts_boundary_independent": accepts,
        "valid_from": valid_from,
        "valid_to": valid_to,
    }
    existing = OneStopUnit.objects.filter(code=code).first()
    if existing is None:
        services.create_one_stop_unit(**values)
        return "created"
    current = {name: getattr(existing, name) for name in values}
    wanted = {**values, "name": nfc(row["name"]), "address": nfc(row["address"])}
    if current == wanted:
        return "unchanged"
    services.update_one_stop_unit(one_stop_unit=existing, **values)
    return "updated"


def _one_stop_unit(rel: str, line: int, code: str) -> OneStopUnit:
    unit = OneStopUnit.objects.filter(code=code).first()
    if unit is None:
        raise UnitDataError(
            file=rel,
            line=line,
            reason_vi=f"không có bộ phận một cửa mã “{code}”.",
            reason_en=f"no one-stop unit with code “{code}”.",
            code="unknown_one_stop_unit",
            field="one_stop_unit_code",
        )
    return unit


def _load_counters(rel: str, rows: list[tuple[int, dict[str, str]]], tally: Tally) -> None:
    seen: dict[tuple[str, int], int] = {}
    listed: dict[int, set[int]] = {}
    for line, row in rows:
        try:
            unit = _one_stop_unit(rel, line, row["one_stop_unit_code"])
            number = _parse_cell(
                rel,
                line,
                "number",
                row["number"],
                int,
                "một số nguyên",
                "an integer",
                "invalid_counter_number",
            )
            key = (unit.code, number)
            if key in seen:
                raise UnitDataError(
                    file=rel,
                    line=line,
                    reason_vi=f"quầy số {number} của {unit.code} đã có ở dòng {seen[key]}.",
                    reason_en=f"counter {number} of {unit.code} is already on line {seen[key]}.",
                    code="duplicate_counter",
                    field="number",
                )
            seen[key] = line
            listed.setdefault(unit.pk, set()).add(number)
            is_active = _parse_cell(
                rel,
                line,
                "is_active",
                row.get("is_active", ""),
                _bool_default_true,
                "có/không (1/0)",
                "a yes/no value (1/0)",
                "invalid_boolean",
            )
            field_codes = [code.strip() for code in row["field_codes"].split(";") if code.strip()]
            wanted = (nfc(row["name"]), field_codes, row["queue_prefix"], is_active)
            existing = Counter.objects.filter(one_stop_unit=unit, number=number).first()
            if (
                existing is not None
                and (
                    existing.name,
                    existing.field_codes,
                    existing.queue_prefix,
                    existing.is_active,
                )
                == wanted
            ):
                tally.unchanged += 1
                continue
            services.set_counter(
                one_stop_unit=unit,
                number=number,
                name=row["name"],
                field_codes=field_codes,
                queue_prefix=row["queue_prefix"],
                is_active=is_active,
            )
            tally.add("created" if existing is None else "updated")
        except ValidationFailed as exc:
            raise _wrap(rel, line, exc) from exc
    for unit_pk, numbers in listed.items():
        tally.removed += (
            Counter.objects.filter(one_stop_unit_id=unit_pk, is_active=True)
            .exclude(number__in=numbers)
            .update(is_active=False)
        )


def _load_office_hours(rel: str, rows: list[tuple[int, dict[str, str]]], tally: Tally) -> None:
    seen: dict[tuple[str, int], int] = {}
    listed: dict[int, tuple[OneStopUnit, set[int]]] = {}
    for line, row in rows:
        try:
            unit = _one_stop_unit(rel, line, row["one_stop_unit_code"])
            weekday = _parse_cell(
                rel,
                line,
                "weekday",
                row["weekday"],
                _weekday,
                "một thứ trong tuần (0 = thứ Hai … 6 = Chủ nhật, hoặc mon … sun)",
                "a weekday (0 = Monday … 6 = Sunday, or mon … sun)",
                "invalid_weekday",
            )
            key = (unit.code, weekday)
            if key in seen:
                raise UnitDataError(
                    file=rel,
                    line=line,
                    reason_vi=f"giờ làm việc thứ {weekday} của {unit.code} đã có ở dòng {seen[key]}.",
                    reason_en=f"office hours for weekday {weekday} of {unit.code} "
                    f"are already on line {seen[key]}.",
                    code="duplicate_office_hours",
                    field="weekday",
                )
            seen[key] = line
            listed.setdefault(unit.pk, (unit, set()))[1].add(weekday)
            times = {
                column: _parse_cell(
                    rel,
                    line,
                    column,
                    row[column],
                    _time_or_none,
                    "giờ dạng HH:MM",
                    "a time HH:MM",
                    "invalid_time",
                )
                for column in OFFICE_HOURS_COLUMNS[2:]
            }
            existing = OfficeHours.objects.filter(one_stop_unit=unit, weekday=weekday).first()
            if existing is not None and all(
                getattr(existing, column) == value for column, value in times.items()
            ):
                tally.unchanged += 1
                continue
            services.set_office_hours(one_stop_unit=unit, weekday=weekday, **times)
            tally.add("created" if existing is None else "updated")
        except ValidationFailed as exc:
            raise _wrap(rel, line, exc) from exc
    for unit, weekdays in listed.values():
        closed = [day for day in range(7) if day not in weekdays]
        tally.removed += services.clear_office_hours(one_stop_unit=unit, weekdays=closed)
