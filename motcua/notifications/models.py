"""One row per notification: what was sent, to whom, about what, and how delivery went.

``services.notify`` is the only code that creates a ``Message``; ``services.deliver`` the only code
that moves its state. The body is kept exactly as sent (after rendering, length limit and the
optional unaccented SMS form), so technical support can answer "what did the citizen receive?".
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.core.models import TimeStamped


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class Language(models.TextChoices):
    VI = "vi", _("Tiếng Việt")
    EN = "en", _("English")


class MessageState(models.TextChoices):
    """QUEUED → SENDING → SENT, or → FAILED (retried with back-off) → … → GAVE_UP.

    SENDING is held only while one worker talks to the mail server or SMS gateway: claiming it is a
    conditional update, so two workers never send the same message. A message left SENDING by a
    worker that died is picked up by ``retry_due_messages`` after a lease.
    """

    QUEUED = "queued", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi, sẽ thử lại")
    GAVE_UP = "gave_up", _("Đã ngừng thử lại")


class Message(TimeStamped):
    """An e-mail or SMS sent (or to be sent) to one recipient."""

    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.CharField(
        max_length=254, help_text="E-mail address, or a Vietnamese mobile number stored as +84xxxxxxxxx."
    )
    template_key = models.CharField(max_length=100, help_text="e.g. dossier.accepted")
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.VI)
    subject = models.CharField(max_length=300, blank=True, help_text="E-mail subject; empty for SMS.")
    body = models.TextField(help_text="The rendered text, exactly as sent.")
    subject_type = models.CharField(max_length=50, help_text="What the message is about, e.g. dossier.")
    subject_id = models.CharField(max_length=64, help_text="Its identifier, e.g. 123 (no foreign key).")
    idempotency_key = models.CharField(
        max_length=200,
        unique=True,
        help_text="The caller's key: the same notification scheduled twice is recorded and sent once.",
    )
    state = models.CharField(max_length=10, choices=MessageState.choices, default=MessageState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, help_text="When a FAILED message is due.")
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="When the current attempt began.")
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="notif_message_subject"),
            models.Index(fields=["state", "next_attempt_at"], name="notif_message_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="notif_message_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(language__in=Language.values), name="notif_message_language_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=MessageState.values), name="notif_message_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state=MessageState.SENT) | Q(sent_at__isnull=False),
                name="notif_message_sent_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(state=MessageState.FAILED) | Q(next_attempt_at__isnull=False),
                name="notif_message_failed_has_next_attempt",
            ),
            models.CheckConstraint(
                condition=~Q(channel=Channel.SMS) | Q(subject=""), name="notif_message_sms_no_subject"
            ),
            models.CheckConstraint(condition=~Q(idempotency_key=""), name="notif_message_key_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.template_key} {self.channel} #{self.pk} ({self.state})"

    @property
    def subject_ref(self) -> str:
        return f"{self.subject_type}:{self.subject_id}"

    @property
    def is_final(self) -> bool:
        return self.state in (MessageState.SENT, MessageState.GAVE_UP)
