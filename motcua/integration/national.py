"""The national portal (DVCQG) adapter: dossier events → ``DongBoHoSoMC`` and ``CapNhatTienDoHoSoMC``
(DVCQG-SYNC.md; ADR 0023).

One delivery per dossier event that happens after acceptance: the dossier's current snapshot
(coalesced: always the latest, ``isUpdating`` "False" until the portal has it, then "True"), then
the trail entry of that event when the event changed the state or the step (``TrangThai`` = the
status reached). Transport: style A of DVCQG-SYNC §2 (session from the auth call, ``dstcode``
header, envelope ``{session, madonvi, service, isUpdating, data}``). Every message is validated
against the §7 schemas before it is sent; a message that fails, or that the portal refuses as
invalid, is dead-lettered at once with the reason (retrying the same data cannot help).
"""

from __future__ import annotations

import re
import threading
from typing import Any

from django.conf import settings

from motcua.core import clock
from motcua.workflow import ACT_LABELS, Act, State
from motcua.workflow.states import national_status

from . import dvcqg
from .http import Answer, dumps, post_json
from .models import Delivery, NationalSyncState
from .outbox import NO_ANSWER, Outcome

# States whose dossier has a code and an acceptance time: the only ones the portal can take
# (``NgayTiepNhan`` is required; HV never syncs before acceptance, DVCQG-SYNC §11 item 12).
SYNCED_STATES = frozenset(
    {
        State.RECEIVED,
        State.IN_PROCESSING,
        State.PROCESSING_SUPPLEMENT_REQUESTED,
        State.AWAITING_FINANCIAL_OBLIGATION,
        State.WITHDRAWAL_REQUESTED,
        State.STOPPED,
        State.REFUSED_AFTER_APPRAISAL,
        State.RESULT_READY,
        State.RETURNED,
    }
)
CHANNEL = {"in_person": "1", "online": "2", "postal": "3"}
APPLICANT_KIND = {"person": "1", "organisation": "2"}
NOTICE_ACTS = frozenset({"urge"})
SYSTEM_ACTOR = "Hệ thống một cửa điện tử"


def status_of(state: State) -> str:
    code = national_status(state, refused_after_appraisal=int(settings.MOTCUA_NATIONAL_REFUSED_STATUS))
    return str(code)


def wants(event: Any) -> bool:
    """Does this dossier event go to the national portal?"""
    try:
        after = State(event.state_after)
    except ValueError:
        return False
    return after in SYNCED_STATES and event.act not in NOTICE_ACTS


def is_step(event: Any) -> bool:
    """A real step of the trail: the state or the step changed (never a notice or a re-send)."""
    return bool(event.state_before != event.state_after or event.step_before != event.step_after)


def _file_url(dossier_id: int, file_id: int) -> str:
    base = settings.MOTCUA_NATIONAL_FILE_BASE_URL.rstrip("/")
    return f"{base}/ho-so/{dossier_id}/tep/{file_id}/"


def _identifiers(kind: str, number: str) -> list[dict[str, str]]:
    digits = re.sub(r"\D", "", number)
    if kind == "citizen_id" and len(digits) == 12:
        return [{"LoaiDinhDanh": "1", "SoDinhDanh": digits}]
    if kind == "citizen_id" and len(digits) == 9:
        return [{"LoaiDinhDanh": "2", "SoDinhDanh": digits}]
    return []  # no placeholder identifiers (DVCQG-SYNC §10 item 3)


