"""Staff payment pages: fees of a dossier collected at the counter (cash or transfer) with the
e-receipt, refunds, and the reconciliation report for finance (ledger vs gateway statement, CSV).

The fees page is where the return of a result starts when fees are due on return (SPEC T22): the
return act refuses while they are unpaid, and this page records the payment and prints the
receipt. Reads go through the gates (``staff_dossier``, ``payment_for_user``); acts through
``payments.services``, which asks the permission gate again.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts.gate import allows
from motcua.accounts.models import User
from motcua.core import clock
from motcua.core.errors import MotcuaError, NotFound
from motcua.paperwork.receipt import receipt_pdf
from motcua.payments import services
from motcua.payments.gateways import SANDBOX
from motcua.payments.models import PAID_STATES, PaymentMethod
from motcua.payments.selectors import (
    MISMATCH_LABELS,
    amount_due,
    fee_lines_of,
    payment_for_user,
    payments_of,
    reconcile,
    reconciliation_csv,
)

from .dossier_views import note_read, staff_dossier
from .forms import put_error


class CounterPaymentForm(forms.Form):
    method = forms.ChoiceField(
        label=gettext_lazy("Hình thức nộp"),
        choices=[
            (PaymentMethod.CASH.value, PaymentMethod.CASH.label),
            (PaymentMethod.TRANSFER.value, PaymentMethod.TRANSFER.label),
        ],
        widget=forms.RadioSelect,
        initial=PaymentMethod.CASH.value,
    )
    transfer_reference = forms.CharField(
        label=gettext_lazy("Số giao dịch chuyển khoản"), max_length=64, required=False
    )
    payer_name = forms.CharField(label=gettext_lazy("Người nộp tiền"), max_length=255, required=False)


class RefundForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Lý do hoàn tiền"), max_length=500)


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("Từ ngày"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("Đến ngày"), widget=forms.DateInput(attrs={"type": "date"}))


class StatementForm(forms.Form):
    statement = forms.FileField(label=gettext_lazy("Tệp sao kê của cổng thanh toán (CSV)"))


def _is_en() -> bool:
    return (get_language() or "vi").startswith("en")


@login_required
@require_http_methods(["GET", "POST"])
def dossier_fees(request: HttpRequest, dossier_id: int) -> HttpResponse:
    found = staff_dossier(request, dossier_id)
    if isinstance(found, HttpResponse):
        return found
    user, dossier = found
    if request.method == "GET":
        note_read(request, user, dossier, "page", "fees")
    may_collect = services.may_collect(user, dossier)
    form = CounterPaymentForm(
        request.POST if request.method == "POST" else None, initial={"payer_name": dossier.applicant_name}
    )
    status = 200
    if request.method == "POST":
        if not may_collect:
            return render(request, "backoffice/not_staff.html", status=403)
        if form.is_valid():
            try:
                payment = services.record_counter_payment(
                    dossier_id=dossier.pk,
                    actor=user,
                    method=form.cleaned_data["method"],
                    transfer_reference=form.cleaned_data["transfer_reference"],
                    payer_name=form.cleaned_data["payer_name"],
                )
            except MotcuaError as error:
                put_error(form, error)
                status = error.status
            else:
                messages.success(
                    request,
                    _("Đã thu %(amount)s đồng, biên lai số %(number)s.")
                    % {"amount": f"{payment.amount:,}".replace(",", "."), "number": payment.receipt_number},
                )
                return HttpResponseRedirect(reverse("backoffice:dossier_fees", args=[dossier.pk]), status=303)
        else:
            status = 400
    context = {
        "dossier": dossier,
        "fee_lines": fee_lines_of(dossier),
        "payments": payments_of(dossier).select_related("recorded_by"),
        "due": amount_due(dossier),
        "form": form,
        "may_collect": may_collect,
        "may_refund": allows(user, "payments.reconcile", agency_id=dossier.competent_agency_id),
        "refund_form": RefundForm(),
        "paid_states": [s.value for s in PAID_STATES],
    }
    return render(request, "backoffice/payments/dossier_fees.html", context, status=status)


@login_required
def payment_receipt(request: HttpRequest, reference: str) -> HttpResponse:
    user = request.user
    if not isinstance(user, User) or not allows(user, "backoffice.enter"):
        return render(request, "backoffice/not_staff.html", status=403)
    try:
        payment = payment_for_user(user, reference)
        content = receipt_pdf(payment)
    except NotFound:
        return render(request, "backoffice/dossier/not_found.html", status=404)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-lai-{payment.receipt_number}.pdf"'
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_POST
def refund(request: HttpRequest, reference: str) -> HttpResponse:
    user = request.user
    if not isinstance(user, User) or not allows(user, "backoffice.enter"):
        return render(request, "backoffice/not_staff.html", status=403)
    try:
        payment = payment_for_user(user, reference)
    except NotFound:
        return render(request, "backoffice/dossier/not_found.html", status=404)
    form = RefundForm(request.POST)
    target = reverse("backoffice:dossier_fees", args=[payment.dossier_id])
    if not form.is_valid():
        messages.error(request, _("Cần ghi lý do hoàn tiền."))
        return HttpResponseRedirect(target, status=303)
    try:
        services.refund_payment(reference=reference, actor=user, reason=form.cleaned_data["reason"])
    except MotcuaError as error:
        messages.error(request, error.message(get_language()))
    else:
        messages.success(
            request, _("Đã hoàn tiền khoản thanh toán %(reference)s.") % {"reference": reference}
        )
    return HttpResponseRedirect(target, status=303)


@login_required
@require_http_methods(["GET", "POST"])
def reconciliation(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, User) or not allows(user, "payments.reconcile"):
        return render(request, "backoffice/not_staff.html", status=403)
    status = 200
    upload = StatementForm()
    if request.method == "POST":
        upload = StatementForm(request.POST, request.FILES)
        if upload.is_valid():
            raw = upload.cleaned_data["statement"].read()
            try:
                added = services.import_statement(
                    gateway_name=SANDBOX, csv_text=raw.decode("utf-8-sig"), actor=user
                )
            except UnicodeDecodeError:
                upload.add_error("statement", _("Tệp sao kê phải là văn bản UTF-8."))
                status = 400
            except MotcuaError as error:
                upload.add_error("statement", error.message(get_language()))
                status = error.status
            else:
                messages.success(request, _("Đã nạp %(count)s dòng sao kê.") % {"count": added})
                return HttpResponseRedirect(
                    reverse("backoffice:reconciliation") + "?" + request.GET.urlencode(), status=303
                )
        else:
            status = 400
    today = clock.today()
    period = PeriodForm(request.GET or {"start": today.isoformat(), "end": today.isoformat()})
    report = None
    if period.is_valid():
        start: dt.date = period.cleaned_data["start"]
        end: dt.date = period.cleaned_data["end"]
        try:
            report = reconcile(user=user, gateway_name=SANDBOX, start=start, end=end)
        except MotcuaError as error:
            period.add_error("end", error.message(get_language()))
            status = error.status
    else:
        status = 400
    if report is not None and request.GET.get("format") == "csv":
        response = HttpResponse(
            reconciliation_csv(report, english=_is_en()), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="doi-soat-{report.start}-{report.end}.csv"'
        return response
    labels = {key: (en if _is_en() else vi) for key, (vi, en) in MISMATCH_LABELS.items()}
    context = {
        "period": period,
        "report": report,
        "upload": upload,
        "labels": labels,
        "mismatches": [(labels[m.kind], m) for m in report.mismatches] if report else [],
        "query": request.GET.urlencode(),
    }
    return render(request, "backoffice/payments/reconciliation.html", context, status=status)
