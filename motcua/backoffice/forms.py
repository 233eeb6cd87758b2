"""Django forms of the staff pages: counter intake and the acts on a dossier.

Forms only parse and check the shape of the input (types, lengths, choices); every business rule is
the service's, and its refusal is put back on the form next to the field it names (``put_error``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import ComponentTemplate, ProcedureCase, ProcedureVersion
from motcua.catalog.selectors import version_parts
from motcua.core.errors import MotcuaError
from motcua.dossiers.applicants import ApplicantKind, IdentifierType, Person
from motcua.dossiers.models import CopyType, ResultDelivery
from motcua.dossiers.services import (
    RECIPIENT_APPLICANT,
    RECIPIENT_REPRESENTATIVE,
    ComponentInput,
    Intake,
    TaskInput,
)
from motcua.units.models import Agency, OneStopUnit

from . import reference, widgets

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def _date_input() -> forms.DateInput:
    return widgets.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# Where a service names a field, and which form field shows it.
SERVICE_FIELDS = {
    "applicant.full_name": "full_name",
    "applicant.number": "identifier_number",
    "applicant.identifier_type": "identifier_type",
    "applicant.kind": "kind",
    "applicant.phone": "phone",
    "applicant.email": "email",
    "applicant.date_of_birth": "date_of_birth",
    "competent_agency_id": "competent_agency",
    "received_at_unit_id": "unit",
    "result_delivery": "result_delivery",
    "result_delivery_address": "result_delivery_address",
    "reason": "reason",
    "guidance": "guidance",
    "opinion": "opinion",
    "handler_id": "handler",
    "agency_id": "agency",
    "content": "content",
    "deadline": "deadline",
    "number": "number",
    "new_due": "new_due",
    "override_basis": "override_basis",
    "confirm_repeat": "confirm_repeat",
    "response": "response",
    "receipt_no": "receipt_no",
    "amount": "amount",
    "description": "description",
    "tasks": "agency_1",
    "outcome": "outcome",
    "delivery_method": "delivery_method",
    "recipient_kind": "recipient_kind",
    "recipient_name": "recipient_name",
    "recipient_identifier": "recipient_identifier",
    "authorisation_number": "authorisation_number",
    "tracking_number": "tracking_number",
    "message": "message",
    "file": "file",
}


def put_error(form: forms.Form, error: MotcuaError) -> None:
    """Show a service's refusal next to the field it names, else above the form."""
    name = SERVICE_FIELDS.get(error.field or "", error.field or "")
    form.add_error(name if name in form.fields else None, error.message(get_language()))


def intake_key(token: str) -> str:
    """The intake's idempotency key for the counter form's token (``Dossier.intake_key``)."""
    return f"counter:{token}"


def new_token() -> str:
    return str(uuid.uuid4())


class RowChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A ``ModelChoiceField`` over rows the view has already read (``backoffice.reference``): the same
    options, labels, empty label and errors, without a query to list them nor one to find the chosen
    row (the choice must be one of ``rows``)."""

    def __init__(self, model: type[Model], **kwargs: Any) -> None:
        super().__init__(queryset=model._default_manager.none(), **kwargs)
        self.rows: dict[int, Model] = {}

    def set_rows(self, rows: Iterable[Model]) -> None:
        rows = tuple(rows)
        self.rows = {row.pk: row for row in rows}
        empty = [] if self.empty_label is None else [("", self.empty_label)]
        self.choices = [*empty, *((row.pk, self.label_from_instance(row)) for row in rows)]

    def to_python(self, value: Any) -> Model | None:
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        try:
            return self.rows[value.pk if isinstance(value, Model) else int(value)]
        except (ValueError, TypeError, KeyError):
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            ) from None


class IntakeForm(forms.Form):
    """Counter intake of one procedure case: components ticked, the applicant, where the result goes.

    ``units``: where the officer may receive (``reference.intake_units``)."""

    token = forms.UUIDField(widget=widgets.HiddenInput)
    version = forms.IntegerField(widget=widgets.HiddenInput)
    case = forms.IntegerField(widget=widgets.HiddenInput, required=False)
    unit = RowChoiceField(OneStopUnit, label=_("Nơi tiếp nhận"), widget=widgets.Select)
    competent_agency = RowChoiceField(
        Agency,
        label=_("Cơ quan có thẩm quyền giải quyết"),
        required=False,
        empty_label=_("(theo danh mục thủ tục)"),
        widget=widgets.Select,
    )
    kind = forms.ChoiceField(
        label=_("Đối tượng"),
        choices=ApplicantKind.choices,
        initial=ApplicantKind.PERSON,
        widget=widgets.Select,
    )
    identifier_type = forms.ChoiceField(
        label=_("Loại giấy tờ"),
        choices=IdentifierType.choices,
        initial=IdentifierType.CITIZEN_ID,
        widget=widgets.Select,
    )
    identifier_number = forms.CharField(
        label=_("Số định danh (CCCD)"), max_length=20, widget=widgets.TextInput
    )
    full_name = forms.CharField(label=_("Họ và tên người nộp"), max_length=255, widget=widgets.TextInput)
    date_of_birth = forms.DateField(
        label=_("Ngày sinh"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=widgets.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    address = forms.CharField(label=_("Địa chỉ"), max_length=500, required=False, widget=widgets.TextInput)
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20, required=False, widget=widgets.TextInput)
    email = forms.EmailField(label=_("Thư điện tử"), required=False, widget=widgets.EmailInput)
    result_delivery = forms.ChoiceField(
        label=_("Nhận kết quả"),
        choices=ResultDelivery.choices,
        initial=ResultDelivery.COUNTER,
        widget=widgets.RadioSelect,
    )
    return_unit = RowChoiceField(
        OneStopUnit,
        label=_("Nơi trả kết quả"),
        required=False,
        empty_label=_("(nơi tiếp nhận)"),
        widget=widgets.Select,
    )
    result_delivery_address = forms.CharField(
        label=_("Địa chỉ nhận qua bưu chính"), max_length=500, required=False, widget=widgets.TextInput
    )
    reason = forms.CharField(
        label=_("Lý do (khi hướng dẫn bổ sung hoặc từ chối)"),
        required=False,
        max_length=2000,
        widget=widgets.Textarea(attrs={"rows": 2}),
    )
    guidance = forms.CharField(
        label=_("Hướng dẫn thêm"),
        required=False,
        max_length=2000,
        widget=widgets.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args: Any,
        version: ProcedureVersion,
        case: ProcedureCase | None,
        units: Iterable[OneStopUnit],
        kept_fields: dict[str, forms.Field] | None = None,
        **kwargs: Any,
    ) -> None:
        if kept_fields is not None:
            self.__dict__["base_fields"] = {}  # the kept fields below, not a deep copy of the declared ones
        super().__init__(*args, **kwargs)
        self.version_obj = version
        self.case_obj = case
        # The case's templates, kept per process once the version is published (catalog.selectors).
        parts = version_parts(version).templates if case else {}
        self.templates: list[ComponentTemplate] = list(parts.get(case.pk, ())) if case else []
        if kept_fields is not None:
            # The fields of a form built earlier for the same version, case and units (``fields``
            # of such a form, kept by the caller): shared, so never changed by the form or its
            # caller. Django copies a form's fields because a caller may change them per request;
            # none does here, and the copy with the choices and the component fields was a fifth of
            # the intake POST's CPU (decision 0053).
            self.fields = dict(kept_fields)
            return
        # Rows kept per process under the reference revision: no query to list or to check them.
        self.fields["unit"].set_rows(units)  # type: ignore[attr-defined]
        self.fields["competent_agency"].set_rows(reference.agencies_by_name())  # type: ignore[attr-defined]
        self.fields["return_unit"].set_rows(reference.units_by_name())  # type: ignore[attr-defined]
        for template in self.templates:
            prefix = f"c{template.pk}"
            self.fields[prefix] = forms.BooleanField(
                label=template.name, required=False, widget=widgets.CheckboxInput
            )
            self.fields[f"{prefix}_originals"] = forms.IntegerField(
                label=_("Bản chính"),
                min_value=0,
                max_value=99,
                initial=template.originals,
                required=False,
                widget=widgets.NumberInput,
            )
            self.fields[f"{prefix}_copies"] = forms.IntegerField(
                label=_("Bản sao"),
                min_value=0,
                max_value=99,
                initial=template.copies,
                required=False,
                widget=widgets.NumberInput,
            )

    def component_rows(self) -> list[dict[str, Any]]:
        """For the template: each component with its tick box and its two counts."""
        return [
            {
                "template": t,
                "tick": self[f"c{t.pk}"],
                "originals": self[f"c{t.pk}_originals"],
                "copies": self[f"c{t.pk}_copies"],
            }
            for t in self.templates
        ]

    def components(self) -> tuple[ComponentInput, ...]:
        data = self.cleaned_data
        items: list[ComponentInput] = []
        for t in self.templates:
            if not data.get(f"c{t.pk}"):
                continue
            originals = data.get(f"c{t.pk}_originals") or 0
            copies = data.get(f"c{t.pk}_copies") or 0
            if originals:
                items.append(ComponentInput(template_id=t.pk, copy_type=CopyType.ORIGINAL, count=originals))
            if copies or not originals:
                items.append(ComponentInput(template_id=t.pk, copy_type=CopyType.COPY, count=copies or 1))
        return tuple(items)

    def missing(self) -> list[ComponentTemplate]:
        """Mandatory components not ticked (for Form 02)."""
        return [t for t in self.templates if t.is_required and not self.cleaned_data.get(f"c{t.pk}")]

    def intake(self) -> Intake:
        data = self.cleaned_data
        agency = data.get("competent_agency")
        return_unit = data.get("return_unit")
        return Intake(
            procedure_version_id=self.version_obj.pk,
            procedure_case_id=self.case_obj.pk if self.case_obj else None,
            applicant=Person(
                full_name=data["full_name"],
                identifier_type=data["identifier_type"],
                identifier_number=data["identifier_number"],
                kind=data["kind"],
                date_of_birth=data.get("date_of_birth"),
                address=data.get("address", ""),
                phone=data.get("phone", ""),
                email=data.get("email", ""),
            ),
            received_at_unit_id=data["unit"].pk,
            competent_agency_id=agency.pk if agency is not None else None,
            return_unit_id=return_unit.pk if return_unit is not None else None,
            components=self.components(),
            result_delivery=data["result_delivery"],
            result_delivery_address=data.get("result_delivery_address", ""),
            idempotency_key=intake_key(str(data["token"])),
        )


# --------------------------------------------------------------------------------------------------
# Acts on a dossier (one small form per act; the dossier page shows those the user may do now)
# --------------------------------------------------------------------------------------------------


class ActForm(forms.Form):
    """Every act form carries the dossier version the page showed (409 when it is stale)."""

    version = forms.IntegerField(widget=widgets.HiddenInput, min_value=1)


class ReasonForm(ActForm):
    reason = forms.CharField(label=_("Lý do"), max_length=4000, widget=widgets.Textarea(attrs={"rows": 3}))


class AssignForm(ActForm):
    handler = forms.TypedChoiceField(
        widget=widgets.Select, label=_("Chuyên viên thụ lý"), coerce=int, choices=()
    )


class OpinionForm(ActForm):
    opinion = forms.CharField(
        label=_("Ý kiến thẩm định"), max_length=4000, widget=widgets.Textarea(attrs={"rows": 3})
    )


class ApproveForm(ActForm):
    opinion = forms.CharField(
        label=_("Ý kiến phê duyệt"),
        max_length=4000,
        required=False,
        widget=widgets.Textarea(attrs={"rows": 2}),
    )


class ConsultForm(ActForm):
    # The agencies other than the competent one, set by the page (``RowChoiceField.set_rows``).
    agency = RowChoiceField(Agency, widget=widgets.Select, label=_("Cơ quan được xin ý kiến"))
    content = forms.CharField(
        label=_("Nội dung xin ý kiến"), max_length=4000, widget=widgets.Textarea(attrs={"rows": 3})
    )
    deadline = forms.DateField(label=_("Hạn trả lời"), input_formats=DATE_FORMATS, widget=_date_input())


class AnswerForm(ActForm):
    consultation = forms.TypedChoiceField(
        widget=widgets.Select, label=_("Yêu cầu xin ý kiến"), coerce=int, choices=()
    )
    response = forms.CharField(
        label=_("Nội dung trả lời"), max_length=4000, widget=widgets.Textarea(attrs={"rows": 3})
    )


class CompletionForm(ActForm):
    """T5: an online submission is incomplete: what is missing and the guidance, in one go."""

    reason = forms.CharField(
        label=_("Lý do yêu cầu bổ sung, hoàn thiện"),
        max_length=4000,
        widget=widgets.Textarea(attrs={"rows": 2}),
    )
    missing = forms.TypedMultipleChoiceField(
        label=_("Thành phần cần bổ sung"),
        coerce=int,
        choices=(),
        required=False,
        widget=widgets.CheckboxSelectMultiple,
    )
    guidance = forms.CharField(
        label=_("Hướng dẫn"), max_length=4000, required=False, widget=widgets.Textarea(attrs={"rows": 2})
    )


class SupplementForm(ActForm):
    reason = forms.CharField(
        label=_("Lý do yêu cầu bổ sung"), max_length=4000, widget=widgets.Textarea(attrs={"rows": 2})
    )
    missing = forms.TypedMultipleChoiceField(
        label=_("Thành phần cần bổ sung"),
        coerce=int,
        choices=(),
        required=False,
        widget=widgets.CheckboxSelectMultiple,
    )
    guidance = forms.CharField(
        label=_("Hướng dẫn"), max_length=4000, required=False, widget=widgets.Textarea(attrs={"rows": 2})
    )
    override_basis = forms.CharField(
        widget=widgets.TextInput,
        label=_("Căn cứ pháp luật chuyên ngành (khi quá 3 ngày làm việc)"),
        max_length=500,
        required=False,
    )
    confirm_repeat = forms.BooleanField(
        widget=widgets.CheckboxInput, label=_("Xác nhận yêu cầu bổ sung lần thứ hai"), required=False
    )


class SignForm(ActForm):
    document = forms.FileField(
        widget=widgets.ClearableFileInput,
        label=_("Tệp kết quả (PDF) để ký số"),
        required=False,
        help_text=_("Bỏ trống nếu ký trên giấy; có tệp thì hệ thống ký số tệp này."),
    )


class IssueForm(ActForm):
    number = forms.CharField(widget=widgets.TextInput, label=_("Số văn bản kết quả"), max_length=60)
    document = forms.FileField(
        widget=widgets.ClearableFileInput, label=_("Tệp kết quả (PDF)"), required=False
    )


class ExtendForm(ActForm):
    reason = forms.CharField(
        label=_("Lý do chậm và lời xin lỗi"), max_length=4000, widget=widgets.Textarea(attrs={"rows": 3})
    )
    new_due = forms.DateField(label=_("Ngày hẹn trả mới"), input_formats=DATE_FORMATS, widget=_date_input())


class PaymentForm(ActForm):
    receipt_no = forms.CharField(
        widget=widgets.TextInput, label=_("Số biên lai"), max_length=60, required=False
    )


class ObligationForm(ActForm):
    amount = forms.IntegerField(widget=widgets.NumberInput, label=_("Số tiền (đồng)"), min_value=0)
    description = forms.CharField(
        widget=widgets.TextInput, label=_("Nội dung nghĩa vụ tài chính"), max_length=500
    )


INTER_AGENCY_ROWS = 3
BUDGET_UNITS = [("working_day", _("ngày làm việc")), ("working_hour", _("giờ làm việc"))]


class InterAgencyForm(ActForm):
    """T18: tasks at other agencies, each with its own budget (ND61 Art 19(6)(7)). ``agencies``: the
    agencies that may be chosen, in order (rows already read: ``RowChoiceField``)."""

    def __init__(self, *args: Any, agencies: Iterable[Agency] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = tuple(agencies)
        for i in range(1, INTER_AGENCY_ROWS + 1):
            self.fields[f"agency_{i}"] = field = RowChoiceField(
                Agency,
                widget=widgets.Select,
                label=_("Cơ quan phối hợp %(n)s") % {"n": i},
                required=False,
            )
            field.set_rows(agencies)
            self.fields[f"task_{i}"] = forms.CharField(
                widget=widgets.TextInput,
                label=_("Phần việc %(n)s") % {"n": i},
                max_length=255,
                required=False,
            )
            self.fields[f"budget_{i}"] = forms.IntegerField(
                widget=widgets.NumberInput,
                label=_("Thời hạn %(n)s") % {"n": i},
                min_value=1,
                max_value=999,
                required=False,
            )
            self.fields[f"unit_{i}"] = forms.ChoiceField(
                widget=widgets.Select,
                label=_("Đơn vị thời hạn %(n)s") % {"n": i},
                choices=BUDGET_UNITS,
                initial="working_day",
            )
            self.fields[f"unit_{i}"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        tasks: list[TaskInput] = []
        for i in range(1, INTER_AGENCY_ROWS + 1):
            agency = data.get(f"agency_{i}")
            budget = data.get(f"budget_{i}")
            if agency is None:
                if budget:
                    self.add_error(f"agency_{i}", _("Chọn cơ quan cho thời hạn đã ghi."))
                continue
            if not budget:
                self.add_error(f"budget_{i}", _("Ghi thời hạn của cơ quan này."))
                continue
            tasks.append(
                TaskInput(
                    agency_id=agency.pk,
                    name=data.get(f"task_{i}", ""),
                    budget_amount=budget,
                    budget_unit=data.get(f"unit_{i}") or "working_day",
                )
            )
        if not tasks and not self.errors:
            self.add_error("agency_1", _("Chọn ít nhất một cơ quan phối hợp."))
        data["tasks"] = tasks
        return data


class CompleteTaskForm(ActForm):
    """An agency finishes its part of an inter-agency dossier (``complete_task``)."""

    task = forms.TypedChoiceField(widget=widgets.Select, label=_("Phần việc"), coerce=int, choices=())
    outcome = forms.ChoiceField(
        widget=widgets.Select,
        label=_("Kết quả"),
        choices=[("agreed", _("Đồng ý")), ("not_agreed", _("Không đồng ý")), ("done", _("Đã thực hiện"))],
        initial="done",
    )
    opinion = forms.CharField(
        label=_("Ý kiến"), max_length=4000, required=False, widget=widgets.Textarea(attrs={"rows": 2})
    )


class ReturnForm(ActForm):
    """T22: at the counter with the identity check, by post with the tracking number, or online."""

    delivery_method = forms.ChoiceField(
        label=_("Cách trả kết quả"), choices=ResultDelivery.choices, widget=widgets.RadioSelect
    )
    recipient_kind = forms.ChoiceField(
        label=_("Người nhận tại quầy"),
        choices=[
            (RECIPIENT_APPLICANT, _("Người nộp hồ sơ")),
            (RECIPIENT_REPRESENTATIVE, _("Người được ủy quyền")),
        ],
        initial=RECIPIENT_APPLICANT,
        widget=widgets.RadioSelect,
        required=False,
    )
    recipient_name = forms.CharField(
        widget=widgets.TextInput, label=_("Họ tên người nhận"), max_length=255, required=False
    )
    recipient_identifier = forms.CharField(
        widget=widgets.TextInput, label=_("Số giấy tờ tùy thân đã kiểm tra"), max_length=40, required=False
    )
    authorisation_number = forms.CharField(
        widget=widgets.TextInput, label=_("Số văn bản ủy quyền"), max_length=60, required=False
    )
    tracking_number = forms.CharField(
        widget=widgets.TextInput, label=_("Số hiệu bưu gửi"), max_length=60, required=False
    )


class UrgeForm(ActForm):
    message = forms.CharField(
        label=_("Nội dung đôn đốc"),
        max_length=4000,
        initial=_("Đề nghị khẩn trương giải quyết hồ sơ đúng hạn."),
        widget=widgets.Textarea(attrs={"rows": 2}),
    )


class UploadForm(forms.Form):
    """A scanned copy of one component (PDF, JPEG or PNG; the service sniffs the bytes)."""

    component = forms.TypedChoiceField(label=_("Thành phần"), coerce=int, choices=(), widget=widgets.Select)
    file = forms.FileField(widget=widgets.ClearableFileInput, label=_("Tệp quét (PDF, JPEG, PNG)"))

    def clean_file(self) -> Any:
        from django.conf import settings

        upload = self.cleaned_data["file"]
        if upload.size > settings.MOTCUA_DOSSIER_FILE_MAX_BYTES:
            raise forms.ValidationError(
                _("Tệp quá lớn; tối đa %(mb)s MB.")
                % {"mb": settings.MOTCUA_DOSSIER_FILE_MAX_BYTES // 1048576}
            )
        return upload


def end_of_day(day: dt.date) -> dt.datetime:
    from motcua.core.clock import VN_TZ

    return dt.datetime.combine(day, dt.time(17, 0), VN_TZ)
