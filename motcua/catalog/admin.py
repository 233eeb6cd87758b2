"""Django admin for technical support. A published version is shown read-only: no form can change
it (and ``ProcedureVersion.save()`` refuses anyway)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import ChannelOffer, Field, InternalProcess, LegalBasis, Procedure, ProcedureVersion, ProcessStep


class FrozenWhenPublished:
    def _frozen(self, obj: Any) -> bool:
        version = obj if isinstance(obj, ProcedureVersion) else getattr(obj, "version", None)
        return version is not None and version.is_frozen

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed: bool = super().has_change_permission(request, obj)  # type: ignore[misc]
        return not self._frozen(obj) and allowed

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed: bool = super().has_delete_permission(request, obj)  # type: ignore[misc]
        return not self._frozen(obj) and allowed

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and self._frozen(obj):
            return False
        allowed: bool = super().has_add_permission(request, obj)  # type: ignore[misc]
        return allowed


class LegalBasisInline(FrozenWhenPublished, admin.TabularInline):  # type: ignore[type-arg]
    model = LegalBasis
    extra = 0


class ChannelOfferInline(FrozenWhenPublished, admin.TabularInline):  # type: ignore[type-arg]
    model = ChannelOffer
    extra = 0
    fields = ["channel", "time_limit_amount", "time_limit_unit", "time_limit_raw", "description"]


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(FrozenWhenPublished, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["procedure", "number", "status", "effective_from", "effective_to", "decision"]
    list_filter = ["status"]
    search_fields = ["procedure__code", "name"]
    raw_id_fields = ["procedure", "field"]
    readonly_fields = ["status", "effective_from", "effective_to", "published_at", "source_hash"]
    inlines = [ChannelOfferInline, LegalBasisInline]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # versions are made by services (create_draft, import)


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name", "online_level", "current_version"]
    search_fields = ["code", "name"]
    readonly_fields = ["current_version", "name", "levels", "field", "online_level"]


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    readonly_fields = ["name_folded"]

    def save_model(self, request: HttpRequest, obj: Field, form: Any, change: bool) -> None:
        from motcua.core.text import fold

        obj.name_folded = fold(obj.name)
        super().save_model(request, obj, form, change)


class ProcessStepInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ProcessStep
    extra = 0
    raw_id_fields = ["agency"]


@admin.register(InternalProcess)
class InternalProcessAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["version", "province_code", "is_generated"]
    raw_id_fields = ["version"]
    inlines = [ProcessStepInline]
