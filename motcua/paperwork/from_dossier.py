"""Form contexts built from a dossier and its event log (decision 0009).

Each act that produces a form records the form's key on its event (``DossierEvent.form``: "form01"
… "form05"; workflow table). ``context_for_event(event)`` rebuilds that form from the event and
what the dossier held when the event happened, so the same event always prints the same form:

* Form 01 (``accepted`` T2/T7, ``supplement_received`` T14): the code, the applicant, the
  components handed in up to that event, the time limit copied at acceptance, the receipt and the
  appointment of that event, the deadline explanation (``deadlines.selectors.explained_due``,
  printed only when it reproduces the stored appointment), the ledger number, the fees.
* Form 02 (``completion_requested`` T3/T5, ``supplement_requested`` T13): every missing component
  and the guidance in ONE list (ND61 Arts 11(2)(c), 15(3), 17(1)(a)); no code before acceptance.
* Form 03 (``refused_at_intake`` T4/T8, ``refused_after_appraisal`` T19b): the reason.
* Form 04 (``extended`` T20): issued by the processing agency, original and new appointment.
* Form 05 (``stopped`` T15/T23b): the applicant's request (the last ``withdrawal_requested``).
* Form 06 (``form06_for(dossier)``): a view over the hand-overs (forwarding events and tasks).
* Form 07 (``form07_for(unit, year)``): the ledger of a receiving one-stop unit for a year.

Paperwork reads dossiers here and nowhere else; ``context.py`` and the templates stay model-free.
Every text printed is Vietnamese whatever the request's language (forms are state documents).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache as django_cache

from motcua.catalog.models import ComponentTemplate
from motcua.core.clock import VN_TZ
from motcua.core.errors import NotFound, ValidationFailed
from motcua.deadlines.arithmetic import Timeliness, TimeUnit
from motcua.deadlines.calendars import office_hours_for
from motcua.deadlines.selectors import explained_due
from motcua.dossiers.applicants import ApplicantKind, IdentifierType
from motcua.dossiers.models import CopyType, Dossier, DossierEvent, ProcessingTask
from motcua.dossiers.models import FeeLine as DossierFeeLine
from motcua.paperwork.context import (
    ComponentLine,
    FeeLine,
    Form01Receipt,
    Form02Completion,
    Form03Refusal,
    Form04Apology,
    Form05StopNotice,
    Form06ControlSlip,
    Form07Ledger,
    FormContext,
    HandoverRow,
    HelpContact,
    LedgerRow,
    Party,
    Signer,
    UnitHeader,
)
from motcua.paperwork.render import render_html, render_pdf
from motcua.units.models import AdminUnit, Agency, Level, OneStopUnit
from motcua.workflow import STATE_LABELS, STEP_LABELS, State, Step

__all__ = [
    "FormNotAvailable",
    "agency_header",
    "context_for_event",
    "form01_for",
    "form02_for",
    "form03_for",
    "form04_for",
    "form05_for",
    "form06_for",
    "form07_for",
    "form_etag",
    "party_of",
    "rendered_form",
    "tracking_url",
    "unit_header",
]


class FormNotAvailable(NotFound):
    """The dossier has no event that produced this form (or the event produced another one)."""

    code = "form_not_available"


# Printed units of a time limit; the catalogue's labels are translatable, forms are not.
_TIME_UNITS: Final[dict[str, str]] = {
    TimeUnit.WORKING_DAY: "ngày làm việc",
    TimeUnit.CALENDAR_DAY: "ngày",
    TimeUnit.WORKING_HOUR: "giờ làm việc",
    TimeUnit.MONTH: "tháng",
}

# Signature titles by the role the actor acted in (the event's ``actor_role``).
_TITLES: Final[dict[str, str]] = {
    "reception_officer": "Người tiếp nhận hồ sơ",
    "one_stop_head": "Trưởng Bộ phận Một cửa",
    "dept_leader": "Thủ trưởng cơ quan",
    "approver": "Người có thẩm quyền",
    "handler": "Chuyên viên thụ lý",
    "postal_agent": "Nhân viên bưu chính",
}

_APPLICANT_ROLES: Final = frozenset({"citizen", "organisation", "authorised_rep"})


# --- small readers ------------------------------------------------------------------------------


def _province(unit: AdminUnit) -> AdminUnit:
    while unit.level != Level.PROVINCE and unit.parent is not None:
        unit = unit.parent
    return unit


def _province_code(agency: Agency) -> str | None:
    province = _province(agency.admin_unit)
    return province.code if province.level == Level.PROVINCE else None


def _instant(value: Any) -> dt.datetime | None:
    """An instant stored in an event's JSON data (ISO 8601, aware), or None."""
    if isinstance(value, dt.datetime):
        return value
    if not value:
        return None
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def _local_day(instant: dt.datetime) -> dt.date:
    return instant.astimezone(VN_TZ).date()


