"""Online submission (issue #7 part 2-4; decision 0016): drafts, the personal document store and
anonymous tracking.

A draft is not a dossier: it holds what the applicant typed and which stored document fills each
component. ``submit_draft`` opens the dossier through the one door (``services.submit_dossier``),
attaches the files and marks the draft submitted, all in one transaction: a dropped connection or a
refused submission leaves the draft exactly as it was and no dossier behind.

Every file an applicant uploads goes first into their personal store (kho dữ liệu, NĐ 45/2020);
components digitized at the counter and e-results are added to it after the act commits. A later
dossier picks a stored document instead of asking for it again (NĐ 107/2021: what is held digitally
is not requested again); the component records ``reused_from = "KHO:<id>"`` and the dossier
``has_reused_components`` for the national index (QĐ 766 indicators 4.3-4.5).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import re
from dataclasses import dataclass
from typing import Any, Final

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from motcua.accounts import gate
from motcua.accounts.models import Role, User
from motcua.catalog.models import Channel, ComponentTemplate, ProcedureCase, ProcedureVersion
from motcua.catalog.selectors import version_in_force
from motcua.core import clock
from motcua.core.clock import VN_TZ
from motcua.core.errors import MotcuaError, NotFound, PermissionRefused, ValidationFailed
from motcua.workflow import Act, State, Step, allowed_acts

from . import services
from .applicants import ApplicantKind, IdentifierType, Person
from .models import (
    CopyType,
    Dossier,
    DossierComponent,
    DossierFile,
    Draft,
    ResultDelivery,
    StoredDocument,
    StoredDocumentSource,
    TrackingFailure,
)

STORE_PREFIX: Final = "KHO:"
APPLICANT_ROLES: Final = frozenset({Role.CITIZEN, Role.ORGANISATION, Role.AUTHORISED_REP})

# The draft's typed values: applicant and (optional) representative, delivery, summary.
PERSON_FIELDS: Final = (
    "full_name",
    "identifier_type",
    "identifier_number",
    "date_of_birth",
    "address",
    "phone",
    "email",
)
DRAFT_FIELDS: Final = (
    *(f"applicant_{name}" for name in PERSON_FIELDS),
    "applicant_kind",
    "on_behalf",
    *(f"representative_{name}" for name in PERSON_FIELDS),
    "authorisation",
    "result_delivery",
    "result_delivery_address",
    "summary",
    "received_at_unit_id",
)


class TooManyAttempts(MotcuaError):
    """Too many failed look-ups from one client; ``retry_after`` (seconds) says when to try again."""

    status = 429
    code = "too_many_attempts"


# What a citizen reads as the next step after each state (pages and the API).
NEXT_STEPS = {
    State.SUBMITTED: _("Bộ phận Một cửa kiểm tra hồ sơ: tiếp nhận, hướng dẫn bổ sung hoặc từ chối."),
    State.INTAKE_SUPPLEMENT_REQUESTED: _("Bạn cần bổ sung, hoàn thiện hồ sơ theo hướng dẫn rồi gửi lại."),
    State.INTAKE_REFUSED: _("Hồ sơ không được tiếp nhận; xem lý do trong thông báo."),
    State.RECEIVED: _("Hồ sơ được chuyển đến cơ quan có thẩm quyền giải quyết."),
    State.IN_PROCESSING: _("Cơ quan có thẩm quyền đang thẩm định, giải quyết hồ sơ."),
    State.PROCESSING_SUPPLEMENT_REQUESTED: _("Bạn cần nộp bổ sung giấy tờ theo thông báo."),
    State.AWAITING_FINANCIAL_OBLIGATION: _("Bạn cần thực hiện nghĩa vụ tài chính theo thông báo."),
    State.WITHDRAWAL_REQUESTED: _("Bộ phận Một cửa xử lý yêu cầu rút hồ sơ."),
    State.STOPPED: _("Việc giải quyết hồ sơ đã dừng."),
    State.REFUSED_AFTER_APPRAISAL: _("Hồ sơ không đủ điều kiện; nhận văn bản trả lời."),
    State.RESULT_READY: _("Kết quả đã có: nhận tại nơi trả kết quả hoặc tải bản điện tử."),
    State.RETURNED: _("Đã trả kết quả. Hồ sơ kết thúc."),
}


def next_step(state: str, language: str | None = None) -> str:
    """The next step after ``state`` in ``language`` (the active language when None); "" if none."""
    if state not in State._value2member_map_:
        return ""
    text = NEXT_STEPS.get(State(state))
    if text is None:
        return ""
    if language is None:
        return str(text)
    with translation.override(language):
        return str(text)


# --------------------------------------------------------------------------------------------------
# Who may
# --------------------------------------------------------------------------------------------------


def _require_applicant(actor: User, at: dt.datetime) -> None:
    """Only a verified citizen or organisation account submits online (SPEC T1)."""
    roles = gate.roles_of(actor, at=at.astimezone(VN_TZ).date())
    if not actor.is_authenticated or not (roles & APPLICANT_ROLES):
        raise PermissionRefused(
            "Tài khoản cần được xác minh (thư điện tử, điện thoại hoặc định danh điện tử) "
            "trước khi nộp hồ sơ.",
            "The account must be verified (e-mail, phone or electronic identity) before submitting.",
            code="account_not_verified",
        )


def own_draft(draft_id: int, actor: User, *, lock: bool = False) -> Draft:
    qs = Draft.objects.select_for_update() if lock else Draft.objects.all()
    draft = qs.filter(pk=draft_id, owner_id=actor.pk, submitted_at__isnull=True).first()
    if draft is None:  # someone else's draft answers exactly as a missing one
        raise NotFound("Không tìm thấy hồ sơ nháp.", "Draft not found.", code="draft_not_found")
    return draft


def online_offer_exists(version: ProcedureVersion) -> bool:
    return version.offers.filter(channel=Channel.ONLINE).exists()


# --------------------------------------------------------------------------------------------------
# Drafts
# --------------------------------------------------------------------------------------------------


def start_draft(
    *,
    actor: User,
    procedure_version_id: int,
    procedure_case_id: int | None = None,
    at: dt.datetime | None = None,
) -> Draft:
    """A new draft for the version in force, prefilled with the account's own details."""
    when = at or clock.now()
    _require_applicant(actor, when)
    version = ProcedureVersion.objects.select_related("procedure").filter(pk=procedure_version_id).first()
    in_force = version_in_force(version.procedure.code, at=when) if version is not None else None
    if version is None or in_force is None or in_force.pk != version.pk:
        raise NotFound("Không tìm thấy thủ tục.", "Procedure not found.", code="version_not_found")
    if not online_offer_exists(version):
        raise ValidationFailed(
            "Thủ tục này không được cung cấp trực tuyến; hãy nộp tại Bộ phận Một cửa.",
            "This procedure is not offered online; submit it at the one-stop unit.",
            code="not_online",
        )
    cases = list(version.cases.all())
    case: ProcedureCase | None = None
    if procedure_case_id is not None:
        case = next((c for c in cases if c.pk == procedure_case_id), None)
        if case is None:
            raise ValidationFailed(
                "Trường hợp không thuộc thủ tục này.",
                "The case does not belong to this procedure.",
                code="invalid",
                field="procedure_case_id",
            )
    elif len(cases) == 1:
        case = cases[0]
    organisation = actor.kind == "organisation"
    data = {
        "applicant_kind": ApplicantKind.ORGANISATION if organisation else ApplicantKind.PERSON,
        "applicant_full_name": actor.full_name,
        "applicant_identifier_type": actor.identifier_type
        or (IdentifierType.ENTERPRISE_CODE if organisation else IdentifierType.CITIZEN_ID),
        "applicant_identifier_number": actor.identifier,
        "applicant_phone": actor.phone,
        "applicant_email": actor.email,
        "result_delivery": ResultDelivery.ONLINE,
    }
    return Draft.objects.create(
        owner=actor,
        procedure_version=version,
        procedure_case=case,
        data=data,
        created_at=when,
        updated_at=when,
    )


