"""Dossiers (SPEC §4.3): the dossier, its components and files, tasks, consultations, clock events,
fee lines, the result, and the append-only, hash-chained event log.

Nothing here decides anything: ``services.py`` is the only code that changes a dossier (STYLE.md, the
one door). The models hold the invariants a row can hold by itself (constraints), and refuse to
change or delete an event or a clock event once written (append-only; on PostgreSQL a trigger
refuses it too, migration 0002).
"""

from __future__ import annotations

from typing import Any, ClassVar, Final

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import TIME_UNIT_CHOICES, Channel, CollectedWhen
from motcua.core.errors import Conflict
from motcua.workflow import ACTIVE, State, Step

from .applicants import ApplicantKind, IdentifierType

STATE_CHOICES = [(s.value, s.value) for s in State]
STEP_CHOICES = [(s.value, s.value) for s in Step]


class ResultDelivery(models.TextChoices):
    COUNTER = "counter", _("Nhận tại Bộ phận Một cửa")
    POSTAL = "postal", _("Nhận qua bưu chính công ích")
    ONLINE = "online", _("Nhận bản điện tử (kho dữ liệu cá nhân)")


class PaidOnline(models.IntegerChoices):
    """``DuocThanhToanTrucTuyen`` (SPEC §4.3 flags)."""

    NO = 0, _("Không")
    NATIONAL_PLATFORM = 1, _("Qua nền tảng thanh toán của Cổng DVCQG")
    PROVINCIAL_GATEWAY = 2, _("Qua cổng thanh toán của tỉnh")


class CopyType(models.TextChoices):
    ORIGINAL = "original", _("Bản chính")
    COPY = "copy", _("Bản sao")
    CERTIFIED_COPY = "certified_copy", _("Bản sao chứng thực")
    ELECTRONIC = "electronic", _("Bản điện tử")


class Timeliness(models.TextChoices):
    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")


# The columns ``selectors.visible_dossiers`` tests (besides third-agency ids), carried by the
# indexes that pages walk or count on so that visibility is answered from the index (ADR 0038, 0039).
VISIBILITY_COLUMNS: Final = (
    "received_at_unit",
    "return_unit",
    "submitted_by",
    "competent_agency",
    "receiving_agency",
)


