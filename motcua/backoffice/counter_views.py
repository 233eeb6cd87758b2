"""Counter intake on one screen: /can-bo/quay/ (SPEC T2-T4; ND61 Art 15).

1. call the next queue number (POST /can-bo/quay/goi-so/, ``units.services.call_next_ticket``);
2. find the procedure by typing (GET ``q``, the catalog search: with or without accents);
3. pick the case (GET ``procedure``/``case``);
4. tick the components with their original/copy counts, enter the applicant (GET ``cccd`` fills the
   form from the newest earlier dossier of that identifier number the officer may see), choose where
   the result goes;
5. "Xem trước" (POST ``action=preview``) shows the appointment with its explanation, or the list of
   mandatory components missing; then accept (code and Form 01), request completion (Form 02) or
   refuse (Form 03), each through its one service.

Double submission never opens two dossiers: the form carries a UUID token, which goes to the
services as the intake's idempotency key (``Dossier.intake_key``, unique): a repeated POST, from any
session or process, is sent to the result of the first (docs/decisions/0011-backoffice.md); two at
once: the second waits for the first's insert and gets its dossier (``services._once``). The key is
the only record of the token (ADR 0032: no cache rows or session writes per intake).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts import gate
from motcua.accounts.gate import allows
from motcua.accounts.models import User
from motcua.catalog.models import Procedure, ProcedureCase, ProcedureVersion
from motcua.catalog.selectors import search_procedure_ids, version_parts
from motcua.core import clock
from motcua.core.errors import MotcuaError
from motcua.dossiers import queues
from motcua.dossiers.selectors import dossier_for_user, dossier_id_for_intake_key
from motcua.dossiers.services import receive_at_counter, refuse_at_intake, request_completion
from motcua.units.models import OneStopUnit
from motcua.units.services import call_next_ticket

from . import page_rows, reference
from .dossier_views import last_form_link, upload_form
from .forms import IntakeForm, intake_key, new_token, put_error

SEARCH_RESULTS = 10
# In a kept blank intake form, where each request's intake token goes (a UUID no form is given).
TOKEN_PLACEHOLDER = "00000000-0000-4000-8000-0000000000b1"  # noqa: S105 - not a secret


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "backoffice/not_staff.html", status=403)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


# --- The idempotency token ----------------------------------------------------------------------


def _dossier_for_token(token: str) -> int | None:
    """The dossier this form's token already opened (any session, any process)."""
    return dossier_id_for_intake_key(intake_key(token))


# --- The page -----------------------------------------------------------------------------------


def _procedures(query: str) -> list[Procedure]:
    if not query:
        return []
    ids = search_procedure_ids(query)[:SEARCH_RESULTS]
    by_id = {p.pk: p for p in Procedure.objects.filter(pk__in=ids, current_version__isnull=False)}
    return [by_id[pk] for pk in ids if pk in by_id]


def _case(version: ProcedureVersion, raw: str | None) -> tuple[list[ProcedureCase], ProcedureCase | None]:
    cases = list(version_parts(version).cases)  # ordered by position; kept once published
    if raw and raw.isdigit():
        return cases, next((c for c in cases if c.pk == int(raw)), None)
    return cases, cases[0] if len(cases) == 1 else None


def _counter_context(request: HttpRequest, user: User) -> dict[str, Any]:
    counters = list(queues.counters_of(user))  # kept per process under the reference revision
    raw = request.GET.get("counter") or str(request.session.get("motcua.counter", ""))
    counter = next((c for c in counters if str(c.pk) == raw), counters[0] if counters else None)
    if counter is None:
        return {"counters": counters, "counter": None}
    if request.session.get("motcua.counter") != counter.pk:  # no session write when it is the same
        request.session["motcua.counter"] = counter.pk
    called, waiting = queues.counter_panel(counter)  # one read
    return {"counters": counters, "counter": counter, "called": called, "waiting": waiting}


def _initial(
    user: User, cccd: str, version: ProcedureVersion, units: tuple[OneStopUnit, ...]
) -> dict[str, Any]:
    initial: dict[str, Any] = {"token": new_token(), "version": version.pk}
    if units:
        initial["unit"] = units[0].pk
    agency = reference.competent_agency(version)
    if agency is not None:
        initial["competent_agency"] = agency.pk
    if cccd:
        initial["identifier_number"] = "".join(cccd.split())
        earlier = queues.earlier_applicant(user, cccd)
        if earlier is not None:
            initial.update(
                kind=earlier["applicant_kind"],
                identifier_type=earlier["applicant_identifier_type"],
                identifier_number=earlier["applicant_identifier"],
                full_name=earlier["applicant_name"],
                date_of_birth=earlier["applicant_date_of_birth"],
                address=earlier["applicant_address"],
                phone=earlier["applicant_phone"],
                email=earlier["applicant_email"],
            )
            initial["prefilled"] = True
    return initial


