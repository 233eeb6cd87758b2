"""Errors that carry a stable code and a message in Vietnamese and English.

Services raise these; pages show ``message_vi`` (or ``message_en``), the API turns them into
RFC 9457 problem details with the same code.
"""

from __future__ import annotations

from typing import Any


class MotcuaError(Exception):
    """Base error: a stable machine code plus a Vietnamese and an English message."""

    status = 400
    code = "invalid"

    def __init__(
        self,
        message_vi: str,
        message_en: str,
        *,
        code: str | None = None,
        field: str | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en
        if code is not None:
            self.code = code
        self.field = field
        self.extra = extra

    def message(self, language: str | None = "vi") -> str:
        return self.message_en if (language or "vi").startswith("en") else self.message_vi

    def __str__(self) -> str:
        return f"{self.message_vi} / {self.message_en}"


class ValidationFailed(MotcuaError):
    status = 400
    code = "validation_failed"


class PermissionRefused(MotcuaError):
    status = 403
    code = "permission_denied"


class NotFound(MotcuaError):
    status = 404
    code = "not_found"


class Conflict(MotcuaError):
    status = 409
    code = "conflict"
