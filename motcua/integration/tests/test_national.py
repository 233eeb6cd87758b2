"""National portal sync: payloads per DVCQG-SYNC.md, validated by its schemas, through the stand-in."""

from __future__ import annotations

import hashlib
import json
import urllib.request
from pathlib import Path

import pytest
import time_machine

from motcua.catalog.models import Field
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests.factories import vn
from motcua.integration import dvcqg, national, outbox
from motcua.integration.models import Delivery, NationalSyncState
from motcua.integration.services import retry_delivery
from motcua.integration.standin import field_code, load_catalogue

pytestmark = pytest.mark.django_db

HERE = Path(__file__).parent
EXAMPLE_DOSSIER = json.loads((HERE / "example-dong-bo-ho-so-mc.json").read_text(encoding="utf-8"))
EXAMPLE_TRAIL = json.loads((HERE / "example-cap-nhat-tien-do-ho-so-mc.json").read_text(encoding="utf-8"))


def _life_cycle(factory, world) -> Dossier:
    """Accepted, forwarded, assigned, appraised, supplement asked and received, approved, signed,
    issued, returned."""
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="appraising")
    services.request_supplement(
        dossier_id=dossier.pk,
        actor=world.handler,
        reason="Thiếu bản sao",
        guidance="Nộp bản sao",
        at=vn(2026, 3, 4, 9),
    )
    services.receive_supplement(dossier_id=dossier.pk, actor=world.reception, at=vn(2026, 3, 10, 10))
    services.approve(dossier_id=dossier.pk, actor=world.approver, at=vn(2026, 3, 12, 9))
    services.sign_result(dossier_id=dossier.pk, actor=world.approver, at=vn(2026, 3, 12, 10))
    services.issue_result(dossier_id=dossier.pk, actor=world.clerk, number="3/QĐ", at=vn(2026, 3, 13, 9))
    services.return_result(dossier_id=dossier.pk, actor=world.reception, at=vn(2026, 3, 16, 14))
    return Dossier.objects.get(pk=dossier.pk)


def _records(server) -> dict:
    with urllib.request.urlopen(server.url + "/_records", timeout=5) as answer:  # noqa: S310
        return json.loads(answer.read())


def test_the_schemas_are_the_documents_and_accept_its_examples():
    assert dvcqg.schema_errors("DongBoHoSoMC", EXAMPLE_DOSSIER) == []
    assert dvcqg.schema_errors("CapNhatTienDoHoSoMC", EXAMPLE_TRAIL) == []
    bad = json.loads(json.dumps(EXAMPLE_DOSSIER))
    bad["data"][0]["NgayTiepNhan"] = "2025-07-07 09:15:30"
    del bad["data"][0]["MaTTHC"]
    errors = dvcqg.schema_errors("DongBoHoSoMC", bad)
    assert any("NgayTiepNhan" in e for e in errors) and any("MaTTHC" in e for e in errors)


def test_date_format_and_cuts():
    assert dvcqg.date14(vn(2025, 7, 7, 9, 15)) == "20250707091500"
    assert dvcqg.date14(None) == ""
    assert dvcqg.cut("a" * 60, 50) == "a" * 49 + "…"


