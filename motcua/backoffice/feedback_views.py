"""Staff pages for petitions (PAKN): /can-bo/phan-anh-kien-nghi/.

The list shows the petitions where the user may act (``feedback.handle`` through the gate), each
with the limit it runs against and "quá hạn" in words when it is past. The detail page shows the
petition, its append-only history (with on time / late per act) and one form per act the life-cycle
table allows from its state; the act is done by ``feedback.services``. A petition outside the
user's reach is a 404.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from motcua.accounts.gate import allows
from motcua.accounts.models import User
from motcua.core.errors import MotcuaError, ValidationFailed
from motcua.feedback import selectors, services
from motcua.feedback.lifecycle import STATE_LABELS, TRANSITIONS, PetitionState, acts_from


class ActForm(forms.Form):
    act = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Lý do, nội dung"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    answer = forms.CharField(
        label=_("Nội dung trả lời"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    agency = forms.ChoiceField(label=_("Chuyển đến cơ quan"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (str(a.pk), a.name) for a in selectors.agencies_for_petitions()
        ]


def _language() -> str:
    return get_language() or "vi"


def _label(state: str) -> str:
    vi, en = STATE_LABELS[PetitionState(state)]
    return en if _language().startswith("en") else vi


def _staff(request: HttpRequest) -> User | None:
    user = request.user
    if isinstance(user, User) and allows(user, "backoffice.enter"):
        return user
    return None


@login_required
def petitions_page(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    if user is None:
        return render(request, "backoffice/not_staff.html", status=403)
    state = request.GET.get("trang-thai", "")
    petitions = selectors.petitions_for_user(user).select_related("agency")
    if state in PetitionState.__members__.values() or state in {s.value for s in PetitionState}:
        petitions = petitions.filter(state=state)
    rows = [
        {
            "petition": p,
            "state_label": _label(p.state),
            "limit": selectors.current_limit(p),
            "is_overdue": selectors.is_overdue(p),
        }
        for p in petitions[:200]
    ]
    states = [(s.value, _label(s.value)) for s in PetitionState]
    return render(
        request, "backoffice/feedback/list.html", {"rows": rows, "states": states, "current_state": state}
    )


def _act(user: User, petition_id: int, act: str, data: dict[str, Any]) -> None:
    reason = data.get("reason") or ""
    if act == "refuse":
        services.refuse_petition(petition_id=petition_id, actor=user, reason=reason)
    elif act == "request_supplement":
        services.request_petition_supplement(petition_id=petition_id, actor=user, reason=reason)
    elif act == "accept":
        services.accept_petition(petition_id=petition_id, actor=user, note=reason)
    elif act == "transfer":
        agency = data.get("agency") or ""
        services.transfer_petition(
            petition_id=petition_id,
            actor=user,
            agency_id=int(agency) if agency.isdigit() else 0,
            reason=reason,
        )
    elif act == "answer":
        services.answer_petition(petition_id=petition_id, actor=user, answer=data.get("answer") or "")
    elif act == "publish":
        services.publish_petition(petition_id=petition_id, actor=user)
    else:
        raise ValidationFailed("Thao tác không hợp lệ.", "Unknown act.", code="unknown_act", field="act")


@login_required
@require_http_methods(["GET", "POST"])
def petition_page(request: HttpRequest, petition_id: int) -> HttpResponse:
    user = _staff(request)
    if user is None:
        return render(request, "backoffice/not_staff.html", status=403)
    try:
        petition = selectors.petition_for_user(user, petition_id)
    except MotcuaError:
        return render(request, "backoffice/feedback/not_found.html", status=404)
    status = 200
    failed: dict[str, ActForm] = {}
    if request.method == "POST":
        form = ActForm(request.POST)
        form.is_valid()
        act = form.cleaned_data.get("act", "")
        try:
            _act(user, petition.pk, act, form.cleaned_data)
        except MotcuaError as error:
            status = error.status
            field = error.field if error.field in form.fields else None
            form.add_error(field, error.message(_language()))
            failed[act] = form
        else:
            label = TRANSITIONS[act]
            messages.success(
                request,
                gettext_now("Đã thực hiện: %(act)s.")
                % {"act": label.en if _language().startswith("en") else label.vi},
            )
            return HttpResponseRedirect(reverse("backoffice:petition", args=[petition.pk]))
    en = _language().startswith("en")
    acts = [
        {
            "act": t.act,
            "label": t.en if en else t.vi,
            "form": failed.get(t.act) or ActForm(initial={"act": t.act}),
            "due": services.due_for(petition, t.limit),
        }
        for t in acts_from(PetitionState(petition.state))
    ]
    history = [
        {"event": e, "label": TRANSITIONS[e.act].en if en else TRANSITIONS[e.act].vi}
        for e in selectors.history_of(petition).select_related("actor")
    ]
    context = {
        "petition": petition,
        "state_label": _label(petition.state),
        "limit": selectors.current_limit(petition),
        "is_overdue": selectors.is_overdue(petition),
        "acts": acts,
        "history": history,
        "officers": list(petition.officers.all()),
    }
    return render(request, "backoffice/feedback/detail.html", context, status=status)
