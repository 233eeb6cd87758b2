"""Acts on the catalog: draft, publish, abolish a procedure version; set its internal process.

A published version is never edited (ND63 Arts 13-15: a TTHC applies as published in its decision).
Status changes are guarded UPDATEs here; ``ProcedureVersion.save()`` refuses anything but a draft.
``actor=None`` is the system itself (the import command and the demo loader, run from a shell);
every page and endpoint passes the signed-in user, checked through the one gate.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max

from motcua.accounts.gate import require
from motcua.accounts.models import Role, User
from motcua.core import clock
from motcua.core.errors import Conflict, NotFound, ValidationFailed
from motcua.core.text import fold
from motcua.deadlines.arithmetic import TimeUnit

from .models import (
    BudgetUnit,
    Channel,
    ChannelOffer,
    ComponentTemplate,
    Fee,
    Field,
    InternalProcess,
    LegalBasis,
    OnlineLevel,
    Procedure,
    ProcedureCase,
    ProcedureVersion,
    ProcessStep,
    ResultDocument,
    VersionAgency,
    VersionStatus,
)

_log = logging.getLogger(__name__)

# Working hours in one working day (8:00-12:00, 13:00-17:00; ND61 office hours) [I].
HOURS_PER_WORKING_DAY = Decimal(8)
# A month limit is checked as this many working days at most [I].
WORKING_DAYS_PER_MONTH = Decimal(20)

EDITABLE_FIELDS = frozenset(
    {
        "name",
        "procedure_type",
        "steps",
        "requirements",
        "description",
        "keywords",
        "related_procedures",
        "online_level",
        "is_eligible_full_online",
        "is_boundary_independent",
        "is_accepted_at_one_stop",
        "is_full_cycle_at_one_stop",
        "supplement_clock_policy",
        "same_day_cutoff",
        "requires_paper_result",
        "interagency_group",
        "decision",
    }
)


def _check(actor: User | None, permission: str) -> None:
    if actor is not None:
        require(actor, permission)


def _locked_version(version_id: int) -> ProcedureVersion:
    version = ProcedureVersion.objects.select_for_update().filter(pk=version_id).first()
    if version is None:
        raise NotFound("Không tìm thấy phiên bản thủ tục.", "Procedure version not found.")
    return version


@transaction.atomic
def create_draft(
    *, procedure_code: str, actor: User | None, from_version_id: int | None = None
) -> ProcedureVersion:
    """A new draft version of ``procedure_code``, copying ``from_version_id`` (default: the newest)."""
    _check(actor, "catalog.edit")
    procedure = Procedure.objects.select_for_update().filter(code=procedure_code).first()
    if procedure is None:
        raise NotFound("Không tìm thấy thủ tục.", "Procedure not found.", code="procedure_not_found")
    if procedure.versions.filter(status=VersionStatus.DRAFT).exists():
        raise Conflict(
            "Thủ tục đã có một phiên bản dự thảo.",
            "The procedure already has a draft version.",
            code="draft_exists",
        )
    source = (
        procedure.versions.filter(pk=from_version_id).first()
        if from_version_id is not None
        else procedure.versions.order_by("-number").first()
    )
    number = (procedure.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    if source is None:
        return _new_version(procedure=procedure, number=number, name=procedure.name or procedure.code)
    return copy_version(source=source, number=number)


def _new_version(*, procedure: Procedure, number: int, **fields: Any) -> ProcedureVersion:
    version = ProcedureVersion(procedure=procedure, number=number, **fields)
    version.save()
    return version


def copy_version(*, source: ProcedureVersion, number: int) -> ProcedureVersion:
    """Deep copy of ``source`` as a new draft numbered ``number`` (caller holds the transaction)."""
    skip = {
        "id",
        "procedure",
        "number",
        "status",
        "effective_from",
        "effective_to",
        "published_at",
        "created_at",
    }
    values = {
        f.attname: getattr(source, f.attname)
        for f in ProcedureVersion._meta.concrete_fields
        if f.name not in skip
    }
    draft = ProcedureVersion(procedure_id=source.procedure_id, number=number, **values)
    draft.save()

    def clone(rows: Any, **override: Any) -> list[Any]:
        copies = []
        for row in rows:
            data = {
                f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields if f.name != "id"
            }
            data.update(override)
            copies.append(type(row)(**data))
        return copies

    VersionAgency.objects.bulk_create(clone(source.agencies.all(), version_id=draft.pk))
    ResultDocument.objects.bulk_create(clone(source.results.all(), version_id=draft.pk))
    LegalBasis.objects.bulk_create(clone(source.legal_bases.all(), version_id=draft.pk))
    case_map: dict[int, int] = {}
    for case in source.cases.all():
        new_case = ProcedureCase.objects.bulk_create(clone([case], version_id=draft.pk))[0]
        case_map[case.pk] = new_case.pk
        ComponentTemplate.objects.bulk_create(clone(case.components.all(), case_id=new_case.pk))
    for offer in source.offers.all():
        case_id = case_map.get(offer.case_id) if offer.case_id else None
        new_offer = ChannelOffer.objects.bulk_create(clone([offer], version_id=draft.pk, case_id=case_id))[0]
        Fee.objects.bulk_create(clone(offer.fees.all(), offer_id=new_offer.pk))
    return draft


@transaction.atomic
def update_draft(*, version_id: int, actor: User | None, changes: dict[str, Any]) -> ProcedureVersion:
    """Edit a draft version's own attributes. A published version is refused (make a new draft)."""
    _check(actor, "catalog.edit")
    version = _locked_version(version_id)
    if version.status != VersionStatus.DRAFT:
        raise Conflict(
            "Phiên bản thủ tục đã công bố không được sửa; hãy tạo phiên bản dự thảo mới.",
            "A published procedure version cannot be edited; create a new draft version.",
            code="published_version_frozen",
        )
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationFailed(
            f"Không sửa được trường: {', '.join(sorted(unknown))}.",
            f"These fields cannot be edited: {', '.join(sorted(unknown))}.",
            field=sorted(unknown)[0],
        )
    for name, value in changes.items():
        setattr(version, name, value)
    version.save()
    return version


