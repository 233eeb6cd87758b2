from django import forms
from django.contrib import admin
from django.utils.translation import get_language

from motcua.core.errors import ValidationFailed

from .models import Delivery, NationalSyncState, WebhookSubscription
from .services import check_url


class WebhookSubscriptionForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "events", "is_active"]

    def clean_url(self) -> str:
        try:
            return check_url(self.cleaned_data.get("url", ""))
        except ValidationFailed as error:
            raise forms.ValidationError(error.message(get_language())) from None


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin[WebhookSubscription]):
    form = WebhookSubscriptionForm
    list_display = ("name", "url", "is_active", "created_at")
    list_filter = ("is_active",)
    readonly_fields = ("secret", "created_at")


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