def test_payloads_of_a_full_life_cycle(factory, world, standin):
    dossier = _life_cycle(factory, world)
    events = list(DossierEvent.objects.filter(dossier=dossier).order_by("seq"))
    assert [e.name for e in events] == [
        "accepted",
        "forwarded",
        "assigned",
        "appraised",
        "supplement_requested",
        "supplement_received",
        "approved",
        "result_signed",
        "result_issued",
        "result_returned",
    ]
    assert all(national.wants(e) for e in events)
    trail = [national.trail_entry(e, dossier.code) for e in events if national.is_step(e)]
    assert [(t["NoiDungXuLy"].split(":")[0], t["TrangThai"]) for t in trail] == [
        ("Tiếp nhận", "2"),
        ("Chuyển hồ sơ", "4"),
        ("Phân công thụ lý", "4"),
        ("Thẩm định", "4"),
        ("Yêu cầu bổ sung", "5"),
        ("Nhận bổ sung", "4"),
        ("Phê duyệt", "4"),
        ("Ký kết quả", "4"),
        ("Vào số, phát hành", "9"),
        ("Trả kết quả", "10"),
    ]
    first = trail[0]
    assert first == {
        "MaHoSo": dossier.code,
        "NguoiXuLy": world.reception.full_name or world.reception.username,
        "ChucDanh": "Cán bộ tiếp nhận",
        "ThoiDiemXuLy": "20260302080000",
        "PhongBanXuLy": "",
        "NoiDungXuLy": "Tiếp nhận",
        "TrangThai": "2",
        "NgayBatDau": "20260302080000",
        "NgayKetThucTheoQuyDinh": "",
    }
    assert trail[4]["NoiDungXuLy"] == "Yêu cầu bổ sung: Thiếu bản sao"
    # Same keys as the document's example, in the envelope the schema checks.
    assert set(first) == set(EXAMPLE_TRAIL["data"][0])
    body = national.envelope("CapNhatTienDoHoSoMC", trail, session="S")
    assert dvcqg.schema_errors("CapNhatTienDoHoSoMC", body) == []

    record = national.dossier_record(dossier)
    assert set(record) == set(EXAMPLE_DOSSIER["data"][0])
    assert (
        dvcqg.schema_errors(
            "DongBoHoSoMC", national.envelope("DongBoHoSoMC", [record], session="S", updating=True)
        )
        == []
    )
    assert record == {
        "MaHoSo": dossier.code,
        "MaTTHC": "1.000001.H42",
        "TenTTHC": "Thủ tục 1.000001.H42",
        "MaLinhVuc": "G09-TP01",
        "TenLinhVuc": "Hộ tịch",
        "KenhThucHien": "1",
        "SoGiayToChuHoSo": "042090001234",
        "ChuHoSo": "Nguyễn Văn An",
        "LoaiDoiTuong": "1",
        "MaDoiTuong": "",
        "ThongTinKhac": "",
        "Email": "an@example.vn",
        "Fax": "",
        "SoDienThoai": "0912345678",
        "TrichYeuHoSo": "Đề nghị giải quyết thủ tục Thủ tục 1.000001.H42",
        "NgayTiepNhan": "20260302080000",
        "NgayHenTra": "20260324170000",  # restarted after the supplement: 10 working days from 10/03
        "TrangThaiHoSo": "10",
        "NgayTra": "20260316140000",
        "ThongTinTra": "",
        "HinhThuc": "0",
        "NgayKetThucXuLy": "20260313090000",
        "DonViXuLy": world.agency.name,
        "GhiChu": "",
        "TaiLieuNop": [],
        "DanhSachLePhi": [],
        "DanhSachTepDinhKemKhac": [],
        "DanhSachHoSoBoSung": [],
        "DanhSachGiayToKetQua": [],
        "NoiNopHoSo": "2",
        "HoSoCoThanhPhanSoHoa": "0",
        "TaiKhoanDuocXacThucVoiVNeID": "0",
        "DuocThanhToanTrucTuyen": "0",
        "NgayTuChoi": "",
        "DinhDanhCHS": [{"LoaiDinhDanh": "1", "SoDinhDanh": "042090001234"}],
        "NgayNopHoSo": "",  # received at the counter: no earlier online submission
        "DSKetNoiCSDL": [],
    }


def test_full_life_cycle_through_the_stand_in(factory, world, standin):
    dossier = _life_cycle(factory, world)
    report = outbox.pump()
    assert (report.dispatched, report.delivered, report.failed, report.dead) == (10, 10, 0, 0)
    held = _records(standin)
    assert list(held["dossiers"]) == [dossier.code]
    assert held["dossiers"][dossier.code]["TrangThaiHoSo"] == "10"
    assert [t["TrangThai"] for t in held["trail"][dossier.code]] == [
        "2",
        "4",
        "4",
        "4",
        "5",
        "4",
        "4",
        "4",
        "9",
        "10",
    ]
    calls = [r for r in standin.portal.requests if r["path"] == "/service"]
    assert [(c["body"]["service"], c["body"].get("isUpdating")) for c in calls[:3]] == [
        ("DongBoHoSoMC", "False"),
        ("CapNhatTienDoHoSoMC", None),
        ("DongBoHoSoMC", "True"),
    ]
    assert all(c["answer"]["error_code"] == "0" for c in calls)
    assert len([r for r in standin.portal.requests if r["path"] == "/auth"]) == 1
    sync = NationalSyncState.objects.get(dossier_id=dossier.pk)
    assert (sync.ma_ho_so, sync.created_on_portal) == (dossier.code, True)


def test_nothing_before_acceptance_and_notices_are_not_sent(factory, world, standin):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="received")
    fake = DossierEvent(state_before="received", state_after="received", act="urge", name="urged")
    assert not national.wants(fake)
    assert not national.wants(
        DossierEvent(state_before="new", state_after="intake_refused", act="refuse_at_intake")
    )
    assert national.wants(DossierEvent.objects.get(dossier=dossier))


