"""Overview for the one-stop head and department leaders: /can-bo/tong-quan/.

Today's intake by channel and by counter, open dossiers within and over their deadline, what is due
by the end of the next working day, and the overdue ones by agency and step, each linked to its
dossier; everything limited to the dossiers the user may see (``queues.overview``).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from motcua.accounts.gate import allows
from motcua.accounts.models import User
from motcua.catalog.models import Channel
from motcua.dossiers import access_log, queues
from motcua.dossiers.services import read_once
from motcua.workflow import STEP_LABELS, Step


@login_required
@read_once  # the gate's memberships and the page's reads, once per request
def overview_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, User) or not allows(user, "reports.view"):
        return render(request, "backoffice/not_staff.html", status=403)
    data = queues.overview(user)
    access_log.note_read(  # the overview lists open dossiers: one row, as a list (decision 0061)
        user,
        kind=access_log.AccessKind.SEARCH,
        address=request.META.get("REMOTE_ADDR"),
        detail=request.get_full_path(),
        results=len(data.due_next) + len(data.overdue),
    )
    en = (get_language() or "vi").startswith("en")
    channel_labels = dict(Channel.choices)

    def step_label(value: str) -> str:
        if not value:
            return "—"
        label = STEP_LABELS[Step(value)]
        return label.en if en else label.vi

    context = {
        "o": data,
        "by_channel": [(channel_labels[c], n) for c, n in data.received_by_channel],
        "may_urge": allows(user, "dossier.urge"),
        "by_place": [(agency, step_label(step), n) for agency, step, n in data.overdue_by_place],
    }
    return render(request, "backoffice/overview/page.html", context)