def _actor_name(event: DossierEvent) -> str:
    if event.actor is not None:
        return event.actor.full_name or event.actor.username
    return event.actor_name


def _signer(event: DossierEvent, default_title: str = "Người tiếp nhận hồ sơ") -> Signer:
    return Signer(title=_TITLES.get(event.actor_role, default_title), name=_actor_name(event))


def tracking_url(code: str) -> str:
    """The public tracking page of a dossier: ``<MOTCUA_PUBLIC_URL>/tra-cuu/?ma=<code>``."""
    base = str(getattr(settings, "MOTCUA_PUBLIC_URL", "") or "http://127.0.0.1:8000").rstrip("/")
    return f"{base}/tra-cuu/?ma={quote(code, safe='.-')}"


def unit_header(unit: OneStopUnit) -> UnitHeader:
    """A one-stop unit issues: its name, the agency that owns it, the province's name as the place."""
    return UnitHeader(
        issuing_body=unit.name,
        parent_body=unit.agency.name if unit.agency_id is not None else "",
        place=_province(unit.admin_unit).name,
    )


def agency_header(agency: Agency) -> UnitHeader:
    """An agency issues: its name, its parent body (none for a UBND), the province's name as the place."""
    return UnitHeader(
        issuing_body=agency.name,
        parent_body=agency.parent.name if agency.parent is not None else "",
        place=_province(agency.admin_unit).name,
    )


def party_of(dossier: Dossier) -> Party:
    """The applicant (chủ hồ sơ) as the forms print them."""
    address = dossier.applicant_address.strip()
    commune = dossier.applicant_commune
    if commune is not None and commune.name.lower() not in address.lower():
        address = ", ".join(part for part in (address, commune.full_name) if part)
    is_organisation = dossier.applicant_kind == ApplicantKind.ORGANISATION
    labels: dict[str, str] = {
        IdentifierType.ENTERPRISE_CODE: "Mã số doanh nghiệp",
        IdentifierType.PASSPORT: "Số hộ chiếu",
    }
    return Party(
        name=dossier.applicant_name,
        address=address,
        phone=dossier.applicant_phone,
        email=dossier.applicant_email,
        identifier=dossier.applicant_identifier,
        identifier_label=labels.get(dossier.applicant_identifier_type, "Số định danh cá nhân"),
        salutation="Tổ chức" if is_organisation else "Ông/Bà",
    )


def _submitter(dossier: Dossier) -> str:
    if dossier.has_representative and dossier.representative_name:
        return f"{dossier.representative_name} (người được ủy quyền)"
    return ""


def _procedure(dossier: Dossier) -> str:
    version = dossier.procedure_version
    name = version.name or version.procedure.name
    case = dossier.procedure_case
    if case is not None and case.name and len(version.cases.all()) > 1:
        return f"{name} ({case.name})"
    return name


def _time_limit(dossier: Dossier) -> str:
    amount, unit = dossier.time_limit_amount, dossier.time_limit_unit
    if unit == TimeUnit.SAME_DAY:
        return "Trong ngày làm việc"
    if amount is None or not unit:
        return "Theo quy định của thủ tục hành chính"
    return f"{amount} {_TIME_UNITS.get(unit, unit)}"