def save_draft(*, draft_id: int, actor: User, values: dict[str, Any], at: dt.datetime | None = None) -> Draft:
    """Keep what was typed (only the known fields, as text): nothing is checked until submission,
    so the applicant can stop at any point and come back."""
    when = at or clock.now()
    with transaction.atomic():
        draft = own_draft(draft_id, actor, lock=True)
        data = dict(draft.data)
        for key in DRAFT_FIELDS:
            if key in values:
                data[key] = str(values[key] if values[key] is not None else "").strip()[:1000]
        if values.get("procedure_case_id"):
            raw = str(values["procedure_case_id"]).strip()
            case_id = int(raw) if raw.isdigit() and len(raw) <= 18 else 0
            if not case_id or not draft.procedure_version.cases.filter(pk=case_id).exists():
                raise ValidationFailed(
                    "Trường hợp không thuộc thủ tục này.",
                    "The case does not belong to this procedure.",
                    code="invalid",
                    field="procedure_case_id",
                )
            if case_id != draft.procedure_case_id:
                draft.procedure_case_id = case_id
                draft.slots = {}
        draft.data = data
        draft.updated_at = when
        draft.save()
    return draft


def _template(draft: Draft, template_id: int) -> ComponentTemplate:
    template = ComponentTemplate.objects.filter(pk=template_id, case_id=draft.procedure_case_id).first()
    if template is None:
        raise ValidationFailed(
            "Thành phần hồ sơ không thuộc trường hợp đã chọn.",
            "The component does not belong to the chosen case.",
            code="invalid_component",
            field=f"component_{template_id}",
        )
    return template


