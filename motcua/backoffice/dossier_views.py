"""The dossier page for staff: /can-bo/ho-so/<id>/ and its acts (POST /can-bo/ho-so/<id>/thao-tac/).

Read through the one gate (``dossier_for_user``: 404 for anyone who may not see it). The page shows
the data, components and files, the timeline from the event log, the deadline and its explanation,
the tasks per agency, the forms produced (links to /can-bo/ho-so/<id>/mau/<seq>.pdf) and one small
form for each act the user may do now (``workflow.allowed_acts`` with the roles held where the act
happens). Every act form posts the dossier version it was shown; the service refuses a stale one
(409, "Hồ sơ đã được cán bộ khác cập nhật…") and nothing changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts.gate import allows
from motcua.accounts.models import User
from motcua.catalog.models import ComponentTemplate
from motcua.core import clock
from motcua.core.errors import MotcuaError, NotFound, ValidationFailed
from motcua.deadlines import timeline as tl
from motcua.deadlines.arithmetic import TimeUnit
from motcua.deadlines.selectors import explained_due
from motcua.dossiers import access_log, acts, queues, services
from motcua.dossiers.models import (
    Consultation,
    Dossier,
    DossierComponent,
    DossierEvent,
    ProcessingTask,
    Result,
)
from motcua.dossiers.selectors import (
    DOSSIER_RELATED,
    TimelineEntry,
    dossier_for_user,
    fresh,
    tasks_of,
    timeline_entries,
    timeline_of,
)
from motcua.units.models import Agency
from motcua.workflow import ACT_LABELS, ACTIVE, STATE_LABELS, STEP_LABELS, Act, State, Step, allowed_acts

from . import forms as f
from . import reference
from .page_rows import page_rows

FORM_TITLES = {
    "form01": gettext_lazy("Mẫu 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    "form02": gettext_lazy("Mẫu 02 — Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    "form03": gettext_lazy("Mẫu 03 — Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
    "form04": gettext_lazy("Mẫu 04 — Văn bản xin lỗi và hẹn lại ngày trả kết quả"),
    "form05": gettext_lazy("Mẫu 05 — Thông báo dừng giải quyết hồ sơ"),
    "form06": gettext_lazy("Mẫu 06 — Phiếu kiểm soát quá trình giải quyết hồ sơ"),
    "form07": gettext_lazy("Mẫu 07 — Sổ theo dõi hồ sơ"),
}
# Prompt for the apology and extension from this many working days before the due date.
EXTENSION_PROMPT_DAYS = 2


def _is_en() -> bool:
    return (get_language() or "vi").startswith("en")


@dataclass(frozen=True, slots=True)
class FormLink:
    seq: int
    key: str
    title: str
    url: str
    at: dt.datetime


def form_url(dossier_id: int, seq: int) -> str:
    """The PDF of the form produced by event ``seq`` (rendered by form_views, another module)."""
    return f"{reverse('backoffice:dossier', args=[dossier_id])}mau/{seq}.pdf"


def form_links(dossier: Dossier, timeline: Iterable[TimelineEntry] | None = None) -> list[FormLink]:
    """The forms the dossier's acts produced; ``timeline``: its ``timeline_of``, when already read."""
    return [
        FormLink(e.seq, e.form, str(FORM_TITLES.get(e.form, e.form)), form_url(dossier.pk, e.seq), e.at)
        for e in (timeline_of(dossier) if timeline is None else timeline)
        if e.form
    ]


def last_form_link(dossier: Dossier, events: list[DossierEvent] | None = None) -> FormLink | None:
    """``form_links(dossier)[-1]`` (the form of the latest act that produced one): from ``events``
    (the dossier's, in order) when the caller has read them, else with one small read instead of
    the whole timeline."""
    if events is not None:
        last = next((e for e in reversed(events) if e.form), None)
        event = (last.seq, last.form, last.at) if last is not None else None
    else:
        event = (
            DossierEvent.objects.filter(dossier=dossier)
            .exclude(form="")
            .order_by("-seq")
            .values_list("seq", "form", "at")
            .first()
        )
    if event is None:
        return None
    seq, form, at = event
    return FormLink(seq, form, str(FORM_TITLES.get(form, form)), form_url(dossier.pk, seq), at)


# --------------------------------------------------------------------------------------------------
# Acts: which form; the service, its arguments and permission are the registry's (dossiers.acts)
# --------------------------------------------------------------------------------------------------

