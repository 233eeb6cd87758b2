"""The one door for petitions (PAKN) and ratings: every change goes through a function here.

Petition acts follow the dossier pattern (STYLE.md): lock the row → check the act against the table
in ``lifecycle`` and the actor against the gate (``feedback.handle`` where the petition is) → append
the event with whether it met its time limit → update state and limits → notify the submitter after
commit. Time limits are working days through the ``deadlines`` engine on the handling agency's
province calendar (decision 0020). A refused act changes nothing.

Ratings (decision 0021): once per returned dossier, proven by the dossier code plus the last four
digits of the applicant's phone or identifier, or by the signed-in owner; tied to the dossier, its
agencies and the officers who acted on it. ``dossiers`` rows are only read here.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from motcua.accounts.gate import require
from motcua.accounts.models import Role, User
from motcua.core import clock
from motcua.core.errors import Conflict, MotcuaError, NotFound, ValidationFailed
from motcua.deadlines.arithmetic import TimeUnit, due_date
from motcua.deadlines.calendars import working_calendar
from motcua.dossiers.applicants import normalise_phone
from motcua.dossiers.models import Dossier, DossierEvent, ProcessingTask
from motcua.notifications.services import notify
from motcua.units.models import Agency, Level
from motcua.workflow import State

from .lifecycle import DEFAULT_WORKING_DAYS, STATE_LABELS, TRANSITIONS, Limit, PetitionState, Transition
from .models import (
    Petition,
    PetitionEvent,
    PetitionKind,
    PetitionTopic,
    ProofKind,
    Rating,
    RatingOfficer,
    Satisfaction,
    Score,
)

logger = logging.getLogger(__name__)

__all__ = [
    "PetitionInput",
    "RatingInput",
    "TooManyAttempts",
    "accept_petition",
    "answer_petition",
    "publish_petition",
    "rate_dossier",
    "refuse_petition",
    "request_petition_supplement",
    "submit_petition",
    "supplement_petition",
    "transfer_petition",
]

MAX_TITLE = 200
MAX_TEXT = 5000
MAX_ANSWER = 10000
MAX_REASON = 2000
MAX_NAME = 150
MAX_ADDRESS = 500
MAX_COMMENT = 2000
MAX_CONTACTS = 99
# A wrong second factor is counted per reference; after this many in the window the reference is
# locked for the rest of the window (10,000 four-digit values cannot be tried).
MAX_PROOF_FAILURES = 5
PROOF_WINDOW_SECONDS = 3600
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_CITIZEN_ID = re.compile(r"\d{12}")
_LAST4 = re.compile(r"\d{4}")
_NOT_STAFF = {
    Role.CITIZEN.value,
    Role.ORGANISATION.value,
    Role.AUTHORISED_REP.value,
    "applicant",
    "system",
    "",
}


class TooManyAttempts(MotcuaError):
    status = 429
    code = "too_many_attempts"


# --------------------------------------------------------------------------------------------------
# Input checking
# --------------------------------------------------------------------------------------------------


def _text(value: str, *, field: str, vi: str, en: str, max_length: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed(f"Cần nhập {vi}.", f"The {en} is required.", code="required", field=field)
    if len(text) > max_length:
        raise ValidationFailed(
            f"{vi[:1].upper()}{vi[1:]} dài quá {max_length} ký tự (hiện có {len(text)}).",
            f"The {en} is longer than {max_length} characters ({len(text)}).",
            code="too_long",
            field=field,
        )
    return text


def _one_line(value: str, **kwargs: Any) -> str:
    return " ".join(_text(value, **kwargs).split())


def _last4(value: str, *, field: str) -> str:
    digits = (value or "").strip()
    if not _LAST4.fullmatch(digits):
        raise ValidationFailed(
            "Nhập đúng 4 chữ số cuối.", "Enter exactly the last 4 digits.", code="invalid_proof", field=field
        )
    return digits


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def _proof_key(kind: str, reference: str) -> str:
    return f"motcua.feedback.proof:{kind}:{reference.upper()}"


def _check_attempts(kind: str, reference: str) -> None:
    if int(cache.get(_proof_key(kind, reference), 0)) >= MAX_PROOF_FAILURES:
        raise TooManyAttempts(
            "Đã nhập sai thông tin xác minh quá nhiều lần; vui lòng thử lại sau 1 giờ.",
            "Too many wrong verification attempts; please try again in an hour.",
            field="proof",
        )


def _count_failure(kind: str, reference: str) -> None:
    key = _proof_key(kind, reference)
    if not cache.add(key, 1, PROOF_WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, PROOF_WINDOW_SECONDS)


# --------------------------------------------------------------------------------------------------
# Time limits
# --------------------------------------------------------------------------------------------------


def working_days(limit: Limit) -> int:
    configured: Mapping[str, int] = getattr(settings, "MOTCUA_PETITION_WORKING_DAYS", {}) or {}
    return int(configured.get(limit.value, DEFAULT_WORKING_DAYS[limit]))


def _province_code(agency: Agency) -> str | None:
    unit = agency.admin_unit
    while unit.level != Level.PROVINCE and unit.parent is not None:
        unit = unit.parent
    return unit.code if unit.level == Level.PROVINCE else None


def limit_due(agency: Agency, start: dt.datetime, limit: Limit) -> dt.datetime:
    """The end of the last working day of ``limit`` counted from ``start`` (day of ``start`` not counted)."""
    try:
        calendar = working_calendar(_province_code(agency))
    except ValidationFailed as error:
        if error.code != "unknown_province":
            raise
        calendar = working_calendar(None)
    return due_date(
        received_at=start, amount=working_days(limit), unit=TimeUnit.WORKING_DAY, calendar=calendar
    ).due_at


def _start_clock(petition: Petition, at: dt.datetime) -> None:
    petition.clock_started_at = at
    petition.refuse_due_at = limit_due(petition.agency, at, Limit.REFUSE)
    petition.supplement_due_at = limit_due(petition.agency, at, Limit.SUPPLEMENT)
    petition.transfer_due_at = limit_due(petition.agency, at, Limit.TRANSFER)
    petition.resolve_due_at = limit_due(petition.agency, at, Limit.RESOLVE)


def due_for(petition: Petition, limit: Limit | None) -> dt.datetime | None:
    if limit is None:
        return None
    return {
        Limit.REFUSE: petition.refuse_due_at,
        Limit.SUPPLEMENT: petition.supplement_due_at,
        Limit.TRANSFER: petition.transfer_due_at,
        Limit.RESOLVE: petition.resolve_due_at,
        Limit.PUBLISH: petition.publish_due_at,
    }[limit]


def is_on_time(at: dt.datetime, due: dt.datetime | None) -> bool | None:
    """By day (SPEC §6.1 rule 9): an act on the last day, at any hour, is on time."""
    if due is None:
        return None
    return clock.to_local(at).date() <= clock.to_local(due).date()


# --------------------------------------------------------------------------------------------------
# Petitions
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PetitionInput:
    """What the submitter gives (ND20 Art 7: Vietnamese; name, address and phone required)."""

    kind: str
    topic: int | str
    title: str
    content: str
    name: str
    identifier: str
    phone: str
    address: str
    email: str = ""
    proposal: str = ""
    dossier_code: str = ""
    agency_id: int | None = None
    channel: str = "portal"


def _new_code() -> str:
    return "PAKN-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))


def _clean_submission(data: PetitionInput) -> dict[str, Any]:
    if data.kind not in PetitionKind.values:
        raise ValidationFailed(
            "Chọn loại: phản ánh hoặc kiến nghị.",
            "Choose the kind: feedback or petition.",
            code="invalid_kind",
            field="kind",
        )
    try:
        topic = int(data.topic)
    except (TypeError, ValueError):
        topic = -1
    if topic not in PetitionTopic.values:
        raise ValidationFailed(
            "Chọn nội dung phản ánh, kiến nghị.",
            "Choose what the petition is about.",
            code="invalid_topic",
            field="topic",
        )
    name = _one_line(data.name, field="name", vi="họ và tên", en="full name", max_length=MAX_NAME)
    identifier = re.sub(r"\s", "", data.identifier or "")
    if not identifier:
        raise ValidationFailed(
            "Cần nhập số căn cước (CCCD).",
            "The citizen ID number is required.",
            code="required",
            field="identifier",
        )
    if not _CITIZEN_ID.fullmatch(identifier):
        raise ValidationFailed(
            "Số căn cước phải gồm đúng 12 chữ số.",
            "A citizen ID number has exactly 12 digits.",
            code="invalid_identifier",
            field="identifier",
        )
    if not (data.phone or "").strip():
        raise ValidationFailed(
            "Cần nhập số điện thoại.", "The phone number is required.", code="required", field="phone"
        )
    phone = normalise_phone(data.phone, field="phone")
    email = (data.email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationFailed(
                "Địa chỉ thư điện tử không hợp lệ.",
                "The e-mail address is not valid.",
                code="invalid_email",
                field="email",
            ) from None
    address = _one_line(data.address, field="address", vi="địa chỉ", en="address", max_length=MAX_ADDRESS)
    title = _one_line(data.title, field="title", vi="tiêu đề", en="title", max_length=MAX_TITLE)
    content = _text(data.content, field="content", vi="nội dung", en="content", max_length=MAX_TEXT)
    proposal = _text(
        data.proposal,
        field="proposal",
        vi="đề xuất",
        en="proposal",
        max_length=MAX_TEXT,
        required=data.kind == PetitionKind.RECOMMENDATION,
    )
    return {
        "kind": data.kind,
        "topic": topic,
        "title": title,
        "content": content,
        "proposal": proposal,
        "submitter_name": name,
        "submitter_identifier": identifier,
        "submitter_phone": phone,
        "submitter_email": email,
        "submitter_address": address,
        "channel": data.channel if data.channel in ("portal", "api", "counter", "phone") else "portal",
    }


def _dossier_not_matched(field: str = "dossier_code") -> NotFound:
    return NotFound(
        "Không tìm thấy hồ sơ có mã này với thông tin người nộp đã nhập.",
        "No dossier with this code matches the applicant details given.",
        code="dossier_not_found",
        field=field,
    )


def _linked_dossier(code: str, *, identifier: str, phone: str, user: User | None) -> Dossier:
    """The dossier named by the submitter, only if it is theirs (same ID or phone, or their account):
    an unknown code and someone else's code get the same answer, so codes cannot be probed."""
    code = code.strip().upper()
    if len(code) > 40:
        raise _dossier_not_matched()
    dossier = Dossier.objects.select_related("competent_agency__admin_unit").filter(code=code).first()
    if dossier is None:
        raise _dossier_not_matched()
    owner = user is not None and user.is_authenticated and dossier.submitted_by_id == user.pk
    same_person = dossier.applicant_identifier == identifier or (
        dossier.applicant_phone != "" and _digits(dossier.applicant_phone) == _digits(phone)
    )
    if not (owner or same_person):
        raise _dossier_not_matched()
    return dossier