def check_file(content: bytes, *, field: str) -> str:
    """The content type sniffed from the bytes (PDF, JPEG, PNG) within the size limit."""
    limit = settings.MOTCUA_DOSSIER_FILE_MAX_BYTES
    if not content:
        raise ValidationFailed("Tệp rỗng.", "The file is empty.", code="empty_file", field=field)
    if len(content) > limit:
        raise ValidationFailed(
            f"Tệp quá lớn ({len(content):,} byte); tối đa {limit:,} byte.".replace(",", "."),
            f"The file is too large ({len(content):,} bytes); the limit is {limit:,} bytes.",
            code="file_too_large",
            field=field,
        )
    kind = services.sniff_content_type(content[:16])
    if kind is None:
        raise ValidationFailed(
            "Chỉ nhận tệp PDF, JPEG hoặc PNG.",
            "Only PDF, JPEG or PNG files are accepted.",
            code="unsupported_file_type",
            field=field,
        )
    return kind


def _keep(
    *,
    owner: User,
    content: bytes,
    kind: str,
    name: str,
    title: str,
    source: str,
    at: dt.datetime,
    valid_until: dt.date | None = None,
    dossier: Dossier | None = None,
    result_code: str = "",
) -> StoredDocument:
    digest = hashlib.sha256(content).hexdigest()
    existing = StoredDocument.objects.filter(owner=owner, sha256=digest).first()
    if existing is not None:
        return existing
    document = StoredDocument(
        owner=owner,
        title=title[:500],
        document_type=title[:500],
        source=source,
        valid_until=valid_until,
        original_name=(name or "tep")[:255],
        sha256=digest,
        size=len(content),
        content_type=kind,
        dossier=dossier,
        result_code=result_code,
        created_at=at,
    )
    document.file.save(digest, ContentFile(content), save=False)
    document.save()
    return document


def upload_to_draft(
    *,
    draft_id: int,
    actor: User,
    template_id: int,
    content: bytes,
    name: str,
    valid_until: dt.date | None = None,
    at: dt.datetime | None = None,
) -> StoredDocument:
    """A file for one component: checked (type from the bytes, size), kept in the applicant's store
    and put in the component's slot."""
    when = at or clock.now()
    kind = check_file(content, field=f"component_{template_id}")
    with transaction.atomic():
        draft = own_draft(draft_id, actor, lock=True)
        template = _template(draft, template_id)
        document = _keep(
            owner=actor,
            content=content,
            kind=kind,
            name=name,
            title=template.name,
            source=StoredDocumentSource.UPLOAD,
            at=when,
            valid_until=valid_until,
        )
        slots = dict(draft.slots)
        slots[str(template.pk)] = {"document": document.pk, "reused": False}
        draft.slots = slots
        draft.updated_at = when
        draft.save()
    return document


def usable_documents(owner: User, *, on: dt.date | None = None) -> QuerySet[StoredDocument]:
    """The owner's stored documents still valid on ``on`` (today)."""
    day = on or clock.today()
    return StoredDocument.objects.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day), owner=owner)


def pick_from_store(
    *, draft_id: int, actor: User, template_id: int, document_id: int, at: dt.datetime | None = None
) -> StoredDocument:
    """Reuse a document already held: nothing is uploaded again (NĐ 107/2021)."""
    when = at or clock.now()
    with transaction.atomic():
        draft = own_draft(draft_id, actor, lock=True)
        template = _template(draft, template_id)
        document = usable_documents(actor, on=when.astimezone(VN_TZ).date()).filter(pk=document_id).first()
        if document is None:  # another person's document answers exactly as a missing one
            raise ValidationFailed(
                "Không tìm thấy giấy tờ còn hiệu lực này trong kho dữ liệu của bạn.",
                "No such valid document in your store.",
                code="document_not_found",
                field=f"component_{template_id}",
            )
        slots = dict(draft.slots)
        slots[str(template.pk)] = {"document": document.pk, "reused": True}
        draft.slots = slots
        draft.updated_at = when
        draft.save()
    return document