@transaction.atomic
def publish_version(
    *,
    version_id: int,
    actor: User | None,
    effective_from: dt.date,
    decision: str | None = None,
    at: dt.datetime | None = None,
) -> ProcedureVersion:
    """Publish a draft from ``effective_from`` under ``decision``; the version in force until then is
    superseded from that day (its last day is the day before)."""
    _check(actor, "catalog.publish")
    version = _locked_version(version_id)
    if version.status != VersionStatus.DRAFT:
        raise Conflict(
            "Chỉ phiên bản dự thảo mới được công bố.",
            "Only a draft version can be published.",
            code="not_draft",
        )
    decision_text = (decision if decision is not None else version.decision).strip()
    if not decision_text:
        raise ValidationFailed(
            "Cần số quyết định công bố thủ tục (NĐ63 Điều 13-15).",
            "The publication decision number is required (ND63 Arts 13-15).",
            field="decision",
        )
    previous = list(
        ProcedureVersion.objects.select_for_update()
        .filter(procedure_id=version.procedure_id, status=VersionStatus.PUBLISHED)
        .exclude(pk=version.pk)
    )
    for old in previous:
        if old.effective_from is not None and old.effective_from > effective_from:
            raise ValidationFailed(
                f"Ngày hiệu lực phải từ {old.effective_from:%d/%m/%Y} (phiên bản {old.number}) trở đi.",
                f"The effective date must be on or after {old.effective_from:%d/%m/%Y} "
                f"(version {old.number}).",
                field="effective_from",
            )
    ProcedureVersion.objects.filter(pk__in=[old.pk for old in previous]).update(
        status=VersionStatus.SUPERSEDED, effective_to=effective_from - dt.timedelta(days=1)
    )
    ProcedureVersion.objects.filter(pk=version.pk, status=VersionStatus.DRAFT).update(
        status=VersionStatus.PUBLISHED,
        effective_from=effective_from,
        decision=decision_text,
        published_at=at or clock.now(),
    )
    version.refresh_from_db()
    refresh_projection(procedure_id=version.procedure_id)
    return version


