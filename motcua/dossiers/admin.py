"""Read-only admin for technical support: the admin is never a back door around the workflow."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import ClockEvent, Dossier, DossierAccess, DossierEvent, ProcessingTask


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(admin.TabularInline):  # type: ignore[type-arg]
    model = DossierEvent
    fields = ("seq", "at", "name", "actor_name", "actor_role", "state_after", "step_after", "form", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Dossier)
class DossierAdmin(ReadOnly):
    list_display = (
        "reference",
        "applicant_name",
        "state",
        "step",
        "received_at",
        "due_at",
        "competent_agency",
    )
    list_filter = ("state", "channel")
    search_fields = ("code", "temporary_reference", "applicant_name", "applicant_identifier")
    inlines = [EventInline]


@admin.register(DossierEvent)
class DossierEventAdmin(ReadOnly):
    list_display = ("dossier", "seq", "name", "at", "actor_name", "form")
    list_filter = ("name", "form")


@admin.register(ClockEvent)
class ClockEventAdmin(ReadOnly):
    list_display = ("dossier", "kind", "at", "new_due_at")


@admin.register(ProcessingTask)
class ProcessingTaskAdmin(ReadOnly):
    list_display = ("dossier", "name", "agency", "started_at", "due_at", "completed_at", "timeliness")


@admin.register(DossierAccess)
class DossierAccessAdmin(ReadOnly):
    """The inspectors' access log for auditors (decision 0061): listed, filtered and searched; never
    added, changed or deleted here (nor by any bulk action)."""

    list_display = ("at", "user_name", "kind", "dossier", "detail", "results", "address")
    list_filter = ("kind", "at")
    search_fields = ("user__username", "user_name", "dossier__code", "detail", "address")
    date_hierarchy = "at"
    list_select_related = ("dossier",)
    actions = None
    readonly_fields = ("user", "user_name", "at", "dossier", "kind", "detail", "results", "address")