# Form field → the service's argument, where the name users see differs from the service's.
ARGUMENT_OF_FIELD: dict[str, str] = {
    "missing": "missing_component_ids",
    "handler": "handler_id",
    "agency": "agency_id",
}
# The field holding the consultation or task an act is aimed at (``acts.perform``'s ``target_id``).
TARGET_FIELD: dict[str, str] = {"consultation": "consultation", "task": "task"}


def act_values(data: dict[str, Any]) -> dict[str, Any]:
    """A form's cleaned data as the service's arguments: renamed, the agency as its id, the reply
    deadline as the end of that day, an uploaded document as its bytes and name."""
    values = {ARGUMENT_OF_FIELD.get(name, name): value for name, value in data.items()}
    if isinstance(values.get("agency_id"), Agency):
        values["agency_id"] = values["agency_id"].pk
    if isinstance(values.get("deadline"), dt.date):
        values["deadline"] = f.end_of_day(values["deadline"])
    if "recipient_kind" in values and not values["recipient_kind"]:
        values["recipient_kind"] = services.RECIPIENT_APPLICANT
    upload = values.pop("document", None)
    if upload is not None:
        values |= {"content": upload.read(), "file_name": upload.name}
    return values


def perform_act(key: str, dossier: Dossier, user: User, data: dict[str, Any]) -> Any:
    target = acts.ACTS[key].target
    target_id = data[TARGET_FIELD[target]] if target in TARGET_FIELD else None
    return acts.perform(
        key,
        dossier=dossier,
        actor=user,
        version=data["version"],
        values=act_values(data),
        target_id=target_id,
    )


# The form of each act the page offers (T7, T5, T8: an online or postal submission checked at the
# one-stop unit; then processing, the result and the end of the life cycle).
ACTS: dict[Act, type[f.ActForm]] = {
    Act.ACCEPT: f.ActForm,
    Act.REQUEST_COMPLETION: f.CompletionForm,
    Act.REFUSE_AT_INTAKE: f.ReasonForm,
    Act.FORWARD: f.ActForm,
    Act.ASSIGN: f.AssignForm,
    Act.APPRAISE: f.OpinionForm,
    Act.CONSULT: f.ConsultForm,
    Act.ANSWER_CONSULTATION: f.AnswerForm,
    Act.REQUEST_SUPPLEMENT: f.SupplementForm,
    Act.RECEIVE_SUPPLEMENT: f.ActForm,
    Act.REQUEST_FINANCIAL_OBLIGATION: f.ObligationForm,
    Act.CONFIRM_PAYMENT: f.PaymentForm,
    Act.PROPOSE_REFUSAL: f.ReasonForm,
    Act.REFUSE_AFTER_APPRAISAL: f.ReasonForm,
    Act.APPROVE: f.ApproveForm,
    Act.SIGN_RESULT: f.SignForm,
    Act.ISSUE_RESULT: f.IssueForm,
    Act.RETURN_RESULT: f.ReturnForm,
    Act.APOLOGISE_AND_EXTEND: f.ExtendForm,
    Act.REQUEST_WITHDRAWAL: f.ReasonForm,
    Act.STOP_PROCESSING: f.ReasonForm,
}

# Acts outside the state table (the dossier does not move): an agency's part done, urging.
COMPLETE_TASK = acts.COMPLETE_TASK
URGE = acts.URGE
EXTRA_ACTS: dict[str, type[f.ActForm]] = {
    COMPLETE_TASK: f.CompleteTaskForm,
    URGE: f.UrgeForm,
}
EXTRA_LABELS = {
    COMPLETE_TASK: gettext_lazy("Hoàn thành phần việc"),
    URGE: gettext_lazy("Đôn đốc"),
}


def _tasks_to_complete(
    dossier: Dossier, user: User, tasks: Iterable[ProcessingTask] | None = None
) -> list[ProcessingTask]:
    """Open tasks of other agencies (not the lead's) that ``user`` may finish for their agency.
    ``tasks``: the dossier's tasks with their agencies, when already read."""
    day = clock.today()
    if tasks is None:
        tasks = tasks_of(dossier).filter(completed_at__isnull=True, is_lead=False).select_related("agency")
    return [
        t
        for t in tasks
        if t.completed_at is None
        and not t.is_lead
        and allows(user, acts.ACTS[COMPLETE_TASK].permission, agency_id=t.agency_id, at=day)
    ]


def may_urge(dossier: Dossier, user: User) -> bool:
    return State(dossier.state) in ACTIVE and allows(
        user,
        acts.ACTS[URGE].permission,
        agency_id=dossier.competent_agency_id,
        one_stop_unit_id=dossier.received_at_unit_id,
    )


