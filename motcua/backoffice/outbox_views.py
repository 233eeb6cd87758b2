"""The outbox operator pages (``integration.operate``, the system administrator).

``/can-bo/dong-bo/?state=&destination=``: deliveries to the national portal and to webhook
subscribers, newest first, with their attempts and last error; a dead or waiting one can be sent
again now ("Gửi lại") or skipped with a reason ("Bỏ qua"). ``/can-bo/dong-bo/webhook/``: the
subscriptions: add one, pause or resume it. Everything goes through ``integration.services``.
"""

from __future__ import annotations

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
from motcua.core.errors import MotcuaError
from motcua.integration import selectors, services
from motcua.integration.models import DeliveryState, WebhookSubscription


def _operator(request: HttpRequest) -> User | None:
    user = request.user
    if isinstance(user, User) and allows(user, services.PERMISSION):
        return user
    return None


def _error(request: HttpRequest, error: MotcuaError) -> None:
    messages.error(request, error.message(get_language()))


@login_required
def outbox_page(request: HttpRequest) -> HttpResponse:
    user = _operator(request)
    if user is None:
        return render(request, "backoffice/not_staff.html", status=403)
    if request.method == "POST":
        state = request.POST.get("state", "")
        destination = request.POST.get("destination", "")
        raw = request.POST.get("delivery", "")
        action = request.POST.get("action", "")
        if raw.isdigit() and action in ("retry", "skip"):
            try:
                if action == "retry":
                    services.retry_delivery(actor=user, delivery_id=int(raw))
                    messages.success(request, _("Lượt gửi #%(id)s sẽ được gửi lại ngay.") % {"id": raw})
                else:
                    services.skip_delivery(
                        actor=user, delivery_id=int(raw), reason=request.POST.get("reason", "")
                    )
                    messages.success(request, _("Đã bỏ qua lượt gửi #%(id)s.") % {"id": raw})
            except MotcuaError as error:
                _error(request, error)
        query = urlencode({"state": state, "destination": destination})
        return HttpResponseRedirect(f"{reverse('backoffice:outbox')}?{query}", status=303)
    state = request.GET.get("state", "")
    destination = request.GET.get("destination", "")
    context = {
        "state": state,
        "destination": destination,
        "states": DeliveryState.choices,
        "counts": selectors.state_counts(),
        "destinations": selectors.destinations(),
        "rows": selectors.rows(selectors.deliveries(state=state, destination=destination)),
    }
    return render(request, "backoffice/outbox/page.html", context)


@login_required
def webhooks_page(request: HttpRequest) -> HttpResponse:
    user = _operator(request)
    if user is None:
        return render(request, "backoffice/not_staff.html", status=403)
    values = {"name": "", "url": "", "events": ""}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "create":
                values = {k: request.POST.get(k, "") for k in values}
                sub = services.create_subscription(
                    actor=user,
                    name=values["name"],
                    url=values["url"],
                    events=values["events"].replace(",", " ").split(),
                )
                messages.success(request, _("Đã thêm đăng ký webhook %(name)s.") % {"name": sub.name})
                return HttpResponseRedirect(reverse("backoffice:webhooks"), status=303)
            if action in ("pause", "resume") and request.POST.get("subscription", "").isdigit():
                services.set_subscription_active(
                    actor=user, subscription_id=int(request.POST["subscription"]), active=action == "resume"
                )
                return HttpResponseRedirect(reverse("backoffice:webhooks"), status=303)
        except MotcuaError as error:
            _error(request, error)
            status = error.status
    context = {"subscriptions": WebhookSubscription.objects.all(), "values": values}
    return render(request, "backoffice/outbox/webhooks.html", context, status=status)