def dossier_record(dossier: Any) -> dict[str, Any]:
    """The §4 record of a dossier, as it is now."""
    from motcua.dossiers.models import Result

    version = dossier.procedure_version
    procedure = version.procedure
    domain = version.field or procedure.field
    name = version.name or procedure.name
    files = []
    for component in dossier.components.all():
        for f in component.files.all():
            files.append(
                {
                    "TepDinhKemId": str(f.pk),
                    "TenTepDinhKem": dvcqg.cut(f"{component.name} ({f.original_name})", 4000),
                    "IsDeleted": "False",
                    "MaThanhPhanHoSo": "",
                    "DuongDanTaiTepTin": _file_url(dossier.pk, f.pk),
                    "DuocSoHoa": "1" if component.digitized_at else "0",
                    "DuocTaiSuDung": "1" if component.reused_from else "0",
                    "DuocLayTuKhoDMQG": "0",
                    "MaKetQuaThayThe": "",
                }
            )
    fees = [
        {
            "TenPhiLePhi": dvcqg.cut(line.description or "Phí, lệ phí", 1000),
            "MaPhiLePhi": "1",
            "HinhThucThu": "1",
            "Gia": str(line.amount),
            "LoaiPhiLePhi": "1",
        }
        for line in dossier.fee_lines.all()
        if line.is_paid and line.amount > 0
    ]
    results = []
    result = Result.objects.filter(dossier=dossier).first()
    if result is not None and result.file:
        results.append(
            {
                "TenGiayTo": dvcqg.cut(result.number or "Kết quả giải quyết", 2000),
                "MaThanhPhanHoSo": "",
                "GiayToId": str(result.pk),
                "DuongDanTepTinKetQua": settings.MOTCUA_NATIONAL_FILE_BASE_URL.rstrip("/")
                + f"/ho-so/{dossier.pk}/ket-qua/",
                "MaGiayToKetQua": result.result_code,
            }
        )
    state = State(dossier.state)
    refused = state == State.REFUSED_AFTER_APPRAISAL
    summary = dossier.summary.strip() or f"Đề nghị giải quyết thủ tục {name}"
    return {
        "MaHoSo": dossier.code or "",
        "MaTTHC": procedure.code,
        "TenTTHC": name,
        "MaLinhVuc": (domain.code or "") if domain else "",
        "TenLinhVuc": domain.name if domain else "",
        "KenhThucHien": CHANNEL.get(dossier.channel, "1"),
        "SoGiayToChuHoSo": dossier.applicant_identifier,
        "ChuHoSo": dossier.applicant_name,
        "LoaiDoiTuong": APPLICANT_KIND.get(dossier.applicant_kind, "1"),
        "MaDoiTuong": "",
        "ThongTinKhac": "",
        "Email": dossier.applicant_email,
        "Fax": "",
        "SoDienThoai": re.sub(r"\s", "", dossier.applicant_phone),
        "TrichYeuHoSo": dvcqg.cut(summary, 1000),
        "NgayTiepNhan": dvcqg.date14(dossier.received_at),
        "NgayHenTra": dvcqg.date14(dossier.due_at),
        "TrangThaiHoSo": status_of(state),
        "NgayTra": dvcqg.date14(dossier.returned_at),
        "ThongTinTra": "",
        "HinhThuc": "1" if dossier.result_delivery == "postal" else "0",
        "NgayKetThucXuLy": dvcqg.date14(dossier.finished_at),
        "DonViXuLy": dossier.competent_agency.name,
        "GhiChu": "",
        "TaiLieuNop": files,
        "DanhSachLePhi": fees,
        "DanhSachTepDinhKemKhac": [],
        "DanhSachHoSoBoSung": [],
        "DanhSachGiayToKetQua": results,
        "NoiNopHoSo": "2",
        "HoSoCoThanhPhanSoHoa": "1" if (dossier.has_digitized_components or files) else "0",
        "TaiKhoanDuocXacThucVoiVNeID": "1" if dossier.vneid_verified else "0",
        "DuocThanhToanTrucTuyen": str(dossier.paid_online),
        "NgayTuChoi": dvcqg.date14(dossier.finished_at) if refused else "",
        "DinhDanhCHS": _identifiers(dossier.applicant_identifier_type, dossier.applicant_identifier),
        "NgayNopHoSo": dvcqg.date14(dossier.submitted_at),
        "DSKetNoiCSDL": [],
    }


def trail_entry(event: Any, code: str) -> dict[str, Any]:
    """The §5.1 entry of one event: who did what, when, and the status it reached."""
    from motcua.accounts.models import Role

    try:
        title = str(Role(event.actor_role).label)
    except ValueError:
        title = ""
    try:
        what = ACT_LABELS[Act(event.act)].vi
    except (ValueError, KeyError):
        what = event.name
    when = dvcqg.date14(event.at)
    return {
        "MaHoSo": code,
        "NguoiXuLy": dvcqg.cut(event.actor_name or SYSTEM_ACTOR, 50),
        "ChucDanh": title,
        "ThoiDiemXuLy": when,
        "PhongBanXuLy": "",
        "NoiDungXuLy": dvcqg.cut(f"{what}: {event.reason}" if event.reason else what, 2000),
        "TrangThai": status_of(State(event.state_after)),
        "NgayBatDau": when,
        "NgayKetThucTheoQuyDinh": "",
    }