def clear_slot(*, draft_id: int, actor: User, template_id: int, at: dt.datetime | None = None) -> Draft:
    with transaction.atomic():
        draft = own_draft(draft_id, actor, lock=True)
        slots = dict(draft.slots)
        slots.pop(str(template_id), None)
        draft.slots = slots
        draft.updated_at = at or clock.now()
        draft.save()
    return draft


def delete_draft(*, draft_id: int, actor: User) -> None:
    with transaction.atomic():
        own_draft(draft_id, actor, lock=True).delete()


def _date(value: str, *, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
            "Invalid date (format YYYY-MM-DD).",
            code="invalid_date",
            field=field,
        ) from None


def _person(data: dict[str, Any], prefix: str, kind: str) -> Person:
    return Person(
        full_name=str(data.get(f"{prefix}_full_name", "")),
        identifier_type=str(data.get(f"{prefix}_identifier_type", "")),
        identifier_number=str(data.get(f"{prefix}_identifier_number", "")),
        kind=kind,
        date_of_birth=_date(str(data.get(f"{prefix}_date_of_birth", "")), field=f"{prefix}.date_of_birth"),
        address=str(data.get(f"{prefix}_address", "")),
        phone=str(data.get(f"{prefix}_phone", "")),
        email=str(data.get(f"{prefix}_email", "")),
    )


def _receiving_unit(draft: Draft) -> int:
    raw = str(draft.data.get("received_at_unit_id", ""))
    if raw.isdigit():
        return int(raw)
    from motcua.catalog.models import AgencyRole
    from motcua.units.models import OneStopUnit

    version = draft.procedure_version
    named = version.agencies.filter(agency__isnull=False).values_list("agency_id", flat=True)
    competent = (
        version.agencies.filter(
            agency__isnull=False, role__in=[AgencyRole.COMPETENT, AgencyRole.IMPLEMENTING]
        )
        .order_by("role", "position")
        .values_list("agency_id", flat=True)
        .first()
    )
    unit = (
        OneStopUnit.objects.filter(agency_id__in=list(named)).order_by("pk").first()
        # A unit whose area takes the competent agency's dossiers (SPEC scenario 22's rule).
        or (services.unit_serving(competent) if competent is not None else None)
        or OneStopUnit.objects.order_by("pk").first()
    )
    if unit is None:
        raise ValidationFailed(
            "Cần chọn nơi tiếp nhận hồ sơ.",
            "Choose where the dossier is received.",
            code="required",
            field="received_at_unit_id",
        )
    return unit.pk


def _competent_agency_id(draft: Draft, unit_id: int) -> int | None:
    """The agency the version names as competent; else (a commune procedure whose record names no
    matched agency) the agency that owns the receiving one-stop unit."""
    from motcua.catalog.models import AgencyRole
    from motcua.units.models import OneStopUnit

    named = draft.procedure_version.agencies.filter(
        agency__isnull=False, role__in=[AgencyRole.COMPETENT, AgencyRole.IMPLEMENTING]
    ).exists()
    if named:
        return None
    agency_id: int | None = OneStopUnit.objects.filter(pk=unit_id).values_list("agency_id", flat=True).first()
    return agency_id


def missing_slots(draft: Draft, templates: list[ComponentTemplate] | None = None) -> list[ComponentTemplate]:
    """Required components of the case that no document fills yet (``templates``: the case's
    components in order, when the caller has already read them)."""
    if draft.procedure_case_id is None:
        return []
    if templates is None:
        templates = list(
            ComponentTemplate.objects.filter(case_id=draft.procedure_case_id).order_by("position", "id")
        )
    return [t for t in templates if t.is_required and str(t.pk) not in draft.slots]


def _files_for(component: DossierComponent, document: StoredDocument, actor: User, at: dt.datetime) -> None:
    """The component's file is the stored document's bytes (same blob, its own row)."""
    DossierFile.objects.create(
        component=component,
        file=document.file.name,
        original_name=document.original_name,
        sha256=document.sha256,
        size=document.size,
        content_type=document.content_type,
        uploaded_by=actor,
        uploaded_at=at,
    )


def _documents(owner: User, slots: dict[str, Any], day: dt.date) -> dict[int, tuple[StoredDocument, bool]]:
    ids = [int(slot["document"]) for slot in slots.values()]
    found = {d.pk: d for d in usable_documents(owner, on=day).filter(pk__in=ids)}
    chosen: dict[int, tuple[StoredDocument, bool]] = {}
    for template_id, slot in slots.items():
        document = found.get(int(slot["document"]))
        if document is None:
            raise ValidationFailed(
                "Một giấy tờ đã chọn không còn hiệu lực hoặc không còn trong kho; hãy chọn lại.",
                "A chosen document is no longer valid or no longer in the store; choose again.",
                code="document_not_found",
                field=f"component_{template_id}",
            )
        chosen[int(template_id)] = (document, bool(slot.get("reused")))
    return chosen