def officers_of(dossier: Dossier) -> dict[int, list[str]]:
    """Staff who acted on the dossier (its events) or held its tasks, with the roles they held."""
    found: dict[int, set[str]] = {}
    rows = DossierEvent.objects.filter(dossier=dossier, actor__isnull=False).values_list(
        "actor_id", "actor_role"
    )
    for actor_id, role in rows:
        if actor_id == dossier.submitted_by_id or role in _NOT_STAFF:
            continue
        found.setdefault(actor_id, set()).add(role)
    for assignee_id, role in ProcessingTask.objects.filter(
        dossier=dossier, assignee__isnull=False
    ).values_list("assignee_id", "role"):
        found.setdefault(assignee_id, set()).add(role or Role.HANDLER.value)
    return {officer: sorted(roles) for officer, roles in sorted(found.items())}


def _instant(at: dt.datetime | None) -> dt.datetime:
    return at if at is not None else clock.now()


def _append(
    petition: Petition,
    transition: Transition,
    *,
    actor: User | None,
    at: dt.datetime,
    state_before: str,
    note: str = "",
    due: dt.datetime | None = None,
    data: dict[str, Any] | None = None,
) -> PetitionEvent:
    last = (
        PetitionEvent.objects.filter(petition=petition).order_by("-seq").values_list("seq", flat=True).first()
    )
    event = PetitionEvent(
        petition=petition,
        seq=(last or 0) + 1,
        act=transition.act,
        name=transition.event,
        actor=actor,
        actor_name=(actor.full_name or actor.username) if actor is not None else petition.submitter_name,
        at=at,
        state_before=state_before,
        state_after=petition.state,
        note=note,
        due_at=due,
        is_on_time=is_on_time(at, due),
        data=data or {},
    )
    event.save()
    return event


