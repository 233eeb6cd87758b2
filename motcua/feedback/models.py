"""Feedback and petitions (phản ánh, kiến nghị — PAKN, SPEC §7.3) and service ratings (SPEC §7.1).

Nothing here decides anything: ``services.py`` is the only code that changes a petition or records a
rating. The rows hold what a row can hold by itself (constraints); the petition history is
append-only (the model refuses updates and deletes; decision 0020).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import Conflict

from .lifecycle import PetitionState

PETITION_STATE_CHOICES = [(s.value, s.value) for s in PetitionState]


class PetitionKind(models.TextChoices):
    """ND20 Art 3: a kiến nghị is a phản ánh plus a proposed solution or a new-regulation initiative."""

    REFLECTION = "reflection", _("Phản ánh")
    RECOMMENDATION = "recommendation", _("Kiến nghị")


class PetitionTopic(models.IntegerChoices):
    """ND20 Art 5: what a petition is about."""

    BEHAVIOUR = 1, _("Hành vi chậm trễ, gây phiền hà, không thực hiện hoặc thực hiện không đúng quy định")
    UNSUITED = 2, _("Quy định không phù hợp với thực tế")
    INCONSISTENT = 3, _("Quy định không thống nhất, không đồng bộ")
    UNLAWFUL = 4, _("Quy định không hợp pháp")
    TREATY = 5, _("Quy định trái với điều ước quốc tế")
    OTHER = 6, _("Vấn đề khác")
    SOLUTION = 7, _("Phương án xử lý")
    INITIATIVE = 8, _("Sáng kiến ban hành mới quy định")


class Petition(models.Model):
    """One petition (PAKN) with its submitter, the agency handling it and its time limits."""

    # Public reference: random, not derived from the row id, so references cannot be guessed.
    code = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=16, choices=PetitionKind.choices)
    topic = models.PositiveSmallIntegerField(choices=PetitionTopic.choices)
    title = models.CharField(max_length=200)
    content = models.TextField()
    proposal = models.TextField(blank=True)
    supplements = models.TextField(blank=True, help_text="what the submitter added when asked")

    # Submitter (ND20 Art 7: name, address and phone are required), plus the citizen ID.
    submitter_name = models.CharField(max_length=150)
    submitter_identifier = models.CharField(max_length=12)
    submitter_phone = models.CharField(max_length=15)
    submitter_email = models.EmailField(blank=True)
    submitter_address = models.CharField(max_length=500)
    submitter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="petitions"
    )
    channel = models.CharField(max_length=10, default="portal")
    # API clients send ``Idempotency-Key``: a retried POST returns the petition already recorded.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)

    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="petitions"
    )
    officers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="petitions_about")
    agency = models.ForeignKey("units.Agency", on_delete=models.PROTECT, related_name="petitions")
    one_stop_unit = models.ForeignKey(
        "units.OneStopUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="petitions"
    )

    state = models.CharField(max_length=24, choices=PETITION_STATE_CHOICES, db_index=True)
    submitted_at = models.DateTimeField()
    # The clock starts at receipt, again at a transfer or a supplement (SPEC §7.3, QD766 5.2).
    clock_started_at = models.DateTimeField()
    refuse_due_at = models.DateTimeField()
    supplement_due_at = models.DateTimeField()
    transfer_due_at = models.DateTimeField()
    resolve_due_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    publish_due_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refusal_reason = models.TextField(blank=True)
    # Every limit met so far (refusal, supplement request, transfer, answer, publication).
    is_late = models.BooleanField(default=False)

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in PetitionState]), name="petition_state_known"
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(state=PetitionState.PUBLISHED.value),
                name="petition_published_only_when_published",
            ),
            models.CheckConstraint(
                condition=~Q(state=PetitionState.PUBLISHED.value) | ~Q(answer=""),
                name="petition_published_has_answer",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "state"]),
            models.Index(fields=["state", "published_at"]),
            models.Index(fields=["submitted_at"]),
        ]

    def __str__(self) -> str:
        return self.code


class AppendOnlyViolation(Conflict):
    code = "append_only"

    def __init__(self, model: str) -> None:
        super().__init__(
            "Lịch sử phản ánh, kiến nghị chỉ được ghi thêm; không được sửa hay xóa.",
            "The petition history is append-only; rows cannot be changed or deleted.",
            model=model,
        )


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyViolation(self.model.__name__)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyViolation(self.model.__name__)


class PetitionEvent(models.Model):
    """One act on a petition: who, when, from which state to which, why, and whether it was on time."""

    objects: ClassVar[models.Manager[Any]] = AppendOnlyQuerySet.as_manager()

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    act = models.CharField(max_length=30)
    name = models.CharField(max_length=30, help_text="past tense: submitted, refused, answered …")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField()
    state_before = models.CharField(max_length=24, blank=True)
    state_after = models.CharField(max_length=24)
    note = models.TextField(blank=True)
    due_at = models.DateTimeField(null=True, blank=True, help_text="the limit this act had to meet")
    is_on_time = models.BooleanField(null=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["petition", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["petition", "seq"], name="petition_event_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id}#{self.seq} {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyViolation(type(self).__name__)
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyViolation(type(self).__name__)


class Score(models.IntegerChoices):
    """TT01/2018 Art 13 scores 2 / 1 / 0."""

    GOOD = 2, _("Tốt")
    FAIR = 1, _("Đạt")
    POOR = 0, _("Không đạt")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Hài lòng")
    NEUTRAL = "neutral", _("Bình thường")
    DISSATISFIED = "dissatisfied", _("Không hài lòng")


class ProofKind(models.TextChoices):
    PHONE = "phone", _("4 số cuối điện thoại")
    IDENTIFIER = "identifier", _("4 số cuối giấy tờ định danh")
    OWNER = "owner", _("Tài khoản chủ hồ sơ")


class Rating(models.Model):
    """The applicant's rating of one returned dossier (ND61 Art 31(1); once per dossier)."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.PROTECT, related_name="rating")
    agency = models.ForeignKey("units.Agency", on_delete=models.PROTECT, related_name="ratings")
    one_stop_unit = models.ForeignKey("units.OneStopUnit", on_delete=models.PROTECT, related_name="ratings")
    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion", on_delete=models.PROTECT, related_name="+"
    )
    rated_at = models.DateTimeField(db_index=True)
    returned_at = models.DateTimeField()
    proof = models.CharField(max_length=10, choices=ProofKind.choices)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # ND61 Art 31(1): (a) time, (b) agencies contacted, (c) contacts, (d) published information,
    # (đ) staff attitude, (e) lawful result and costs, (h) online service (online dossiers only).
    time_score = models.PositiveSmallIntegerField(choices=Score.choices)
    agencies_contacted = models.PositiveSmallIntegerField()
    contacts = models.PositiveSmallIntegerField()
    information_score = models.PositiveSmallIntegerField(choices=Score.choices)
    attitude_score = models.PositiveSmallIntegerField(choices=Score.choices)
    lawfulness_score = models.PositiveSmallIntegerField(choices=Score.choices)
    online_score = models.PositiveSmallIntegerField(choices=Score.choices, null=True, blank=True)
    satisfaction = models.CharField(max_length=14, choices=Satisfaction.choices)
    comment = models.TextField(blank=True)  # (i) other

    class Meta:
        ordering = ["-rated_at", "-id"]
        indexes = [
            # The unhappy dossiers finished since a period's start (``selectors.unhappy_dossier_ids``).
            models.Index(
                fields=["returned_at"],
                name="rating_dissatisfied_returned",
                condition=Q(satisfaction="dissatisfied"),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(time_score__lte=2), name="rating_time_score_0_2"),
            models.CheckConstraint(
                condition=Q(information_score__lte=2), name="rating_information_score_0_2"
            ),
            models.CheckConstraint(condition=Q(attitude_score__lte=2), name="rating_attitude_score_0_2"),
            models.CheckConstraint(condition=Q(lawfulness_score__lte=2), name="rating_lawfulness_score_0_2"),
            models.CheckConstraint(
                condition=Q(online_score__isnull=True) | Q(online_score__lte=2),
                name="rating_online_score_0_2",
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__in=[s.value for s in Satisfaction]),
                name="rating_satisfaction_known",
            ),
        ]

    def __str__(self) -> str:
        return f"rating of {self.dossier_id}"


class RatingOfficer(models.Model):
    """An officer who acted on the rated dossier (from its events and tasks), with the roles they held."""

    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="officers")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ratings")
    roles = models.JSONField(default=list)

    class Meta:
        ordering = ["rating", "officer"]
        constraints = [models.UniqueConstraint(fields=["rating", "officer"], name="rating_officer_once")]

    def __str__(self) -> str:
        return f"{self.rating_id} {self.officer_id}"