def submit_draft(*, draft_id: int, actor: User, at: dt.datetime | None = None) -> Dossier:
    """T1: the draft becomes a SUBMITTED dossier with a temporary reference, its files attached.

    One transaction: if anything fails (a field, a missing component, the connection) the draft is
    unchanged and no dossier exists.
    """
    when = at or clock.now()
    _require_applicant(actor, when)
    with transaction.atomic():
        draft = own_draft(draft_id, actor, lock=True)
        data = draft.data
        missing = missing_slots(draft)
        if draft.procedure_case_id is None:
            raise ValidationFailed(
                "Cần chọn trường hợp của thủ tục.",
                "Choose the case of the procedure.",
                code="required",
                field="procedure_case_id",
            )
        if missing:
            first = missing[0]
            raise ValidationFailed(
                "Còn thiếu thành phần bắt buộc: " + "; ".join(t.name for t in missing) + ".",
                "Required components are missing: " + "; ".join(t.name for t in missing) + ".",
                code="missing_components",
                field=f"component_{first.pk}",
                missing=[t.pk for t in missing],
            )
        kind = str(data.get("applicant_kind") or ApplicantKind.PERSON)
        applicant = _person(data, "applicant", kind)
        representative = None
        if str(data.get("on_behalf", "")) in ("1", "on", "true", "True"):
            representative = _person(data, "representative", ApplicantKind.PERSON)
            if not str(data.get("authorisation", "")).strip():
                raise ValidationFailed(
                    "Cần ghi số, ngày của văn bản ủy quyền.",
                    "Give the number and date of the authorisation document.",
                    code="required",
                    field="authorisation",
                )
        chosen = _documents(actor, draft.slots, when.astimezone(VN_TZ).date())
        order = {t.pk: t.position for t in ComponentTemplate.objects.filter(case_id=draft.procedure_case_id)}
        template_ids = sorted(chosen, key=lambda pk: (order.get(pk, 999), pk))
        components = tuple(
            services.ComponentInput(
                template_id=pk,
                copy_type=CopyType.ELECTRONIC,
                reused_from=f"{STORE_PREFIX}{chosen[pk][0].pk}" if chosen[pk][1] else "",
            )
            for pk in template_ids
        )
        summary = str(data.get("summary", ""))
        if representative is not None:
            summary = (summary + f"\nỦy quyền: {data.get('authorisation', '')}").strip()
        unit_id = _receiving_unit(draft)
        intake = services.Intake(
            competent_agency_id=_competent_agency_id(draft, unit_id),
            procedure_version_id=draft.procedure_version_id,
            procedure_case_id=draft.procedure_case_id,
            applicant=applicant,
            representative=representative,
            received_at_unit_id=unit_id,
            channel=Channel.ONLINE,
            components=components,
            result_delivery=str(data.get("result_delivery") or ResultDelivery.ONLINE),
            result_delivery_address=str(data.get("result_delivery_address", "")),
            summary=summary,
            vneid_verified=actor.identity_verified,
        )
        dossier = services.submit_dossier(intake=intake, actor=actor, at=when)
        by_template = {c.template_id: c for c in dossier.components.all()}
        for pk in template_ids:
            _files_for(by_template[pk], chosen[pk][0], actor, when)
        StoredDocument.objects.filter(
            pk__in=[doc.pk for doc, reused in chosen.values() if not reused], dossier__isnull=True
        ).update(dossier=dossier)
        draft.dossier = dossier
        draft.submitted_at = when
        draft.updated_at = when
        draft.save()
    return dossier


# --------------------------------------------------------------------------------------------------
# Completing online after a request (T5 → T6)
# --------------------------------------------------------------------------------------------------


def owned_dossier(dossier_id: int, actor: User) -> Dossier:
    """The applicant's own dossier (submitted from this account); anyone else's answers as missing."""
    dossier = (
        Dossier.objects.select_related("procedure_version", "received_at_unit", "competent_agency")
        .filter(pk=dossier_id, submitted_by_id=actor.pk)
        .first()
    )
    if dossier is None:
        raise NotFound("Không tìm thấy hồ sơ.", "Dossier not found.", code="dossier_not_found")
    return dossier


