"""Staff search: /can-bo/tim-kiem/ — by code, applicant name (with or without accents), identifier
number, procedure, state, dates of receipt and agency; only dossiers the user may see
(``queues.search_dossiers`` starts from ``visible_dossiers``). A GET form; no JavaScript."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from motcua.accounts.gate import allows
from motcua.accounts.models import User
from motcua.dossiers import access_log, queues
from motcua.dossiers.services import read_once
from motcua.units.models import Agency
from motcua.workflow import STATE_LABELS, State

from . import widgets
from .forms import DATE_FORMATS
from .queue_views import page_number


def _state_choices() -> list[tuple[str, str]]:
    en = (get_language() or "vi").startswith("en")
    return [("", "—")] + [(s.value, STATE_LABELS[s].en if en else STATE_LABELS[s].vi) for s in State]


def _agency_choices() -> list[tuple[str, str]]:
    agencies = Agency.objects.order_by("name").values_list("pk", "name", "identifier_code")
    return [("", "---------")] + [(str(pk), f"{name} ({code})") for pk, name, code in agencies]


class SearchForm(forms.Form):
    # Widgets drawn in Python (``widgets``): the same HTML, without a template per option.
    code = forms.CharField(label=_("Mã hồ sơ"), max_length=40, required=False, widget=widgets.TextInput)
    name = forms.CharField(label=_("Tên người nộp"), max_length=120, required=False, widget=widgets.TextInput)
    identifier = forms.CharField(
        label=_("Số định danh"), max_length=20, required=False, widget=widgets.TextInput
    )
    procedure = forms.CharField(
        label=_("Thủ tục (tên hoặc mã)"), max_length=200, required=False, widget=widgets.TextInput
    )
    state = forms.ChoiceField(label=_("Trạng thái"), required=False, choices=(), widget=widgets.Select)
    received_from = forms.DateField(
        label=_("Tiếp nhận từ ngày"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=widgets.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    received_to = forms.DateField(
        label=_("đến ngày"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=widgets.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    # The agencies as (id, "name (code)") values, as a model choice field would list them without
    # building a model per option; the same message for an id that is not there.
    agency = forms.TypedChoiceField(
        label=_("Cơ quan giải quyết"),
        required=False,
        choices=(),
        coerce=int,
        empty_value=None,
        widget=widgets.Select,
        error_messages={"invalid_choice": forms.ModelChoiceField.default_error_messages["invalid_choice"]},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["state"].choices = _state_choices()  # type: ignore[attr-defined]
        self.fields["agency"].choices = _agency_choices()  # type: ignore[attr-defined]


@login_required
@read_once  # the gate's memberships and the page's reads, once per request
def search_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, User) or not allows(user, "dossier.view"):
        return render(request, "backoffice/not_staff.html", status=403)
    form = SearchForm(request.GET or None)
    page = page_number(request.GET.get("trang"))
    results = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        criteria = {k: v for k, v in data.items() if v not in (None, "")}
        if criteria:
            results = queues.search_dossiers(
                user,
                code=data["code"],
                name=data["name"],
                identifier=data["identifier"],
                procedure=data["procedure"],
                state=data["state"],
                received_from=data["received_from"],
                received_to=data["received_to"],
                agency_id=data["agency"],
                limit=queues.SEARCH_LIMIT + 1,  # one more: is there a next page?
                offset=(page - 1) * queues.SEARCH_LIMIT,
            )
    en = (get_language() or "vi").startswith("en")
    labels = {s.value: (STATE_LABELS[s].en if en else STATE_LABELS[s].vi) for s in State}
    more = results is not None and len(results) > queues.SEARCH_LIMIT
    shown = results[: queues.SEARCH_LIMIT] if results is not None else None
    rows = [(d, labels.get(d.state, d.state)) for d in shown] if shown is not None else None
    if shown is not None:  # a search ran: its query and how many dossiers it showed (decision 0061)
        access_log.note_read(
            user,
            kind=access_log.AccessKind.SEARCH,
            address=request.META.get("REMOTE_ADDR"),
            detail=f"/can-bo/tim-kiem/?{request.GET.urlencode()}",
            results=len(shown),
        )
    query = request.GET.copy()
    query.pop("trang", None)
    pager = {
        "page": page,
        "first": (page - 1) * queues.SEARCH_LIMIT + 1,
        "prev": f"?{query.urlencode()}&trang={page - 1}" if page > 1 else "",
        "next": f"?{query.urlencode()}&trang={page + 1}" if more else "",
    }
    return render(
        request,
        "backoffice/search/page.html",
        {"form": form, "rows": rows, "limit": queues.SEARCH_LIMIT, "pager": pager},
        status=200 if form.is_valid() or not form.is_bound else 400,
    )
