"""import_procedures: the real file, idempotence, new draft versions, parse rates, refusals."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from motcua.catalog.importer import import_procedures
from motcua.catalog.models import ChannelOffer, ComponentTemplate, Procedure, ProcedureVersion, VersionStatus

from .conftest import IMPORT_DAY, REAL_RECORDS

pytestmark = pytest.mark.django_db


def _records() -> list[dict]:
    return [json.loads(line) for line in REAL_RECORDS.read_text(encoding="utf-8").splitlines()]


def test_the_real_file_creates_and_publishes_every_record(real_catalog):
    assert real_catalog["records_read"] == 588
    assert real_catalog["created"] == 588
    assert real_catalog["updated"] == 0
    assert real_catalog["unchanged"] == 0
    assert real_catalog["failed"] == []
    assert real_catalog["published"] == 588
    assert Procedure.objects.filter(current_version__isnull=False).count() == 588
    assert ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED).count() == 588


def test_parse_rates_are_as_measured(real_catalog):
    parsed = {name: entry["parsed"] for name, entry in real_catalog["parse"].items()}
    assert parsed == {
        "levels": 588,
        "field": 588,
        "channels": 588,
        "time_limit": 385,
        "fees": 511,
        "components": 566,
        "legal_bases": 572,
        "results": 582,
    }
    assert len(real_catalog["parse"]["time_limit"]["not_parsed"]) == 203
    assert real_catalog["parse"]["time_limit"]["rate"] == 0.6548


def test_a_birth_registration_is_parsed_per_channel(real_catalog):
    version = Procedure.objects.get(code="1.001193").current_version
    offers = {o.channel: (o.time_limit_amount, o.time_limit_unit) for o in version.offers.all()}
    assert offers == {"in_person": (None, None), "online": (None, None), "postal": (None, None)} or all(
        unit in (None, "working_day", "calendar_day", "working_hour") for _, unit in offers.values()
    )
    assert version.levels == ",commune,"
    assert version.field.name == "Hộ tịch"
    assert ComponentTemplate.objects.filter(case__version=version).count() >= 1


def test_a_second_run_changes_nothing(real_catalog):
    before = ProcedureVersion.objects.count()
    report = import_procedures(REAL_RECORDS, publish=True, effective_from=IMPORT_DAY).as_dict()
    assert (report["created"], report["updated"], report["unchanged"], report["failed"]) == (0, 0, 588, [])
    assert ProcedureVersion.objects.count() == before


def test_a_changed_record_makes_a_new_draft_version(real_catalog, tmp_path):
    record = next(r for r in _records() if r["ma_thu_tuc"] == "1.000894")
    record["ten_thu_tuc"] = "Thủ tục đăng ký kết hôn (sửa đổi)"
    source = tmp_path / "changed.jsonl"
    source.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")

    report = import_procedures(source).as_dict()

    assert (report["created"], report["updated"], report["unchanged"]) == (0, 1, 0)
    versions = list(ProcedureVersion.objects.filter(procedure__code="1.000894").order_by("number"))
    assert [(v.number, v.status) for v in versions] == [(1, "published"), (2, "draft")]
    assert versions[1].name == "Thủ tục đăng ký kết hôn (sửa đổi)"
    assert Procedure.objects.get(code="1.000894").name == "Thủ tục đăng ký kết hôn"


def test_a_time_limit_without_a_number_is_never_invented(db, tmp_path):
    record = {
        "ma_thu_tuc": "9.999001",
        "ten_thu_tuc": "Thủ tục thử không có thời hạn",
        "cap_thuc_hien": "Cấp xã",
        "linh_vuc": "Hộ tịch",
        "cach_thuc_thuc_hien": "Hình thức nộpThời gianPhí, lệ phíMô tả"
        "Trực tiếpKhông có thông tinMiễn phíTrực tuyến1Miễn phíDịch vụ bưu chính3 Ngày làm việc50,000 VNĐ",
    }
    source = tmp_path / "one.jsonl"
    source.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")

    report = import_procedures(source).as_dict()

    offers = ChannelOffer.objects.filter(version__procedure__code="9.999001").order_by("position")
    assert [(o.channel, o.time_limit, o.time_limit_raw) for o in offers] == [
        ("in_person", None, "Không có thông tin"),
        ("online", None, "1"),
        ("postal", {"amount": 3, "unit": "working_day"}, "3 Ngày làm việc"),
    ]
    assert [[f.amount for f in o.fees.all()] for o in offers] == [[0], [0], [50000]]
    assert report["time_limits_none_given"] == [
        {"code": "9.999001", "channel": "in_person", "raw": "Không có thông tin"},
        {"code": "9.999001", "channel": "online", "raw": "1"},
    ]
    assert report["parse"]["time_limit"]["not_parsed"] == ["9.999001"]


def test_malformed_and_duplicate_records_are_refused_by_line_and_code(db, tmp_path):
    good = {"ma_thu_tuc": "9.999002", "ten_thu_tuc": "Thủ tục thử hợp lệ", "linh_vuc": "Lĩnh vực thử mới"}
    lines = [
        "{not json",
        json.dumps({"ten_thu_tuc": "Không có mã"}, ensure_ascii=False),
        json.dumps({"ma_thu_tuc": "9.999003", "ten_thu_tuc": ""}),
        json.dumps(good, ensure_ascii=False),
        json.dumps({**good, "ten_thu_tuc": "Bản trùng"}, ensure_ascii=False),
    ]
    source = tmp_path / "bad.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")

    report = import_procedures(source).as_dict()

    assert report["records_read"] == 5
    assert report["created"] == 1
    assert [(f["line"], f["code"]) for f in report["failed"]] == [
        ("bad.jsonl:1", None),
        ("bad.jsonl:2", None),
        ("bad.jsonl:3", "9.999003"),
        ("bad.jsonl:5", "9.999002"),
    ]
    assert "not JSON" in report["failed"][0]["reason"]
    assert "no procedure code" in report["failed"][1]["reason"]
    assert "no procedure name" in report["failed"][2]["reason"]
    assert report["failed"][3]["reason"].startswith("bad.jsonl:5 (9.999002): ")
    assert "duplicate code, first at bad.jsonl:4" in report["failed"][3]["reason"]
    assert list(Procedure.objects.filter(code__startswith="9.99900").values_list("code", flat=True)) == [
        "9.999002"
    ]
    assert ProcedureVersion.objects.get(procedure__code="9.999002").name == "Thủ tục thử hợp lệ"
    assert report["fields_created"] == ["Lĩnh vực thử mới"]


def test_a_failing_record_leaves_nothing_behind(db, tmp_path, monkeypatch):
    from motcua.catalog import importer

    def explode(self, version, record):
        raise RuntimeError("hỏng giữa chừng / broke halfway")

    monkeypatch.setattr(importer.Importer, "_agencies", explode)
    source = tmp_path / "half.jsonl"
    source.write_text(
        json.dumps({"ma_thu_tuc": "9.999004", "ten_thu_tuc": "Thủ tục thử", "linh_vuc": "Lĩnh vực lạ"})
        + "\n",
        encoding="utf-8",
    )
    report = import_procedures(source).as_dict()
    assert [f["code"] for f in report["failed"]] == ["9.999004"]
    assert not Procedure.objects.filter(code="9.999004").exists()
    assert report["fields_created"] == []


def test_the_command_writes_a_report(db, tmp_path):
    record = {"ma_thu_tuc": "9.999005", "ten_thu_tuc": "Thủ tục thử lệnh", "so_quyet_dinh": "1/QĐ-THU"}
    source = tmp_path / "cmd.jsonl"
    source.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "report.json"
    call_command("import_procedures", str(source), "--report", str(out), "--publish")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert (data["records_read"], data["created"], data["published"]) == (1, 1, 1)
    assert ProcedureVersion.objects.get(procedure__code="9.999005").status == "published"
