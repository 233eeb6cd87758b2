"""Django admin for the reference data of ``units`` (technical support, never a workflow back door).

Search folds the query like ``name_folded`` does, so "ha tinh", "Hà Tĩnh" and "HA TINH" find the
same rows; codes are searched too. Agencies, one-stop units, counters and office hours are checked by
the same functions in ``services`` that the loaders use."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from motcua.core.errors import ValidationFailed
from motcua.core.text import fold

from . import services
from .models import AdminUnit, Agency, Counter, OfficeHours, OneStopUnit, UnitSuccession


def _as_form_error(form: forms.BaseForm, exc: ValidationFailed) -> None:
    message = f"{exc.message_vi} / {exc.message_en}"
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, message)


class FoldedSearchMixin:
    """Fold the search term so accents, đ/d and tone-mark placement do not matter."""

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        return super().get_search_results(request, queryset, fold(search_term))  # type: ignore[misc,no-any-return]


@admin.register(AdminUnit)
class AdminUnitAdmin(FoldedSearchMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "full_name", "level", "kind", "parent", "valid_from", "valid_to")
    list_filter = ("level", "kind", "valid_from", "valid_to")
    search_fields = ("code", "name_folded")
    readonly_fields = ("name_folded",)
    raw_id_fields = ("parent",)
    list_select_related = ("parent",)

    def save_model(self, request: HttpRequest, obj: AdminUnit, form: Any, change: bool) -> None:
        obj.name_folded = fold(obj.full_name)
        super().save_model(request, obj, form, change)


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("predecessor", "successor", "is_whole", "note", "effective_on")
    list_filter = ("is_whole", "effective_on")
    search_fields = (
        "predecessor__code",
        "successor__code",
        "predecessor__name_folded",
        "successor__name_folded",
    )
    raw_id_fields = ("predecessor", "successor")
    list_select_related = ("predecessor", "successor")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        return super().get_search_results(request, queryset, fold(search_term))


class AgencyForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Agency
        fields = (
            "identifier_code",
            "name",
            "short_name",
            "kind",
            "admin_unit",
            "parent",
            "successor",
            "valid_from",
            "valid_to",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or data.get("admin_unit") is None:
            return data
        try:
            services.check_agency(
                identifier_code=data.get("identifier_code") or "",
                name=data.get("name") or "",
                kind=data.get("kind") or "",
                admin_unit=data["admin_unit"],
                parent=data.get("parent"),
                short_name=data.get("short_name") or "",
                valid_from=data.get("valid_from"),
                valid_to=data.get("valid_to"),
                successor=data.get("successor"),
                exclude_pk=self.instance.pk,
            )
        except ValidationFailed as exc:
            _as_form_error(self, exc)
        return data


@admin.register(Agency)
class AgencyAdmin(FoldedSearchMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    form = AgencyForm
    list_display = ("identifier_code", "name", "kind", "admin_unit", "valid_from", "valid_to", "successor")
    list_filter = ("kind", "valid_to")
    search_fields = ("identifier_code", "name_folded")
    raw_id_fields = ("admin_unit", "parent", "successor")
    list_select_related = ("admin_unit", "successor")

    def save_model(self, request: HttpRequest, obj: Agency, form: Any, change: bool) -> None:
        obj.name_folded = fold(obj.name)
        super().save_model(request, obj, form, change)


class CounterForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Counter
        fields = ("number", "name", "field_codes", "queue_prefix", "is_active")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit = getattr(self.instance, "one_stop_unit", None) if self.instance.one_stop_unit_id else None
        if self.errors or unit is None or data.get("number") is None:
            return data
        codes = data.get("field_codes") or []
        try:
            services.check_counter(
                one_stop_unit=unit,
                number=data["number"],
                name=data.get("name") or "",
                field_codes=[str(code) for code in codes] if isinstance(codes, list) else ["?"],
                queue_prefix=data.get("queue_prefix") or "",
            )
        except ValidationFailed as exc:
            _as_form_error(self, exc)
        return data


class OfficeHoursForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = OfficeHours
        fields = ("weekday", "morning_start", "morning_end", "afternoon_start", "afternoon_end")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or data.get("weekday") is None:
            return data
        try:
            services.check_office_hours(
                weekday=data["weekday"],
                morning_start=data.get("morning_start"),
                morning_end=data.get("morning_end"),
                afternoon_start=data.get("afternoon_start"),
                afternoon_end=data.get("afternoon_end"),
            )
        except ValidationFailed as exc:
            _as_form_error(self, exc)
        return data


class CounterInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Counter
    form = CounterForm
    extra = 0


class OfficeHoursInline(admin.TabularInline):  # type: ignore[type-arg]
    model = OfficeHours
    form = OfficeHoursForm
    extra = 0
    max_num = 7


class OneStopUnitForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = OneStopUnit
        fields = (
            "code",
            "name",
            "kind",
            "agency",
            "admin_unit",
            "parent_centre",
            "address",
            "phone",
            "email",
            "accepts_boundary_independent",
            "valid_from",
            "valid_to",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or data.get("agency") is None or data.get("admin_unit") is None:
            return data
        try:
            services.check_one_stop_unit(
                code=data.get("code") or "",
                name=data.get("name") or "",
                kind=data.get("kind") or "",
                agency=data["agency"],
                admin_unit=data["admin_unit"],
                parent_centre=data.get("parent_centre"),
                address=data.get("address") or "",
                phone=data.get("phone") or "",
                email=data.get("email") or "",
                valid_from=data.get("valid_from"),
                valid_to=data.get("valid_to"),
                exclude_pk=self.instance.pk,
            )
        except ValidationFailed as exc:
            _as_form_error(self, exc)
        return data


@admin.register(OneStopUnit)
class OneStopUnitAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = OneStopUnitForm
    list_display = ("code", "name", "kind", "agency", "admin_unit", "valid_from", "valid_to")
    list_filter = ("kind", "accepts_boundary_independent")
    search_fields = (
        "code",
        "name",
        "agency__identifier_code",
        "agency__name_folded",
        "admin_unit__name_folded",
    )
    raw_id_fields = ("agency", "admin_unit", "parent_centre")
    list_select_related = ("agency", "admin_unit")
    inlines = (CounterInline, OfficeHoursInline)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        # One-stop units are few and their names are not folded in the database: fold them here.
        folded, distinct = admin.ModelAdmin.get_search_results(self, request, queryset, fold(search_term))
        words = fold(search_term).split()
        if not words:
            return folded, distinct
        by_name = [
            pk for pk, name in queryset.values_list("pk", "name") if all(w in fold(name) for w in words)
        ]
        return folded | queryset.filter(pk__in=by_name), distinct