def _return_place(dossier: Dossier) -> str:
    unit = dossier.return_unit or dossier.received_at_unit
    if dossier.result_delivery == "postal":
        return f"Qua dịch vụ bưu chính công ích, địa chỉ: {dossier.result_delivery_address}"
    if dossier.result_delivery == "online":
        return f"Bản điện tử, trên Cổng Dịch vụ công (kho dữ liệu cá nhân); {unit.name}"
    return ", ".join(part for part in (unit.name, unit.address) if part)


def _component_line(name: str, copy_type: str, count: int, note: str = "") -> ComponentLine:
    quantities: dict[str, str] = {
        CopyType.ORIGINAL: "originals",
        CopyType.COPY: "copies",
        CopyType.CERTIFIED_COPY: "certified_copies",
        CopyType.ELECTRONIC: "electronic",
    }
    return ComponentLine(name=name, note=note, **{quantities.get(copy_type, "copies"): count})


def _components_at(dossier: Dossier, event: DossierEvent) -> list[ComponentLine]:
    """The components handed in up to ``event``: later resubmissions and supplements record how many
    they added (``components_added``), and components are numbered in the order they were added."""
    known = _prefetched(dossier, "events")
    if known is not None:  # the events the act that opened the dossier has just written
        later_data = [e.data for e in known if e.seq > event.seq]
    else:
        later_data = list(
            DossierEvent.objects.filter(dossier=dossier, seq__gt=event.seq).values_list("data", flat=True)
        )
    later = sum(int((data or {}).get("components_added") or 0) for data in later_data)
    rows = sorted(dossier.components.all(), key=lambda row: (row.position, row.pk))
    if later:
        rows = rows[: max(len(rows) - later, 0)]
    return [
        _component_line(
            row.name,
            row.copy_type,
            row.count,
            note=f"Khai thác từ {row.reused_from}" if row.reused_from else "",
        )
        for row in rows
    ]


def _fees(dossier: Dossier) -> list[FeeLine]:
    lines: Iterable[DossierFeeLine] = dossier.fee_lines.all()
    return [FeeLine(name=line.description or "Phí, lệ phí", amount=line.amount) for line in lines]


def _explanation(dossier: Dossier, received_at: dt.datetime, due_at: dt.datetime) -> str:
    """``explained_due`` for the dossier's time limit from ``received_at``, if it gives ``due_at``.

    The explanation is printed only when it reproduces the appointment stored by the clock replay
    (a paused clock or a restart under another rule would explain a different date).
    """
    amount, unit = dossier.time_limit_amount, dossier.time_limit_unit
    if amount is None or not unit:
        return ""
    try:
        explained = explained_due(
            received_at=received_at,
            amount=amount,
            unit=TimeUnit(unit),
            province_code=_province_code(dossier.competent_agency),
            hours=office_hours_for(dossier.received_at_unit),
        )
    except ValidationFailed:
        try:
            explained = explained_due(
                received_at=received_at,
                amount=amount,
                unit=TimeUnit(unit),
                province_code=None,
                hours=office_hours_for(dossier.received_at_unit),
            )
        except ValidationFailed:
            return ""
    return explained.explanation_vi if explained.due.due_at == due_at else ""


def _help(dossier: Dossier, event: DossierEvent) -> HelpContact:
    unit = dossier.received_at_unit
    officer = _actor_name(event)
    return HelpContact(
        officer=", ".join(part for part in (officer, unit.name) if part),
        phone=unit.phone,
        website=str(getattr(settings, "MOTCUA_PUBLIC_URL", "") or ""),
    )


def _prefetched(instance: Any, name: str) -> list[Any] | None:
    """The rows of ``instance.<name>`` when prefetched (``prefetch_related``, or left by the act that
    wrote them), else None."""
    cache = getattr(instance, "_prefetched_objects_cache", None) or {}
    return list(cache[name]) if name in cache else None


def _dossier(target: Dossier | DossierEvent) -> Dossier:
    if isinstance(target, DossierEvent):
        dossier: Dossier = target.dossier
        return dossier
    return target