@transaction.atomic
def abolish_procedure(*, procedure_code: str, actor: User | None, effective_from: dt.date) -> None:
    """Bãi bỏ: the published version stops applying from ``effective_from``."""
    _check(actor, "catalog.publish")
    updated = ProcedureVersion.objects.filter(
        procedure__code=procedure_code, status=VersionStatus.PUBLISHED
    ).update(status=VersionStatus.ABOLISHED, effective_to=effective_from - dt.timedelta(days=1))
    if not updated:
        raise NotFound("Thủ tục không có phiên bản đang công bố.", "The procedure has no published version.")
    Procedure.objects.filter(code=procedure_code).update(current_version=None)


def refresh_projection(*, procedure_id: int) -> None:
    """Copy the newest published version's searchable attributes onto its procedure."""
    version = (
        ProcedureVersion.objects.filter(procedure_id=procedure_id, status=VersionStatus.PUBLISHED)
        .select_related("field")
        .order_by("-effective_from", "-number")
        .first()
    )
    if version is None:
        return
    agencies = sorted(
        {a.name_folded for a in version.agencies.all() if a.role in ("implementing", "competent")}
    )
    Procedure.objects.filter(pk=procedure_id).update(
        current_version=version,
        name=version.name,
        search_folded=search_text(version.name, version.keywords),
        levels=version.levels,
        field=version.field,
        online_level=version.online_level,
        agencies_folded="|" + "|".join(agencies) + "|" if agencies else "",
    )


def search_text(name: str, keywords: str = "") -> str:
    """The folded text the search engines index: the name, then the keywords."""
    return fold(f"{name} {keywords}".strip())


# --- Internal process (quy trình nội bộ, TT01/2018 Art 8) ---


@dataclass(frozen=True)
class StepInput:
    name: str
    performer_role: str
    budget_amount: Decimal
    budget_unit: str
    step_code: str = ""
    agency_id: int | None = None
    parallel_group: int | None = None
    form_produced: str = ""


def _hours(amount: Decimal, unit: str) -> Decimal:
    return amount * HOURS_PER_WORKING_DAY if unit == BudgetUnit.WORKING_DAY else amount


def legal_limit_hours(version: ProcedureVersion) -> Decimal | None:
    """The longest legal time limit over the version's channels, in working hours (None: none given)."""
    limits: list[Decimal] = []
    for offer in version.offers.all():
        if offer.time_limit_amount is None or offer.time_limit_unit is None:
            continue
        amount = Decimal(offer.time_limit_amount)
        unit = offer.time_limit_unit
        if unit == TimeUnit.WORKING_HOUR:
            limits.append(amount)
        elif unit in (TimeUnit.WORKING_DAY, TimeUnit.CALENDAR_DAY):
            # Calendar days hold at most as many working days.
            limits.append(amount * HOURS_PER_WORKING_DAY)
        elif unit == TimeUnit.MONTH:
            limits.append(amount * WORKING_DAYS_PER_MONTH * HOURS_PER_WORKING_DAY)
        elif unit == TimeUnit.SAME_DAY:
            limits.append(HOURS_PER_WORKING_DAY)
    return max(limits) if limits else None


def check_budgets(*, steps: list[StepInput], limit_hours: Decimal | None) -> None:
    """SPEC §4.2 [I]: the steps' budgets (parallel steps counted once, at their longest) fit the limit.

    Refused with a message naming the first step that goes over."""
    if not steps:
        raise ValidationFailed(
            "Quy trình cần ít nhất một bước.", "A process needs at least one step.", field="steps"
        )
    for index, step in enumerate(steps, start=1):
        if step.budget_amount <= 0:
            raise ValidationFailed(
                f"Bước {index} «{step.name}»: thời gian phải lớn hơn 0.",
                f"Step {index} “{step.name}”: the budget must be more than 0.",
                field="steps",
                code="step_budget_invalid",
            )
        if step.performer_role not in Role.values:
            raise ValidationFailed(
                f"Bước {index} «{step.name}»: vai trò không hợp lệ.",
                f"Step {index} “{step.name}”: unknown role.",
                field="steps",
            )
    if limit_hours is None:
        return
    total = Decimal(0)
    group_max: dict[int, Decimal] = {}
    for index, step in enumerate(steps, start=1):
        hours = _hours(step.budget_amount, step.budget_unit)
        if step.parallel_group is not None:
            extra = max(Decimal(0), hours - group_max.get(step.parallel_group, Decimal(0)))
            group_max[step.parallel_group] = max(hours, group_max.get(step.parallel_group, Decimal(0)))
        else:
            extra = hours
        total += extra
        if total > limit_hours:
            raise ValidationFailed(
                f"Bước {index} «{step.name}» vượt thời hạn giải quyết: tổng {_fmt(total)} giờ làm việc "
                f"> {_fmt(limit_hours)} giờ theo quy định.",
                f"Step {index} “{step.name}” exceeds the legal time limit: {_fmt(total)} working hours "
                f"in total > {_fmt(limit_hours)} allowed.",
                field="steps",
                code="process_over_limit",
            )


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


