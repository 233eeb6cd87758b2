"""Django admin for technical support: the messages and how their delivery went, read-only.

Messages are created only by ``services.notify`` and change state only in ``services.deliver``;
``manage.py retry_failed_messages`` re-schedules the due ones.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "id",
        "created_at",
        "channel",
        "template_key",
        "language",
        "subject_type",
        "subject_id",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["state", "channel", "template_key", "language"]
    search_fields = ["=subject_id", "=idempotency_key", "=recipient", "=provider_message_id"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    readonly_fields = [field.name for field in Message._meta.fields]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
