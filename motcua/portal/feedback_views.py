"""Citizen pages for feedback and petitions (PAKN) and service ratings.

* ``/phan-anh-kien-nghi/`` — published answers (no personal data) and links to send or look up;
* ``/phan-anh-kien-nghi/gui/`` — send a petition (name, citizen ID, phone, address required; e-mail
  and a dossier code optional; linked to the signed-in account when there is one);
* ``/phan-anh-kien-nghi/tra-cuu/`` — the submitter's own petition by reference + last 4 phone digits
  (POST only, so the digits never sit in a URL), with the supplement form when one is asked for;
* ``/phan-anh-kien-nghi/<code>/`` — one published answer (404 for anything not published);
* ``/danh-gia/`` — rate a returned dossier (code + last 4 digits of phone or ID, or the owner's
  account).

Every check is in ``feedback.services``; its errors are shown next to the field they name, in the
page's language, with a 4xx status.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from motcua.core.errors import MotcuaError
from motcua.feedback import selectors, services
from motcua.feedback.lifecycle import STATE_LABELS, TRANSITIONS, PetitionState
from motcua.feedback.models import PetitionKind, PetitionTopic, Satisfaction, Score

SESSION_SENT = "motcua.feedback.sent"
SESSION_RATED = "motcua.feedback.rated"


def _text(label: Any, *, required: bool = True, widget: forms.Widget | None = None) -> forms.CharField:
    """A text field whose checks (required, length, format) are the service's, so the message next
    to the field is the same on the page and in the API; ``required`` only marks the label."""
    widget = widget or forms.TextInput()
    if required:
        widget.attrs["aria-required"] = "true"
    return forms.CharField(
        label=format_lazy("{} *", label) if required else label, required=False, strip=False, widget=widget
    )


class PetitionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại"), choices=PetitionKind.choices, initial=PetitionKind.REFLECTION)
    topic = forms.ChoiceField(label=_("Nội dung"), choices=PetitionTopic.choices)
    agency = forms.ChoiceField(label=_("Cơ quan tiếp nhận"), required=False)
    dossier_code = _text(_("Mã hồ sơ liên quan (nếu có)"), required=False)
    title = _text(_("Tiêu đề"))
    content = _text(_("Nội dung phản ánh, kiến nghị"), widget=forms.Textarea(attrs={"rows": 6}))
    proposal = _text(
        _("Đề xuất, giải pháp (bắt buộc với kiến nghị)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    name = _text(_("Họ và tên"))
    identifier = _text(_("Số căn cước (CCCD)"))
    phone = _text(_("Số điện thoại"))
    email = _text(_("Thư điện tử"), required=False)
    address = _text(_("Địa chỉ"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = [("", "—")] + [(str(a.pk), a.name) for a in selectors.agencies_for_petitions()]
        self.fields["agency"].choices = agencies  # type: ignore[attr-defined]
        self.fields["agency"].help_text = _("Không cần chọn khi đã ghi mã hồ sơ.")


class LookupForm(forms.Form):
    code = _text(_("Mã phản ánh, kiến nghị"))
    phone_last4 = _text(_("4 số cuối điện thoại"))


class SupplementForm(LookupForm):
    text = _text(_("Nội dung bổ sung"), widget=forms.Textarea(attrs={"rows": 6}))


SCORE_CHOICES = [(str(v), label) for v, label in Score.choices]


class RatingForm(forms.Form):
    dossier_code = _text(_("Mã hồ sơ"))
    proof = _text(_("4 số cuối điện thoại hoặc số căn cước của người nộp"), required=False)
    time_score = forms.ChoiceField(
        label=_("(a) Thời gian giải quyết so với quy định"),
        choices=[("2", _("Sớm hơn")), ("1", _("Đúng hẹn")), ("0", _("Trễ hẹn"))],
        widget=forms.RadioSelect,
    )
    agencies_contacted = _text(_("(b) Số cơ quan phải liên hệ"))
    contacts = _text(_("(c) Số lần phải liên hệ để hoàn thiện hồ sơ"))
    information_score = forms.ChoiceField(
        label=_("(d) Thông tin thủ tục được công khai chính xác"),
        choices=SCORE_CHOICES,
        widget=forms.RadioSelect,
    )
    attitude_score = forms.ChoiceField(
        label=_("(đ) Thái độ của cán bộ"), choices=SCORE_CHOICES, widget=forms.RadioSelect
    )
    lawfulness_score = forms.ChoiceField(
        label=_("(e) Kết quả và chi phí đúng quy định (không phát sinh chi phí ngoài quy định)"),
        choices=SCORE_CHOICES,
        widget=forms.RadioSelect,
    )
    online_score = forms.ChoiceField(
        label=_("(h) Dịch vụ công trực tuyến (nếu nộp trực tuyến)"),
        choices=[("", _("Không áp dụng")), *SCORE_CHOICES],
        required=False,
    )
    satisfaction = forms.ChoiceField(
        label=_("Mức độ hài lòng chung"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    comment = _text(_("(i) Ý kiến khác"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


def _language() -> str:
    return get_language() or "vi"


def _show(form: forms.Form, error: MotcuaError) -> int:
    """Put the service's message next to its field (or above the form) and return the page status."""
    field = (error.field or "").split(".")[-1]
    form.add_error(field if field in form.fields else None, error.message(_language()))
    return error.status