def _intake_html(context: dict[str, Any]) -> SafeString:
    """The intake form inside its ``<form>`` (after the CSRF token): the hidden fields, the
    components, the applicant, where the result goes and the decision."""
    keys = ("form", "previewed", "preview", "missing")
    fragment = {key: context[key] for key in keys if key in context}
    fragment["LANGUAGE_CODE"] = get_language()
    return mark_safe(render_to_string("backoffice/counter/_intake.html", fragment))  # a template's output


def _blank_intake_html(
    catalog: dict[Any, Any],
    initial: dict[str, Any],
    version: ProcedureVersion,
    case: ProcedureCase | None,
    units: tuple[OneStopUnit, ...],
) -> SafeString:
    """The blank intake form of ``version``'s ``case``, drawn once per process for the officer's
    units and the language, then kept until the reference or the catalogue revision changes
    (``reference.kept_intake_forms``, decision 0053). Only the form's intake token differs from one
    request to the next: the kept form holds a placeholder in its place. A draft version (its parts
    can still change) is drawn every time."""
    if not version.is_frozen:
        return _intake_html({"form": _intake_form(catalog, version, case, units, initial=initial)})
    key = (version.pk, case.pk if case else None, tuple(u.pk for u in units), get_language())
    kept = reference.kept_intake_forms(catalog)
    html = kept.get(key)
    if html is None:
        form = _intake_form(catalog, version, case, units, initial={**initial, "token": TOKEN_PLACEHOLDER})
        html = _intake_html({"form": form})
        if len(kept) < reference.KEPT_INTAKE_FORMS:
            kept[key] = html
    return mark_safe(html.replace(TOKEN_PLACEHOLDER, initial["token"], 1))  # a UUID in a template's output


def _intake_form(
    catalog: dict[Any, Any],
    version: ProcedureVersion,
    case: ProcedureCase | None,
    units: tuple[OneStopUnit, ...],
    *args: Any,
    **kwargs: Any,
) -> IntakeForm:
    """``IntakeForm(*args, version=…, case=…, units=…, **kwargs)``; for a published version, with the
    fields of the first such form of the process, kept beside the blank forms (decision 0053)."""
    if not version.is_frozen:
        return IntakeForm(*args, version=version, case=case, units=units, **kwargs)
    kept = reference.kept_intake_forms(catalog)
    key = ("fields", version.pk, case.pk if case else None, tuple(u.pk for u in units))
    fields = kept.get(key)
    if fields is None:
        fields = IntakeForm(version=version, case=case, units=units).fields
        if len(kept) < reference.KEPT_INTAKE_FORMS:
            kept[key] = fields
    return IntakeForm(*args, version=version, case=case, units=units, kept_fields=fields, **kwargs)


def _page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """The counter page; the counter panel (queue numbers) is read only when a page is rendered, not
    for a POST that only redirects."""
    context.update(_counter_context(request, _user(request)))
    if "form" in context and "intake_html" not in context:
        context["intake_html"] = _intake_html(context)
    return render(request, "backoffice/counter/page.html", context, status=status)


@login_required
def counter_page(request: HttpRequest) -> HttpResponse:
    # One request, one reading of the officer's memberships and unit chains (the gate's memo is the
    # one the intake service uses inside its act).
    with gate.memoised():
        return _counter_page(request)


def _counter_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    catalog = reference.read_revisions()  # before the gate's first question: one statement for both
    if not allows(user, "dossier.accept"):
        return _forbidden(request)
    units = reference.intake_units(user)
    context: dict[str, Any] = {}
    query = request.GET.get("q", "").strip()[:200]
    context.update(query=query, procedures=_procedures(query))
    source = request.POST if request.method == "POST" else request.GET
    version: ProcedureVersion | None = None
    if request.method == "POST":
        raw_version = source.get("version", "")
        version = reference.version(catalog, int(raw_version)) if raw_version.isdigit() else None
    elif request.GET.get("procedure"):
        version = reference.version_in_force(catalog, request.GET["procedure"].strip()[:40], at=clock.now())
        if version is None:
            context["procedure_error"] = _("Không tìm thấy thủ tục đang có hiệu lực với mã này.")
    if version is None:
        return _page(request, context)
    cases, case = _case(version, source.get("case"))
    context.update(version=version, cases=cases, case=case)
    if cases and case is None:
        return _page(request, context)
    if request.method != "POST":
        cccd = request.GET.get("cccd", "").strip()[:20]
        initial = _initial(user, cccd, version, units)
        context["prefilled"] = initial.pop("prefilled", False)
        context["cccd"] = cccd
        initial["case"] = case.pk if case else None
        if cccd:  # filled from an earlier dossier: drawn for this request
            context["form"] = _intake_form(catalog, version, case, units, initial=initial)
        else:
            context["intake_html"] = _blank_intake_html(catalog, initial, version, case, units)
        return _page(request, context)
    return _post(request, user, context, _intake_form(catalog, version, case, units, request.POST), version)