def _notify_later(petition_id: int, event_id: int) -> None:
    def send() -> None:
        try:
            notify_submitter(petition_id=petition_id, event_id=event_id)
        except Exception:  # a side effect never undoes the act
            logger.exception("notifying the submitter of petition event %s failed", event_id)

    transaction.on_commit(send, robust=True)


_NOTIFIED = {"submitted", "refused", "supplement_requested", "transferred", "published"}


def notify_submitter(*, petition_id: int, event_id: int) -> int:
    """E-mail and SMS to the submitter about one event (idempotent per event and channel)."""
    event = (
        PetitionEvent.objects.select_related("petition__agency")
        .filter(pk=event_id, petition_id=petition_id)
        .first()
    )
    if event is None or event.name not in _NOTIFIED:
        return 0
    petition = event.petition
    status_vi = STATE_LABELS[PetitionState(petition.state)][0]
    note = event.note
    due: dt.datetime | None = None
    if event.name in ("submitted", "transferred"):
        due = petition.resolve_due_at
        status_vi = "Đã tiếp nhận" if event.name == "submitted" else f"Đã chuyển đến {petition.agency.name}"
    if event.name == "published":
        note = petition.answer
    context: dict[str, str | int] = {
        "submitter_name": petition.submitter_name,
        "petition_code": petition.code,
        "title": petition.title,
        "status": status_vi,
        "unit_name": petition.agency.name,
    }
    if note:
        context["note"] = note
    if due is not None:
        context["due_at"] = due.isoformat()
    sent = 0
    for channel, recipient in (("email", petition.submitter_email), ("sms", petition.submitter_phone)):
        if not recipient:
            continue
        notify(
            template_key="petition.updated",
            channel=channel,
            recipient=recipient,
            context=context,
            subject_ref=f"petition:{petition.pk}",
            idempotency_key=f"petition-event:{event.pk}:{channel}",
        )
        sent += 1
    return sent