def _event(target: Dossier | DossierEvent, form: str) -> DossierEvent:
    """The event itself, or the dossier's last event that produced ``form``."""
    if isinstance(target, DossierEvent):
        if target.form != form:
            raise FormNotAvailable(
                f"Sự kiện này không tạo biểu mẫu {form}.",
                f"This event did not produce {form}.",
                field="form",
            )
        return target
    known = _prefetched(target, "events")
    if known is not None:
        matching: list[DossierEvent] = [e for e in known if e.form == form]
        if matching:
            return max(matching, key=lambda e: e.seq)
    event: DossierEvent | None = (
        DossierEvent.objects.filter(dossier=target, form=form)
        .select_related("actor")
        .order_by("-seq")
        .first()
    )
    if event is None:
        raise FormNotAvailable(
            f"Hồ sơ chưa có biểu mẫu {form}.", f"The dossier has no {form} yet.", field="form"
        )
    return event


# --- the forms ----------------------------------------------------------------------------------


def form01_for(target: Dossier | DossierEvent) -> Form01Receipt:
    """Mẫu 01 of the acceptance (or of the amended appointment after a supplement, T14)."""
    event = _event(target, "form01")
    dossier = _dossier(target)
    if not dossier.code or dossier.received_at is None:
        raise FormNotAvailable("Hồ sơ chưa được tiếp nhận.", "The dossier was not accepted.", field="form")
    received_at = event.at
    due_at = _instant(event.data.get("due_at")) or dossier.original_due_at or dossier.due_at
    assert due_at is not None
    return Form01Receipt(
        header=unit_header(dossier.received_at_unit),
        code=dossier.code,
        tracking_url=tracking_url(dossier.code),
        applicant=party_of(dossier),
        procedure=_procedure(dossier),
        components=_components_at(dossier, event),
        time_limit=_time_limit(dossier),
        received_at=received_at,
        due_at=due_at,
        due_explanation=(
            str(event.data["due_explanation"])  # as the act gave it (decision 0055)
            if "due_explanation" in (event.data or {})
            else _explanation(dossier, received_at, due_at)
        ),
        return_place=_return_place(dossier),
        ledger_number=dossier.ledger_number,
        officer=_signer(event),
        submitter=_submitter(dossier),
        fees=_fees(dossier),
    )


def form02_for(target: Dossier | DossierEvent) -> Form02Completion:
    """Mẫu 02: at intake by the one-stop unit (no code), or during processing (T13) by the agency."""
    event = _event(target, "form02")
    dossier = _dossier(target)
    data = event.data or {}
    missing = [item for item in data.get("missing", []) if item.get("name")]
    templates = {
        t.pk: t
        for t in ComponentTemplate.objects.filter(pk__in=[item.get("template_id") for item in missing])
    }
    items = []
    for item in missing:
        template = templates.get(item.get("template_id"))
        items.append(
            ComponentLine(
                name=item["name"],
                originals=template.originals if template is not None else 0,
                copies=template.copies if template is not None else 0,
            )
        )
    guidance = str(data.get("guidance") or "").strip()
    if guidance:
        items.append(ComponentLine(name=guidance, note="Hướng dẫn bổ sung, hoàn thiện"))
    at_intake = event.name == "completion_requested"
    header = unit_header(dossier.received_at_unit) if at_intake else agency_header(dossier.competent_agency)
    return Form02Completion(
        header=header,
        issued_on=_local_day(event.at),
        code="" if at_intake else (dossier.code or ""),
        applicant=party_of(dossier),
        procedure=_procedure(dossier),
        items=items,
        reason=event.reason,
        help=_help(dossier, event),
        officer=Signer(title="Người hướng dẫn", name=_actor_name(event)),
        submitter=_submitter(dossier),
    )


def form03_for(target: Dossier | DossierEvent) -> Form03Refusal:
    """Mẫu 03: refused at intake by the one-stop unit, or after appraisal by the agency (ND61 19(8))."""
    event = _event(target, "form03")
    dossier = _dossier(target)
    at_intake = event.name == "refused_at_intake"
    header = unit_header(dossier.received_at_unit) if at_intake else agency_header(dossier.competent_agency)
    return Form03Refusal(
        header=header,
        issued_on=_local_day(event.at),
        code="" if at_intake else (dossier.code or ""),
        applicant=party_of(dossier),
        procedure=_procedure(dossier),
        reason=event.reason,
        help=_help(dossier, event),
        officer=_signer(event),
        submitter=_submitter(dossier),
    )


