"""Django admin for technical support: users and their memberships. Business acts never happen here."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from motcua.core.errors import ValidationFailed

from .models import ApiToken, Membership, User
from .services import check_membership
from .tokens import issue_token, revoke_token


class MembershipForm(forms.ModelForm):  # type: ignore[type-arg]
    """The admin's membership rows obey the rules ``grant_membership`` applies (a role at the place
    it must be held, one place, an ordered period): the admin is no way around them (decision 0061:
    an inspector or a controller without an agency)."""

    class Meta:
        model = Membership
        fields = ["user", "role", "agency", "one_stop_unit", "valid_from", "valid_to", "is_standby"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role"):
            agency, unit = data.get("agency"), data.get("one_stop_unit")
            try:
                check_membership(
                    role=data["role"],
                    agency_id=agency.pk if agency is not None else None,
                    one_stop_unit_id=unit.pk if unit is not None else None,
                    valid_from=data.get("valid_from"),
                    valid_to=data.get("valid_to"),
                )
            except ValidationFailed as refused:
                field = refused.field if refused.field in self.fields else None
                self.add_error(field, refused.message(get_language()))
        return data


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    form = MembershipForm
    extra = 0
    raw_id_fields = ["agency", "one_stop_unit"]
    fields = ["role", "agency", "one_stop_unit", "valid_from", "valid_to", "is_standby"]


@admin.register(User)
class MotcuaUserAdmin(UserAdmin[User]):
    list_display = ["username", "full_name", "kind", "is_active", "last_login"]
    list_filter = ["kind", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email", "phone"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("motcua", {"fields": ["kind", "full_name", "phone"]}),
    )
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    form = MembershipForm
    list_display = ["user", "role", "agency", "one_stop_unit", "valid_from", "valid_to"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "agency__name", "one_stop_unit__name"]
    raw_id_fields = ["user", "agency", "one_stop_unit"]


class ApiTokenForm(forms.ModelForm):  # type: ignore[type-arg]
    permissions_text = forms.CharField(
        label=_("Quyền (mỗi dòng một quyền, ví dụ dossier.view)"), widget=forms.Textarea, required=True
    )

    class Meta:
        model = ApiToken
        fields = ["name", "user", "agencies", "expires_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Issue (the token is shown once, in the confirmation message) and revoke API tokens."""

    form = ApiTokenForm
    list_display = ["name", "prefix", "user", "expires_at", "revoked_at", "last_used_at"]
    search_fields = ["name", "prefix", "user__username"]
    raw_id_fields = ["user"]
    filter_horizontal = ["agencies"]
    actions = ["revoke"]

    def get_form(
        self, request: HttpRequest, obj: ApiToken | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is not None:
            kwargs["form"] = forms.ModelForm
            kwargs["fields"] = ["name"]
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        if obj is None:
            return []
        return ["prefix", "user", "permissions", "expires_at", "revoked_at", "last_used_at", "created_by"]

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        user = request.user
        token, raw = issue_token(
            user=data["user"],
            name=data["name"],
            permissions=data["permissions_text"].split(),
            expires_at=data["expires_at"],
            created_by=user if isinstance(user, User) else None,
        )
        obj.pk = token.pk
        obj.__dict__.update({k: v for k, v in token.__dict__.items() if not k.startswith("_")})
        messages.warning(
            request,
            _("Mã truy cập (chỉ hiển thị một lần, hãy lưu lại ngay): %(token)s") % {"token": raw},
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if change:
            super().save_related(request, form, formsets, change)
            return
        form.instance.agencies.set(form.cleaned_data["agencies"])

    @admin.action(description=_("Thu hồi các mã đã chọn"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            revoke_token(token_id=token.pk)
        messages.success(request, _("Đã thu hồi %(n)d mã truy cập.") % {"n": queryset.count()})
