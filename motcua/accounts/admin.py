"""Django admin for technical support: users and their memberships. Business acts never happen here."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Membership, User


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
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
    list_display = ["user", "role", "agency", "one_stop_unit", "valid_from", "valid_to"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "agency__name", "one_stop_unit__name"]
    raw_id_fields = ["user", "agency", "one_stop_unit"]