def envelope(
    service: str, data: list[dict[str, Any]], *, session: str, updating: bool | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "session": session,
        "madonvi": settings.MOTCUA_NATIONAL_PORTAL_UNIT_CODE,
        "service": service,
    }
    if updating is not None:
        body["isUpdating"] = "True" if updating else "False"
    body["data"] = data
    return body


# --- transport -----------------------------------------------------------------------------------

_session_lock = threading.Lock()
_session: dict[str, str] = {}


class PortalError(Exception):
    def __init__(
        self, message: str, *, status: str = "", response: str = "", permanent: bool = False
    ) -> None:
        super().__init__(message)
        self.status, self.response, self.permanent = status, response, permanent


def _url(path: str) -> str:
    return settings.MOTCUA_NATIONAL_PORTAL_URL.rstrip("/") + path


def _headers() -> dict[str, str]:
    return {"dstcode": settings.MOTCUA_NATIONAL_PORTAL_DSTCODE, "Charset": "utf-8"}


def _post(path: str, body: Any) -> tuple[Answer, dict[str, Any]]:
    answer = post_json(
        _url(path), dumps(body), headers=_headers(), timeout=float(settings.MOTCUA_NATIONAL_PORTAL_TIMEOUT)
    )
    if answer.status == 0:
        raise PortalError(answer.error, status=NO_ANSWER)
    try:
        parsed = answer.json()
    except ValueError:
        parsed = None
    if answer.status >= 300 or not isinstance(parsed, dict):
        raise PortalError(
            f"HTTP {answer.status}: {answer.body[:300]}", status=str(answer.status), response=answer.body
        )
    return answer, parsed


def session(*, fresh: bool = False) -> str:
    with _session_lock:
        if not fresh and _session.get("value"):
            return _session["value"]
        answer, parsed = _post(
            settings.MOTCUA_NATIONAL_PORTAL_AUTH_PATH,
            {
                "username": settings.MOTCUA_NATIONAL_PORTAL_USERNAME,
                "password": settings.MOTCUA_NATIONAL_PORTAL_PASSWORD,
            },
        )
        code = str(parsed.get("error_code", ""))
        if code != dvcqg.OK or not parsed.get("session"):
            raise PortalError(
                f"login refused: {parsed.get('message', '')}", status=code, response=answer.body
            )
        _session["value"] = str(parsed["session"])
        return _session["value"]


def forget_session() -> None:
    with _session_lock:
        _session.clear()


def call(service: str, data: list[dict[str, Any]], *, updating: bool | None = None) -> dict[str, Any]:
    """Send one message (validated first); log in again once if the session is refused."""
    for again in (False, True):
        body = envelope(service, data, session=session(fresh=again), updating=updating)
        errors = dvcqg.schema_errors(service, body)
        if errors:
            raise PortalError("invalid payload: " + "; ".join(errors[:10]), status="local", permanent=True)
        answer, parsed = _post(settings.MOTCUA_NATIONAL_PORTAL_SERVICE_PATH, body)
        code = str(parsed.get("error_code", ""))
        if code == dvcqg.SESSION_INVALID and not again:
            continue
        parsed["_body"] = answer.body
        return parsed
    raise AssertionError("unreachable")


def national_field(procedure_code: str) -> tuple[str, str] | None:
    """The procedure's national field code and name from the sharing service (``LayThuTuc``, §3
    step 2); None when the national catalogue does not list it (or lists it without a field)."""
    for again in (False, True):
        body = {
            "session": session(fresh=again),
            "madonvi": settings.MOTCUA_NATIONAL_PORTAL_UNIT_CODE,
            "service": "LayThuTuc",
            "maTTHC": procedure_code,
        }
        answer, parsed = _post(settings.MOTCUA_NATIONAL_PORTAL_SHARING_PATH, body)
        code = str(parsed.get("error_code", ""))
        if code == dvcqg.SESSION_INVALID and not again:
            continue
        if code != dvcqg.OK:
            parsed["_body"] = answer.body
            raise _fail("LayThuTuc", parsed)
        found = parsed.get("result") or []
        procedure = found[0] if isinstance(found, list) and found and isinstance(found[0], dict) else {}
        fields = procedure.get("LINHVUCTHUCHIEN")
        fields = fields if isinstance(fields, list) else []
        first = fields[0] if fields and isinstance(fields[0], dict) else {}
        field_code = str(first.get("MALINHVUC", "")).strip()
        return (field_code, str(first.get("TENLINHVUC", "")).strip()) if field_code else None
    raise AssertionError("unreachable")