@transaction.atomic
def submit_petition(
    *, data: PetitionInput, user: User | None = None, at: dt.datetime | None = None, idempotency_key: str = ""
) -> Petition:
    """Record a petition from the portal, the API or an officer's transcription (ND20 Arts 6–7).

    Linked to a dossier only if the dossier is the submitter's; handled by the dossier's competent
    agency, else by the agency chosen. The clock starts now.
    """
    at = _instant(at)
    values = _clean_submission(data)
    account = user if user is not None and user.is_authenticated else None
    key = (idempotency_key or "").strip() or None
    if key is not None:
        if len(key) > 100:
            raise ValidationFailed(
                "Khóa chống trùng (Idempotency-Key) dài tối đa 100 ký tự.",
                "The Idempotency-Key is at most 100 characters long.",
                code="invalid_idempotency_key",
                field="idempotency_key",
            )
        existing = Petition.objects.filter(idempotency_key=key).first()
        if existing is not None:
            if (
                existing.submitter_identifier != values["submitter_identifier"]
                or existing.title != values["title"]
            ):
                raise Conflict(
                    "Khóa chống trùng này đã được dùng cho một phản ánh, kiến nghị khác.",
                    "This Idempotency-Key was already used for another petition.",
                    code="idempotency_key_reused",
                    field="idempotency_key",
                )
            return existing
    dossier = None
    agency: Agency | None
    if (data.dossier_code or "").strip():
        dossier = _linked_dossier(
            data.dossier_code,
            identifier=values["submitter_identifier"],
            phone=values["submitter_phone"],
            user=account,
        )
        agency = dossier.competent_agency
    else:
        agency_qs = Agency.objects.select_related("admin_unit")
        agency = agency_qs.filter(pk=data.agency_id).first() if data.agency_id else None
        if agency is None or not agency.is_valid_on(clock.to_local(at).date()):
            raise ValidationFailed(
                "Chọn cơ quan tiếp nhận phản ánh, kiến nghị.",
                "Choose the agency the petition is addressed to.",
                code="agency_required",
                field="agency",
            )
    assert agency is not None
    petition = Petition(
        **values,
        code=_new_code(),
        submitter_user=account,
        dossier=dossier,
        agency=agency,
        one_stop_unit=dossier.received_at_unit if dossier is not None else None,
        state=PetitionState.RECEIVED.value,
        submitted_at=at,
        idempotency_key=key,
    )
    _start_clock(petition, at)
    while Petition.objects.filter(code=petition.code).exists():  # 32^10 codes: practically never
        petition.code = _new_code()
    petition.save()
    if dossier is not None:
        petition.officers.set(list(officers_of(dossier)))
    event = _append(
        petition,
        TRANSITIONS["submit"],
        actor=account,
        at=at,
        state_before="",
        data={"dossier": dossier.code if dossier is not None else None, "channel": petition.channel},
    )
    _notify_later(petition.pk, event.pk)
    return petition