def test_the_stand_in_refuses_a_payload_then_operator_retries(factory, world, standin, settings, operator):
    settings.MOTCUA_NATIONAL_PORTAL_UNIT_CODE = "000.00.00.H99"  # not a unit the portal knows
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="in_processing")
    report = outbox.pump()
    assert (report.delivered, report.dead) == (0, 1)
    dead = Delivery.objects.get(outbox_event__name="accepted")
    waiting = Delivery.objects.get(outbox_event__name="forwarded")
    assert (dead.state, dead.attempts, dead.last_status) == ("dead", 1, "-2")
    assert "chưa được cấp quyền đồng bộ" in dead.last_error and dead.last_error.startswith("DongBoHoSoMC:")
    assert (waiting.state, waiting.attempts) == ("pending", 0)
    assert _records(standin)["dossiers"] == {}
    # Fixed, then retried by the operator: both go, in order, once.
    settings.MOTCUA_NATIONAL_PORTAL_UNIT_CODE = "000.00.00.H42"
    retry_delivery(actor=operator, delivery_id=dead.pk)
    assert outbox.pump().delivered == 2
    held = _records(standin)
    assert [t["TrangThai"] for t in held["trail"][dossier.code]] == ["2", "4"]


def test_portal_500_and_timeout_are_retried_without_duplicates(factory, world, standin, settings):
    settings.MOTCUA_NATIONAL_PORTAL_TIMEOUT = 0.5
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="received")
    standin.portal.failures = [{"status": 500}]
    with time_machine.travel(vn(2026, 3, 2, 12), tick=True) as traveller:
        assert outbox.pump().failed == 1
        delivery = Delivery.objects.get()
        assert (delivery.state, delivery.last_status) == ("pending", "500")
        standin.portal.failures = [{"hang": 1.5}]
        traveller.shift(31)
        assert outbox.pump().failed == 1
        assert "timeout" in Delivery.objects.get().last_error
        traveller.shift(61)
        assert outbox.pump().delivered == 1
    held = _records(standin)
    assert [t["TrangThai"] for t in held["trail"][dossier.code]] == ["2"]
    assert Delivery.objects.get().attempts == 3


def test_lost_session_and_existing_dossier_are_recovered(factory, world, standin):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="received")
    assert outbox.pump().delivered == 1
    # The portal forgets sessions; we forget that the portal has the dossier.
    urllib.request.urlopen(urllib.request.Request(standin.url + "/_expire_sessions", data=b"{}"), timeout=5)  # noqa: S310
    NationalSyncState.objects.all().delete()
    services.forward_dossier(dossier_id=dossier.pk, actor=world.reception, at=vn(2026, 3, 2, 10))
    assert outbox.pump().delivered == 1
    answers = [
        (r["path"], r["body"].get("isUpdating"), r["answer"]["error_code"]) for r in standin.portal.requests
    ]
    assert answers[-5:] == [
        ("/service", "False", "-1"),  # session refused: log in again
        ("/auth", None, "0"),
        ("/service", "False", "3"),  # "đã tồn tại": update instead
        ("/service", "True", "0"),
        ("/service", None, "0"),
    ]
    assert NationalSyncState.objects.get(dossier_id=dossier.pk).created_on_portal


def test_a_payload_that_fails_our_own_validation_is_not_sent(factory, world, standin):
    procedure = world.version.procedure
    procedure.field = None
    procedure.save(update_fields=["field"])
    factory.create(at=vn(2026, 3, 2, 8), trait="received")
    assert outbox.pump().dead == 1
    delivery = Delivery.objects.get()
    assert delivery.last_status == "local"
    assert delivery.last_error == (
        "Thủ tục 1.000001.H42 chưa có mã lĩnh vực của CSDL quốc gia (MaLinhVuc) và CSDL quốc gia không trả "
        "về lĩnh vực (LayThuTuc): bổ sung trong danh mục rồi gửi lại. / Procedure 1.000001.H42 has no "
        "national field code (MaLinhVuc) and the national catalogue gave none (LayThuTuc): add it to the "
        "catalogue, then retry."
    )
    # The national catalogue was asked (it does not list the procedure); nothing was synchronised.
    asked = [r["body"] for r in standin.portal.requests if r["path"] == "/share"]
    assert [(b["service"], b["maTTHC"], b["madonvi"]) for b in asked] == [
        ("LayThuTuc", "1.000001.H42", "000.00.00.H42")
    ]
    assert [r for r in standin.portal.requests if r["path"] == "/service"] == []