def _roles(user: User, dossier: Dossier, consulted: list[int]) -> tuple[set[str], set[str]]:
    """Roles where the dossier is decided or received, and roles at the agencies being consulted."""
    day = clock.today()
    main = services.roles_at(
        user,
        agency_ids=[dossier.competent_agency_id],
        unit_ids=[dossier.received_at_unit_id, dossier.return_unit_id],
        day=day,
    )
    asked = services.roles_at(user, agency_ids=consulted, day=day) if consulted else set()
    return main, asked


def _extension_prompt(dossier: Dossier) -> dict[str, Any] | None:
    """From two working days before the due date, once (no extension yet): the apology deadline."""
    if dossier.due_at is None or dossier.extended_due_at is not None:
        return None
    try:
        calendar = services.calendar_for(dossier)
        due_day = clock.to_local(dossier.due_at).date()
        start = due_day
        for _step in range(EXTENSION_PROMPT_DAYS):
            start = calendar.previous_working(start)
        if clock.today() < start:
            return None
        return {"deadline": tl.apology_deadline(dossier.due_at, calendar), "due_at": dossier.due_at}
    except ValidationFailed:
        return None


def _open_consultations(dossier: Dossier, user: User) -> list[Consultation]:
    return list(
        Consultation.objects.filter(dossier=dossier, responded_at__isnull=True).select_related(
            "requested_agency"
        )
    )


def _other_agencies(dossier: Dossier) -> list[Agency]:
    """Every agency but the dossier's competent one, by name (to consult, or to share the work with):
    the rows kept per process under the reference revision (``reference.agencies_by_name``), so an
    agency written anywhere is seen at the next page, without a query per page and per select."""
    return [a for a in reference.agencies_by_name() if a.pk != dossier.competent_agency_id]


def _form_for(
    act: Act | str,
    dossier: Dossier,
    user: User,
    data: Any = None,
    consultations: list[Consultation] | None = None,
    files: Any = None,
    tasks: list[ProcessingTask] | None = None,
) -> forms.Form:
    key = act.value if isinstance(act, Act) else act
    initial: dict[str, Any] = {"version": dossier.version}
    form_class = ACTS[act] if isinstance(act, Act) else EXTRA_ACTS[act]
    if act == Act.FORWARD and dossier.state != State.RECEIVED:
        return f.InterAgencyForm(data, prefix=key, initial=initial, agencies=_other_agencies(dossier))
    if act == Act.RETURN_RESULT:
        initial |= {
            "delivery_method": dossier.result_delivery,
            "recipient_name": dossier.applicant_name,
            "recipient_identifier": dossier.applicant_identifier,
        }
    form = form_class(data, files, prefix=key, initial=initial)
    if isinstance(form, f.CompleteTaskForm):
        form.fields["task"].choices = [  # type: ignore[attr-defined]
            (t.pk, f"{t.agency.name}: {t.name}") for t in _tasks_to_complete(dossier, user, tasks)
        ]
    elif isinstance(form, f.AssignForm):
        form.fields["handler"].choices = [  # type: ignore[attr-defined]
            (u.pk, u.full_name or u.username) for u in queues.handlers_at(dossier.competent_agency_id)
        ]
    elif isinstance(form, f.ConsultForm):
        form.fields["agency"].set_rows(_other_agencies(dossier))  # type: ignore[attr-defined]
    elif isinstance(form, f.AnswerForm):
        form.fields["consultation"].choices = [  # type: ignore[attr-defined]
            (c.pk, f"{c.requested_agency.name}: {c.content[:80]}") for c in consultations or []
        ]
    elif isinstance(form, (f.SupplementForm, f.CompletionForm)):
        form.fields["missing"].choices = [  # type: ignore[attr-defined]
            (t.pk, t.name)
            for t in ComponentTemplate.objects.filter(case_id=dossier.procedure_case_id).order_by("position")
        ]
    return form