def _staff_act(
    *,
    petition_id: int,
    act: str,
    actor: User,
    at: dt.datetime | None,
    note: str = "",
    change: Callable[[Petition, dt.datetime], dict[str, Any] | None] | None = None,
) -> Petition:
    at = _instant(at)
    transition = TRANSITIONS[act]
    with transaction.atomic():
        petition = (
            Petition.objects.select_for_update()
            .select_related("agency__admin_unit")
            .filter(pk=petition_id)
            .first()
        )
        if petition is None:
            raise NotFound(
                "Không tìm thấy phản ánh, kiến nghị.", "Petition not found.", code="petition_not_found"
            )
        require(
            actor, "feedback.handle", agency_id=petition.agency_id, one_stop_unit_id=petition.one_stop_unit_id
        )
        state = PetitionState(petition.state)
        if state not in transition.sources:
            label_vi, label_en = STATE_LABELS[state]
            raise Conflict(
                f"Không thể “{transition.vi.lower()}” khi phản ánh, kiến nghị "
                f"đang ở trạng thái “{label_vi}”.",
                f"“{transition.en}” is not possible while the petition is “{label_en}”.",
                code="act_not_allowed",
                field="act",
            )
        due = due_for(petition, transition.limit)
        state_before = petition.state
        petition.state = transition.target.value
        data = change(petition, at) if change is not None else None
        on_time = is_on_time(at, due)
        if on_time is False:
            petition.is_late = True
        petition.version += 1
        petition.save()
        event = _append(
            petition, transition, actor=actor, at=at, state_before=state_before, note=note, due=due, data=data
        )
        _notify_later(petition.pk, event.pk)
    return petition


def refuse_petition(*, petition_id: int, actor: User, reason: str, at: dt.datetime | None = None) -> Petition:
    """Not accepted (ND20 Art 9(a): fails the form requirements); within 2 working days of receipt."""
    reason = _text(reason, field="reason", vi="lý do từ chối", en="reason for refusal", max_length=MAX_REASON)

    def change(p: Petition, when: dt.datetime) -> None:
        p.refusal_reason = reason
        p.closed_at = when

    return _staff_act(petition_id=petition_id, act="refuse", actor=actor, at=at, note=reason, change=change)


