"""Staff pages for the forms a dossier's acts produced (decision 0009).

* ``/can-bo/ho-so/<id>/mau/`` — the forms of the dossier, one link per event that produced one;
* ``/can-bo/ho-so/<id>/mau/<seq>.pdf`` and ``.html`` — the form event ``seq`` produced (Forms 01–05;
  Form 06, the control slip, is a view over the hand-overs: ``phieu-kiem-soat.pdf``);
* ``/can-bo/so-theo-doi/<unit code>/<year>.pdf`` — Form 07, the unit's ledger of the year.

Every dossier read goes through ``dossiers.selectors.dossier_for_user``: a dossier the officer may
not see is a 404, never a 403, so ids cannot be probed. The ledger needs ``reports.view`` or
reception work (``dossier.accept``) at that unit. Forms are rendered on request from the immutable
event, with a strong ETag (the hash of what the form prints) and a cache of the rendered bytes.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.http import parse_etags

from motcua.accounts.gate import allows
from motcua.accounts.models import User
from motcua.core.errors import NotFound
from motcua.dossiers import access_log
from motcua.dossiers.models import AccessKind, Dossier, DossierEvent
from motcua.dossiers.selectors import dossier_for_user, timeline_of
from motcua.paperwork.context import FormContext
from motcua.paperwork.from_dossier import context_for_event, form06_for, form07_for, rendered_form
from motcua.units.models import OneStopUnit

from .dossier_views import note_read

_FIRST_YEAR, _LAST_YEAR = 2000, 2100


def _staff(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not allows(user, "backoffice.enter"):
        raise Http404("not staff")
    return user


STANDALONE_FORM_CSP = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)


def _dossier(request: HttpRequest, dossier_id: int) -> Dossier:
    try:
        return dossier_for_user(_staff(request), dossier_id)
    except NotFound as error:
        raise Http404(error.message_en) from error


def _note(request: HttpRequest, dossier: Dossier, detail: str) -> None:
    """An inspector's read of a form of ``dossier`` in the access log (decision 0061)."""
    note_read(request, request.user, dossier, AccessKind.FORM, detail)  # type: ignore[arg-type]


def _respond(request: HttpRequest, form: FormContext, kind: str, filename: str) -> HttpResponse:
    font_base = static("paperwork/fonts/") if kind == "html" else None
    content, etag = rendered_form(form, kind, font_base=font_base)
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response: HttpResponse = HttpResponseNotModified()
    else:
        content_type = "application/pdf" if kind == "pdf" else "text/html; charset=utf-8"
        response = HttpResponse(content, content_type=content_type)
        if kind == "pdf":
            response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
        else:
            # A standalone printable document (its print CSS inline, decision 0009): inline styles
            # only, and no script at all (decision 0026).
            response["Content-Security-Policy"] = STANDALONE_FORM_CSP
    response["ETag"] = etag
    # Personal data: never kept by a shared cache; the browser revalidates with the ETag.
    response["Cache-Control"] = "private, no-cache"
    return response


def _filename(form: FormContext, reference: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in ".-" else "-" for ch in reference)
    return f"mau-{form.form_number}-{safe}"


@login_required
def dossier_forms(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = _dossier(request, dossier_id)
    events = [entry for entry in timeline_of(dossier) if entry.form]
    _note(request, dossier, "forms")
    return render(
        request,
        "backoffice/forms/dossier_forms.html",
        {"dossier": dossier, "events": events, "has_slip": dossier.code is not None},
    )


def _event_form(request: HttpRequest, dossier_id: int, seq: int, kind: str) -> HttpResponse:
    dossier = _dossier(request, dossier_id)
    event = DossierEvent.objects.filter(dossier=dossier, seq=seq).select_related("actor", "dossier").first()
    form = context_for_event(event) if event is not None else None
    if form is None:
        raise Http404("no form")
    assert event is not None
    _note(request, dossier, f"{event.form} #{seq} {kind}")
    return _respond(request, form, kind, _filename(form, dossier.reference))


@login_required
def event_form_pdf(request: HttpRequest, dossier_id: int, seq: int) -> HttpResponse:
    return _event_form(request, dossier_id, seq, "pdf")


@login_required
def event_form_html(request: HttpRequest, dossier_id: int, seq: int) -> HttpResponse:
    return _event_form(request, dossier_id, seq, "html")


@login_required
def control_slip_pdf(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = _dossier(request, dossier_id)
    try:
        form = form06_for(dossier)
    except NotFound as error:
        raise Http404(error.message_en) from error
    _note(request, dossier, "form06")
    return _respond(request, form, "pdf", _filename(form, dossier.reference))


@login_required
def ledger_pdf(request: HttpRequest, unit_code: str, year: int) -> HttpResponse:
    user = _staff(request)
    unit = OneStopUnit.objects.select_related("agency", "admin_unit").filter(code=unit_code).first()
    if unit is None or not _FIRST_YEAR <= year <= _LAST_YEAR:
        raise Http404("unknown unit or year")
    if not (
        allows(user, "reports.view", agency_id=unit.agency_id, one_stop_unit_id=unit.pk)
        or allows(user, "dossier.accept", one_stop_unit_id=unit.pk)
    ):
        raise PermissionDenied("reports.view or reception at this unit")
    form = form07_for(unit, year)
    access_log.note_read(  # the ledger lists the unit's dossiers of the year: one row, as a list
        user,
        kind=AccessKind.SEARCH,
        address=request.META.get("REMOTE_ADDR"),
        detail=request.get_full_path(),
        results=len(form.rows),
    )
    return _respond(request, form, "pdf", f"so-theo-doi-{unit.code}-{year}")
