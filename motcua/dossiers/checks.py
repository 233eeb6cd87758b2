"""System checks: the signature provider can be built, and production does not sign with the test key."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.utils.module_loading import import_string

from .signing import TEST_PROVIDER


@register()
def check_signature_provider(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    path = getattr(settings, "MOTCUA_SIGNATURE_PROVIDER", TEST_PROVIDER) or TEST_PROVIDER
    try:
        import_string(path)()
    except (ImportError, TypeError) as exc:
        return [Error(f"MOTCUA_SIGNATURE_PROVIDER {path!r} cannot be built: {exc}", id="dossiers.E001")]
    if path == TEST_PROVIDER and getattr(settings, "MOTCUA_ENV", "") == "production":
        return [
            Warning(
                "Results are signed with the test signature provider (not a qualified signature).",
                hint="Set MOTCUA_SIGNATURE_PROVIDER to the province's signing service adapter.",
                id="dossiers.W001",
            )
        ]
    return []
