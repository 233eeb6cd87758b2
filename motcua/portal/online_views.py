"""Citizen pages for online submission (issue #7 parts 2-3): start a draft from a procedure, fill
it, upload or reuse each component, see fees and the expected result date, save and come back,
submit; the account's dossiers with their timeline, forms and e-result; completing a dossier the
one-stop unit sent back; the personal document store.

Every page works without JavaScript (one ordinary multipart form). Everything goes through
``dossiers.online`` (the services); reads of a dossier go through ``dossier_for_user`` (404 for
anyone else's, so ids cannot be probed).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts.models import User
from motcua.catalog.models import Channel, ChannelOffer, ComponentTemplate
from motcua.catalog.selectors import public_version
from motcua.core import clock
from motcua.core.errors import MotcuaError, NotFound
from motcua.deadlines.arithmetic import TimeUnit
from motcua.deadlines.selectors import explained_due
from motcua.dossiers import access_log, acts, online
from motcua.dossiers.applicants import IdentifierType
from motcua.dossiers.models import Dossier, DossierEvent, Draft, ResultDelivery, StoredDocument
from motcua.dossiers.selectors import dossier_for_user, timeline_of
from motcua.paperwork.from_dossier import context_for_event, rendered_form
from motcua.units.models import OneStopUnit
from motcua.workflow import Act, State

from .status import next_step, state_label


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _lang() -> str:
    return get_language() or "vi"


# The field a service names (``applicant.number``) → the input on the page (``applicant_identifier_number``).
_FIELD_ALIASES = {"number": "identifier_number", "kind": "kind"}


def _input_name(field: str | None) -> str:
    if not field:
        return "form"
    if "." in field:
        prefix, attribute = field.split(".", 1)
        return f"{prefix}_{_FIELD_ALIASES.get(attribute, attribute)}"
    return field


# --------------------------------------------------------------------------------------------------
# Starting and filling a draft
# --------------------------------------------------------------------------------------------------


@login_required
@require_POST
def start_draft(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    version = public_version(code)
    if version is None:
        raise Http404(code)
    case_raw = request.POST.get("case", "")
    try:
        draft = online.start_draft(
            actor=user,
            procedure_version_id=version.pk,
            procedure_case_id=int(case_raw) if case_raw.isdigit() else None,
        )
    except MotcuaError as exc:
        messages.error(request, exc.message(_lang()))
        if exc.code == "account_not_verified":
            return redirect("accounts:verify")
        return redirect("portal:catalog_detail", code=code)
    return redirect("portal:draft", draft_id=draft.pk)


@dataclass
class Slot:
    template: ComponentTemplate
    document: StoredDocument | None
    reused: bool
    error: str


def _estimate(draft: Draft) -> tuple[ChannelOffer | None, str]:
    offers = [
        o
        for o in draft.procedure_version.offers.prefetch_related("fees").all()
        if o.channel == Channel.ONLINE and o.case_id in (None, draft.procedure_case_id)
    ]
    offer = next((o for o in offers if o.case_id == draft.procedure_case_id), None) or (
        offers[0] if offers else None
    )
    if offer is None or offer.time_limit_amount is None or not offer.time_limit_unit:
        return offer, ""
    try:
        due = explained_due(
            received_at=clock.now(),
            amount=offer.time_limit_amount,
            unit=TimeUnit(offer.time_limit_unit),
            province_code=str(settings.MOTCUA_PROVINCE_CODE),
        )
    except (MotcuaError, ValueError):
        return offer, ""
    return offer, due.explanation_en if _lang().startswith("en") else due.explanation_vi


def _draft_context(draft: Draft, user: User, errors: dict[str, str]) -> dict[str, Any]:
    templates = list(
        ComponentTemplate.objects.filter(case_id=draft.procedure_case_id).order_by("position", "id")
        if draft.procedure_case_id
        else []
    )
    ids = [int(slot["document"]) for slot in draft.slots.values()]
    documents = {d.pk: d for d in StoredDocument.objects.filter(owner=user, pk__in=ids)}
    slots = []
    for template in templates:
        slot = draft.slots.get(str(template.pk))
        document = documents.get(int(slot["document"])) if slot else None
        slots.append(
            Slot(
                template,
                document,
                bool(slot and slot.get("reused")),
                errors.get(f"component_{template.pk}", ""),
            )
        )
    offer, estimate = _estimate(draft)
    units = list(OneStopUnit.objects.order_by("name").only("pk", "name")[:200])
    return {
        "draft": draft,
        "data": draft.data,
        "cases": list(draft.procedure_version.cases.all()),
        "slots": slots,
        "store": list(online.usable_documents(user)),
        "offer": offer,
        "fees": list(offer.fees.all()) if offer is not None else [],
        "estimate": estimate,
        "errors": errors,
        "units": units,
        "identifier_types": IdentifierType.choices,
        "deliveries": ResultDelivery.choices,
        "max_mb": settings.MOTCUA_DOSSIER_FILE_MAX_BYTES // (1024 * 1024),
    }


def _apply_files(request: HttpRequest, draft: Draft, user: User, errors: dict[str, str]) -> None:
    """Each component's upload (or chosen stored document) from the one form."""
    for key, upload in request.FILES.items():
        if not key.startswith("file_") or not key[5:].isdigit():
            continue
        assert isinstance(upload, UploadedFile)
        template_id = int(key[5:])
        valid_raw = request.POST.get(f"valid_{template_id}", "")
        try:
            valid_until = dt.date.fromisoformat(valid_raw) if valid_raw else None
            online.upload_to_draft(
                draft_id=draft.pk,
                actor=user,
                template_id=template_id,
                content=upload.read(settings.MOTCUA_DOSSIER_FILE_MAX_BYTES + 1),
                name=upload.name or "",
                valid_until=valid_until,
            )
        except ValueError:
            errors[f"component_{template_id}"] = _("Ngày hết hiệu lực không hợp lệ.")
        except MotcuaError as exc:
            errors[f"component_{template_id}"] = exc.message(_lang())
    for key in list(request.POST):
        value = request.POST.get(key, "")
        if not key.startswith("store_") or not value.isdigit() or f"file_{key[6:]}" in request.FILES:
            continue
        template_id = int(key[6:]) if key[6:].isdigit() else 0
        try:
            online.pick_from_store(
                draft_id=draft.pk, actor=user, template_id=template_id, document_id=int(value)
            )
        except MotcuaError as exc:
            errors[f"component_{template_id}"] = exc.message(_lang())
    for key in request.POST:
        if key.startswith("clear_") and key[6:].isdigit():
            online.clear_slot(draft_id=draft.pk, actor=user, template_id=int(key[6:]))


