from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from motcua.accounts.gate import active_memberships, allows


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    memberships = list(active_memberships(user))  # type: ignore[arg-type]
    if not allows(user, "backoffice.enter"):  # type: ignore[arg-type]
        return render(request, "backoffice/not_staff.html", status=403)
    return render(request, "backoffice/home.html", {"memberships": memberships})
