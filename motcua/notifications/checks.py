"""System checks: a production site that only logs its SMS, or an SMS backend that cannot be built."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

LOGGING_BACKEND = "motcua.notifications.sms.LoggingSmsBackend"


@register()
def check_sms_backend(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    path = getattr(settings, "MOTCUA_SMS_BACKEND", LOGGING_BACKEND)
    try:
        backend_class = import_string(path)
        backend_class()
    except ImportError as exc:
        return [Error(f"MOTCUA_SMS_BACKEND {path!r} cannot be imported: {exc}", id="notifications.E001")]
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="notifications.E002")]
    if path == LOGGING_BACKEND and getattr(settings, "MOTCUA_ENV", "") == "production":
        return [
            Warning(
                "SMS notifications are only written to the log (LoggingSmsBackend).",
                hint="Set MOTCUA_SMS_BACKEND=motcua.notifications.sms.HttpSmsBackend and "
                "MOTCUA_SMS_GATEWAY_URL / MOTCUA_SMS_GATEWAY_TOKEN.",
                id="notifications.W001",
            )
        ]
    return []