@login_required
def draft_page(request: HttpRequest, draft_id: int) -> HttpResponse:
    user = _user(request)
    try:
        draft = online.own_draft(draft_id, user)
    except NotFound as exc:
        raise Http404(exc.message_en) from exc
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if "delete" in request.POST:
            online.delete_draft(draft_id=draft.pk, actor=user)
            messages.success(request, _("Đã xóa hồ sơ nháp."))
            return redirect("portal:my_dossiers")
        values: dict[str, Any] = {key: request.POST.get(key, "") for key in online.DRAFT_FIELDS}
        values["on_behalf"] = "1" if request.POST.get("on_behalf") else ""
        values["procedure_case_id"] = request.POST.get("procedure_case_id", "")
        try:
            draft = online.save_draft(draft_id=draft.pk, actor=user, values=values)
        except MotcuaError as exc:
            errors[_input_name(exc.field)] = exc.message(_lang())
        _apply_files(request, draft, user, errors)
        draft.refresh_from_db()
        if "submit" in request.POST and not errors:
            try:
                dossier = online.submit_draft(draft_id=draft.pk, actor=user)
            except MotcuaError as exc:
                errors[_input_name(exc.field)] = exc.message(_lang())
            else:
                messages.success(
                    request,
                    _("Đã nộp hồ sơ. Mã tạm: %(reference)s. Bộ phận Một cửa sẽ kiểm tra và tiếp nhận.")
                    % {"reference": dossier.reference},
                )
                return redirect("portal:my_dossier", dossier_id=dossier.pk)
        if errors:
            status = 400
        else:
            messages.success(request, _("Đã lưu hồ sơ nháp. Bạn có thể quay lại hoàn thành sau."))
            return redirect("portal:draft", draft_id=draft.pk)
    context = _draft_context(draft, user, errors)
    return render(request, "portal/online/draft.html", context, status=status)