def my_dossiers(actor: User) -> QuerySet[Dossier]:
    """The applicant's dossiers: those submitted from this account and, for an account whose
    identity the identity provider vouched for, those received in their name at the counter (a
    self-declared identifier never opens anyone's dossiers)."""
    if not actor.is_authenticated or not actor.is_active:
        return Dossier.objects.none()
    query = Q(submitted_by_id=actor.pk)
    if actor.identity_verified and actor.identifier:
        query |= Q(applicant_identifier=actor.identifier)
    return Dossier.objects.filter(query)


def my_dossier(dossier_id: int, actor: User) -> Dossier:
    """One of ``my_dossiers``; anyone else's answers exactly as a missing one."""
    dossier = (
        my_dossiers(actor)
        .select_related("procedure_version", "received_at_unit", "return_unit")
        .filter(pk=dossier_id)
        .first()
    )
    if dossier is None:
        raise NotFound("Không tìm thấy hồ sơ.", "Dossier not found.", code="dossier_not_found")
    return dossier


def my_drafts(actor: User) -> QuerySet[Draft]:
    """The account's drafts not submitted yet, most recently changed first."""
    return Draft.objects.filter(owner_id=actor.pk, submitted_at__isnull=True)


def own_document(document_id: int, actor: User) -> StoredDocument:
    """One document of the account's store; another person's answers exactly as a missing one."""
    document = StoredDocument.objects.filter(pk=document_id, owner_id=actor.pk).first()
    if document is None:
        raise NotFound(
            "Không tìm thấy giấy tờ trong kho dữ liệu.", "Document not found.", code="document_not_found"
        )
    return document


@dataclass(frozen=True, slots=True)
class CompletionItem:
    template_id: int
    document_id: int
    reused: bool


def complete_online(
    *, dossier_id: int, actor: User, items: list[CompletionItem], at: dt.datetime | None = None
) -> Dossier:
    """T6: the applicant sends what the one-stop unit asked for; the dossier is SUBMITTED again."""
    when = at or clock.now()
    dossier = owned_dossier(dossier_id, actor)
    if dossier.state != State.INTAKE_SUPPLEMENT_REQUESTED:
        raise ValidationFailed(
            "Hồ sơ không ở trạng thái chờ bổ sung, hoàn thiện.",
            "The dossier is not waiting for completion.",
            code="not_awaiting_completion",
        )
    if not items:
        raise ValidationFailed(
            "Cần gửi ít nhất một giấy tờ bổ sung.",
            "Send at least one document.",
            code="required",
            field="components",
        )
    templates = {t.pk: t for t in ComponentTemplate.objects.filter(case_id=dossier.procedure_case_id)}
    slots = {str(i.template_id): {"document": i.document_id, "reused": i.reused} for i in items}
    for item in items:
        if item.template_id not in templates:
            raise ValidationFailed(
                "Thành phần hồ sơ không thuộc trường hợp của thủ tục.",
                "The component does not belong to the procedure case.",
                code="invalid_component",
                field=f"component_{item.template_id}",
            )
    with transaction.atomic():
        chosen = _documents(actor, slots, when.astimezone(VN_TZ).date())
        before = set(dossier.components.values_list("pk", flat=True))
        components = [
            services.ComponentInput(
                template_id=pk,
                copy_type=CopyType.ELECTRONIC,
                reused_from=f"{STORE_PREFIX}{doc.pk}" if reused else "",
            )
            for pk, (doc, reused) in chosen.items()
        ]
        dossier = services.resubmit_dossier(
            dossier_id=dossier.pk, actor=actor, components=components, at=when
        )
        added = {c.template_id: c for c in dossier.components.exclude(pk__in=before)}
        for pk, (doc, _reused) in chosen.items():
            _files_for(added[pk], doc, actor, when)
    return dossier


# --------------------------------------------------------------------------------------------------
# Asking to withdraw online (T23a)
# --------------------------------------------------------------------------------------------------


def may_request_withdrawal(dossier: Dossier, actor: User, *, at: dt.datetime | None = None) -> bool:
    """Whether the applicant's dossier page offers ``actor`` the withdrawal request (T23a) now: the
    account that submitted the dossier (the one ``services`` treats as its owner), holding an
    applicant role, while the state table allows the act from the dossier's state and step (an
    accepted dossier with no signed result: TT03 Art 7). The service checks all of it again when
    the request is sent; this only decides whether the form is shown."""
    if dossier.submitted_by_id is None or dossier.submitted_by_id != actor.pk:
        return False
    day = (at or clock.now()).astimezone(VN_TZ).date()
    roles = {str(role) for role in gate.roles_of(actor, at=day) & APPLICANT_ROLES}
    if not roles:
        return False
    step = Step(dossier.step) if dossier.step else None
    return Act.REQUEST_WITHDRAWAL in allowed_acts(State(dossier.state), step, roles)