def form04_for(target: Dossier | DossierEvent) -> Form04Apology:
    """Mẫu 04: the processing agency's apology with the reason and the new appointment (ND61 19(9))."""
    event = _event(target, "form04")
    dossier = _dossier(target)
    data = event.data or {}
    original = _instant(data.get("original_due_at")) or dossier.original_due_at
    new_due = _instant(data.get("new_due_at")) or dossier.extended_due_at
    if not dossier.code or dossier.received_at is None or original is None or new_due is None:
        raise FormNotAvailable("Hồ sơ chưa có hẹn trả.", "The dossier has no appointment.", field="form")
    return Form04Apology(
        header=agency_header(dossier.competent_agency),
        issued_on=_local_day(event.at),
        recipient=party_of(dossier),
        procedure=_procedure(dossier),
        code=dossier.code,
        received_at=dossier.received_at,
        original_due_at=original,
        reason=event.reason,
        new_due_at=new_due,
        signer=_signer(event, "Thủ trưởng cơ quan"),
        one_stop_unit=dossier.received_at_unit.name,
    )


def _request_channel(request: DossierEvent | None) -> str:
    if request is None:
        return ""
    if request.actor_role in _APPLICANT_ROLES:
        return "trực tuyến trên Cổng Dịch vụ công"
    if request.actor_role == "system":
        return "qua Cổng Dịch vụ công quốc gia"
    if request.actor_role == "postal_agent":
        return "qua dịch vụ bưu chính công ích"
    return "trực tiếp tại Bộ phận Một cửa"


def _stage(state: str, step: str) -> str:
    label = STATE_LABELS[State(state)].vi if state in State._value2member_map_ else state
    if step and step in Step._value2member_map_:
        label = f"{label} ({STEP_LABELS[Step(step)].vi.lower()})"
    return f"Hồ sơ ở giai đoạn: {label}; chưa có quyết định, kết quả giải quyết."


def form05_for(target: Dossier | DossierEvent) -> Form05StopNotice:
    """TT03 Mẫu 05: the stop notice of the receiving one-stop unit (TT03 Art 7; ND118 Art 21)."""
    event = _event(target, "form05")
    dossier = _dossier(target)
    request = (
        DossierEvent.objects.filter(dossier=dossier, name="withdrawal_requested", seq__lt=event.seq)
        .order_by("-seq")
        .first()
    )
    received_at = dossier.received_at or dossier.submitted_at or event.at
    if request is not None:
        requested_at, grounds = request.at, request.reason
        stage = _stage(request.state_before, request.step_before)
        decision = "Dừng giải quyết hồ sơ theo yêu cầu của người nộp hồ sơ."
    else:  # T15: no supplement within the period; the stop's own reason is the ground.
        requested_at, grounds = event.at, event.reason
        stage = _stage(event.state_before, event.step_before)
        decision = "Dừng giải quyết hồ sơ do không bổ sung, hoàn thiện hồ sơ trong thời hạn."
    paid = sum(line.amount for line in dossier.fee_lines.filter(is_paid=True))
    fees = (
        f"Phí, lệ phí đã nộp {paid:,} đồng được xử lý theo quy định về phí, lệ phí.".replace(",", ".")
        if paid
        else "Không có phí, lệ phí đã nộp."
    )
    has_originals = dossier.components.filter(copy_type=CopyType.ORIGINAL).exists()
    if has_originals:
        originals = f"Bản chính giấy tờ đã nộp được trả lại tại {dossier.received_at_unit.name}."
    elif dossier.channel == "online":
        originals = "Hồ sơ nộp trực tuyến, không có giấy tờ bản chính lưu tại cơ quan."
    else:
        originals = "Không có giấy tờ bản chính lưu tại cơ quan."
    return Form05StopNotice(
        header=unit_header(dossier.received_at_unit),
        issued_on=_local_day(event.at),
        code=dossier.reference,
        applicant=party_of(dossier),
        procedure=_procedure(dossier),
        received_at=min(received_at, requested_at),
        requested_at=requested_at,
        request_channel=_request_channel(request),
        grounds=grounds or "Không nêu lý do.",
        stage=stage,
        decision=decision,
        stopped_at=event.at,
        fees=fees,
        originals=originals,
        signer=_signer(event),
    )