def petitions_page(request: HttpRequest) -> HttpResponse:
    published = list(selectors.published_petitions()[:50])
    return render(request, "portal/feedback/list.html", {"petitions": published})


def petition_page(request: HttpRequest, code: str) -> HttpResponse:
    try:
        petition = selectors.published_petition(code)
    except MotcuaError:
        return render(request, "portal/feedback/not_found.html", status=404)
    return render(request, "portal/feedback/detail.html", {"petition": petition})


@require_http_methods(["GET", "POST"])
def submit_page(request: HttpRequest) -> HttpResponse:
    form = PetitionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            agency = data.get("agency") or ""
            try:
                petition = services.submit_petition(
                    data=services.PetitionInput(
                        kind=data["kind"],
                        topic=data["topic"],
                        title=data["title"],
                        content=data["content"],
                        proposal=data["proposal"],
                        name=data["name"],
                        identifier=data["identifier"],
                        phone=data["phone"],
                        email=data["email"],
                        address=data["address"],
                        dossier_code=data["dossier_code"],
                        agency_id=int(agency) if agency.isdigit() else None,
                    ),
                    user=request.user if request.user.is_authenticated else None,
                )
            except MotcuaError as error:
                status = _show(form, error)
            else:
                request.session[SESSION_SENT] = petition.code
                return HttpResponseRedirect(reverse("portal:petition_sent"))
    return render(request, "portal/feedback/submit.html", {"form": form}, status=status)


def sent_page(request: HttpRequest) -> HttpResponse:
    code = request.session.get(SESSION_SENT)
    if not code:
        return HttpResponseRedirect(reverse("portal:petition_submit"))
    return render(request, "portal/feedback/sent.html", {"code": code})


def _labels(state: str) -> str:
    vi, en = STATE_LABELS[PetitionState(state)]
    return en if _language().startswith("en") else vi


@require_http_methods(["GET", "POST"])
def lookup_page(request: HttpRequest) -> HttpResponse:
    """The submitter's own petition; with ``text`` in the POST, the supplement they were asked for."""
    is_supplement = request.method == "POST" and "text" in request.POST
    form: forms.Form = (
        SupplementForm(request.POST)
        if is_supplement
        else LookupForm(request.POST if request.method == "POST" else None)
    )
    context: dict[str, Any] = {"form": form}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                if is_supplement:
                    petition = services.supplement_petition(
                        code=data["code"], phone_last4=data["phone_last4"], text=data["text"]
                    )
                else:
                    petition = services.petition_for_submitter(
                        code=data["code"], phone_last4=data["phone_last4"]
                    )
            except MotcuaError as error:
                status = _show(form, error)
            else:
                status = 200
                en = _language().startswith("en")
                context.update(
                    petition=petition,
                    state_label=_labels(petition.state),
                    history=[
                        {
                            "at": event.at,
                            "label": TRANSITIONS[event.act].en if en else TRANSITIONS[event.act].vi,
                            "note": event.note if event.act in ("refuse", "request_supplement") else "",
                        }
                        for event in selectors.history_of(petition)
                    ],
                    supplement_form=SupplementForm(initial={"code": petition.code})
                    if petition.state == PetitionState.SUPPLEMENT_REQUESTED
                    else None,
                )
    return render(request, "portal/feedback/lookup.html", context, status=status)


@require_http_methods(["GET", "POST"])
def rate_page(request: HttpRequest) -> HttpResponse:
    form = RatingForm(request.POST or None, initial={"dossier_code": request.GET.get("ma", "")[:40]})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                rating = services.rate_dossier(
                    dossier_code=data["dossier_code"],
                    proof=data["proof"],
                    user=request.user if request.user.is_authenticated else None,
                    data=services.RatingInput(
                        time_score=data["time_score"],
                        agencies_contacted=data["agencies_contacted"],
                        contacts=data["contacts"],
                        information_score=data["information_score"],
                        attitude_score=data["attitude_score"],
                        lawfulness_score=data["lawfulness_score"],
                        online_score=data["online_score"] or None,
                        satisfaction=data["satisfaction"],
                        comment=data["comment"],
                    ),
                )
            except MotcuaError as error:
                status = _show(form, error)
            else:
                request.session[SESSION_RATED] = rating.dossier.code
                return HttpResponseRedirect(reverse("portal:rating_done"))
    return render(request, "portal/feedback/rate.html", {"form": form}, status=status)


def rated_page(request: HttpRequest) -> HttpResponse:
    code = request.session.get(SESSION_RATED)
    if not code:
        return HttpResponseRedirect(reverse("portal:rating"))
    return render(request, "portal/feedback/rated.html", {"code": code})