@transaction.atomic
def save_process(
    *, version_id: int, province_code: str, steps: list[StepInput], actor: User | None
) -> InternalProcess:
    """Replace the internal process of a version in a province (the steps are configuration, not the
    published text, so a published version's process may change)."""
    _check(actor, "catalog.edit")
    version = ProcedureVersion.objects.filter(pk=version_id).prefetch_related("offers").first()
    if version is None:
        raise NotFound("Không tìm thấy phiên bản thủ tục.", "Procedure version not found.")
    check_budgets(steps=steps, limit_hours=legal_limit_hours(version))
    process, _ = InternalProcess.objects.select_for_update().get_or_create(
        version=version, province_code=province_code
    )
    process.steps.all().delete()
    ProcessStep.objects.bulk_create(
        [
            ProcessStep(
                process=process,
                position=index,
                step_code=step.step_code or f"B{index}",
                name=step.name,
                performer_role=step.performer_role,
                agency_id=step.agency_id,
                budget_amount=step.budget_amount,
                budget_unit=step.budget_unit,
                parallel_group=step.parallel_group,
                form_produced=step.form_produced,
            )
            for index, step in enumerate(steps, start=1)
        ]
    )
    InternalProcess.objects.filter(pk=process.pk).update(is_generated=False, updated_at=clock.now())
    process.refresh_from_db()
    return process


# Reception → assignment → appraisal → approval → return, with their share of the time limit [I].
DEFAULT_STEPS: list[tuple[str, str, str, Decimal, str]] = [
    ("TIEP_NHAN", "Tiếp nhận hồ sơ", Role.RECEPTION_OFFICER, Decimal("0.10"), "form01"),
    ("PHAN_CONG", "Phân công thụ lý", Role.DEPT_LEADER, Decimal("0.10"), ""),
    ("THAM_DINH", "Thẩm định hồ sơ", Role.HANDLER, Decimal("0.50"), ""),
    ("PHE_DUYET", "Phê duyệt, ký kết quả", Role.APPROVER, Decimal("0.20"), ""),
    ("TRA_KET_QUA", "Trả kết quả", Role.RECEPTION_OFFICER, Decimal("0.10"), ""),
]


def default_steps(limit_hours: Decimal) -> list[StepInput]:
    """Budgets proportioned to the limit, in working hours, rounded down to a quarter hour."""
    quarter = Decimal("0.25")
    steps = []
    for code, name, role, share, form in DEFAULT_STEPS:
        hours = ((limit_hours * share) / quarter).to_integral_value(rounding=ROUND_DOWN) * quarter
        steps.append(
            StepInput(
                step_code=code,
                name=name,
                performer_role=role,
                budget_amount=max(hours, quarter),
                budget_unit=BudgetUnit.WORKING_HOUR,
                form_produced=form,
            )
        )
    return steps


def generate_default_processes(*, version_ids: list[int], province_code: str) -> int:
    """Default processes for versions that have none in the province and a legal limit; returns how
    many were made. Versions whose limit is none given or under 2 working hours get none."""
    made = 0
    versions = (
        ProcedureVersion.objects.filter(pk__in=version_ids)
        .exclude(processes__province_code=province_code)
        .prefetch_related("offers")
    )
    for version in versions:
        limit = legal_limit_hours(version)
        if limit is None or limit < 2:
            continue
        steps = default_steps(limit)
        process = InternalProcess.objects.create(
            version=version, province_code=province_code, is_generated=True
        )
        ProcessStep.objects.bulk_create(
            [
                ProcessStep(
                    process=process,
                    position=index,
                    step_code=step.step_code,
                    name=step.name,
                    performer_role=step.performer_role,
                    budget_amount=step.budget_amount,
                    budget_unit=step.budget_unit,
                    form_produced=step.form_produced,
                )
                for index, step in enumerate(steps, start=1)
            ]
        )
        made += 1
    return made