# --------------------------------------------------------------------------------------------------
# The account's dossiers
# --------------------------------------------------------------------------------------------------


@login_required
def my_dossiers(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    drafts = online.my_drafts(user).select_related("procedure_version")
    dossiers = list(online.my_dossiers(user).select_related("procedure_version")[:200])
    rows = [{"dossier": d, "state": state_label(d.state)} for d in dossiers]
    return render(
        request,
        "portal/online/my_dossiers.html",
        {"drafts": list(drafts), "rows": rows, "verified": user.is_verified},
    )


def _own(request: HttpRequest, dossier_id: int) -> Dossier:
    try:
        return dossier_for_user(_user(request), dossier_id)
    except NotFound as exc:
        raise Http404(exc.message_en) from exc


def _note(request: HttpRequest, dossier: Dossier, kind: str, detail: str) -> None:
    """The gate lets staff read here too: an inspector's read goes to the access log (decision 0061)."""
    access_log.note_read(
        request.user, kind=kind, address=request.META.get("REMOTE_ADDR"), dossier_id=dossier.pk, detail=detail
    )


def _completion_request(dossier: Dossier) -> DossierEvent | None:
    return DossierEvent.objects.filter(dossier=dossier, name="completion_requested").order_by("-seq").first()


@login_required
def my_dossier(request: HttpRequest, dossier_id: int) -> HttpResponse:
    user = _user(request)
    dossier = _own(request, dossier_id)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST" and dossier.state == State.INTAKE_SUPPLEMENT_REQUESTED:
        items: list[online.CompletionItem] = []
        for template in ComponentTemplate.objects.filter(case_id=dossier.procedure_case_id):
            upload = request.FILES.get(f"file_{template.pk}")
            chosen = request.POST.get(f"store_{template.pk}", "")
            try:
                if upload is not None:
                    document = online.keep_upload(
                        actor=user,
                        content=upload.read(settings.MOTCUA_DOSSIER_FILE_MAX_BYTES + 1),
                        name=upload.name or "",
                        title=template.name,
                    )
                    items.append(online.CompletionItem(template.pk, document.pk, reused=False))
                elif chosen.isdigit():
                    items.append(online.CompletionItem(template.pk, int(chosen), reused=True))
            except MotcuaError as exc:
                errors[f"component_{template.pk}"] = exc.message(_lang())
        if not errors:
            try:
                online.complete_online(dossier_id=dossier.pk, actor=user, items=items)
            except MotcuaError as exc:
                errors[_input_name(exc.field)] = exc.message(_lang())
            else:
                messages.success(request, _("Đã gửi hồ sơ bổ sung, hoàn thiện."))
                return redirect("portal:my_dossier", dossier_id=dossier.pk)
        status = 400
    elif request.method == "POST":
        # A page left open after the dossier moved on (it was completed, accepted or refused meanwhile).
        messages.error(
            request, _("Hồ sơ không còn chờ bổ sung, hoàn thiện nên không gửi được; trang đã được tải lại.")
        )
        status = 409
    _note(request, dossier, access_log.AccessKind.PAGE, "portal")
    context = _dossier_context(dossier, user, errors)
    return render(request, "portal/online/dossier.html", context, status=status)


def _dossier_context(
    dossier: Dossier, user: User, errors: dict[str, str], withdrawal: Withdrawal | None = None
) -> dict[str, Any]:
    timeline = timeline_of(dossier)
    english = _lang().startswith("en")
    request_event = _completion_request(dossier)
    templates = list(ComponentTemplate.objects.filter(case_id=dossier.procedure_case_id).order_by("position"))
    result = getattr(dossier, "result", None)
    if withdrawal is None:
        withdrawal = Withdrawal(
            offered=online.may_request_withdrawal(dossier, user),
            owner=dossier.submitted_by_id == user.pk,
            version=dossier.version,
        )
    return {
        "dossier": dossier,
        "state": state_label(dossier.state),
        "next_step": next_step(dossier.state),
        "timeline": [
            {"entry": e, "label": e.act_en if english else e.act_vi, "state": state_label(e.state_after)}
            for e in timeline
        ],
        "components": list(dossier.components.prefetch_related("files")),
        "completion": request_event,
        "completion_missing": (request_event.data or {}).get("missing", []) if request_event else [],
        "templates": templates,
        "store": list(online.usable_documents(user)),
        "errors": errors,
        "can_complete": dossier.state == State.INTAKE_SUPPLEMENT_REQUESTED
        and dossier.submitted_by_id == user.pk,
        "result": result if result is not None and result.file and result.issued_at else None,
        "fees": list(dossier.fee_lines.all()),
        "withdrawal": withdrawal,
    }


# --------------------------------------------------------------------------------------------------
# Asking to withdraw (T23a; SPEC §4.1 "withdraw or request stop", scenario 23)
# --------------------------------------------------------------------------------------------------

# The longest reason the page takes (the staff pages take as much); the version the page posts.
WITHDRAWAL_REASON_MAX = 4000
_VERSION = re.compile(r"[0-9]{1,9}")


@dataclass
class Withdrawal:
    """The withdrawal section of the dossier page: shown while the act is open to the applicant
    (``offered``), or after a refused request, with what was typed and the refusals by field
    (``reason``, ``confirm``; ``form`` for the others: stale version, state, not the applicant)."""

    offered: bool
    owner: bool
    version: int
    reason: str = ""
    confirmed: bool = False
    errors: dict[str, str] = dataclasses.field(default_factory=dict)
    reason_max: int = WITHDRAWAL_REASON_MAX

    @property
    def shown(self) -> bool:
        return self.offered or bool(self.errors)


@login_required
@require_POST
def withdraw(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """T23a from the applicant's dossier page, through the act registry as the API and the staff
    page do it (``acts.perform`` → ``services.request_withdrawal``), with the dossier version the page
    showed (the service refuses a stale one: 409). The act cannot be undone by the applicant, so the
    page asks for a confirmation first. A refusal draws the page again with the input kept and the
    status of the refusal (400, 403, 409); nothing changes."""
    user = _user(request)
    dossier = _own(request, dossier_id)  # 404 for a dossier the user may not see
    reason = request.POST.get("reason", "")
    confirmed = request.POST.get("confirm") == "1"
    version = request.POST.get("version", "")
    errors: dict[str, str] = {}
    status = 400
    if dossier.submitted_by_id != user.pk:
        refusal = online.not_the_applicant()
        errors["form"], status = refusal.message(_lang()), refusal.status
    else:
        if not confirmed:
            errors["confirm"] = _("Hãy đánh dấu xác nhận rằng bạn muốn rút hồ sơ.")
        if not reason.strip():
            errors["reason"] = _("Cần ghi lý do.")
        elif len(reason) > WITHDRAWAL_REASON_MAX:
            errors["reason"] = _("Lý do dài quá %(limit)s ký tự.") % {"limit": WITHDRAWAL_REASON_MAX}
        if not _VERSION.fullmatch(version):
            errors["form"] = _("Trang hồ sơ đã cũ; hãy tải lại trang rồi gửi lại yêu cầu.")
    if not errors:
        try:
            acts.perform(
                Act.REQUEST_WITHDRAWAL,
                dossier=dossier,
                actor=user,
                version=int(version),
                values={"reason": reason},
            )
        except MotcuaError as exc:
            errors["reason" if exc.field == "reason" else "form"] = exc.message(_lang())
            status = exc.status
        else:
            messages.success(
                request,
                _(
                    "Đã gửi yêu cầu rút hồ sơ. Bộ phận Một cửa sẽ dừng giải quyết hồ sơ "
                    "và ra thông báo dừng giải quyết hồ sơ."
                ),
            )
            return HttpResponseRedirect(reverse("portal:my_dossier", args=[dossier.pk]), status=303)
    dossier = _own(request, dossier_id)  # read again: a stale version means it has changed
    withdrawal = Withdrawal(
        offered=online.may_request_withdrawal(dossier, user),
        owner=dossier.submitted_by_id == user.pk,
        version=dossier.version,  # the version of the page drawn now
        reason=reason,
        confirmed=confirmed,
        errors=errors,
    )
    context = _dossier_context(dossier, user, {}, withdrawal)
    return render(request, "portal/online/dossier.html", context, status=status)


@login_required
def my_dossier_form(request: HttpRequest, dossier_id: int, seq: int) -> HttpResponse:
    """A form (01, 02, 03 …) an act on the applicant's own dossier produced, as PDF."""
    dossier = _own(request, dossier_id)
    event = DossierEvent.objects.filter(dossier=dossier, seq=seq).select_related("actor", "dossier").first()
    form = context_for_event(event) if event is not None else None
    if form is None:
        raise Http404("no form")
    assert event is not None
    _note(request, dossier, access_log.AccessKind.FORM, f"{event.form} #{seq} pdf (portal)")
    content, etag = rendered_form(form, "pdf", font_base=None)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="mau-{form.form_number}.pdf"'
    response["Cache-Control"] = "private, no-cache"
    response["ETag"] = etag
    return response


@login_required
def my_result(request: HttpRequest, dossier_id: int) -> HttpResponseBase:
    dossier = _own(request, dossier_id)
    result = getattr(dossier, "result", None)
    if result is None or not result.file or result.issued_at is None:
        raise Http404("no e-result")
    _note(request, dossier, access_log.AccessKind.FILE, "result (portal)")
    response = FileResponse(result.file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="ket-qua-{dossier.pk}.pdf"'
    response["Cache-Control"] = "private, no-cache"
    return response


# --------------------------------------------------------------------------------------------------
# The personal document store
# --------------------------------------------------------------------------------------------------


@login_required
def store_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        title = request.POST.get("title", "").strip()
        valid_raw = request.POST.get("valid_until", "")
        if not title:
            errors["title"] = _("Cần ghi tên giấy tờ.")
        if upload is None:
            errors["file"] = _("Cần chọn tệp.")
        valid_until = None
        if valid_raw:
            try:
                valid_until = dt.date.fromisoformat(valid_raw)
            except ValueError:
                errors["valid_until"] = _("Ngày hết hiệu lực không hợp lệ.")
        if not errors and upload is not None:
            try:
                online.keep_upload(
                    actor=user,
                    content=upload.read(settings.MOTCUA_DOSSIER_FILE_MAX_BYTES + 1),
                    name=upload.name or "",
                    title=title,
                    valid_until=valid_until,
                )
            except MotcuaError as exc:
                errors[_input_name(exc.field)] = exc.message(_lang())
            else:
                messages.success(request, _("Đã thêm giấy tờ vào kho dữ liệu."))
                return redirect("portal:store")
        status = 400
    today = clock.today()
    documents = [
        {"document": d, "valid": d.valid_until is None or d.valid_until >= today}
        for d in StoredDocument.objects.filter(owner=user).select_related("dossier")
    ]
    return render(
        request, "portal/online/store.html", {"documents": documents, "errors": errors}, status=status
    )


@login_required
def store_download(request: HttpRequest, document_id: int) -> HttpResponseBase:
    try:  # someone else's document is a 404, like a missing one
        document = online.own_document(document_id, _user(request))
    except NotFound as exc:
        raise Http404(exc.message_en) from exc
    response = FileResponse(document.file.open("rb"), content_type=document.content_type)
    response["Content-Disposition"] = f'inline; filename="tai-lieu-{document.pk}"'
    response["Cache-Control"] = "private, no-cache"
    return response
