from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from motcua.units.selectors import current_provinces


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"province_count": current_provinces().count()})