def request_petition_supplement(
    *, petition_id: int, actor: User, reason: str, at: dt.datetime | None = None
) -> Petition:
    """Ask the submitter for more information; within 5 working days of receipt."""
    reason = _text(reason, field="reason", vi="nội dung cần bổ sung", en="what to add", max_length=MAX_REASON)
    return _staff_act(petition_id=petition_id, act="request_supplement", actor=actor, at=at, note=reason)


def accept_petition(
    *, petition_id: int, actor: User, note: str = "", at: dt.datetime | None = None
) -> Petition:
    """Within the receiver's competence (ND20 Art 9(c)): taken into processing."""
    note = _text(note, field="note", vi="ghi chú", en="note", max_length=MAX_REASON, required=False)
    return _staff_act(petition_id=petition_id, act="accept", actor=actor, at=at, note=note)


def transfer_petition(
    *, petition_id: int, actor: User, agency_id: int, reason: str, at: dt.datetime | None = None
) -> Petition:
    """Outside competence (ND20 Art 9(d)): to the competent agency within 5 working days; its clock
    starts at the transfer (QD766 5.2: "from receipt or transfer")."""
    reason = _text(
        reason, field="reason", vi="lý do chuyển", en="reason for the transfer", max_length=MAX_REASON
    )
    target = Agency.objects.select_related("admin_unit").filter(pk=agency_id).first()
    if target is None or not target.is_valid_on(clock.to_local(_instant(at)).date()):
        raise ValidationFailed(
            "Chọn cơ quan có thẩm quyền để chuyển.",
            "Choose the competent agency.",
            code="agency_required",
            field="agency",
        )

    def change(p: Petition, when: dt.datetime) -> dict[str, Any]:
        if p.agency_id == target.pk:
            raise ValidationFailed(
                "Phản ánh, kiến nghị đã ở cơ quan này.",
                "The petition is already at this agency.",
                code="same_agency",
                field="agency",
            )
        before = p.agency
        p.agency = target
        p.one_stop_unit = None
        _start_clock(p, when)
        return {"from_agency": before.pk, "from_agency_name": before.name, "to_agency": target.pk}

    return _staff_act(petition_id=petition_id, act="transfer", actor=actor, at=at, note=reason, change=change)


def answer_petition(*, petition_id: int, actor: User, answer: str, at: dt.datetime | None = None) -> Petition:
    """The answer (ND20 Art 14-15), due 15 working days from receipt or transfer; it must then be
    published within 2 working days."""
    answer = _text(answer, field="answer", vi="nội dung trả lời", en="answer", max_length=MAX_ANSWER)

    def change(p: Petition, when: dt.datetime) -> None:
        p.answer = answer
        p.answered_at = when
        p.answered_by = actor
        p.publish_due_at = limit_due(p.agency, when, Limit.PUBLISH)

    return _staff_act(petition_id=petition_id, act="answer", actor=actor, at=at, change=change)


def publish_petition(*, petition_id: int, actor: User, at: dt.datetime | None = None) -> Petition:
    """Publish the answer on the portal and tell the submitter (ND20 Art 19)."""

    def change(p: Petition, when: dt.datetime) -> None:
        p.published_at = when
        p.closed_at = when

    return _staff_act(petition_id=petition_id, act="publish", actor=actor, at=at, change=change)


