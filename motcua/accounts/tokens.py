"""API tokens for system clients: issue, revoke, authenticate (decision 0024).

A token reads ``mc_<prefix>_<secret>``; only ``sha256(token)`` is stored, so a leaked database does
not leak tokens. A token acts as its user (a service account whose memberships give its roles) and
is narrowed further to the permissions and agencies it was issued for: ``accounts.gate.allows``
consults the scope attached to the user object (``scope_of``) for every check.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from motcua.core import clock
from motcua.core.errors import NotFound, ValidationFailed

from .models import ApiToken, User

TOKEN_PREFIX = "mc_"  # noqa: S105 - the public prefix, not a secret
SCOPE_ATTRIBUTE = "_motcua_api_scope"


@dataclass(frozen=True, slots=True)
class TokenScope:
    """What a request authenticated by a token may do: these permissions, at these agencies."""

    token_id: int
    permissions: frozenset[str]
    agency_ids: frozenset[int]


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _clean_permissions(permissions: Iterable[str]) -> list[str]:
    from .gate import PERMISSIONS

    wanted = sorted({p.strip() for p in permissions if p.strip()})
    unknown = [p for p in wanted if p not in PERMISSIONS]
    if unknown:
        raise ValidationFailed(
            f"Quyền không tồn tại: {', '.join(unknown)}.",
            f"Unknown permissions: {', '.join(unknown)}.",
            code="unknown_permission",
            field="permissions",
        )
    if not wanted:
        raise ValidationFailed(
            "Cần ít nhất một quyền cho mã truy cập.",
            "A token needs at least one permission.",
            code="required",
            field="permissions",
        )
    return wanted


@transaction.atomic
def issue_token(
    *,
    user: User,
    name: str,
    permissions: Iterable[str],
    agency_ids: Iterable[int] = (),
    expires_at: dt.datetime | None = None,
    valid_days: int = 365,
    created_by: User | None = None,
) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the token text (shown once, never stored)."""
    from motcua.units.models import Agency

    if not name.strip():
        raise ValidationFailed("Cần ghi tên ứng dụng.", "The client name is required.", field="name")
    now = clock.now()
    expiry = expires_at or now + dt.timedelta(days=valid_days)
    if expiry <= now:
        raise ValidationFailed(
            "Thời điểm hết hạn phải ở tương lai.",
            "The expiry must be in the future.",
            code="invalid_expiry",
            field="expires_at",
        )
    agencies = sorted(set(agency_ids))
    if len(agencies) != Agency.objects.filter(pk__in=agencies).count():
        raise NotFound("Không tìm thấy cơ quan.", "Agency not found.", code="agency_not_found")
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        name=name.strip(),
        user=user,
        prefix=prefix,
        key_hash=hash_token(raw),
        permissions=_clean_permissions(permissions),
        expires_at=expiry,
        created_by=created_by,
    )
    token.agencies.set(agencies)
    return token, raw


def revoke_token(*, token_id: int, at: dt.datetime | None = None) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id).first()
    if token is None:
        raise NotFound("Không tìm thấy mã truy cập.", "Token not found.", code="token_not_found")
    if token.revoked_at is None:
        token.revoked_at = at or clock.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def authenticate_token(raw: str, *, at: dt.datetime | None = None) -> User | None:
    """The token's user carrying its scope, or None when the token is unknown, revoked or expired."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    prefix = raw[len(TOKEN_PREFIX) :].split("_", 1)[0]
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.key_hash, hash_token(raw)):
        return None
    now = at or clock.now()
    if token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    user = token.user
    setattr(
        user,
        SCOPE_ATTRIBUTE,
        TokenScope(
            token_id=token.pk,
            permissions=frozenset(token.permissions),
            agency_ids=frozenset(token.agencies.values_list("pk", flat=True)),
        ),
    )
    return user


def scope_of(user: object) -> TokenScope | None:
    """The token scope a request's user carries, or None for a session (the full roles apply)."""
    scope = getattr(user, SCOPE_ATTRIBUTE, None)
    return scope if isinstance(scope, TokenScope) else None
