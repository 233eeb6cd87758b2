"""Staff page of a procedure's internal process (quy trình nội bộ, TT01/2018 Art 8):
/can-bo/quy-trinh/<code>/ — the steps of the version in force for the installation's province, edited
as a formset (POST, no JavaScript) by the procedure controller (``catalog.edit``) through
``catalog.services.save_process``. The service checks the budgets against the legal time limit; its
refusal names the step and is shown above the table with everything typed kept.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from motcua.accounts.gate import require
from motcua.accounts.models import Role
from motcua.catalog.models import BudgetUnit, InternalProcess, Procedure, ProcedureVersion
from motcua.catalog.services import StepInput, legal_limit_hours, save_process
from motcua.core.errors import MotcuaError, PermissionRefused
from motcua.units.models import Agency


class StepForm(forms.Form):
    step_code = forms.CharField(label=gettext_lazy("Mã bước"), max_length=40, required=False)
    name = forms.CharField(label=gettext_lazy("Tên bước"), max_length=255)
    performer_role = forms.ChoiceField(label=gettext_lazy("Vai trò thực hiện"), choices=Role.choices)
    agency = forms.ModelChoiceField(
        label=gettext_lazy("Cơ quan"),
        queryset=Agency.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("(cơ quan tiếp nhận hồ sơ)"),
    )
    budget_amount = forms.DecimalField(
        label=gettext_lazy("Thời gian"), max_digits=7, decimal_places=2, min_value=Decimal("0.01")
    )
    budget_unit = forms.ChoiceField(label=gettext_lazy("Đơn vị"), choices=BudgetUnit.choices)
    parallel_group = forms.IntegerField(
        label=gettext_lazy("Nhóm song song"), min_value=1, max_value=99, required=False
    )
    form_produced = forms.CharField(label=gettext_lazy("Biểu mẫu tạo ra"), max_length=40, required=False)


StepFormSet = forms.formset_factory(StepForm, extra=1, can_delete=True)


def _version(code: str) -> ProcedureVersion:
    procedure = Procedure.objects.filter(code=code, current_version__isnull=False).first()
    if procedure is None or procedure.current_version_id is None:
        raise Http404(code)
    return ProcedureVersion.objects.prefetch_related("offers").get(pk=procedure.current_version_id)


def _initial(process: InternalProcess | None) -> list[dict[str, Any]]:
    if process is None:
        return []
    return [
        {
            "step_code": step.step_code,
            "name": step.name,
            "performer_role": step.performer_role,
            "agency": step.agency_id,
            "budget_amount": step.budget_amount,
            "budget_unit": step.budget_unit,
            "parallel_group": step.parallel_group,
            "form_produced": step.form_produced,
        }
        for step in process.steps.select_related("agency").order_by("position")
    ]


def _steps(formset: Any) -> list[StepInput]:
    steps = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        agency = data.get("agency")
        steps.append(
            StepInput(
                step_code=data["step_code"],
                name=data["name"],
                performer_role=data["performer_role"],
                agency_id=agency.pk if agency is not None else None,
                budget_amount=data["budget_amount"],
                budget_unit=data["budget_unit"],
                parallel_group=data["parallel_group"],
                form_produced=data["form_produced"],
            )
        )
    return steps


@login_required
def process_page(request: HttpRequest, code: str) -> HttpResponse:
    try:
        require(request.user, "catalog.edit")  # type: ignore[arg-type]
    except PermissionRefused:
        return render(request, "backoffice/process/forbidden.html", status=403)
    version = _version(code)
    province_code = str(settings.MOTCUA_PROVINCE_CODE)
    process = InternalProcess.objects.filter(version=version, province_code=province_code).first()
    error = ""
    status = 200
    if request.method == "POST":
        formset = StepFormSet(request.POST)
        if formset.is_valid():
            try:
                save_process(
                    version_id=version.pk,
                    province_code=province_code,
                    steps=_steps(formset),
                    actor=request.user,  # type: ignore[arg-type]
                )
            except MotcuaError as refusal:
                error = refusal.message(get_language())
            else:
                messages.success(request, _("Đã lưu quy trình nội bộ."))
                return HttpResponseRedirect(reverse("backoffice:process", args=[code]))
        status = 400
    else:
        formset = StepFormSet(initial=_initial(process))
    limit = legal_limit_hours(version)
    context = {
        "version": version,
        "procedure_code": code,
        "process": process,
        "formset": formset,
        "error": error,
        "limit_hours": f"{limit.normalize():f}" if limit is not None else None,
    }
    return render(request, "backoffice/process/edit.html", context, status=status)
