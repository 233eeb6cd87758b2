"""Hand-over slips of the one-stop unit.

``/can-bo/ban-giao/?agency=&date=``: paper dossiers accepted at the user's one-stop units, by
competent agency, with each dossier's hand-over deadline (SPEC T9, scenario 6; ND61 Art 18(2)(3),
ND118 Art 18: accepted before 15:00 → the end of that working day, after 15:00 → the start of the
next; the paper file within 1 working day), already forwarded and late ones marked; "Bàn giao"
forwards the ticked dossiers one by one (``forward_dossier`` per dossier: one refusal does not stop
the others) and ``?in=1`` is the printable slip with signature lines for giver and receiver.

``/can-bo/ban-giao-buu-chinh/?date=``: results to be sent by post, and those handed to the postal
service on that day with their tracking numbers (printable the same way).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from motcua.accounts.gate import allows
from motcua.accounts.models import User
from motcua.core import clock
from motcua.core.errors import MotcuaError, NotFound
from motcua.dossiers import queues, services
from motcua.dossiers.selectors import dossier_for_user


def _user(request: HttpRequest) -> User | None:
    user = request.user
    if not isinstance(user, User) or not queues.places_of(user, queues.HANDOVER_ROLES):
        return None
    return user


def _day(raw: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(raw.strip(), fmt).date()
        except ValueError:
            continue
    return clock.today()


def _agency(raw: str) -> int | None:
    return int(raw) if raw.strip().isdigit() else None


def _forward_selected(request: HttpRequest, user: User) -> None:
    for raw in request.POST.getlist("dossier"):
        if not raw.isdigit():
            continue
        try:
            dossier = dossier_for_user(user, int(raw))
        except NotFound:
            messages.error(request, _("Không tìm thấy hồ sơ #%(id)s.") % {"id": raw})
            continue
        version = request.POST.get(f"version-{dossier.pk}", "")
        try:
            services.forward_dossier(
                dossier_id=dossier.pk,
                actor=user,
                expected_version=int(version) if version.isdigit() else None,
            )
        except MotcuaError as error:
            messages.error(
                request,
                _("Hồ sơ %(code)s chưa bàn giao: %(error)s")
                % {"code": dossier.reference, "error": error.message(get_language())},
            )
        else:
            messages.success(request, _("Đã bàn giao hồ sơ %(code)s.") % {"code": dossier.reference})


@login_required
def handover_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user is None:
        return render(request, "backoffice/not_staff.html", status=403)
    source = request.POST if request.method == "POST" else request.GET
    day = _day(source.get("date", ""))
    agency_id = _agency(source.get("agency", ""))
    if request.method == "POST":
        _forward_selected(request, user)
        query = urlencode({"date": day.isoformat(), "agency": agency_id or ""})
        return HttpResponseRedirect(f"{reverse('backoffice:handover')}?{query}", status=303)
    groups = queues.handover_list(user, day=day, agency_id=agency_id)
    context = {
        "day": day,
        "agency_id": agency_id,
        "agencies": queues.handover_agencies(user),
        "groups": groups,
        "now": clock.now(),
        "printing": source.get("in") == "1",
        "print_query": urlencode({"date": day.isoformat(), "agency": agency_id or "", "in": "1"}),
    }
    return render(request, "backoffice/handover/page.html", context)


@login_required
def postal_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, User) or not allows(user, "dossier.return_result"):
        return render(request, "backoffice/not_staff.html", status=403)
    day = _day(request.GET.get("date", ""))
    waiting, sent = queues.postal_returns(user, day=day)
    context = {
        "day": day,
        "waiting": waiting,
        "sent": sent,
        "printing": request.GET.get("in") == "1",
        "print_query": urlencode({"date": day.isoformat(), "in": "1"}),
    }
    return render(request, "backoffice/handover/postal.html", context)