def _budget(task: ProcessingTask) -> str:
    return f"{task.budget_amount} {_TIME_UNITS.get(task.budget_unit, task.budget_unit)}"


def form06_for(dossier: Dossier) -> Form06ControlSlip:
    """Mẫu 06: one row per hand-over (the forwarding events and their tasks), each classified
    against that agency's own budget (SPEC §6.1 rule 9; scenario 19), then the result's return."""
    if not dossier.code or dossier.received_at is None or dossier.due_at is None:
        raise FormNotAvailable("Hồ sơ chưa được tiếp nhận.", "The dossier was not accepted.", field="form")
    unit = dossier.received_at_unit
    forwarded_by: dict[int, DossierEvent] = {}
    for event in DossierEvent.objects.filter(dossier=dossier, name="forwarded").select_related("actor"):
        for item in (event.data or {}).get("tasks", []):
            forwarded_by[int(item["task_id"])] = event
    rows: list[HandoverRow] = []
    tasks = list(
        ProcessingTask.objects.filter(dossier=dossier).select_related("agency", "from_agency", "assignee")
    )
    for task in tasks:
        event = forwarded_by.get(task.pk)
        source = task.from_agency.name if task.from_agency is not None else unit.name
        giver = f"{_actor_name(event)} ({source})" if event is not None and _actor_name(event) else source
        receiver = task.agency.name
        if task.assignee is not None:
            receiver = f"{task.assignee.full_name or task.assignee.username} ({task.agency.name})"
        note = f"{task.name}; {_budget(task)}"
        if task.completed_at is not None:
            note += f"; hoàn thành {task.completed_at.astimezone(VN_TZ):%H:%M %d/%m/%Y}"
        rows.append(
            HandoverRow(
                agency=task.agency.name,
                giver=giver,
                handed_at=event.at if event is not None else task.started_at,
                receiver=receiver,
                received_at=task.started_at,
                timeliness=Timeliness(task.timeliness) if task.timeliness else None,
                note=note,
            )
        )
    finished = (
        DossierEvent.objects.filter(dossier=dossier, name__in=["result_issued", "refused_after_appraisal"])
        .select_related("actor")
        .order_by("-seq")
        .first()
    )
    if finished is not None:
        note = "Trả kết quả"
        if dossier.returned_at is not None:
            note += f" {dossier.returned_at.astimezone(VN_TZ):%H:%M %d/%m/%Y}"
        rows.append(
            HandoverRow(
                agency=unit.name,
                giver=f"{_actor_name(finished)} ({dossier.competent_agency.name})",
                handed_at=finished.at,
                receiver=unit.name,
                received_at=finished.at,
                timeliness=Timeliness(dossier.timeliness) if dossier.timeliness else None,
                note=note,
            )
        )
    coordinating = list(
        dict.fromkeys(
            [t.agency.name for t in tasks if t.agency_id != dossier.competent_agency_id]
            + [c.requested_agency.name for c in dossier.consultations.select_related("requested_agency")]
        )
    )
    return Form06ControlSlip(
        header=unit_header(unit),
        code=dossier.code,
        applicant=party_of(dossier),
        procedure=_procedure(dossier),
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        lead_agency=dossier.competent_agency.name,
        coordinating_agencies=coordinating,
        rows=rows,
    )


def _ledger_note(dossier: Dossier) -> str:
    notes = []
    if dossier.extended_due_at is not None:
        notes.append(f"Hẹn lại {dossier.extended_due_at.astimezone(VN_TZ):%d/%m/%Y}")
    if dossier.state in (State.STOPPED, State.REFUSED_AFTER_APPRAISAL):
        notes.append(STATE_LABELS[State(dossier.state)].vi)
    return "; ".join(notes)