def _act_forms(
    dossier: Dossier,
    user: User,
    *,
    bound: tuple[Act, forms.Form] | None = None,
    consultations: list[Consultation] | None = None,
    tasks: list[ProcessingTask] | None = None,
) -> list[dict[str, Any]]:
    """The forms of the acts ``user`` may do now. ``consultations`` (the open ones) and ``tasks``
    (all of the dossier's): when the page has read them already."""
    if consultations is None:
        consultations = _open_consultations(dossier, user)
    main, asked = _roles(user, dossier, [c.requested_agency_id for c in consultations])
    state = State(dossier.state)
    step = Step(dossier.step) if dossier.step else None
    acts: list[Act] = [a for a in allowed_acts(state, step, main) if a != Act.ANSWER_CONSULTATION]
    if consultations and Act.ANSWER_CONSULTATION in allowed_acts(state, step, asked):
        acts.append(Act.ANSWER_CONSULTATION)
    if Act.APOLOGISE_AND_EXTEND in acts and _extension_prompt(dossier) is None:
        acts.remove(Act.APOLOGISE_AND_EXTEND)
    en = _is_en()
    items = []
    for act in acts:
        if act not in ACTS:
            continue
        if bound is not None and bound[0] == act:
            form = bound[1]
        else:
            form = _form_for(act, dossier, user, consultations=consultations, tasks=tasks)
        label = ACT_LABELS[act]
        text = label.en if en else label.vi
        if act == Act.FORWARD and state != State.RECEIVED:
            text = str(_("Chuyển liên thông"))
        items.append({"act": act.value, "label": text, "form": form})
    extras = []
    if _tasks_to_complete(dossier, user, tasks):
        extras.append(COMPLETE_TASK)
    if may_urge(dossier, user):
        extras.append(URGE)
    for key in extras:
        if bound is not None and bound[0] == key:
            form = bound[1]
        else:
            form = _form_for(key, dossier, user, tasks=tasks)
        items.append({"act": key, "label": str(EXTRA_LABELS[key]), "form": form})
    return items


CLOSED_STATES = {State.INTAKE_REFUSED, State.STOPPED, State.RETURNED}


def upload_form(
    dossier: Dossier,
    user: User,
    data: Any = None,
    files: Any = None,
    components: Iterable[DossierComponent] | None = None,
) -> f.UploadForm | None:
    """The scan upload form, for a reception officer of the receiving unit while the dossier is open.
    ``components``: the dossier's components in order (``position``, then id), when already read."""
    if State(dossier.state) in CLOSED_STATES or not allows(
        user, "dossier.digitize", one_stop_unit_id=dossier.received_at_unit_id
    ):
        return None
    form = f.UploadForm(data, files, prefix="upload")
    form.fields["component"].choices = [  # type: ignore[attr-defined]
        (c.pk, f"{c.name} ({c.get_copy_type_display()})")
        for c in (dossier.components.order_by("position", "pk") if components is None else components)
    ]
    return form


def _explanation(dossier: Dossier) -> str:
    if dossier.received_at is None or dossier.time_limit_amount is None or not dossier.time_limit_unit:
        return ""
    province_code = queues.province_code_of(dossier.competent_agency)
    try:
        explained = explained_due(
            received_at=dossier.received_at,
            amount=dossier.time_limit_amount,
            unit=TimeUnit(dossier.time_limit_unit),
            province_code=province_code,
            hours=services.hours_for(dossier),  # kept per process under the reference revision
            cutoff=dossier.procedure_version.same_day_cutoff,
            calendar=services.province_calendar(province_code),  # its revision read once for the page
        )
    except ValidationFailed:
        return ""
    return explained.explanation_en if _is_en() else explained.explanation_vi


def _context(dossier: Dossier, user: User, **extra: Any) -> dict[str, Any]:
    """What the dossier page shows. Each of the dossier's rows (events, components with their files,
    tasks, consultations, result, fee lines) is read once, by a statement built once per process
    (``page_rows``), and shared by the panels and the act forms; the revision tokens and calendars
    once per page (``services.read_once``, where the caller opens it: ``dossier_page``)."""
    en = _is_en()
    state_label = STATE_LABELS[State(dossier.state)]
    step_label = STEP_LABELS[Step(dossier.step)] if dossier.step else None
    found = page_rows(dossier.pk)
    timeline = timeline_entries(found.events)
    components, tasks, consultations = found.components, found.tasks, found.consultations
    context = {
        "dossier": dossier,
        "state_label": state_label.en if en else state_label.vi,
        "step_label": (step_label.en if en else step_label.vi) if step_label else "",
        "components": components,
        "timeline": timeline,
        "timeline_urls": {e.seq: form_url(dossier.pk, e.seq) for e in timeline if e.form},
        "tasks": tasks,
        "consultations": consultations,
        "forms_produced": form_links(dossier, timeline),
        "explanation": _explanation(dossier),
        "remaining": queues.remaining_time(dossier) if dossier.finished_at is None else None,
        "extension_prompt": _extension_prompt(dossier),
        "fee_lines": found.fee_lines,
        "result": _result(found.result),
        "is_en": en,
    }
    context.update(extra)
    if "upload_form" not in context:
        context["upload_form"] = upload_form(dossier, user, components=components)
    if "acts" not in context:
        open_consultations = [c for c in consultations if c.responded_at is None]
        context["acts"] = _act_forms(dossier, user, consultations=open_consultations, tasks=tasks)
    return context


