"""Users, roles and memberships (SPEC §4.1)."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from motcua.core.models import TimeStamped, Validity


class UserKind(models.TextChoices):
    STAFF = "staff", _("Cán bộ, công chức")
    CITIZEN = "citizen", _("Công dân")
    ORGANISATION = "organisation", _("Tổ chức, doanh nghiệp")


class Role(models.TextChoices):
    """System roles mapped to the legal actors of SPEC §4.1."""

    RECEPTION_OFFICER = "reception_officer", _("Cán bộ tiếp nhận")
    ONE_STOP_HEAD = "one_stop_head", _("Lãnh đạo Bộ phận Một cửa")
    DEPT_LEADER = "dept_leader", _("Lãnh đạo cơ quan, phòng")
    HANDLER = "handler", _("Chuyên viên thụ lý")
    APPROVER = "approver", _("Người có thẩm quyền phê duyệt")
    CLERK = "clerk", _("Văn thư")
    COORDINATOR = "coordinator", _("Cơ quan phối hợp")
    FINANCE = "finance", _("Kế toán, thu phí")
    PROCEDURE_CONTROLLER = "procedure_controller", _("Kiểm soát thủ tục hành chính")
    POSTAL_AGENT = "postal_agent", _("Nhân viên bưu chính")
    INSPECTOR = "inspector", _("Thanh tra, kiểm tra")
    SUPPORT = "support", _("Hỗ trợ nộp hồ sơ")
    CITIZEN = "citizen", _("Công dân")
    ORGANISATION = "organisation", _("Tổ chức")
    AUTHORISED_REP = "authorised_rep", _("Người được ủy quyền")
    SYSTEM_ADMIN = "system_admin", _("Quản trị hệ thống")


# Roles held at a one-stop unit rather than at an agency.
ONE_STOP_ROLES = frozenset({Role.RECEPTION_OFFICER, Role.ONE_STOP_HEAD, Role.SUPPORT, Role.POSTAL_AGENT})
# Roles that need neither an agency nor a one-stop unit.
UNSCOPED_ROLES = frozenset({Role.CITIZEN, Role.ORGANISATION, Role.AUTHORISED_REP, Role.SYSTEM_ADMIN})


class User(AbstractUser):
    kind = models.CharField(max_length=20, choices=UserKind.choices, default=UserKind.STAFF)
    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    # Bumped by "log out everywhere": every other session's auth hash stops matching.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    # Citizen and organisation accounts (issue #7 part 1): the identifier the person or organisation
    # is known by (căn cước, enterprise code), checked contact channels, and the external identity
    # (OpenID Connect issuer + subject) when signed in through the national SSO.
    identifier_type = models.CharField(_("loại giấy tờ"), max_length=20, blank=True)
    identifier = models.CharField(_("số định danh"), max_length=20, blank=True, db_index=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    phone_verified_at = models.DateTimeField(null=True, blank=True)
    oidc_issuer = models.CharField(max_length=255, blank=True)
    oidc_subject = models.CharField(max_length=255, blank=True)
    identity_verified = models.BooleanField(
        default=False, help_text="identity vouched for by the identity provider (VNeID level 2)"
    )

    class Meta(AbstractUser.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["oidc_issuer", "oidc_subject"],
                condition=~Q(oidc_subject=""),
                name="user_oidc_subject_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_verified(self) -> bool:
        """A contact channel was checked or the identity provider vouched for the person."""
        return (
            self.identity_verified or self.email_verified_at is not None or self.phone_verified_at is not None
        )

    def get_session_auth_hash(self) -> str:
        """Django checks this on every request; mixing in the epoch lets one act end all sessions."""
        key = f"{settings.SECRET_KEY}:motcua.session:{self.session_epoch}".encode()
        return hmac.new(key, self.password.encode(), hashlib.sha256).hexdigest()


class Membership(Validity, TimeStamped):
    """A user holds a role at an agency or a one-stop unit, over a period."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    agency = models.ForeignKey(
        "units.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    one_stop_unit = models.ForeignKey(
        "units.OneStopUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    is_standby = models.BooleanField(default=False, help_text="ND61 Art 12(8): standby officer")

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="membership_validity_ordered",
            ),
            models.CheckConstraint(
                condition=~(Q(agency__isnull=False) & Q(one_stop_unit__isnull=False)),
                name="membership_one_scope",
            ),
        ]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        where = self.agency or self.one_stop_unit or "—"
        return f"{self.user} · {self.get_role_display()} · {where}"


class ApiToken(TimeStamped):
    """A system client's bearer token (issue #9): acts as ``user``, narrowed to ``permissions`` (gate
    names) at ``agencies`` (and the agencies and one-stop units under them). Only the SHA-256 of the
    token is stored; the token itself is shown once, when it is issued (decision 0024)."""

    name = models.CharField(_("tên ứng dụng"), max_length=120)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    permissions = models.JSONField(default=list, blank=True)
    agencies = models.ManyToManyField("units.Agency", blank=True, related_name="api_tokens")
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="api_tokens_issued"
    )
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class VerificationChannel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    PHONE = "phone", _("Điện thoại")


class VerificationCode(models.Model):
    """A one-time code sent to an e-mail address or phone number; only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="verification_codes")
    channel = models.CharField(max_length=10, choices=VerificationChannel.choices)
    target = models.CharField(max_length=254)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "channel", "created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.channel}"
