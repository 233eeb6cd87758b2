"""The inspectors' access log (SPEC §4.1: the inspector reads "across the agencies in its mandate,
for a period; every access logged"; decision 0061).

Every interface that shows an inspector a dossier (the dossier page, a form or file of it, an API
read) calls ``note_read`` once the gate has let the read through; a search or a list calls it once
with its query and the number of dossiers it showed. Reads by users who hold no inspector
membership on the day are not logged. A refused read (404) writes nothing: it showed nothing, and
a row for it would tell an unknown id from a hidden one.

The row is written in a savepoint: a failure to write it is reported to the application log and
the read goes on (it cannot turn a read into a 500, nor spoil the request's transaction).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging

from django.db import DatabaseError, transaction

from motcua.accounts import gate
from motcua.accounts.models import Role, User
from motcua.core import clock

from .models import AccessKind, DossierAccess

__all__ = ["AccessKind", "is_logged", "note_read"]

logger = logging.getLogger(__name__)

DETAIL_MAX = 500


def is_logged(user: object, *, at: dt.date | None = None) -> bool:
    """True when ``user``'s reads are logged: an active user holding an inspector membership on
    ``at`` (today). The memberships are the gate's, read once per reference revision."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return False
    return any(m.role == Role.INSPECTOR for m in gate.memberships_on(user, at=at))


def _address(raw: str | None) -> str | None:
    """The client address as the proxy middleware left it (``REMOTE_ADDR``); None when it is not
    an IP address."""
    if not raw:
        return None
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        return None


def note_read(
    user: object,
    *,
    kind: AccessKind | str,
    address: str | None,
    dossier_id: int | None = None,
    detail: str = "",
    results: int | None = None,
    at: dt.datetime | None = None,
) -> DossierAccess | None:
    """Append one row for a read by an inspector; None (and nothing written) for anyone else, or
    when the row could not be written (reported to the application log)."""
    when = at or clock.now()
    if not is_logged(user, at=clock.to_local(when).date()):
        return None
    assert isinstance(user, User)
    try:
        with transaction.atomic():
            entry: DossierAccess = DossierAccess.objects.create(
                user=user,
                user_name=(user.full_name or user.username)[:150],
                at=when,
                dossier_id=dossier_id,
                kind=AccessKind(kind),
                detail=detail[:DETAIL_MAX],
                results=results,
                address=_address(address),
            )
    except DatabaseError:
        logger.exception(
            "motcua: the inspectors' access log was not written (user %s, %s, dossier %s)",
            user.pk,
            kind,
            dossier_id,
        )
        return None
    return entry