def form07_for(
    one_stop_unit: OneStopUnit, year: int, *, rows: Iterable[Dossier] | None = None
) -> Form07Ledger:
    """Mẫu 07: the ledger of ``one_stop_unit`` for ``year``, by ledger number.

    ``rows`` picks the dossiers to print (a page, a range); by default every dossier the unit
    entered that year. Either way the numbers must run on without a gap (``Form07Ledger`` checks).
    """
    if rows is None:
        rows = Dossier.objects.filter(
            received_at_unit=one_stop_unit, ledger_year=year, ledger_number__isnull=False
        )
    dossiers = sorted(
        (d for d in rows if d.ledger_number is not None),
        key=lambda d: d.ledger_number or 0,
    )
    ids = [d.pk for d in dossiers]
    result_at: dict[int, dt.datetime] = {}
    for dossier_id, at in (
        DossierEvent.objects.filter(dossier_id__in=ids, name__in=["result_issued", "refused_after_appraisal"])
        .order_by("seq")
        .values_list("dossier_id", "at")
    ):
        result_at[dossier_id] = at
    agencies = {a.pk: a.name for a in Agency.objects.filter(pk__in={d.competent_agency_id for d in dossiers})}
    ledger_rows = []
    for dossier in dossiers:
        assert dossier.code and dossier.received_at and dossier.ledger_number
        ledger_rows.append(
            LedgerRow(
                number=dossier.ledger_number,
                code=dossier.code,
                procedure=_procedure(dossier),
                sets=1,
                applicant=party_of(dossier),
                lead_agency=agencies.get(dossier.competent_agency_id, ""),
                received_at=dossier.received_at,
                due_at=dossier.original_due_at or dossier.due_at or dossier.received_at,
                forwarded_at=dossier.forwarded_at,
                result_received_at=result_at.get(dossier.pk),
                returned_at=dossier.returned_at,
                note=_ledger_note(dossier),
            )
        )
    return Form07Ledger(header=unit_header(one_stop_unit), year=year, rows=ledger_rows)


_BUILDERS: Final[dict[str, Callable[[DossierEvent], FormContext]]] = {
    "form01": form01_for,
    "form02": form02_for,
    "form03": form03_for,
    "form04": form04_for,
    "form05": form05_for,
    "form06": lambda event: form06_for(event.dossier),
}


def context_for_event(event: DossierEvent) -> FormContext | None:
    """The form ``event`` produced (its ``form`` key), or None when it produced none."""
    builder = _BUILDERS.get(event.form)
    return builder(event) if builder is not None else None


# --- rendering with a cache key -----------------------------------------------------------------

_CACHE_SECONDS: Final = 24 * 3600


@cache
def _templates_digest() -> str:
    """A digest of the form templates, so a changed layout never serves an old cached form."""
    folder = Path(__file__).resolve().parent / "templates" / "paperwork"
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.html")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def form_etag(form: FormContext, kind: str) -> str:
    """A strong ETag for ``form`` rendered as ``kind`` ("pdf" or "html"): the hash of what it
    prints (the frozen context's repr, which holds every printed value) and of the templates."""
    digest = hashlib.sha256()
    for part in (kind, type(form).__name__, repr(form), _templates_digest()):
        digest.update(part.encode())
        digest.update(b"\0")
    return f'"{digest.hexdigest()[:40]}"'


def rendered_form(form: FormContext, kind: str, *, font_base: str | None = None) -> tuple[bytes, str]:
    """(content, ETag) of ``form`` as PDF or HTML, from the cache when it was rendered before."""
    etag = form_etag(form, kind + (font_base or ""))
    key = f"motcua:paperwork:{etag.strip(chr(34))}"
    content = django_cache.get(key)
    if not isinstance(content, bytes):
        content = render_pdf(form) if kind == "pdf" else render_html(form, font_base=font_base).encode()
        django_cache.set(key, content, _CACHE_SECONDS)
    return content, etag