def petition_for_submitter(*, code: str, phone_last4: str) -> Petition:
    """The submitter's own petition by its reference and the last 4 digits of their phone.

    An unknown reference and a wrong second factor get the same 404; wrong factors are counted.
    """
    reference = (code or "").strip().upper()[:40]
    if not reference:
        raise ValidationFailed(
            "Cần nhập mã phản ánh, kiến nghị.",
            "The petition reference is required.",
            code="required",
            field="code",
        )
    last4 = _last4(phone_last4, field="phone_last4")
    _check_attempts("petition", reference)
    petition = Petition.objects.select_related("agency").filter(code=reference).first()
    if petition is None or petition.submitter_phone[-4:] != last4:
        _count_failure("petition", reference)
        raise NotFound(
            "Không tìm thấy phản ánh, kiến nghị với mã và 4 số cuối điện thoại này.",
            "No petition matches this reference and these last 4 phone digits.",
            code="petition_not_found",
            field="code",
        )
    return petition


@transaction.atomic
def supplement_petition(*, code: str, phone_last4: str, text: str, at: dt.datetime | None = None) -> Petition:
    """The submitter adds what was asked; the petition waits for receipt again with a new clock."""
    at = _instant(at)
    addition = _text(
        text, field="text", vi="nội dung bổ sung", en="additional information", max_length=MAX_TEXT
    )
    found = petition_for_submitter(code=code, phone_last4=phone_last4)
    petition = Petition.objects.select_for_update().select_related("agency__admin_unit").get(pk=found.pk)
    transition = TRANSITIONS["supplement"]
    state = PetitionState(petition.state)
    if state not in transition.sources:
        label_vi, label_en = STATE_LABELS[state]
        raise Conflict(
            f"Phản ánh, kiến nghị đang ở trạng thái “{label_vi}”, không cần bổ sung.",
            f"The petition is “{label_en}”; nothing is to be added.",
            code="act_not_allowed",
            field="text",
        )
    state_before = petition.state
    petition.state = transition.target.value
    petition.supplements = f"{petition.supplements}\n\n{addition}".strip()
    _start_clock(petition, at)
    petition.version += 1
    petition.save()
    _append(petition, transition, actor=None, at=at, state_before=state_before, note=addition)
    return petition


# --------------------------------------------------------------------------------------------------
# Ratings
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RatingInput:
    """The criteria of ND61 Art 31(1) the applicant judges, scored 2 / 1 / 0 as in TT01/2018 Art 13."""

    time_score: int | str
    agencies_contacted: int | str
    contacts: int | str
    information_score: int | str
    attitude_score: int | str
    lawfulness_score: int | str
    satisfaction: str
    online_score: int | str | None = None
    comment: str = ""


def _score(value: object, field: str) -> int:
    try:
        score = int(str(value).strip())
    except (TypeError, ValueError):
        score = -1
    if score not in Score.values:
        raise ValidationFailed(
            "Chọn một mức đánh giá (2, 1 hoặc 0).",
            "Choose a score (2, 1 or 0).",
            code="invalid_score",
            field=field,
        )
    return score


def _count(value: object, field: str) -> int:
    try:
        count = int(str(value).strip())
    except (TypeError, ValueError):
        count = -1
    if not 0 <= count <= MAX_CONTACTS:
        raise ValidationFailed(
            f"Nhập một số nguyên từ 0 đến {MAX_CONTACTS}.",
            f"Enter a whole number from 0 to {MAX_CONTACTS}.",
            code="invalid_count",
            field=field,
        )
    return count


def _clean_rating(data: RatingInput, *, online: bool) -> dict[str, Any]:
    if data.satisfaction not in Satisfaction.values:
        raise ValidationFailed(
            "Chọn mức độ hài lòng chung.",
            "Choose your overall satisfaction.",
            code="invalid_satisfaction",
            field="satisfaction",
        )
    online_score = None
    if online and data.online_score not in (None, ""):
        online_score = _score(data.online_score, "online_score")
    return {
        "time_score": _score(data.time_score, "time_score"),
        "agencies_contacted": _count(data.agencies_contacted, "agencies_contacted"),
        "contacts": _count(data.contacts, "contacts"),
        "information_score": _score(data.information_score, "information_score"),
        "attitude_score": _score(data.attitude_score, "attitude_score"),
        "lawfulness_score": _score(data.lawfulness_score, "lawfulness_score"),
        "online_score": online_score,
        "satisfaction": data.satisfaction,
        "comment": _text(
            data.comment,
            field="comment",
            vi="ý kiến khác",
            en="comment",
            max_length=MAX_COMMENT,
            required=False,
        ),
    }