def derive_online_level(channels: set[str]) -> str:
    """Before the controller says otherwise: an online channel means at least a partial online service."""
    return OnlineLevel.PARTIAL if Channel.ONLINE in channels else OnlineLevel.NONE


__all__ = [
    "StepInput",
    "abolish_procedure",
    "check_budgets",
    "copy_version",
    "create_draft",
    "default_steps",
    "derive_online_level",
    "generate_default_processes",
    "legal_limit_hours",
    "publish_version",
    "refresh_projection",
    "save_process",
    "search_text",
    "update_draft",
]


@dataclass(frozen=True, slots=True)
class BoundaryList:
    """What ``apply_boundary_independent_list`` did: procedures on the list, of which newly listed;
    procedures taken off it (``replace``)."""

    listed: int
    newly_listed: int
    unlisted: int


_OPEN_STATUSES = (VersionStatus.PUBLISHED, VersionStatus.DRAFT)


@transaction.atomic
def apply_boundary_independent_list(
    *, actor: User | None, codes: list[str], decision: str, replace: bool = False
) -> BoundaryList:
    """The province's published list of procedures received regardless of administrative boundary
    (SPEC §2 (3); ND107, ND118; decision 0063): ``is_boundary_independent`` set on each listed
    procedure's published and draft versions. ``replace``: the list is the whole list, and every
    other procedure is taken off it.

    The flag is the province's decision, not the procedure's legal text, so it is the one attribute
    set on a published version (a published version is otherwise frozen). All or nothing: one
    unknown code refuses the list, naming it."""
    _check(actor, "catalog.edit")
    if not decision.strip():
        raise ValidationFailed(
            "Cần số quyết định công bố danh mục thủ tục không phụ thuộc địa giới hành chính.",
            "The number of the decision publishing the boundary-independent list is required.",
            field="decision",
        )
    wanted = list(dict.fromkeys(code.strip() for code in codes if code.strip()))
    if not wanted:
        raise ValidationFailed(
            "Danh mục không có mã thủ tục nào.", "The list holds no procedure code.", field="codes"
        )
    known = dict(Procedure.objects.filter(code__in=wanted).values_list("code", "pk"))
    unknown = [code for code in wanted if code not in known]
    if unknown:
        shown = ", ".join(unknown[:10]) + (f" (và {len(unknown) - 10} mã khác)" if len(unknown) > 10 else "")
        shown_en = ", ".join(unknown[:10]) + (f" (and {len(unknown) - 10} more)" if len(unknown) > 10 else "")
        raise ValidationFailed(
            f"Không có thủ tục mã {shown} trong danh mục; danh mục không được áp dụng.",
            f"No procedure has the code {shown_en}; the list was not applied.",
            code="unknown_procedure_codes",
            field="codes",
            unknown=unknown,
        )
    versions = ProcedureVersion.objects.filter(status__in=_OPEN_STATUSES)
    listed_ids = list(known.values())
    newly = versions.filter(procedure_id__in=listed_ids, is_boundary_independent=False)
    newly_listed = newly.values("procedure_id").distinct().count()
    newly.update(is_boundary_independent=True)
    unlisted = 0
    if replace:
        dropped = versions.filter(is_boundary_independent=True).exclude(procedure_id__in=listed_ids)
        unlisted = dropped.values("procedure_id").distinct().count()
        dropped.update(is_boundary_independent=False)
    _log.info(
        "boundary-independent list %s applied: %d listed, %d newly, %d taken off",
        decision.strip(),
        len(listed_ids),
        newly_listed,
        unlisted,
        extra={"decision": decision.strip(), "actor": actor.pk if actor is not None else None},
    )
    return BoundaryList(listed=len(listed_ids), newly_listed=newly_listed, unlisted=unlisted)


def note_national_field_code(*, field_id: int, code: str) -> bool:
    """Record the national field code (``MaLinhVuc``) of a field that has none, as the national
    catalogue gave it; never overwrites a code, never takes one another field holds. True if set."""
    code = code.strip()[:40]
    if not code or Field.objects.filter(code=code).exists():
        return False
    return bool(Field.objects.filter(pk=field_id, code__isnull=True).update(code=code))