def _result(result: Result | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {"result": result, "signature_valid": services.result_signature_valid(result)}


def note_read(request: HttpRequest, user: User, dossier: Dossier, kind: str, detail: str = "") -> None:
    """An inspector's read of ``dossier`` in the access log (decision 0061); nothing for others."""
    access_log.note_read(
        user, kind=kind, address=request.META.get("REMOTE_ADDR"), dossier_id=dossier.pk, detail=detail
    )


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "backoffice/dossier/not_found.html", status=404)


def _staff(request: HttpRequest) -> User | None:
    user = request.user
    if not isinstance(user, User) or not allows(user, "backoffice.enter"):
        return None
    return user


def staff_dossier(
    request: HttpRequest, dossier_id: int, related: tuple[str, ...] = DOSSIER_RELATED
) -> tuple[User, Dossier] | HttpResponse:
    """The signed-in staff member and a dossier they may see, or the 403/404 page to answer with.
    ``related``: the related rows read with the dossier (``dossier_for_user``)."""
    user = _staff(request)
    if user is None:
        return render(request, "backoffice/not_staff.html", status=403)
    try:
        return user, dossier_for_user(user, dossier_id, related=related)
    except NotFound:
        return _not_found(request)


@login_required
def dossier_page(request: HttpRequest, dossier_id: int) -> HttpResponse:
    return _dossier_page(request, dossier_id)


@services.read_once  # the revision tokens, calendars and office hours read once for the page
def _dossier_page(request: HttpRequest, dossier_id: int) -> HttpResponse:
    found = staff_dossier(request, dossier_id)
    if isinstance(found, HttpResponse):
        return found
    user, dossier = found
    note_read(request, user, dossier, access_log.AccessKind.PAGE)
    return render(request, "backoffice/dossier/page.html", _context(dossier, user))


@login_required
@require_POST
def dossier_act(request: HttpRequest, dossier_id: int) -> HttpResponse:
    return _dossier_act(request, dossier_id)


@services.read_once  # the gate's reads once for the request; the act keeps its own memo inside
def _dossier_act(request: HttpRequest, dossier_id: int) -> HttpResponse:
    # The dossier alone: the act's service reads it again, locked, with its related rows; the page
    # drawn again after a refusal reads them below.
    found = staff_dossier(request, dossier_id, related=())
    if isinstance(found, HttpResponse):
        return found
    user, dossier = found
    raw = request.POST.get("act", "")
    act: Act | str | None = Act(raw) if raw in Act.__members__.values() else None
    if act is None and raw in EXTRA_ACTS:
        act = raw
    if act is None or (isinstance(act, Act) and act not in ACTS):
        messages.error(request, _("Thao tác không hợp lệ."))
        return HttpResponseRedirect(reverse("backoffice:dossier", args=[dossier.pk]), status=303)
    key = act.value if isinstance(act, Act) else act
    if isinstance(act, Act):
        label = ACT_LABELS[act]
        text = label.en if _is_en() else label.vi
    else:
        text = str(EXTRA_LABELS[act])
    form = _form_for(
        act,
        dossier,
        user,
        request.POST,
        # only the answer's form offers the open consultations
        consultations=_open_consultations(dossier, user) if act == Act.ANSWER_CONSULTATION else None,
        files=request.FILES,
    )
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            perform_act(key, dossier, user, data)
        except MotcuaError as error:
            f.put_error(form, error)
            status = error.status
        else:
            messages.success(request, _("Đã thực hiện: %(act)s.") % {"act": text})
            target = reverse("backoffice:dossier", args=[dossier.pk])
            if request.POST.get("next") == "overview":
                target = reverse("backoffice:overview")
            return HttpResponseRedirect(target, status=303)
    dossier = fresh(dossier.pk)
    context = _context(dossier, user, failed_act=key)
    acts = context["acts"]
    if not any(item["act"] == key for item in acts):
        acts.append({"act": key, "label": text, "form": form})
    else:
        for item in acts:
            if item["act"] == key:
                item["form"] = form
    return render(request, "backoffice/dossier/page.html", context, status=status)