class Dossier(models.Model):
    """Hồ sơ: one citizen dossier, opened under one frozen procedure version and case."""

    # Identity: the code exists only once accepted (TT01/2018 Art 19); online submissions carry a
    # temporary reference until then.
    code = models.CharField(max_length=40, null=True, blank=True, unique=True)
    temporary_reference = models.CharField(max_length=24, null=True, blank=True, unique=True)
    intake_key = models.CharField(  # NULL for dossiers opened without a key (unique allows many NULLs)
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text="idempotency key of the request that opened the dossier: a repeated request finds it",
    )

    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion", on_delete=models.PROTECT, related_name="dossiers"
    )
    procedure_case = models.ForeignKey(
        "catalog.ProcedureCase", null=True, blank=True, on_delete=models.PROTECT, related_name="dossiers"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # The time limit of the version's channel offer, copied at acceptance (the version is frozen
    # anyway; the copy makes the clock replay independent of later catalogue reads).
    time_limit_amount = models.PositiveIntegerField(null=True, blank=True)
    time_limit_unit = models.CharField(  # noqa: DJ001 - amount and unit are NULL together
        max_length=16, choices=TIME_UNIT_CHOICES, null=True, blank=True
    )

    # Applicant (chủ hồ sơ).
    applicant_kind = models.CharField(max_length=14, choices=ApplicantKind.choices)
    applicant_name = models.CharField(max_length=255)
    applicant_identifier_type = models.CharField(max_length=20, choices=IdentifierType.choices)
    applicant_identifier = models.CharField(max_length=20)
    applicant_date_of_birth = models.DateField(null=True, blank=True)
    applicant_address = models.CharField(max_length=500, blank=True)
    applicant_commune = models.ForeignKey(
        "units.AdminUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applicant_phone = models.CharField(max_length=15, blank=True)
    applicant_email = models.EmailField(blank=True)
    # Authorised representative (người được ủy quyền, ``UyQuyen``): all empty when there is none.
    has_representative = models.BooleanField(default=False)
    representative_name = models.CharField(max_length=255, blank=True)
    representative_identifier_type = models.CharField(
        max_length=20, choices=IdentifierType.choices, blank=True
    )
    representative_identifier = models.CharField(max_length=20, blank=True)
    representative_date_of_birth = models.DateField(null=True, blank=True)
    representative_address = models.CharField(max_length=500, blank=True)
    representative_commune = models.ForeignKey(  # indexed where set (Meta: ADR 0044)
        "units.AdminUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    representative_phone = models.CharField(max_length=15, blank=True)
    representative_email = models.EmailField(blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submitted_dossiers",
        help_text="The applicant's own account (online submissions); empty at the counter.",
        db_index=False,  # indexed where set (Meta: ADR 0044)
    )

    # The three units (SPEC §2 item 3) and the agency whose identifier opens the code.
    # No index of their own for the receiving unit and the competent agency: the composite indexes
    # below start with them (every index is maintained on every write; ADR 0038).
    received_at_unit = models.ForeignKey(
        "units.OneStopUnit", on_delete=models.PROTECT, related_name="received_dossiers", db_index=False
    )
    receiving_agency = models.ForeignKey(
        "units.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="received_dossiers"
    )
    competent_agency = models.ForeignKey(
        "units.Agency", on_delete=models.PROTECT, related_name="competent_dossiers", db_index=False
    )
    return_unit = models.ForeignKey(
        "units.OneStopUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="returned_dossiers"
    )

    # Instants (stored in UTC).
    submitted_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    original_due_at = models.DateTimeField(null=True, blank=True)
    extended_due_at = models.DateTimeField(null=True, blank=True)
    handover_due_at = models.DateTimeField(
        null=True, blank=True, help_text="ND61 Art 18(2), ND118 Art 18: the electronic hand-over deadline"
    )
    paper_handover_due_at = models.DateTimeField(null=True, blank=True)
    forwarded_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)

    # "Vào Sổ theo dõi hồ sơ … Số thứ tự" (Form 01; the line of the Form 07 ledger): numbered per
    # receiving one-stop unit and calendar year, from 1, without gaps (TT01/2018 Art 10(2)); given with
    # the code at acceptance (``codes.issue_numbers``). The year is the local year of ``received_at``.
    ledger_year = models.PositiveSmallIntegerField(null=True, blank=True)
    ledger_number = models.PositiveIntegerField(null=True, blank=True)

    state = models.CharField(max_length=40, choices=STATE_CHOICES)  # indexed in Meta (no LIKE index)
    step = models.CharField(max_length=30, choices=STEP_CHOICES, null=True, blank=True)  # noqa: DJ001
    national_status = models.PositiveSmallIntegerField(null=True, blank=True)
    timeliness = models.CharField(  # noqa: DJ001 - set when processing ends
        max_length=10, choices=Timeliness.choices, null=True, blank=True
    )

    result_delivery = models.CharField(
        max_length=10, choices=ResultDelivery.choices, default=ResultDelivery.COUNTER
    )
    result_delivery_address = models.CharField(max_length=500, blank=True)
    summary = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    # Kept for national-portal dossiers split by DVCQG; motcua's own inter-agency work is ONE dossier
    # with tasks at several agencies (SPEC scenario 20), so this stays empty for it.
    parent = models.ForeignKey(  # indexed where set (Meta: ADR 0044)
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", db_index=False
    )

    # National index flags (SPEC §4.3).
    has_digitized_components = models.BooleanField(default=False)
    has_reused_components = models.BooleanField(default=False)
    vneid_verified = models.BooleanField(default=False)
    paid_online = models.PositiveSmallIntegerField(choices=PaidOnline.choices, default=PaidOnline.NO)
    # Internal evaluation flags (SPEC scenarios 14-15).
    supplement_outside_window = models.BooleanField(default=False)
    supplement_requested_twice = models.BooleanField(default=False)

    version = models.PositiveIntegerField(default=1, help_text="optimistic check: bumped by every act")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in State]), name="dossier_state_known"
            ),
            models.CheckConstraint(
                condition=Q(code__isnull=True) | Q(received_at__isnull=False),
                name="dossier_code_only_when_received",
            ),
            models.CheckConstraint(
                condition=Q(due_at__isnull=True)
                | Q(received_at__isnull=True)
                | Q(due_at__gte=F("received_at")),
                name="dossier_due_after_receipt",
            ),
            models.CheckConstraint(
                condition=(Q(time_limit_amount__isnull=True) & Q(time_limit_unit__isnull=True))
                | (Q(time_limit_amount__isnull=False) & Q(time_limit_unit__isnull=False)),
                name="dossier_time_limit_amount_and_unit_together",
            ),
            models.CheckConstraint(condition=Q(paid_online__in=[0, 1, 2]), name="dossier_paid_online_0_1_2"),
            models.CheckConstraint(
                condition=(Q(ledger_number__isnull=True) & Q(ledger_year__isnull=True))
                | (Q(ledger_number__gte=1) & Q(ledger_year__isnull=False) & Q(code__isnull=False)),
                name="dossier_ledger_number_with_year_and_code",
            ),
            models.UniqueConstraint(
                fields=["received_at_unit", "ledger_year", "ledger_number"],
                condition=Q(ledger_number__isnull=False),
                name="dossier_ledger_number_unique_per_unit_year",
            ),
        ]
        indexes = [
            models.Index(fields=["state"], name="dossier_state"),
            models.Index(fields=["competent_agency", "state"]),
            models.Index(fields=["received_at_unit", "received_at"]),
            models.Index(fields=["due_at"]),
            # The staff pages at a million dossiers (ADR 0031): open dossiers by due date (overview,
            # queues), today's intake, and newest first (search). The folded-name and code trigram
            # indexes are PostgreSQL-only (migration 0008).
            models.Index(
                fields=["due_at", "id"],
                # What the overview counts and groups by (visibility, agency, step) rides along, so
                # on PostgreSQL those counts are index-only scans (ADR 0038).
                include=[*VISIBILITY_COLUMNS, "state", "step"],
                condition=Q(state__in=sorted(s.value for s in ACTIVE)),
                name="dossier_active_due",
            ),
            models.Index(fields=["received_at"], name="dossier_received_at"),
            models.Index(
                fields=["created_at", "id"],
                # Staff search walks it newest first (``queues.search_dossiers``): what visibility
                # and the procedure and state criteria test rides along, so on PostgreSQL the walk
                # picks a page's ids from the index alone, without a heap row per dossier passed
                # over (ADR 0039).
                include=[*VISIBILITY_COLUMNS, "procedure_version", "state"],
                name="dossier_created",
            ),
            models.Index(fields=["competent_agency", "id"], name="dossier_competent_id"),
            # The counter's "earlier dossiers of this person" and staff search by identifier number
            # (``queues.earlier_applicant``, ``queues.search``): without them, a sequential scan of
            # the dossier table on every citizen ID typed at the counter (0.7 s warm, 6.4 s cold at
            # 1,000,000 dossiers).
            models.Index(fields=["applicant_identifier"], name="dossier_applicant_id_no"),
            models.Index(
                fields=["representative_identifier"],
                name="dossier_representative_id_no",
                condition=~Q(representative_identifier=""),
            ),
            # Foreign keys empty on most rows (every counter dossier: no applicant account, no
            # representative, no parent) are indexed where set (ADR 0044): what looks them up (an
            # applicant's own dossiers; the foreign key check of a deleted user, commune or
            # dossier) tests equality, which implies NOT NULL, and an acceptance writes no entry.
            models.Index(
                fields=["submitted_by"],
                name="dossier_submitted_by_set",
                condition=Q(submitted_by__isnull=False),
            ),
            models.Index(
                fields=["representative_commune"],
                name="dossier_rep_commune_set",
                condition=Q(representative_commune__isnull=False),
            ),
            models.Index(fields=["parent"], name="dossier_parent_set", condition=Q(parent__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """The code once accepted, else the temporary reference, else the row id."""
        return self.code or self.temporary_reference or f"#{self.pk}"

    @property
    def is_extended(self) -> bool:
        return self.extended_due_at is not None


class CodeCounter(models.Model):
    """The last sequence number issued per receiving agency and local day (gap-free codes)."""

    agency = models.ForeignKey("units.Agency", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="code_counter_per_agency_day")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day}: {self.last}"


class LedgerCounter(models.Model):
    """The last ledger number given per receiving one-stop unit and year (gap-free, like codes)."""

    one_stop_unit = models.ForeignKey("units.OneStopUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["one_stop_unit", "year"], name="ledger_counter_per_unit_year")
        ]

    def __str__(self) -> str:
        return f"{self.one_stop_unit_id} {self.year}: {self.last}"


class DossierComponent(models.Model):
    """Thành phần hồ sơ as submitted (SPEC §4.3 DossierComponent)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="components")
    template = models.ForeignKey(
        "catalog.ComponentTemplate", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.TextField()
    copy_type = models.CharField(max_length=16, choices=CopyType.choices, default=CopyType.COPY)
    count = models.PositiveSmallIntegerField(default=1)
    digitized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    digitized_at = models.DateTimeField(null=True, blank=True)
    reused_from = models.CharField(
        max_length=255, blank=True, help_text="personal store, national DB code (MaCSDL) or result code"
    )
    original_returned_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["dossier", "position", "id"]

    def __str__(self) -> str:
        return self.name


def _file_path(instance: DossierFile, filename: str) -> str:
    return f"dossiers/{instance.sha256[:2]}/{instance.sha256}"


class DossierFile(models.Model):
    """A digitized copy of a component, stored through Django's storage API with its SHA-256."""

    component = models.ForeignKey(DossierComponent, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=_file_path, max_length=200)
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=40)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["component", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class ProcessingTask(models.Model):
    """A step instance at one agency, with its own budget (SPEC §4.3 ProcessingTask, scenario 19)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveSmallIntegerField(default=0)
    step_code = models.CharField(max_length=40)
    name = models.CharField(max_length=255)
    agency = models.ForeignKey("units.Agency", on_delete=models.PROTECT, related_name="dossier_tasks")
    from_agency = models.ForeignKey(
        "units.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_lead = models.BooleanField(default=False)
    # The task's agency is neither the dossier's competent nor its receiving agency (inter-agency
    # work, liên thông): only these tasks give an agency's staff a dossier its own columns do not
    # (``selectors.staff_places_q``). Kept when tasks open and when work moves to a successor agency;
    # True is the safe default (a dossier listed once more, never one hidden).
    third_agency = models.BooleanField(default=True)
    role = models.CharField(max_length=30, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossier_tasks",
    )
    budget_amount = models.PositiveIntegerField()
    budget_unit = models.CharField(max_length=16, choices=TIME_UNIT_CHOICES)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=40, blank=True)
    opinion = models.TextField(blank=True)
    timeliness = models.CharField(  # noqa: DJ001 - set when the task completes
        max_length=10, choices=Timeliness.choices, null=True, blank=True
    )

    class Meta:
        ordering = ["dossier", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(due_at__gte=F("started_at")), name="task_due_after_start"),
        ]
        # Dossiers with work at an agency, read from the index alone (visibility, ADR 0031).
        indexes = [
            models.Index(fields=["agency", "dossier"], name="task_agency_dossier"),
            models.Index(
                fields=["agency", "dossier"], condition=Q(third_agency=True), name="task_third_agency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.agency_id}"


class Consultation(models.Model):
    """Lấy ý kiến (ND61 Art 19(5)): content and deadline to another agency, and its answer."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="consultations")
    requested_agency = models.ForeignKey("units.Agency", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    content = models.TextField()
    deadline = models.DateTimeField()
    response = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["dossier", "requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.dossier_id} → {self.requested_agency_id}"


# When a fee line is due: the catalogue's moments, plus a financial obligation notified during
# processing (SPEC T16; the dossier waits for it before the result).
OBLIGATION = "obligation"
FEE_LINE_COLLECT_CHOICES = [
    *CollectedWhen.choices,
    (OBLIGATION, _("Nghĩa vụ tài chính trước khi có kết quả")),
]


class FeeLine(models.Model):
    """A fee or charge due on the dossier, from the version's fees or a financial obligation (T16).

    ``is_paid``/``paid_at`` follow the payment ledger (``motcua.payments``), which records every
    payment; they are set only through ``services.settle_fee_lines``.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="fee_lines")
    fee = models.ForeignKey("catalog.Fee", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    description = models.TextField(blank=True)
    amount = models.PositiveBigIntegerField(help_text="VND")
    collect_at = models.CharField(max_length=14, choices=FEE_LINE_COLLECT_CHOICES)
    is_paid = models.BooleanField(default=False)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dossier", "id"]

    def __str__(self) -> str:
        return f"{self.description} {self.amount}"


class Result(models.Model):
    """Kết quả giải quyết: signed, then numbered and issued (SPEC §4.3 Result)."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="result")
    is_refusal = models.BooleanField(default=False)
    number = models.CharField(max_length=60, blank=True)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to="results/%Y/%m/", max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    result_code = models.CharField(max_length=60, blank=True, help_text="MaGiayToKetQua")
    # The digital signature over ``file`` (dossiers/signing.py); empty when signed on paper.
    signature_provider = models.CharField(max_length=40, blank=True)
    signature_algorithm = models.CharField(max_length=40, blank=True)
    signature_value = models.TextField(blank=True, help_text="base64")
    signature_certificate = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return self.number or f"result of {self.dossier_id}"

    @property
    def is_digitally_signed(self) -> bool:
        return bool(self.signature_value)


# --------------------------------------------------------------------------------------------------
# Append-only rows: the event log and the clock timeline
# --------------------------------------------------------------------------------------------------


class AppendOnlyViolation(Conflict):
    code = "append_only"

    def __init__(self, model: str) -> None:
        super().__init__(
            "Lịch sử hồ sơ chỉ được ghi thêm; không được sửa hay xóa.",
            "The dossier history is append-only; rows cannot be changed or deleted.",
            model=model,
        )


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyViolation(self.model.__name__)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyViolation(self.model.__name__)


class AppendOnly(models.Model):
    objects: ClassVar[models.Manager[Any]] = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyViolation(type(self).__name__)
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyViolation(type(self).__name__)


# The event of ``services.transfer_to_successor`` (SPEC scenario 30). Its ``data["competent_agency"]``
# (``{"from": id, "to": id}``, when the competent agency moved) is how the reports find the agency a
# dossier had when it was received (decision 0062).
HANDED_TO_SUCCESSOR: Final = "transferred_to_successor"


class DossierEvent(AppendOnly):
    """One act on a dossier: who, when, why, from where to where, which form; hash-chained."""

    # Indexed by the unique (dossier, seq) constraint.
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events", db_index=False)
    seq = models.PositiveIntegerField()
    act = models.CharField(max_length=40)
    name = models.CharField(max_length=40, help_text="past tense: accepted, supplement_requested …")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=30)
    at = models.DateTimeField()
    reason = models.TextField(blank=True)
    state_before = models.CharField(max_length=40)
    state_after = models.CharField(max_length=40)
    step_before = models.CharField(max_length=30, blank=True)
    step_after = models.CharField(max_length=30, blank=True)
    form = models.CharField(max_length=10, blank=True, help_text="form01 … form07 produced by the act")
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["dossier", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "seq"], name="dossier_event_seq_unique"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="dossier_event_seq_positive"),
        ]
        indexes = [models.Index(fields=["name", "at"]), models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.seq} {self.name}"


class ClockEvent(AppendOnly):
    """One entry of the dossier's clock timeline (``deadlines.timeline.ClockEvent``), in order."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="clock_events")
    # Indexed by the unique constraint on the event.
    event = models.ForeignKey(
        DossierEvent, on_delete=models.PROTECT, related_name="clock_events", db_index=False
    )
    kind = models.CharField(max_length=40)
    at = models.DateTimeField()
    new_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dossier", "at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event"], name="clock_event_one_per_event"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


# --------------------------------------------------------------------------------------------------
# Online submission: drafts, the personal document store, tracking (issue #7; decision 0016)
# --------------------------------------------------------------------------------------------------


class Draft(models.Model):
    """An online dossier being prepared: what the applicant typed and which stored document fills
    each component. Not a dossier yet (no state, no history): ``online.submit_draft`` turns it into
    one in a single transaction, so an interrupted submission leaves the draft as it was."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts")
    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion", on_delete=models.PROTECT, related_name="+"
    )
    procedure_case = models.ForeignKey(
        "catalog.ProcedureCase", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Applicant, representative, delivery, summary: the form's values as typed (validated at submit).
    data = models.JSONField(default=dict, blank=True)
    # template id (as text) → {"document": StoredDocument id, "reused": bool}
    slots = models.JSONField(default=dict, blank=True)
    dossier = models.OneToOneField(
        Dossier, null=True, blank=True, on_delete=models.SET_NULL, related_name="draft"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["owner", "submitted_at"])]

    def __str__(self) -> str:
        return f"draft {self.pk} of {self.owner_id}"