def not_the_applicant() -> PermissionRefused:
    """The refusal of an online withdrawal request by someone who sees the dossier (staff, an
    applicant it was received for at the counter) but did not submit it from their account."""
    return PermissionRefused(
        "Chỉ tài khoản đã nộp hồ sơ trực tuyến mới gửi được yêu cầu rút hồ sơ tại đây; "
        "hãy liên hệ Bộ phận Một cửa nơi tiếp nhận hồ sơ.",
        "Only the account that submitted the dossier online can ask to withdraw it here; "
        "contact the one-stop unit that received the dossier.",
        code="not_the_applicant",
    )


def keep_upload(
    *, actor: User, content: bytes, name: str, title: str, valid_until: dt.date | None = None
) -> StoredDocument:
    """A file uploaded outside a draft (completing a dossier), kept in the store."""
    kind = check_file(content, field="file")
    with transaction.atomic():
        return _keep(
            owner=actor,
            content=content,
            kind=kind,
            name=name,
            title=title,
            source=StoredDocumentSource.UPLOAD,
            at=clock.now(),
            valid_until=valid_until,
        )


# --------------------------------------------------------------------------------------------------
# Filling the store after acts (run after commit, safe to run twice)
# --------------------------------------------------------------------------------------------------


def owner_of(dossier: Dossier) -> User | None:
    """The account whose store receives the dossier's documents: the submitting account, else an
    account whose identity the identity provider vouched for with the applicant's identifier. A
    self-declared identifier never opens someone else's documents."""
    if dossier.submitted_by_id is not None:
        return User.objects.filter(pk=dossier.submitted_by_id, is_active=True).first()
    if not dossier.applicant_identifier:
        return None
    return User.objects.filter(
        identifier=dossier.applicant_identifier, identity_verified=True, is_active=True
    ).first()


def keep_dossier_file(*, file_id: int) -> StoredDocument | None:
    """A component digitized at the counter goes to the applicant's store."""
    stored = DossierFile.objects.select_related("component__dossier").filter(pk=file_id).first()
    if stored is None:
        return None
    dossier = stored.component.dossier
    owner = owner_of(dossier)
    if owner is None:
        return None
    with stored.file.open("rb") as handle:
        content = handle.read()
    with transaction.atomic():
        return _keep(
            owner=owner,
            content=content,
            kind=stored.content_type,
            name=stored.original_name,
            title=stored.component.name,
            source=StoredDocumentSource.COUNTER,
            at=stored.uploaded_at,
            dossier=dossier,
        )


def keep_result(*, dossier_id: int) -> StoredDocument | None:
    """The e-result (the issued PDF) goes to the applicant's store (SPEC T22: pushed to the store)."""
    dossier = Dossier.objects.select_related("procedure_version").filter(pk=dossier_id).first()
    result = getattr(dossier, "result", None) if dossier is not None else None
    if dossier is None or result is None or not result.file or result.is_refusal:
        return None
    owner = owner_of(dossier)
    if owner is None:
        return None
    with result.file.open("rb") as handle:
        content = handle.read()
    title = f"Kết quả: {dossier.procedure_version.name}"
    if result.number:
        title += f" (số {result.number})"
    with transaction.atomic():
        return _keep(
            owner=owner,
            content=content,
            kind="application/pdf",
            name=f"ket-qua-{dossier.reference}.pdf",
            title=title,
            source=StoredDocumentSource.RESULT,
            at=result.issued_at or clock.now(),
            dossier=dossier,
            result_code=result.result_code or result.number,
        )


# --------------------------------------------------------------------------------------------------
# Tracking without signing in
# --------------------------------------------------------------------------------------------------

_DIGITS = re.compile(r"\D")


def client_key(address: str) -> str:
    """A keyed hash of the client address (the address itself is not stored)."""
    key = f"{settings.SECRET_KEY}:motcua.tracking".encode()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


def _factor_matches(phone: str, identifier: str, factor: str) -> bool:
    given = _DIGITS.sub("", factor)
    if len(given) != 4:
        return False
    candidates = [_DIGITS.sub("", phone), _DIGITS.sub("", identifier)]
    return any(len(c) >= 4 and hmac.compare_digest(c[-4:], given) for c in candidates)