def dossier_for_rating(
    *, dossier_code: str, proof: str = "", user: User | None = None
) -> tuple[Dossier, str]:
    """The dossier the person may rate and how they proved it is theirs, or the same 404 for an
    unknown code and a wrong second factor (counted, then locked)."""
    reference = (dossier_code or "").strip().upper()
    if not reference:
        raise ValidationFailed(
            "Cần nhập mã hồ sơ.", "The dossier code is required.", code="required", field="dossier_code"
        )
    reference = reference[:40]
    dossier = (
        Dossier.objects.select_related("competent_agency", "received_at_unit").filter(code=reference).first()
    )
    if (
        dossier is not None
        and user is not None
        and user.is_authenticated
        and dossier.submitted_by_id is not None
        and dossier.submitted_by_id == user.pk
    ):
        return dossier, ProofKind.OWNER.value
    last4 = _last4(proof, field="proof")
    _check_attempts("dossier", reference)
    if dossier is not None:
        if dossier.applicant_phone and _digits(dossier.applicant_phone)[-4:] == last4:
            return dossier, ProofKind.PHONE.value
        if (
            _digits(dossier.applicant_identifier)[-4:] == last4
            and len(_digits(dossier.applicant_identifier)) >= 4
        ):
            return dossier, ProofKind.IDENTIFIER.value
    _count_failure("dossier", reference)
    raise NotFound(
        "Không tìm thấy hồ sơ với mã và 4 số cuối điện thoại hoặc giấy tờ định danh đã nhập.",
        "No dossier matches this code and these last 4 digits of the phone or identifier.",
        code="dossier_not_found",
        field="dossier_code",
    )


def _already_rated(rating: Rating) -> Conflict:
    day = clock.to_local(rating.rated_at).strftime("%d/%m/%Y")
    return Conflict(
        f"Hồ sơ này đã được đánh giá ngày {day}; mỗi hồ sơ chỉ được đánh giá một lần.",
        f"This dossier was already rated on {day}; a dossier can be rated only once.",
        code="already_rated",
        field="dossier_code",
    )


def rate_dossier(
    *,
    dossier_code: str,
    data: RatingInput,
    proof: str = "",
    user: User | None = None,
    at: dt.datetime | None = None,
) -> Rating:
    """Record the applicant's rating of a returned dossier, once, with the officers who acted on it."""
    at = _instant(at)
    dossier, proof_kind = dossier_for_rating(dossier_code=dossier_code, proof=proof, user=user)
    existing = Rating.objects.filter(dossier=dossier).first()
    if existing is not None:
        raise _already_rated(existing)
    if dossier.state != State.RETURNED or dossier.returned_at is None:
        raise Conflict(
            "Hồ sơ chưa trả kết quả; chỉ đánh giá được sau khi Ông/Bà đã nhận kết quả.",
            "The result has not been returned yet; a dossier can be rated only after its result is returned.",
            code="not_returned",
            field="dossier_code",
        )
    values = _clean_rating(data, online=dossier.channel == "online")
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                dossier=dossier,
                agency=dossier.competent_agency,
                one_stop_unit=dossier.received_at_unit,
                procedure_version_id=dossier.procedure_version_id,
                rated_at=at,
                returned_at=dossier.returned_at,
                proof=proof_kind,
                rated_by=user if user is not None and user.is_authenticated else None,
                **values,
            )
            RatingOfficer.objects.bulk_create(
                RatingOfficer(rating=rating, officer_id=officer, roles=roles)
                for officer, roles in officers_of(dossier).items()
            )
    except IntegrityError:  # a concurrent rating of the same dossier won the race
        existing = Rating.objects.filter(dossier=dossier).first()
        if existing is None:
            raise
        raise _already_rated(existing) from None
    return rating