def _fill_field(dossier: Any, record: dict[str, Any]) -> None:
    """A procedure imported without its national field code: ask the national catalogue once and keep
    the answer in the local catalogue (the field of the version, or of the procedure)."""
    from motcua.catalog.services import note_national_field_code

    found = national_field(record["MaTTHC"])
    if found is None:
        return
    code, name = found
    record["MaLinhVuc"] = code
    record["TenLinhVuc"] = record["TenLinhVuc"] or name
    version = dossier.procedure_version
    field_id = version.field_id or version.procedure.field_id
    if field_id is not None:
        note_national_field_code(field_id=field_id, code=code)


def _message(parsed: dict[str, Any]) -> str:
    return str(parsed.get("message", ""))


def _fail(step: str, parsed: dict[str, Any]) -> PortalError:
    code = str(parsed.get("error_code", ""))
    return PortalError(
        f"{step}: error_code {code}: {_message(parsed)}",
        status=code,
        response=str(parsed.get("_body", "")),
        permanent=code == dvcqg.INVALID_DATA,
    )


def send(delivery: Delivery) -> Outcome:
    from motcua.dossiers.models import Dossier, DossierEvent

    outbox = delivery.outbox_event
    event = DossierEvent.objects.get(pk=outbox.event_id)
    dossier = (
        Dossier.objects.select_related(
            "procedure_version__procedure", "procedure_version__field", "competent_agency"
        )
        .prefetch_related("components__files", "fee_lines")
        .get(pk=outbox.dossier_id)
    )
    sync, _ = NationalSyncState.objects.get_or_create(
        dossier_id=dossier.pk, defaults={"ma_ho_so": dossier.code or ""}
    )
    record = dossier_record(dossier)
    record["MaHoSo"] = sync.ma_ho_so or record["MaHoSo"]  # the code sent first is kept for good
    sent: dict[str, Any] = {"dossier": record}
    if not record["MaLinhVuc"]:
        try:
            _fill_field(dossier, record)
        except PortalError as exc:
            return Outcome(
                ok=False,
                status=exc.status or "error",
                error=str(exc),
                request=sent,
                response=exc.response[:2000],
                permanent=exc.permanent,
            )
    if not record["MaLinhVuc"]:
        return Outcome(
            ok=False,
            status="local",
            permanent=True,
            request=sent,
            error=(
                f"Thủ tục {record['MaTTHC']} chưa có mã lĩnh vực của CSDL quốc gia (MaLinhVuc) và "
                "CSDL quốc gia không trả về lĩnh vực (LayThuTuc): bổ sung trong danh mục rồi gửi lại. / "
                f"Procedure {record['MaTTHC']} has no national field code (MaLinhVuc) and the national "
                "catalogue gave none (LayThuTuc): add it to the catalogue, then retry."
            ),
        )
    try:
        parsed = call(dvcqg.DOSSIER_SERVICE, [record], updating=sync.created_on_portal)
        code = str(parsed.get("error_code", ""))
        if code != dvcqg.OK and not sync.created_on_portal and "đã tồn tại" in _message(parsed).lower():
            parsed = call(dvcqg.DOSSIER_SERVICE, [record], updating=True)  # created earlier: update
            code = str(parsed.get("error_code", ""))
        elif code == dvcqg.NOT_FOUND and sync.created_on_portal:
            parsed = call(dvcqg.DOSSIER_SERVICE, [record], updating=False)  # the portal lost it: create
            code = str(parsed.get("error_code", ""))
        if code != dvcqg.OK:
            raise _fail(dvcqg.DOSSIER_SERVICE, parsed)
        if not sync.created_on_portal:
            NationalSyncState.objects.filter(pk=sync.pk).update(created_on_portal=True)
        responses = [str(parsed.get("_body", ""))]
        if is_step(event):
            entry = trail_entry(event, record["MaHoSo"])
            sent["trail"] = [entry]
            parsed = call(dvcqg.TRAIL_SERVICE, [entry])
            if str(parsed.get("error_code", "")) != dvcqg.OK:
                raise _fail(dvcqg.TRAIL_SERVICE, parsed)
            responses.append(str(parsed.get("_body", "")))
    except PortalError as exc:
        return Outcome(
            ok=False,
            status=exc.status or "error",
            error=str(exc),
            request=sent,
            response=exc.response[:2000],
            permanent=exc.permanent,
        )
    NationalSyncState.objects.filter(pk=sync.pk).update(last_synced_at=clock.now())
    return Outcome(ok=True, status=dvcqg.OK, request=sent, response="\n".join(responses)[:2000])
