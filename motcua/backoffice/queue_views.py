"""Work queues per user and role: /can-bo/viec/.

One list per queue the user's roles give them (to forward, to assign, to appraise, consultations to
answer, waiting for the applicant, to approve, to sign, to issue, results to return), each sorted by
due date with the remaining office time; overdue and due within one working day are marked with
words and a CSS class, not colour alone (``queues.work_queues``).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from motcua.accounts.gate import allows
from motcua.accounts.models import User
from motcua.dossiers import queues
from motcua.dossiers.services import read_once

TITLES = {
    "to_check": _("Hồ sơ trực tuyến chờ kiểm tra, tiếp nhận"),
    "to_forward": _("Chờ chuyển cơ quan giải quyết"),
    "to_assign": _("Chờ phân công thụ lý"),
    "to_appraise": _("Chờ thẩm định"),
    "consultations": _("Chờ trả lời xin ý kiến"),
    "waiting_applicant": _("Chờ người nộp bổ sung, nộp phí"),
    "to_approve": _("Chờ phê duyệt"),
    "to_sign": _("Chờ ký"),
    "to_issue": _("Chờ vào số, phát hành"),
    "to_return": _("Chờ trả kết quả"),
}


@login_required
@read_once  # the gate's memberships and the page's reads, once per request
def queues_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, User) or not allows(user, "backoffice.enter"):
        return render(request, "backoffice/not_staff.html", status=403)
    # One queue, page by page (?hang=<key>&trang=<n>); without them, the first page of every queue.
    only = request.GET.get("hang") if request.GET.get("hang") in queues.QUEUE_ROLES else None
    page = page_number(request.GET.get("trang"))
    lists = [
        {
            "key": q.key,
            "title": TITLES[q.key],
            "items": q.items,
            "more": q.more,
            "overdue": sum(1 for i in q.items if i.remaining and i.remaining.is_overdue),
        }
        for q in queues.work_queues(user, only=only, page=page if only else 1)
    ]
    context = {"queues": lists, "only": only, "page": page if only else 1}
    return render(request, "backoffice/queues/page.html", context)


def page_number(value: str | None) -> int:
    """A page number from the query string: 1 for anything but a positive integer."""
    try:
        return max(1, min(int(value or "1"), 10_000))
    except ValueError:
        return 1
