"""The procedure catalog (SPEC §4.2), mirroring the national TTHC database (CSDLQG về TTHC).

A ``Procedure`` is the stable code (``1.001193``); what it says lives in numbered
``ProcedureVersion`` rows. A version is a draft until it is published with its decision and
effective date; from then on it is frozen (ND63 Arts 13-15: a TTHC applies as published). A change
makes a new draft version. Every row that belongs to a version (cases, components, channel offers,
fees, legal bases, results, agencies) is frozen with it.

Parsed values from the national portal's flattened tables always keep their raw text beside them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import Role
from motcua.core.errors import Conflict
from motcua.deadlines.arithmetic import TimeUnit


class Level(models.TextChoices):
    """Cấp thực hiện — a version may have several."""

    MINISTRY = "ministry", _("Cấp bộ")
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện (trước 01/7/2025)")
    COMMUNE = "commune", _("Cấp xã")
    OTHER = "other", _("Cơ quan khác")


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    POSTAL = "postal", _("Dịch vụ bưu chính")


TIME_UNIT_CHOICES = [
    (TimeUnit.WORKING_DAY.value, _("ngày làm việc")),
    (TimeUnit.CALENDAR_DAY.value, _("ngày")),
    (TimeUnit.WORKING_HOUR.value, _("giờ làm việc")),
    (TimeUnit.SAME_DAY.value, _("trong ngày")),
    (TimeUnit.MONTH.value, _("tháng")),
]


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    PUBLISHED = "published", _("Đã công bố")
    SUPERSEDED = "superseded", _("Đã được thay thế")
    ABOLISHED = "abolished", _("Đã bãi bỏ")


class OnlineLevel(models.TextChoices):
    FULL = "full", _("Dịch vụ công trực tuyến toàn trình")
    PARTIAL = "partial", _("Dịch vụ công trực tuyến một phần")
    NONE = "none", _("Không có dịch vụ công trực tuyến")


class SupplementClockPolicy(models.TextChoices):
    RESTART = "restart", _("Tính lại từ đầu")  # ND61 Art 19(4): the clock restarts after a supplement.
    PAUSE = "pause", _("Tạm dừng")
    NONE = "none", _("Không ảnh hưởng")


class FeeKind(models.TextChoices):
    FEE = "FEE", _("Phí")
    CHARGE = "CHARGE", _("Lệ phí")


class CollectedWhen(models.TextChoices):
    ON_RECEIPT = "on_receipt", _("Khi tiếp nhận")
    ON_SUPPLEMENT = "on_supplement", _("Khi bổ sung")
    ON_RETURN = "on_return", _("Khi trả kết quả")


class AgencyRole(models.TextChoices):
    IMPLEMENTING = "implementing", _("Cơ quan thực hiện")
    COMPETENT = "competent", _("Cơ quan có thẩm quyền")
    AUTHORISED = "authorised", _("Cơ quan được ủy quyền")
    COORDINATING = "coordinating", _("Cơ quan phối hợp")
    RECEIVING = "receiving", _("Địa chỉ tiếp nhận hồ sơ")


class BudgetUnit(models.TextChoices):
    WORKING_HOUR = TimeUnit.WORKING_HOUR.value, _("giờ làm việc")
    WORKING_DAY = TimeUnit.WORKING_DAY.value, _("ngày làm việc")


class PublishedVersionIsFrozen(Conflict):
    code = "published_version_frozen"

    def __init__(self, version_id: int | None) -> None:
        super().__init__(
            "Phiên bản thủ tục đã công bố không được sửa; hãy tạo phiên bản dự thảo mới.",
            "A published procedure version cannot be edited; create a new draft version.",
            version_id=version_id,
        )


def levels_to_text(levels: list[str] | tuple[str, ...] | set[str]) -> str:
    """``{"commune", "province"}`` → ``",commune,province,"`` (``levels__contains=",commune,"`` filters)."""
    ordered = [value for value in Level.values if value in set(levels)]
    return f",{','.join(ordered)}," if ordered else ""


def levels_from_text(text: str) -> list[str]:
    return [part for part in text.split(",") if part]


class Field(models.Model):
    """Lĩnh vực. ``code`` is the VPCP field code (``MX1X2-LV``) when known; imported names have none."""

    code = models.CharField(max_length=40, null=True, blank=True, unique=True)
    name = models.CharField(max_length=255)
    name_folded = models.CharField(max_length=255, unique=True, editable=False)

    class Meta:
        ordering = ["name_folded"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """Thủ tục hành chính: the stable code; ``current_version`` and the search columns are a projection
    of the newest published version, refreshed by ``services.publish_version``."""

    code = models.CharField(max_length=40, unique=True)
    local_suffix = models.CharField(max_length=10, blank=True, help_text="e.g. H38 in 1.000948.H38")
    current_version = models.ForeignKey(
        "ProcedureVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=1000, blank=True)
    search_folded = models.TextField(blank=True, editable=False)
    levels = models.CharField(max_length=80, blank=True)
    field = models.ForeignKey(
        Field, null=True, blank=True, on_delete=models.PROTECT, related_name="procedures"
    )
    online_level = models.CharField(max_length=10, choices=OnlineLevel.choices, default=OnlineLevel.NONE)
    agencies_folded = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProcedureVersion(models.Model):
    """One published (or draft) text of a procedure. Frozen once it leaves DRAFT."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    effective_from = models.DateField(null=True, blank=True)
    effective_to = models.DateField(null=True, blank=True, help_text="last day in force (inclusive)")
    decision = models.CharField(max_length=255, blank=True, help_text="Số quyết định công bố")
    published_at = models.DateTimeField(null=True, blank=True)

    name = models.CharField(max_length=1000)
    levels = models.CharField(max_length=80, blank=True)
    procedure_type = models.CharField(max_length=255, blank=True)
    field = models.ForeignKey(Field, null=True, blank=True, on_delete=models.PROTECT, related_name="versions")
    field_raw = models.CharField(max_length=255, blank=True)
    applicant_types = models.JSONField(default=list, blank=True)
    applicant_types_raw = models.TextField(blank=True)
    steps = models.TextField(blank=True)
    requirements = models.TextField(blank=True)
    description = models.TextField(blank=True)
    keywords = models.TextField(blank=True)
    related_procedures = models.TextField(blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    source_hash = models.CharField(max_length=64, blank=True, db_index=True)
    channels_raw = models.TextField(blank=True)
    components_raw = models.TextField(blank=True)
    legal_bases_raw = models.TextField(blank=True)
    results_raw = models.TextField(blank=True)

    # motcua's own attributes (SPEC §4.2 "Local extensions").
    online_level = models.CharField(max_length=10, choices=OnlineLevel.choices, default=OnlineLevel.NONE)
    is_eligible_full_online = models.BooleanField(default=False)
    is_boundary_independent = models.BooleanField(default=False)
    is_accepted_at_one_stop = models.BooleanField(default=True)  # ND61 Art 14(5) lists the exceptions.
    is_full_cycle_at_one_stop = models.BooleanField(default=False)  # TT01/2018 Art 6.
    supplement_clock_policy = models.CharField(
        max_length=10, choices=SupplementClockPolicy.choices, default=SupplementClockPolicy.RESTART
    )
    same_day_cutoff = models.TimeField(default=dt.time(15, 0))
    requires_paper_result = models.BooleanField(default=True)
    interagency_group = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["procedure", "number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="version_number_unique"),
            models.UniqueConstraint(
                fields=["procedure"], condition=Q(status="draft"), name="version_one_draft_per_procedure"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(effective_from__isnull=False),
                name="version_published_has_effective_date",
            ),
        ]
        indexes = [models.Index(fields=["procedure", "status", "effective_from"])]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number} ({self.status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The one model-level door: only drafts are ever saved. Publishing, superseding and abolishing
        # are status changes made by services.py with a guarded UPDATE, as is the province's
        # boundary-independent list (``apply_boundary_independent_list``, decision 0063).
        if self.status != VersionStatus.DRAFT:
            raise PublishedVersionIsFrozen(self.pk)
        if self.pk is not None and _stored_status(self.pk) not in (None, VersionStatus.DRAFT):
            raise PublishedVersionIsFrozen(self.pk)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.pk is not None and _stored_status(self.pk) not in (None, VersionStatus.DRAFT):
            raise PublishedVersionIsFrozen(self.pk)
        return super().delete(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        return self.status != VersionStatus.DRAFT

    @property
    def level_list(self) -> list[str]:
        return levels_from_text(self.levels)


def _stored_status(version_id: int | None) -> str | None:
    if version_id is None:
        return None
    return ProcedureVersion.objects.filter(pk=version_id).values_list("status", flat=True).first()


class VersionPart(models.Model):
    """A row that belongs to a version and is frozen with it."""

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(getattr(self, "name", "") or getattr(self, "number", "") or self.pk)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._guard()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        self._guard()
        return super().delete(*args, **kwargs)

    def owning_version_id(self) -> int | None:
        return getattr(self, "version_id", None)

    def _guard(self) -> None:
        if _stored_status(self.owning_version_id()) not in (None, VersionStatus.DRAFT):
            raise PublishedVersionIsFrozen(self.owning_version_id())


class VersionAgency(VersionPart):
    """An agency named by the version; ``agency`` is set when the folded name matches units.Agency."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="agencies")
    role = models.CharField(max_length=20, choices=AgencyRole.choices)
    name = models.CharField(max_length=500)
    name_folded = models.CharField(max_length=500, db_index=True)
    agency = models.ForeignKey(
        "units.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="catalog_roles"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "role", "position"]

    def __str__(self) -> str:
        return self.name


class ResultDocument(VersionPart):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="results")
    name = models.TextField()
    code = models.CharField(max_length=60, blank=True)
    template = models.CharField(max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "position"]


class LegalBasis(VersionPart):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="legal_bases")
    number = models.CharField(max_length=120, blank=True)
    title = models.TextField(blank=True)
    issued_on = models.DateField(null=True, blank=True)
    issuer = models.CharField(max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "position"]
        verbose_name_plural = "legal bases"


class ProcedureCase(VersionPart):
    """Trường hợp: its own components and, where they differ, its own time limit and fee."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="cases")
    code = models.CharField(max_length=60, blank=True)
    name = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "position"]


class ComponentTemplate(VersionPart):
    case = models.ForeignKey(ProcedureCase, on_delete=models.CASCADE, related_name="components")
    name = models.TextField()
    form_template = models.CharField(max_length=255, blank=True)
    originals = models.PositiveSmallIntegerField(default=0)
    copies = models.PositiveSmallIntegerField(default=0)
    is_required = models.BooleanField(default=True)
    has_electronic_form = models.BooleanField(default=False)
    data_reuse_sources = models.JSONField(default=list, blank=True)
    raw = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["case", "position"]

    def owning_version_id(self) -> int | None:
        return ProcedureCase.objects.filter(pk=self.case_id).values_list("version_id", flat=True).first()


class ChannelOffer(VersionPart):
    """One row of *cách thức thực hiện*: a channel with its time limit (amount + unit, or none given)."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="offers")
    case = models.ForeignKey(
        ProcedureCase, null=True, blank=True, on_delete=models.CASCADE, related_name="offers"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    time_limit_amount = models.PositiveIntegerField(null=True, blank=True)
    # NULL, not "": a time limit is amount + unit together, or none given (checked below).
    time_limit_unit = models.CharField(  # noqa: DJ001
        max_length=16, choices=TIME_UNIT_CHOICES, null=True, blank=True
    )
    time_limit_raw = models.TextField(blank=True)
    description = models.TextField(blank=True)
    raw = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(time_limit_amount__isnull=True) & Q(time_limit_unit__isnull=True))
                | (Q(time_limit_amount__isnull=False) & Q(time_limit_unit__isnull=False)),
                name="offer_time_limit_amount_and_unit_together",
            ),
        ]

    @property
    def time_limit(self) -> dict[str, Any] | None:
        if self.time_limit_amount is None or self.time_limit_unit is None:
            return None
        return {"amount": self.time_limit_amount, "unit": self.time_limit_unit}


class Fee(VersionPart):
    offer = models.ForeignKey(ChannelOffer, on_delete=models.CASCADE, related_name="fees")
    kind = models.CharField(max_length=6, choices=FeeKind.choices, default=FeeKind.CHARGE)
    amount = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="VND; 0 = free; empty = not given"
    )
    amount_max = models.PositiveBigIntegerField(null=True, blank=True)
    description = models.TextField(blank=True)
    collected_when = models.CharField(
        max_length=14, choices=CollectedWhen.choices, default=CollectedWhen.ON_RECEIPT
    )
    raw = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["offer", "position"]

    def owning_version_id(self) -> int | None:
        return ChannelOffer.objects.filter(pk=self.offer_id).values_list("version_id", flat=True).first()


class InternalProcess(models.Model):
    """Quy trình nội bộ of one version in one province (TT01/2018 Art 8)."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="processes")
    province_code = models.CharField(max_length=10)
    is_generated = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "province_code"], name="process_one_per_province"),
        ]

    def __str__(self) -> str:
        return f"{self.version} @ {self.province_code}"


class ProcessStep(models.Model):
    process = models.ForeignKey(InternalProcess, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    step_code = models.CharField(max_length=40)
    name = models.CharField(max_length=255)
    performer_role = models.CharField(max_length=30, choices=Role.choices)
    agency = models.ForeignKey(
        "units.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="process_steps"
    )
    budget_amount = models.DecimalField(max_digits=7, decimal_places=2)
    budget_unit = models.CharField(max_length=16, choices=BudgetUnit.choices)
    parallel_group = models.PositiveSmallIntegerField(null=True, blank=True)
    form_produced = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["process", "position"]
        constraints = [
            models.UniqueConstraint(fields=["process", "position"], name="process_step_position_unique"),
            models.CheckConstraint(condition=Q(budget_amount__gt=0), name="process_step_budget_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"