class StoredDocumentSource(models.TextChoices):
    UPLOAD = "upload", _("Tải lên khi nộp trực tuyến")
    COUNTER = "counter", _("Số hóa tại Bộ phận Một cửa")
    RESULT = "result", _("Kết quả giải quyết điện tử")


def _store_path(instance: StoredDocument, filename: str) -> str:
    return f"store/{instance.sha256[:2]}/{instance.sha256}"


class StoredDocument(models.Model):
    """Kho dữ liệu cá nhân (NĐ 45/2020; SPEC §9): a document held digitally for one account, with
    its type and validity, reused by later dossiers instead of being asked for again (NĐ 107)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stored_documents"
    )
    title = models.CharField(max_length=500)
    document_type = models.CharField(max_length=500, help_text="the component (or result) it is")
    source = models.CharField(max_length=10, choices=StoredDocumentSource.choices)
    valid_until = models.DateField(null=True, blank=True)
    file = models.FileField(upload_to=_store_path, max_length=200)
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=40)
    dossier = models.ForeignKey(
        Dossier, null=True, blank=True, on_delete=models.SET_NULL, related_name="stored_documents"
    )
    result_code = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "sha256"], name="stored_document_once_per_owner"),
        ]

    def __str__(self) -> str:
        return self.title


class TrackingFailure(models.Model):
    """A failed anonymous tracking look-up (unknown code or wrong second factor), by a keyed hash
    of the client address: enough failures in the window refuse further look-ups from there."""

    client = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["client", "at"])]

    def __str__(self) -> str:
        return f"{self.client[:8]} {self.at:%Y-%m-%d %H:%M}"


# --------------------------------------------------------------------------------------------------
# The inspectors' access log (SPEC §4.1: "every access logged"; decision 0061)
# --------------------------------------------------------------------------------------------------


class AccessKind(models.TextChoices):
    PAGE = "page", _("Trang hồ sơ")
    FORM = "form", _("Mẫu, phiếu")
    FILE = "file", _("Tệp")
    API = "api", _("API")
    SEARCH = "search", _("Tìm kiếm, danh sách")


class DossierAccess(AppendOnly):
    """One read by an inspector: who, when, which dossier, what, from which address. A search or a
    list is one row with its query and the number of dossiers it showed, no dossier. Append-only:
    the model refuses a change or a deletion, and the database too (migration 0018)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    user_name = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField()
    dossier = models.ForeignKey(
        Dossier, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=10, choices=AccessKind.choices)
    detail = models.CharField(
        max_length=500, blank=True, help_text="the form, file or resource read; a search's query"
    )
    results = models.PositiveIntegerField(null=True, blank=True, help_text="a search: the dossiers shown")
    address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("lượt truy cập hồ sơ của thanh tra")
        verbose_name_plural = _("nhật ký truy cập hồ sơ của thanh tra")
        constraints = [
            models.CheckConstraint(
                condition=Q(dossier__isnull=False) | Q(kind="search"), name="dossier_access_names_a_dossier"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "at"]),
            models.Index(fields=["dossier", "at"]),
            models.Index(fields=["at"]),
        ]

    def __str__(self) -> str:
        who = self.user_name or self.user_id
        return f"{who} {self.kind} {self.dossier_id or ''} {self.at:%Y-%m-%d %H:%M}"