def test_a_missing_field_code_is_taken_from_the_national_catalogue_once(factory, world, standin):
    """Imported procedures have field names but no national field codes: the adapter asks LayThuTuc,
    sends the code, and keeps it in the local catalogue, so the next dossier does not ask again."""
    domain = Field.objects.create(name="Tư pháp - hộ tịch", name_folded="tu phap - ho tich")
    procedure = world.version.procedure
    procedure.field = domain
    procedure.save(update_fields=["field"])
    standin.portal.catalogue["1.000001.H42"] = {"name": "Đăng ký khai sinh", "field": "Hộ tịch"}
    factory.create(at=vn(2026, 3, 2, 8), trait="received")
    assert outbox.pump().delivered == 1
    code = field_code("Hộ tịch")
    assert code == "SI-" + hashlib.sha1("Hộ tịch".encode(), usedforsecurity=False).hexdigest()[:6].upper()
    domain.refresh_from_db()
    assert domain.code == code
    sent = [r["body"] for r in standin.portal.requests if r["path"] == "/service"]
    assert [(b["data"][0]["MaLinhVuc"], b["data"][0]["TenLinhVuc"]) for b in sent[:1]] == [
        (code, "Tư pháp - hộ tịch")
    ]
    factory.create(at=vn(2026, 3, 2, 9), trait="received")
    assert outbox.pump().delivered == 1
    assert len([r for r in standin.portal.requests if r["path"] == "/share"]) == 1


def test_the_stand_in_reads_the_national_catalogue_records(tmp_path):
    records = tmp_path / "records.jsonl"
    records.write_text(
        json.dumps(
            {"ma_thu_tuc": "1.000253", "ten_thu_tuc": "Khai báo tạm trú", "linh_vuc": " Xuất nhập cảnh "}
        )
        + "\n\n"
        + json.dumps({"ma_thu_tuc": "1.000999", "ten_thu_tuc": "Không có lĩnh vực", "linh_vuc": ""})
        + "\n",
        encoding="utf-8",
    )
    assert load_catalogue(records) == {"1.000253": {"name": "Khai báo tạm trú", "field": "Xuất nhập cảnh"}}


def test_any_other_schema_violation_is_caught_before_sending(factory, world, standin):
    factory.create(at=vn(2026, 3, 2, 8), trait="received")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(national, "trail_entry", lambda event, code: {"MaHoSo": code, "TrangThai": "99"})
        assert outbox.pump().dead == 1
    delivery = Delivery.objects.get()
    assert delivery.last_status == "local" and delivery.last_error.startswith("invalid payload: data/0: ")
    # The snapshot went (it was valid); the invalid trail entry was never sent.
    sent = [r["body"]["service"] for r in standin.portal.requests if r["path"] == "/service"]
    assert sent == ["DongBoHoSoMC"]


def test_stand_in_answers_like_the_portal(standin):
    def post(path, body):
        request = urllib.request.Request(standin.url + path, data=json.dumps(body).encode())  # noqa: S310
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
            return json.loads(answer.read())

    assert post("/auth", {"username": "x", "password": "y"})["error_code"] == "-3"
    session = post("/auth", {"username": "motcua", "password": "motcua-demo"})["session"]
    assert post("/service", {"session": "nope", "service": "DongBoHoSoMC"})["error_code"] == "-1"
    body = json.loads(json.dumps(EXAMPLE_DOSSIER))
    body["session"] = session
    body["madonvi"] = "000.00.00.H42"
    body["data"][0]["TrangThaiHoSo"] = "12"
    refused = post("/service", body)
    assert refused["error_code"] == "-2" and "data/0/TrangThaiHoSo" in refused["message"]
    body["data"][0]["TrangThaiHoSo"] = "4"
    assert post("/service", body) == {"error_code": "0", "message": "Đồng bộ hồ sơ thành công"}
    assert post("/service", body)["error_code"] == "3"
    trail = json.loads(json.dumps(EXAMPLE_TRAIL))
    trail["session"], trail["madonvi"] = session, "000.00.00.H42"
    assert post("/service", trail)["error_code"] == "0"
    trail["data"][0]["MaHoSo"] = "unknown"
    assert post("/service", trail)["error_code"] == "4"


def test_only_the_parent_of_an_inter_agency_split_goes_to_the_portal(factory, world, standin):
    """SPEC scenario 20: a sub-dossier (``parent`` set by the national portal's split) has no record of
    its own on the portal; its events are not sent, its parent's are."""
    parent = factory.create(at=vn(2026, 3, 2, 8), trait="received")
    child = factory.create(at=vn(2026, 3, 2, 9), trait="received")
    Dossier.objects.filter(pk=child.pk).update(parent=parent)  # set by the portal's split (test set-up)
    services.forward_dossier(dossier_id=child.pk, actor=world.reception, at=vn(2026, 3, 2, 10))
    outbox.dispatch(now=vn(2026, 3, 2, 11))
    national_rows = Delivery.objects.filter(destination=outbox.NATIONAL)
    assert sorted(national_rows.values_list("dossier_id", flat=True)) == [parent.pk]
