"""Sign-in through an external identity provider by OpenID Connect (the national identity, VNeID,
and the national portal's single sign-on work this way).

mozilla-django-oidc runs the authorisation-code flow (state and nonce kept in the session, the code
exchanged at the token endpoint, the ID token's RS256 signature checked against the provider's JWKS,
the nonce compared). This backend only maps the provider's claims onto a motcua account: the
subject (``sub``) of this issuer is the key, never the e-mail; a first sign-in creates a verified
citizen account with the applicant role; the identifier (căn cước) comes from the configured claim.

Settings (all from the environment, ``config/settings.py``): ``OIDC_OP_*`` endpoints, client id and
secret, ``MOTCUA_OIDC_ISSUER``, ``MOTCUA_OIDC_IDENTIFIER_CLAIM``, ``MOTCUA_OIDC_LEVEL_CLAIM``.
Without ``OIDC_OP_AUTHORIZATION_ENDPOINT`` the sign-in button is not shown and the backend is inert.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.db.models import QuerySet
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from motcua.core import clock

from .models import Membership, Role, User, UserKind

logger = logging.getLogger(__name__)


def is_enabled() -> bool:
    return bool(getattr(settings, "OIDC_OP_AUTHORIZATION_ENDPOINT", ""))


def _issuer() -> str:
    return str(settings.MOTCUA_OIDC_ISSUER or settings.OIDC_OP_AUTHORIZATION_ENDPOINT)


class CitizenOIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    def authenticate(self, request: Any, **kwargs: Any) -> User | None:
        if not is_enabled():
            return None
        try:
            user: User | None = super().authenticate(request, **kwargs)
        except (SuspiciousOperation, requests.RequestException) as exc:
            # A forged or replayed token, or the provider unreachable: no sign-in, the login page
            # says so (LOGIN_REDIRECT_URL_FAILURE), never a 500.
            logger.warning("OpenID Connect sign-in refused: %s", exc)
            return None
        return user

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claims.get("sub"))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[User]:
        return User.objects.filter(oidc_issuer=_issuer(), oidc_subject=str(claims["sub"]))

    def _apply(self, user: User, claims: dict[str, Any]) -> None:
        name = claims.get("name") or " ".join(
            part for part in (claims.get("family_name"), claims.get("given_name")) if part
        )
        if name:
            user.full_name = " ".join(str(name).split())[:150]
        if claims.get("email") and claims.get("email_verified"):
            user.email = str(claims["email"]).lower()[:254]
            user.email_verified_at = user.email_verified_at or clock.now()
        if claims.get("phone_number") and claims.get("phone_number_verified"):
            user.phone = re.sub(r"[^\d+]", "", str(claims["phone_number"]))[:20]
            user.phone_verified_at = user.phone_verified_at or clock.now()
        identifier = claims.get(str(settings.MOTCUA_OIDC_IDENTIFIER_CLAIM))
        if identifier:
            user.identifier_type = "citizen_id"
            user.identifier = re.sub(r"\s", "", str(identifier)).upper()[:20]
        level = claims.get(str(settings.MOTCUA_OIDC_LEVEL_CLAIM))
        user.identity_verified = str(level or "") in set(settings.MOTCUA_OIDC_VERIFIED_LEVELS)

    @transaction.atomic
    def create_user(self, claims: dict[str, Any]) -> User:
        user = User(
            username=f"oidc-{str(claims['sub'])[:140]}",
            kind=UserKind.CITIZEN,
            oidc_issuer=_issuer(),
            oidc_subject=str(claims["sub"]),
        )
        user.set_unusable_password()
        self._apply(user, claims)
        user.save()
        Membership.objects.create(user=user, role=Role.CITIZEN)
        return user

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        self._apply(user, claims)
        user.save()
        return user
