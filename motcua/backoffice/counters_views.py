"""The counters of a one-stop unit: /can-bo/quay/quan-ly/ (SPEC §4.1: the head "reassigns counters").

The head of a one-stop unit (``units.counters``, at the unit or a centre above it) sees each counter
of the unit with the fields it serves, its queue prefix and whether it is open, changes any of them,
and opens a new counter. Each form posts one counter through ``units.services.set_counter`` (the same
service the API's ``PUT /api/v1/one-stop-units/<id>/counters/<number>`` and the data loaders use); a
refusal is shown next to its field with the input kept. Forms work without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts import gate
from motcua.accounts.models import User
from motcua.core import clock
from motcua.core.errors import MotcuaError
from motcua.units.models import Counter, OneStopUnit
from motcua.units.selectors import one_stop_units_valid_on
from motcua.units.services import set_counter

from .forms import put_error

PERMISSION = "units.counters"


class CounterForm(forms.Form):
    number = forms.IntegerField(label=gettext_lazy("Số quầy"), min_value=1, max_value=999)
    name = forms.CharField(label=gettext_lazy("Tên quầy"), max_length=160)
    field_codes = forms.CharField(
        label=gettext_lazy("Mã lĩnh vực phục vụ (cách nhau bởi dấu phẩy)"), max_length=2000, required=False
    )
    queue_prefix = forms.CharField(label=gettext_lazy("Tiền tố số thứ tự"), max_length=3, required=False)
    is_active = forms.BooleanField(label=gettext_lazy("Đang mở"), required=False)


def managed_units(user: User) -> list[OneStopUnit]:
    """The one-stop units in force whose counters ``user`` may set."""
    with gate.memoised():
        return [
            unit
            for unit in one_stop_units_valid_on(clock.today()).order_by("name", "pk")
            if gate.allows(user, PERMISSION, one_stop_unit_id=unit.pk)
        ]


def _initial(counter: Counter) -> dict[str, Any]:
    return {
        "number": counter.number,
        "name": counter.name,
        "field_codes": ", ".join(counter.field_codes),
        "queue_prefix": counter.queue_prefix,
        "is_active": counter.is_active,
    }


@login_required
def counters_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    units = managed_units(user)
    if not units:
        return render(request, "backoffice/not_staff.html", status=403)
    raw = request.POST.get("unit") if request.method == "POST" else request.GET.get("unit")
    unit = next((u for u in units if str(u.pk) == str(raw)), units[0] if raw in (None, "") else None)
    if unit is None:
        return render(request, "backoffice/not_staff.html", status=403)
    counters = list(Counter.objects.filter(one_stop_unit=unit).order_by("number"))
    prefixes = {"new", *(f"c{c.number}" for c in counters)}
    posted: CounterForm | None = None
    if request.method == "POST":
        prefix = request.POST.get("form", "new")
        posted = CounterForm(request.POST, prefix=prefix if prefix in prefixes else "new")
        if prefix not in prefixes:  # a counter gone since the page was drawn, or a forged form
            posted.add_error(None, _("Không tìm thấy quầy này; hãy tải lại trang."))
        elif posted.is_valid():
            data = posted.cleaned_data
            try:
                gate.require(user, PERMISSION, one_stop_unit_id=unit.pk)
                counter = set_counter(
                    one_stop_unit=unit,
                    number=data["number"],
                    name=data["name"],
                    field_codes=[c for c in data["field_codes"].split(",") if c.strip()],
                    queue_prefix=data["queue_prefix"].strip(),
                    is_active=data["is_active"],
                )
            except MotcuaError as error:
                put_error(posted, error)
            else:
                messages.success(request, _("Đã lưu quầy số %(number)s.") % {"number": counter.number})
                return HttpResponseRedirect(f"{reverse('backoffice:counters')}?unit={unit.pk}")
    rows = []
    for counter in counters:
        key = f"c{counter.number}"
        form = (
            posted
            if posted is not None and posted.prefix == key
            else CounterForm(initial=_initial(counter), prefix=key)
        )
        rows.append((counter, form))
    new_form = (
        posted
        if posted is not None and posted.prefix == "new"
        else CounterForm(
            prefix="new",
            initial={"number": max((c.number for c in counters), default=0) + 1, "is_active": True},
        )
    )
    status = 400 if posted is not None and posted.errors else 200
    return render(
        request,
        "backoffice/counters/page.html",
        {"units": units, "unit": unit, "rows": rows, "new_form": new_form},
        status=status,
    )