# The one read of a tracking look-up, a public page served to anyone and timed under load (issue #7,
# decision 0036): written as SQL because building it through the ORM cost more CPU than the rest of
# the request, and as ONE statement (one round trip to the database) that answers both questions:
# how many failures this client has in the window (at most ``limit``: bounded, one index range on
# (client, at)) with the oldest of them, and which dossier has this code or temporary reference (the
# unique indexes). The single row always comes back (the dossier columns are NULL when no dossier
# matches), so an unknown code costs the same statement as a known one. Its shape is the cheapest to
# plan that was found (decision 0042): PostgreSQL plans it anew on each call (no prepared statements
# behind pgbouncer), and a CTE read by two sub-selects plus a join to the version took 0.46 ms to plan
# where one aggregate over the bounded sub-select and the version's name as a scalar sub-select take
# 0.28 ms, the same answer.
_LOOKUP_SQL = (
    "SELECT f.n, f.oldest, d.id, d.code, d.temporary_reference, d.state, d.submitted_at, d.received_at, "
    "d.due_at, d.applicant_phone, d.applicant_identifier, "
    "(SELECT v.name FROM catalog_procedureversion v WHERE v.id = d.procedure_version_id) "
    "FROM (SELECT COUNT(*) AS n, MIN(r.at) AS oldest FROM (SELECT at FROM dossiers_trackingfailure "
    "WHERE client = %s AND at >= %s ORDER BY at DESC, id DESC LIMIT %s) AS r) AS f "
    "LEFT JOIN dossiers_dossier d ON d.code = %s OR d.temporary_reference = %s LIMIT 1"
)
# On PostgreSQL the same query runs inside a PL/pgSQL function (migration dossiers.0015), which keeps
# its plan per server connection: the call costs the backend 0.16-0.25 ms of CPU where the statement
# above, planned on every call, costs 0.43-0.67 ms (decision 0042). Same columns, same answer.
_LOOKUP_CALL = "SELECT * FROM motcua_tracking_lookup(%s, %s, %s, %s)"


def _aware(value: Any) -> dt.datetime | None:
    """A timestamp column read through a plain cursor: PostgreSQL gives an aware datetime, SQLite a
    naive one (or the stored text for a computed column), in UTC as Django writes it."""
    if value is None:
        return None
    parsed = value if isinstance(value, dt.datetime) else parse_datetime(str(value))
    if parsed is None:
        raise ValueError(f"not a timestamp: {value!r}")
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Tracked:
    """What a tracking look-up may show: no applicant data."""

    pk: int
    reference: str
    state: str
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    procedure_name: str


def track(*, code: str, factor: str, client: str, at: dt.datetime | None = None) -> Tracked | None:
    """The dossier with this code (or temporary reference) whose applicant's phone or identifier
    ends with ``factor``; None for an unknown code and a wrong factor alike. Failed look-ups are
    counted per client; past ``MOTCUA_TRACKING_FAILURES`` in the window every look-up is refused."""
    when = at or clock.now()
    window = when - dt.timedelta(seconds=settings.MOTCUA_TRACKING_WINDOW_SECONDS)
    limit = settings.MOTCUA_TRACKING_FAILURES
    text = code.strip().upper()[:40]
    # An empty code matches no dossier (NULL, not "", is stored for a missing code or reference).
    wanted = text or None
    since = connection.ops.adapt_datetimefield_value(window)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_LOOKUP_CALL, [client, since, limit, wanted])
        else:
            cursor.execute(_LOOKUP_SQL, [client, since, limit, wanted, wanted])
        row = cursor.fetchone()
    failures, oldest = row[0], _aware(row[1])
    if failures >= limit and oldest is not None:
        # Look-ups open again when the limit-th most recent failure (the oldest of the ``limit`` most
        # recent) leaves the window.
        freed_at = oldest + (when - window)
        seconds = max(1, math.ceil((freed_at - when).total_seconds()))
        minutes = math.ceil(seconds / 60)
        raise TooManyAttempts(
            f"Bạn đã tra cứu sai quá nhiều lần; hãy thử lại sau {minutes} phút.",
            f"Too many failed look-ups; try again in {minutes} minute{'s' if minutes != 1 else ''}.",
            retry_after=seconds,
        )
    pk, dossier_code, temporary, state, submitted_at, received_at, due_at, phone, identifier, name = row[2:]
    if pk is None or not _factor_matches(phone or "", identifier or "", factor):
        TrackingFailure.objects.create(client=client, at=when)
        return None
    return Tracked(
        pk=pk,
        reference=dossier_code or temporary or f"#{pk}",
        state=state,
        submitted_at=_aware(submitted_at),
        received_at=_aware(received_at),
        due_at=_aware(due_at),
        procedure_name=name or "",
    )
