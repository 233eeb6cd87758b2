"""Tracking without signing in (issue #7 part 4; SPEC §10 "Lookup"): ``/tra-cuu/``.

The dossier code (typed, or from the QR code on Form 01: ``/tra-cuu/?ma=<code>``) and a second
factor the applicant has (the last 4 digits of their phone number or identity number). The answer
shows the state, the received and due dates and the next step; an unknown code and a wrong factor
get the same answer, and failed look-ups are counted per client address (``dossiers.online.track``)
so codes cannot be enumerated. A signed-in applicant is pointed to the full page of their dossier.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from motcua.core.clock import VN_TZ
from motcua.dossiers import online
from motcua.dossiers.selectors import visible_dossiers

from .status import next_step, state_label

# Every message the page can show, present even when empty: the template looks each one up by key
# (``errors.ma``) and a missing key sends Django's template engine through its slow fallbacks (a
# failed item look-up, a failed attribute look-up, ``dir()``), seven times per page (decision 0036).
NO_ERRORS: dict[str, str] = {"ma": "", "so": "", "form": ""}


def _when(value: dt.datetime | None) -> str:
    """``15:04 26/11/2026`` in Vietnam's time, as ``|date:"H:i d/m/Y"`` writes it; "" for none.
    Written here because the filter costs a few percent of the page under load (decision 0045)."""
    return f"{value.astimezone(VN_TZ):%H:%M %d/%m/%Y}" if value is not None else ""


def tracking_page(request: HttpRequest) -> HttpResponse:
    code = (request.POST.get("ma") or request.GET.get("ma") or "").strip()[:40]
    context: dict[str, object] = {"code": code, "errors": dict(NO_ERRORS)}
    status = 200
    retry_after = None
    if request.method == "POST":
        factor = request.POST.get("so", "").strip()[:20]
        errors: dict[str, str] = {}
        if not code:
            errors["ma"] = _("Cần ghi mã hồ sơ.")
        if len("".join(ch for ch in factor if ch.isdigit())) != 4:
            errors["so"] = _("Cần ghi đúng 4 chữ số cuối.")
        found = None
        if not errors:
            try:
                found = online.track(
                    code=code, factor=factor, client=online.client_key(request.META.get("REMOTE_ADDR", ""))
                )
            except online.TooManyAttempts as exc:
                errors["form"] = exc.message(get_language())
                status = 429
                retry_after = exc.extra.get("retry_after")
            else:
                if found is None:
                    errors["form"] = _(
                        "Không tìm thấy hồ sơ với mã và 4 chữ số này. "
                        "Hãy kiểm tra lại mã trên giấy tiếp nhận."
                    )
        if errors and status == 200:
            status = 400
        context["errors"] = NO_ERRORS | errors
        if found is not None:
            user = request.user
            is_own = user.is_authenticated and visible_dossiers(user).filter(pk=found.pk).exists()
            context |= {
                "found": found,
                "submitted_at": _when(found.submitted_at),
                "received_at": _when(found.received_at),
                "due_at": _when(found.due_at),
                "state": state_label(found.state),
                "next_step": next_step(found.state),
                "is_own": is_own,
            }
    response = render(request, "portal/tracking.html", context, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