def _post(
    request: HttpRequest, user: User, context: dict[str, Any], form: IntakeForm, version: ProcedureVersion
) -> HttpResponse:
    case = form.case_obj
    context["form"] = form
    action = request.POST.get("action", "preview")
    if not form.is_valid():
        return _page(request, context, status=400)
    token = str(form.cleaned_data["token"])
    missing = form.missing()
    if action not in ("accept", "complete", "refuse"):
        done = _dossier_for_token(token)
        if done:  # the token was used: the acts below find its dossier themselves (services._once)
            return HttpResponseRedirect(reverse("backoffice:counter_done", args=[done]), status=303)
        agency = form.cleaned_data["competent_agency"] or reference.competent_agency(version)
        preview = None
        if agency is None:
            form.add_error("competent_agency", _("Cần chọn cơ quan có thẩm quyền giải quyết."))
        else:
            try:
                preview = queues.appointment_preview(
                    version=version, case=case, unit=form.cleaned_data["unit"], agency=agency, at=clock.now()
                )
            except MotcuaError as error:
                put_error(form, error)
        context.update(previewed=True, preview=preview, missing=missing)
        return _page(request, context)
    try:
        if action == "accept":
            dossier = receive_at_counter(intake=form.intake(), actor=user)
        elif action == "complete":
            dossier = request_completion(
                intake=form.intake(),
                actor=user,
                reason=form.cleaned_data["reason"],
                missing_component_ids=[t.pk for t in missing],
                guidance=form.cleaned_data["guidance"],
            )
        else:
            dossier = refuse_at_intake(intake=form.intake(), actor=user, reason=form.cleaned_data["reason"])
    except MotcuaError as error:
        put_error(form, error)
        context.update(previewed=True, missing=missing)
        return _page(request, context, status=error.status)
    return HttpResponseRedirect(reverse("backoffice:counter_done", args=[dossier.pk]), status=303)


@login_required
@require_POST
def call_next(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    raw = request.POST.get("counter", "")
    counter = queues.counters_for(user).filter(pk=int(raw)).first() if raw.isdigit() else None
    if counter is None or not allows(user, "dossier.receive", one_stop_unit_id=counter.one_stop_unit_id):
        return _forbidden(request)
    try:
        ticket = call_next_ticket(counter_id=counter.pk, actor_id=user.pk)
    except MotcuaError as error:
        messages.error(request, error.message(get_language()))
        ticket = None
    else:
        if ticket is None:
            messages.info(request, _("Không còn ai đang chờ tại quầy này."))
        else:
            messages.success(request, _("Mời số %(number)s đến quầy.") % {"number": ticket.display})
    return HttpResponseRedirect(f"{reverse('backoffice:counter')}?counter={counter.pk}", status=303)


@login_required
def counter_done(request: HttpRequest, dossier_id: int) -> HttpResponse:
    # One reading of the reference revision, memberships and unit chains for the whole page.
    with gate.memoised():
        return _counter_done(request, dossier_id)


def _counter_done(request: HttpRequest, dossier_id: int) -> HttpResponse:
    user = _user(request)
    if not allows(user, "backoffice.enter"):
        return _forbidden(request)
    try:
        dossier = dossier_for_user(user, dossier_id)
    except MotcuaError:
        return render(request, "backoffice/dossier/not_found.html", status=404)
    # Its components with their files and its events, each read by a statement built once per
    # process (``page_rows``), not by querysets compiled on every page.
    components = page_rows.components_of(dossier.pk)
    context = {
        "dossier": dossier,
        "form_link": last_form_link(dossier, page_rows.events_of(dossier.pk)),
        "upload_form": upload_form(dossier, user, components=components),
        "components": components,
    }
    return render(request, "backoffice/counter/done.html", context)
