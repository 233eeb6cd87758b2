"""Administrative units, agencies, one-stop units, counters and office hours (SPEC §2, §4.1).

Units keep their history: the legacy three-tier set (63 provinces, districts, communes; valid until
30/06/2025) and the current two-tier set (34 provinces, 3,321 communes; from 01/07/2025) live side
by side, keyed by official statistical codes plus the date they took effect, because codes are
reused across the two sets.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from motcua.core.models import TimeStamped, Validity

REFORM_2025 = dt.date(2025, 7, 1)  # Decision 19/2025/QĐ-TTg: the two-tier local government takes effect.
LEGACY_END = dt.date(2025, 6, 30)


class Level(models.TextChoices):
    PROVINCE = "province", _("Tỉnh, thành phố")
    DISTRICT = "district", _("Huyện, quận, thị xã (trước 01/7/2025)")
    COMMUNE = "commune", _("Xã, phường, đặc khu")


class AdminUnit(Validity):
    """An administrative unit (*đơn vị hành chính*) as published by the statistics office."""

    code = models.CharField(max_length=10)
    level = models.CharField(max_length=10, choices=Level.choices)
    name = models.CharField(max_length=120)
    full_name = models.CharField(max_length=160)
    name_en = models.CharField(max_length=160, blank=True)
    kind = models.CharField(
        max_length=40, blank=True, help_text="tỉnh, thành phố, xã, phường, đặc khu, huyện …"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name_folded = models.CharField(max_length=160, db_index=True, editable=False)

    class Meta:
        ordering = ["level", "code"]
        constraints = [
            models.UniqueConstraint(fields=["level", "code", "valid_from"], name="unit_code_unique_per_set"),
            # NULLs are distinct in a unique index, so the legacy set (valid_from empty) needs its own.
            models.UniqueConstraint(
                fields=["level", "code"],
                condition=Q(valid_from__isnull=True),
                name="unit_code_unique_legacy_set",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="unit_validity_ordered",
            ),
        ]
        indexes = [models.Index(fields=["code", "level"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_legacy(self) -> bool:
        return self.valid_to is not None and self.valid_to < REFORM_2025


class UnitSuccession(models.Model):
    """The 2025 old-to-new commune mapping: ``predecessor`` (legacy) became part of ``successor``."""

    predecessor = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="successions")
    successor = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="predecessions")
    is_whole = models.BooleanField(default=True, help_text="Nhập toàn bộ (whole) or nhập một phần (part)")
    note = models.CharField(max_length=200, blank=True)
    effective_on = models.DateField(default=REFORM_2025)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


# QCVN 102:2016/BTTTT (TT 10/2016/TT-BTTTT), cited by TT01/2018 Art 19: V1V2V3.Z1Z2.Y1Y2.MX1X2.
IDENTIFIER_CODE_PATTERN = r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$"

identifier_code_validator = RegexValidator(
    regex=IDENTIFIER_CODE_PATTERN,
    message=_(
        "Mã định danh phải có dạng V1V2V3.Z1Z2.Y1Y2.MX1X2, ví dụ 000.00.12.H38 "
        "(Identifier code must look like 000.00.12.H38)."
    ),
    code="invalid_identifier_code",
)


class AgencyKind(models.TextChoices):
    PROVINCIAL_COMMITTEE = "provincial_committee", _("UBND tỉnh, thành phố")
    DEPARTMENT = "department", _("Sở, cơ quan chuyên môn")
    COMMUNE_COMMITTEE = "commune_committee", _("UBND xã, phường, đặc khu")
    DISTRICT_COMMITTEE = "district_committee", _("UBND huyện (trước 01/7/2025)")
    VERTICAL = "vertical", _("Cơ quan ngành dọc")
    MINISTRY = "ministry", _("Bộ, cơ quan ngang bộ")
    SPECIALISED_OFFICE = "specialised_office", _("Đơn vị chuyên môn (văn phòng đăng ký đất đai …)")


class Agency(Validity, TimeStamped):
    """An agency (*cơ quan, đơn vị*) with its national electronic identifier code (QCVN 102:2016)."""

    identifier_code = models.CharField(max_length=13, validators=[identifier_code_validator])
    name = models.CharField(max_length=255)
    short_name = models.CharField(max_length=80, blank=True)
    kind = models.CharField(max_length=30, choices=AgencyKind.choices)
    admin_unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="agencies")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    successor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="predecessors"
    )
    name_folded = models.CharField(max_length=255, db_index=True, editable=False)

    class Meta:
        ordering = ["identifier_code"]
        verbose_name_plural = "agencies"
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="agency_validity_ordered",
            ),
            # Two agencies may share a code only over disjoint periods (services.check_agency checks the
            # overlap); these two catch the cases an index can: two open-ended, or two "since ever".
            models.UniqueConstraint(
                fields=["identifier_code"], condition=Q(valid_to__isnull=True), name="agency_code_unique_open"
            ),
            models.UniqueConstraint(
                fields=["identifier_code"],
                condition=Q(valid_from__isnull=True),
                name="agency_code_unique_since_ever",
            ),
            models.UniqueConstraint(
                fields=["identifier_code", "valid_from"], name="agency_code_unique_per_start"
            ),
        ]
        indexes = [models.Index(fields=["identifier_code"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.identifier_code})"


class OneStopKind(models.TextChoices):
    MINISTRY_RECEPTION = "ministry_reception", _("Bộ phận tiếp nhận và trả kết quả cấp bộ")
    PROVINCIAL_CENTRE = "provincial_centre", _("Trung tâm Phục vụ hành chính công cấp tỉnh")
    COMMUNE_CENTRE = "commune_centre", _("Trung tâm Phục vụ hành chính công cấp xã")
    BRANCH = "branch", _("Chi nhánh, điểm tiếp nhận")
    DISTRICT_RECEPTION = "district_reception", _("Bộ phận một cửa cấp huyện (trước 01/7/2025)")


class OneStopUnit(Validity, TimeStamped):
    """A one-stop unit (*Bộ phận Một cửa*, Public Administration Service Centre)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=30, choices=OneStopKind.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="one_stop_units")
    admin_unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="one_stop_units")
    parent_centre = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="branches"
    )
    address = models.CharField(max_length=255, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    accepts_boundary_independent = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="one_stop_unit_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def province(self) -> AdminUnit:
        unit = self.admin_unit
        while unit.parent_id is not None and unit.level != Level.PROVINCE:
            unit = unit.parent  # type: ignore[assignment]
        return unit


class Counter(TimeStamped):
    """A counter (*quầy*), one per field or group of fields (ND61 Art 13(2)(b))."""

    one_stop_unit = models.ForeignKey(OneStopUnit, on_delete=models.CASCADE, related_name="counters")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=160)
    field_codes = models.JSONField(default=list, blank=True, help_text="Mã lĩnh vực served at this counter")
    queue_prefix = models.CharField(max_length=3, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["one_stop_unit", "number"]
        constraints = [
            models.UniqueConstraint(fields=["one_stop_unit", "number"], name="counter_number_unique"),
            models.UniqueConstraint(
                fields=["one_stop_unit", "queue_prefix"],
                condition=~Q(queue_prefix=""),
                name="counter_queue_prefix_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.one_stop_unit} — {self.name}"


class OfficeHours(models.Model):
    """Opening windows of a one-stop unit on one weekday (0 = Monday … 6 = Sunday).

    A Saturday row means the centre opens on Saturdays; that does not make Saturday a working day
    for deadline counting (SPEC §6.3 W11)."""

    one_stop_unit = models.ForeignKey(OneStopUnit, on_delete=models.CASCADE, related_name="office_hours")
    weekday = models.PositiveSmallIntegerField(choices=[(i, str(i)) for i in range(7)])
    morning_start = models.TimeField(null=True, blank=True)
    morning_end = models.TimeField(null=True, blank=True)
    afternoon_start = models.TimeField(null=True, blank=True)
    afternoon_end = models.TimeField(null=True, blank=True)

    class Meta:
        ordering = ["one_stop_unit", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["one_stop_unit", "weekday"], name="office_hours_one_per_weekday"),
            models.CheckConstraint(
                condition=Q(morning_start__isnull=True) | Q(morning_end__gt=F("morning_start")),
                name="office_hours_morning_ordered",
            ),
            models.CheckConstraint(
                condition=Q(afternoon_start__isnull=True) | Q(afternoon_end__gt=F("afternoon_start")),
                name="office_hours_afternoon_ordered",
            ),
        ]

    def __str__(self) -> str:
        text = ", ".join(f"{start:%H:%M}–{end:%H:%M}" for start, end in self.windows())
        return f"{self.one_stop_unit_id} / {self.weekday}: {text}"

    def windows(self) -> list[tuple[dt.time, dt.time]]:
        pairs = [(self.morning_start, self.morning_end), (self.afternoon_start, self.afternoon_end)]
        return [(a, b) for a, b in pairs if a is not None and b is not None]


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("Đang chờ")
    CALLED = "called", _("Đã gọi")


class QueueTicket(models.Model):
    """A queue number (*số thứ tự*) taken at the kiosk for one counter, called by an officer.

    Numbers run from 1 per counter and local day, without gaps (the counter row is locked while a
    number is issued); ``idempotency_key`` makes a kiosk's retried request return the same ticket.
    """

    counter = models.ForeignKey(Counter, on_delete=models.PROTECT, related_name="tickets")
    day = models.DateField()
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=TicketStatus.choices, default=TicketStatus.WAITING)
    taken_at = models.DateTimeField()
    called_at = models.DateTimeField(null=True, blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["counter", "day", "number"]
        constraints = [
            models.UniqueConstraint(fields=["counter", "day", "number"], name="queue_ticket_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="queue_ticket_number_positive"),
            models.CheckConstraint(
                condition=Q(status="waiting") | Q(called_at__isnull=False),
                name="queue_ticket_called_has_time",
            ),
        ]
        indexes = [models.Index(fields=["counter", "day", "status"])]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        """``A012``: the counter's queue prefix and the number on three digits."""
        return f"{self.counter.queue_prefix}{self.number:03d}"
