from django.contrib import admin

from .models import Delivery, NationalSyncState, WebhookSubscription
from .services import check_url


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin[WebhookSubscription]):
    list_display = ("name", "url", "is_active", "created_at")
    list_filter = ("is_active",)
    readonly_fields = ("secret", "created_at")

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        obj.url = check_url(obj.url)
        super().save_model(request, obj, form, change)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = ("id", "destination", "dossier_id", "state", "attempts", "next_attempt_at", "last_status")
    list_filter = ("state", "destination")
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(NationalSyncState)
class NationalSyncStateAdmin(admin.ModelAdmin[NationalSyncState]):
    list_display = ("dossier_id", "ma_ho_so", "created_on_portal", "last_synced_at")
