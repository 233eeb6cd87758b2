"""Django admin for technical support: the calendar tables and their history, read-only.

Edits go through the staff page /can-bo/lich-lam-viec/ (``services.py``): it checks the
permission, the legal basis and the weekday rules and gives the calendar a new revision, which a
plain admin save would skip.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import CalendarDay, CalendarYear


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(ReadOnlyHistoryAdmin):
    list_display = ["day", "province", "kind", "name_vi", "legal_basis", "source", "updated_at"]
    list_filter = ["kind", "source", "province"]
    search_fields = ["name_vi", "name_en", "legal_basis"]
    date_hierarchy = "day"


@admin.register(CalendarYear)
class CalendarYearAdmin(ReadOnlyHistoryAdmin):
    list_display = ["year", "province", "is_provisional", "note", "source", "updated_at"]
    list_filter = ["is_provisional", "source"]
