"""Dossiers over the API: read them, open them, and every act of ``dossiers.services`` (issue #9).

``GET /dossiers`` (cursor pages) and ``GET /dossiers/{id}`` read through the one gate
(``dossiers.selectors.visible_dossiers``/``dossier_for_user``: 404, never 403, for a dossier the
caller may not see, so ids cannot be probed); a token scoped to agencies sees only dossiers there.
``POST /dossiers`` opens one (``mode``: ``receive`` at the counter or ``submit`` online).
``POST /dossiers/{id}/acts/{act}`` does one act through its service with the dossier ``version``
(in the body or as ``If-Match``); a stale version is a 409 problem and nothing changes. Components,
files (upload sniffed by content, download gated), tasks and the timeline have their own routes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.accounts.models import User
from motcua.accounts.tokens import scope_of
from motcua.catalog.models import Channel
from motcua.core.errors import MotcuaError, NotFound, ValidationFailed
from motcua.core.uploads import check_upload
from motcua.dossiers import services
from motcua.dossiers.applicants import ApplicantKind, IdentifierType, Person
from motcua.dossiers.models import (
    CopyType,
    Dossier,
    DossierComponent,
    DossierFile,
    ProcessingTask,
    ResultDelivery,
)
from motcua.dossiers.selectors import dossier_for_user, timeline_of, visible_dossiers, within_agencies
from motcua.workflow import Act, State

from .pagination import Cursor
from .strict import MAX_ID, StrictSerializer, id_field

# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def visible_to(request: Request) -> QuerySet[Dossier]:
    """The dossiers the caller may read; for a token scoped to agencies, only those there."""
    user = _user(request)
    dossiers = visible_dossiers(user)
    scope = scope_of(user)
    if scope is not None and scope.agency_ids:
        dossiers = within_agencies(dossiers, scope.agency_ids)
    return dossiers


def dossier_of(request: Request, dossier_id: int) -> Dossier:
    dossier = dossier_for_user(_user(request), dossier_id)
    if not visible_to(request).filter(pk=dossier.pk).exists():
        raise NotFound("Không tìm thấy hồ sơ.", "Dossier not found.", code="dossier_not_found")
    return dossier


class PersonOut(serializers.Serializer):  # type: ignore[type-arg]
    kind = serializers.CharField()
    full_name = serializers.CharField()
    identifier_type = serializers.CharField()
    identifier_number = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    address = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()


class DossierSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    code = serializers.CharField(allow_null=True)
    temporary_reference = serializers.CharField(allow_null=True)
    procedure_version = serializers.IntegerField(source="procedure_version_id")
    procedure_case = serializers.IntegerField(source="procedure_case_id", allow_null=True)
    channel = serializers.CharField()
    state = serializers.CharField()
    step = serializers.CharField(allow_null=True)
    national_status = serializers.IntegerField(allow_null=True)
    applicant = serializers.SerializerMethodField()
    received_at_unit = serializers.IntegerField(source="received_at_unit_id")
    competent_agency = serializers.IntegerField(source="competent_agency_id")
    return_unit = serializers.IntegerField(source="return_unit_id", allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    extended_due_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)
    timeliness = serializers.CharField(allow_null=True)
    result_delivery = serializers.CharField()
    version = serializers.IntegerField()

    @extend_schema_field(PersonOut)
    def get_applicant(self, dossier: Dossier) -> dict[str, Any]:
        return {
            "kind": dossier.applicant_kind,
            "full_name": dossier.applicant_name,
            "identifier_type": dossier.applicant_identifier_type,
            "identifier_number": dossier.applicant_identifier,
            "date_of_birth": dossier.applicant_date_of_birth.isoformat()
            if dossier.applicant_date_of_birth
            else None,
            "address": dossier.applicant_address,
            "phone": dossier.applicant_phone,
            "email": dossier.applicant_email,
        }


class FileSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    component = serializers.IntegerField(source="component_id")
    original_name = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class ComponentSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    template = serializers.IntegerField(source="template_id", allow_null=True)
    name = serializers.CharField()
    copy_type = serializers.CharField()
    count = serializers.IntegerField()
    position = serializers.IntegerField()
    digitized_at = serializers.DateTimeField(allow_null=True)
    files = FileSerializer(many=True)


class TaskSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    name = serializers.CharField()
    step_code = serializers.CharField()
    agency = serializers.IntegerField(source="agency_id")
    is_lead = serializers.BooleanField()
    assignee = serializers.IntegerField(source="assignee_id", allow_null=True)
    budget_amount = serializers.IntegerField()
    budget_unit = serializers.CharField()
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField()
    timeliness = serializers.CharField(allow_null=True)


class TimelineEntrySerializer(serializers.Serializer):  # type: ignore[type-arg]
    seq = serializers.IntegerField()
    at = serializers.DateTimeField()
    act = serializers.CharField()
    event = serializers.CharField()
    act_vi = serializers.CharField()
    act_en = serializers.CharField()
    actor_name = serializers.CharField()
    actor_role = serializers.CharField()
    reason = serializers.CharField()
    state_before = serializers.CharField()
    state_after = serializers.CharField()
    step_after = serializers.CharField()
    form = serializers.CharField()


class DossierPage(serializers.Serializer):  # type: ignore[type-arg]
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = DossierSerializer(many=True)


def _etag(dossier: Dossier) -> str:
    return f'"{dossier.version}"'


def _dossier_response(dossier: Dossier, status: int = 200) -> Response:
    response = Response(DossierSerializer(dossier).data, status=status)
    response["ETag"] = _etag(dossier)
    return response


# --------------------------------------------------------------------------------------------------
# Opening a dossier
# --------------------------------------------------------------------------------------------------


class PersonIn(StrictSerializer):
    full_name = serializers.CharField(max_length=255)
    identifier_type = serializers.ChoiceField(choices=IdentifierType.choices)
    identifier_number = serializers.CharField(max_length=20)
    kind = serializers.ChoiceField(choices=ApplicantKind.choices, default=ApplicantKind.PERSON)
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    address = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    commune_id = id_field(required=False, allow_null=True, default=None)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")


class ComponentIn(StrictSerializer):
    template_id = id_field(required=False, allow_null=True, default=None)
    name = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    copy_type = serializers.ChoiceField(choices=CopyType.choices, default=CopyType.COPY)
    count = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    reused_from = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class IntakeIn(StrictSerializer):
    mode = serializers.ChoiceField(
        choices=[("receive", "receive at the counter"), ("submit", "submit online or by post")]
    )
    procedure_version_id = id_field()
    procedure_case_id = id_field(required=False, allow_null=True, default=None)
    received_at_unit_id = id_field()
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.IN_PERSON)
    competent_agency_id = id_field(required=False, allow_null=True, default=None)
    return_unit_id = id_field(required=False, allow_null=True, default=None)
    applicant = PersonIn()
    representative = PersonIn(required=False, allow_null=True, default=None)
    components = ComponentIn(many=True, required=False, default=list, max_length=200)  # type: ignore[call-arg]
    result_delivery = serializers.ChoiceField(choices=ResultDelivery.choices, default=ResultDelivery.COUNTER)
    result_delivery_address = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default=""
    )
    summary = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    vneid_verified = serializers.BooleanField(default=False)


class DossierList(APIView):
    """Dossiers the caller may read, newest first (cursor pages); ``state`` filters."""

    @extend_schema(
        operation_id="dossiers_list",
        parameters=[
            OpenApiParameter("state", OpenApiTypes.STR, enum=[s.value for s in State]),
            OpenApiParameter("cursor", OpenApiTypes.STR),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses=DossierPage,
    )
    def get(self, request: Request) -> Response:
        dossiers = visible_to(request)
        state = request.query_params.get("state", "")
        if state:
            if state not in {s.value for s in State}:
                raise ValidationFailed("Trạng thái không hợp lệ.", "Unknown state.", field="state")
            dossiers = dossiers.filter(state=state)
        paginator = Cursor()
        page = paginator.paginate_queryset(dossiers.order_by("-pk"), request, view=self)
        return paginator.get_paginated_response(DossierSerializer(page, many=True).data)

    @extend_schema(
        operation_id="dossiers_create",
        request={"application/json": IntakeIn},
        responses={201: DossierSerializer},
    )
    def post(self, request: Request) -> Response:
        body = IntakeIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        intake = _intake(data)
        user = _user(request)
        if data["mode"] == "receive":
            dossier = services.receive_at_counter(intake=intake, actor=user)
        else:
            dossier = services.submit_dossier(intake=intake, actor=user)
        dossier.refresh_from_db()
        return _dossier_response(dossier, status=201)


class DossierDetail(APIView):
    @extend_schema(operation_id="dossiers_retrieve", responses=DossierSerializer)
    def get(self, request: Request, dossier_id: int) -> Response:
        return _dossier_response(dossier_of(request, dossier_id))


class DossierComponents(APIView):
    @extend_schema(operation_id="dossiers_components", responses=ComponentSerializer(many=True))
    def get(self, request: Request, dossier_id: int) -> Response:
        dossier = dossier_of(request, dossier_id)
        components = dossier.components.prefetch_related("files").order_by("position", "pk")
        return Response(ComponentSerializer(components, many=True).data)


class DossierTasks(APIView):
    @extend_schema(operation_id="dossiers_tasks", responses=TaskSerializer(many=True))
    def get(self, request: Request, dossier_id: int) -> Response:
        dossier = dossier_of(request, dossier_id)
        tasks = ProcessingTask.objects.filter(dossier=dossier).order_by("position", "pk")
        return Response(TaskSerializer(tasks, many=True).data)


class DossierTimeline(APIView):
    @extend_schema(operation_id="dossiers_timeline", responses=TimelineEntrySerializer(many=True))
    def get(self, request: Request, dossier_id: int) -> Response:
        dossier = dossier_of(request, dossier_id)
        return Response(TimelineEntrySerializer(timeline_of(dossier), many=True).data)


def _person(data: dict[str, Any]) -> Person:
    return Person(**data)


def _components(items: list[dict[str, Any]]) -> tuple[services.ComponentInput, ...]:
    return tuple(services.ComponentInput(**item) for item in items)


def _intake(data: dict[str, Any]) -> services.Intake:
    return services.Intake(
        procedure_version_id=data["procedure_version_id"],
        procedure_case_id=data["procedure_case_id"],
        applicant=_person(data["applicant"]),
        received_at_unit_id=data["received_at_unit_id"],
        channel=data["channel"],
        competent_agency_id=data["competent_agency_id"],
        return_unit_id=data["return_unit_id"],
        representative=_person(data["representative"]) if data["representative"] else None,
        components=_components(data["components"]),
        result_delivery=data["result_delivery"],
        result_delivery_address=data["result_delivery_address"],
        summary=data["summary"],
        vneid_verified=data["vneid_verified"],
    )


# --------------------------------------------------------------------------------------------------
# Acts
# --------------------------------------------------------------------------------------------------


class ActIn(StrictSerializer):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="the dossier version the act is based on (or If-Match)",
    )


class ReasonIn(ActIn):
    reason = serializers.CharField(max_length=5000, allow_blank=True, default="")


class OpinionIn(ActIn):
    opinion = serializers.CharField(max_length=5000, allow_blank=True, default="")


class CompletionIn(ReasonIn):
    missing_component_ids = serializers.ListField(child=id_field(), default=list, max_length=200)
    guidance = serializers.CharField(max_length=5000, allow_blank=True, default="")


class SupplementIn(CompletionIn):
    override_basis = serializers.CharField(max_length=2000, allow_blank=True, default="")
    confirm_repeat = serializers.BooleanField(default=False)


class ComponentsIn(ActIn):
    components = ComponentIn(many=True, required=False, default=list, max_length=200)  # type: ignore[call-arg]


class TaskIn(StrictSerializer):
    agency_id = id_field()
    name = serializers.CharField(max_length=255, allow_blank=True, default="")
    step_code = serializers.CharField(max_length=40, allow_blank=True, default="")
    budget_amount = serializers.IntegerField(min_value=1, max_value=10000, required=False, allow_null=True)
    budget_unit = serializers.ChoiceField(choices=["working_day", "working_hour"], default="working_day")
    is_lead = serializers.BooleanField(default=False)


class ForwardIn(ActIn):
    tasks = TaskIn(many=True, required=False, default=list, max_length=50)  # type: ignore[call-arg]


class AssignIn(ActIn):
    handler_id = id_field()


class ConsultIn(ActIn):
    agency_id = id_field()
    content = serializers.CharField(max_length=5000)
    deadline = serializers.DateTimeField()


class AnswerIn(ActIn):
    consultation_id = id_field()
    response = serializers.CharField(max_length=5000)


class ObligationIn(ActIn):
    amount = serializers.IntegerField(min_value=0, max_value=10**12)
    description = serializers.CharField(max_length=2000)


class PaymentIn(ActIn):
    receipt_no = serializers.CharField(max_length=60, allow_blank=True, default="")


class IssueIn(ActIn):
    number = serializers.CharField(max_length=60)
    result_code = serializers.CharField(max_length=60, allow_blank=True, default="")


class ReturnIn(ActIn):
    delivery_method = serializers.ChoiceField(choices=list(services.RETURN_METHODS), required=False)
    recipient_kind = serializers.ChoiceField(
        choices=[services.RECIPIENT_APPLICANT, services.RECIPIENT_REPRESENTATIVE],
        default=services.RECIPIENT_APPLICANT,
    )
    recipient_name = serializers.CharField(max_length=255, allow_blank=True, default="")
    recipient_identifier = serializers.CharField(max_length=20, allow_blank=True, default="")
    authorisation_number = serializers.CharField(max_length=60, allow_blank=True, default="")
    tracking_number = serializers.CharField(max_length=60, allow_blank=True, default="")


class ExtendIn(ActIn):
    reason = serializers.CharField(max_length=5000)
    new_due = serializers.DateField()


class CompleteTaskIn(ActIn):
    task_id = id_field()
    outcome = serializers.CharField(max_length=40)
    opinion = serializers.CharField(max_length=5000, allow_blank=True, default="")


class UrgeIn(ActIn):
    message = serializers.CharField(max_length=2000)


Call = Callable[[Dossier, User, dict[str, Any], int], Any]


@dataclass(frozen=True, slots=True)
class ActSpec:
    name: str
    body: type[ActIn]
    call: Call
    summary: str


def _plain(service: Callable[..., Any], *fields: str) -> Call:
    def call(dossier: Dossier, user: User, data: dict[str, Any], version: int) -> Any:
        values = {name: data[name] for name in fields if name in data}
        return service(dossier_id=dossier.pk, actor=user, expected_version=version, **values)

    return call


def _with_components(service: Callable[..., Any]) -> Call:
    def call(dossier: Dossier, user: User, data: dict[str, Any], version: int) -> Any:
        return service(
            dossier_id=dossier.pk,
            actor=user,
            components=_components(data["components"]),
            expected_version=version,
        )

    return call


def _forward(dossier: Dossier, user: User, data: dict[str, Any], version: int) -> Any:
    tasks = tuple(services.TaskInput(**task) for task in data["tasks"])
    return services.forward_dossier(dossier_id=dossier.pk, actor=user, tasks=tasks, expected_version=version)


def _answer(dossier: Dossier, user: User, data: dict[str, Any], version: int) -> Any:
    if not dossier.consultations.filter(pk=data["consultation_id"]).exists():
        raise NotFound(
            "Không tìm thấy yêu cầu phối hợp của hồ sơ.",
            "No such consultation on this dossier.",
            code="consultation_not_found",
        )
    return services.answer_consultation(
        consultation_id=data["consultation_id"],
        actor=user,
        response=data["response"],
        expected_version=version,
    )


def _extend(dossier: Dossier, user: User, data: dict[str, Any], version: int) -> Any:
    return services.apologise_and_extend(
        dossier_id=dossier.pk,
        actor=user,
        reason=data["reason"],
        new_due=data["new_due"],
        expected_version=version,
    )


def _complete_task(dossier: Dossier, user: User, data: dict[str, Any], version: int) -> Any:
    """``complete_task`` takes no version: the API checks it first (under the service's own lock the
    task's completion is refused twice anyway)."""
    if not ProcessingTask.objects.filter(pk=data["task_id"], dossier=dossier).exists():
        raise NotFound("Không tìm thấy bước xử lý.", "Task not found.", code="task_not_found")
    _stale_unless(dossier, version)
    return services.complete_task(
        task_id=data["task_id"], actor=user, outcome=data["outcome"], opinion=data["opinion"]
    )


def _urge(dossier: Dossier, user: User, data: dict[str, Any], version: int) -> Any:
    _stale_unless(dossier, version)
    return services.urge(dossier_id=dossier.pk, actor=user, message=data["message"])


def _stale_unless(dossier: Dossier, version: int) -> None:
    from motcua.core.errors import Conflict

    if dossier.version != version:
        raise Conflict(
            "Hồ sơ đã được cán bộ khác cập nhật trong lúc bạn thao tác; hãy tải lại hồ sơ và thực hiện lại.",
            "The dossier was updated by another officer while you were working on it; "
            "reload it and try again.",
            code="stale_dossier",
            expected_version=version,
            current_version=dossier.version,
        )


def _issue(dossier: Dossier, user: User, data: dict[str, Any], version: int) -> Any:
    return services.issue_result(
        dossier_id=dossier.pk,
        actor=user,
        number=data["number"],
        result_code=data["result_code"],
        expected_version=version,
    )


def _return(dossier: Dossier, user: User, data: dict[str, Any], version: int) -> Any:
    return services.return_result(
        dossier_id=dossier.pk,
        actor=user,
        expected_version=version,
        delivery_method=data.get("delivery_method"),
        recipient_kind=data["recipient_kind"],
        recipient_name=data["recipient_name"],
        recipient_identifier=data["recipient_identifier"],
        authorisation_number=data["authorisation_number"],
        tracking_number=data["tracking_number"],
    )


def _consult(dossier: Dossier, user: User, data: dict[str, Any], version: int) -> Any:
    return services.consult(
        dossier_id=dossier.pk,
        actor=user,
        agency_id=data["agency_id"],
        content=data["content"],
        deadline=data["deadline"],
        expected_version=version,
    )


def _supplement(dossier: Dossier, user: User, data: dict[str, Any], version: int) -> Any:
    return services.request_supplement(
        dossier_id=dossier.pk,
        actor=user,
        reason=data["reason"],
        missing_component_ids=data["missing_component_ids"],
        guidance=data["guidance"],
        override_basis=data["override_basis"],
        confirm_repeat=data["confirm_repeat"],
        expected_version=version,
    )


def _completion(dossier: Dossier, user: User, data: dict[str, Any], version: int) -> Any:
    return services.request_completion(
        dossier_id=dossier.pk,
        actor=user,
        reason=data["reason"],
        missing_component_ids=data["missing_component_ids"],
        guidance=data["guidance"],
        expected_version=version,
    )


ACTS: dict[str, ActSpec] = {
    spec.name: spec
    for spec in (
        ActSpec(Act.ACCEPT, ActIn, _plain(services.accept_dossier), "Accept an online submission (T7)"),
        ActSpec(Act.REQUEST_COMPLETION, CompletionIn, _completion, "Ask for completion at intake (T5)"),
        ActSpec(Act.REFUSE_AT_INTAKE, ReasonIn, _plain(services.refuse_at_intake, "reason"), "Refuse (T8)"),
        ActSpec(Act.RESUBMIT, ComponentsIn, _with_components(services.resubmit_dossier), "Resubmit (T6)"),
        ActSpec(Act.FORWARD, ForwardIn, _forward, "Forward to the competent agency, or to others (T9, T18)"),
        ActSpec(
            Act.ASSIGN, AssignIn, _plain(services.assign_handler, "handler_id"), "Assign a handler (T10)"
        ),
        ActSpec(Act.APPRAISE, OpinionIn, _plain(services.appraise, "opinion"), "Record the appraisal (T11)"),
        ActSpec(Act.CONSULT, ConsultIn, _consult, "Consult another agency"),
        ActSpec(Act.ANSWER_CONSULTATION, AnswerIn, _answer, "Answer a consultation"),
        ActSpec(Act.REQUEST_SUPPLEMENT, SupplementIn, _supplement, "Ask for a supplement (T12)"),
        ActSpec(
            Act.RECEIVE_SUPPLEMENT,
            ComponentsIn,
            _with_components(services.receive_supplement),
            "Receive the supplement (T13)",
        ),
        ActSpec(
            Act.REQUEST_FINANCIAL_OBLIGATION,
            ObligationIn,
            _plain(services.request_financial_obligation, "amount", "description"),
            "Ask for a financial obligation (T16)",
        ),
        ActSpec(
            Act.CONFIRM_PAYMENT, PaymentIn, _plain(services.confirm_payment, "receipt_no"), "Confirm payment"
        ),
        ActSpec(Act.PROPOSE_REFUSAL, ReasonIn, _plain(services.propose_refusal, "reason"), "Propose refusal"),
        ActSpec(
            Act.REFUSE_AFTER_APPRAISAL,
            ReasonIn,
            _plain(services.refuse_after_appraisal, "reason"),
            "Refuse after appraisal",
        ),
        ActSpec(Act.APPROVE, OpinionIn, _plain(services.approve, "opinion"), "Approve"),
        ActSpec(Act.SIGN_RESULT, ActIn, _plain(services.sign_result), "Sign the result"),
        ActSpec(Act.ISSUE_RESULT, IssueIn, _issue, "Issue the result"),
        ActSpec(Act.RETURN_RESULT, ReturnIn, _return, "Return the result"),
        ActSpec(Act.APOLOGISE_AND_EXTEND, ExtendIn, _extend, "Apologise and extend (Form 04)"),
        ActSpec(
            Act.REQUEST_WITHDRAWAL,
            ReasonIn,
            _plain(services.request_withdrawal, "reason"),
            "Record a withdrawal request",
        ),
        ActSpec(Act.STOP_PROCESSING, ReasonIn, _plain(services.stop_processing, "reason"), "Stop processing"),
        ActSpec(
            Act.REPORT_INCIDENT, ReasonIn, _plain(services.report_incident, "reason"), "Report an incident"
        ),
        ActSpec(
            "transfer_to_successor", ActIn, _plain(services.transfer_to_successor), "Transfer to successor"
        ),
        ActSpec("complete_task", CompleteTaskIn, _complete_task, "Complete an agency's task"),
        ActSpec("urge", UrgeIn, _urge, "Urge the agency handling the dossier"),
    )
}


class VersionRequired(MotcuaError):
    """An act sent without the dossier version it is based on (RFC 6585: 428 Precondition Required)."""

    status = 428
    code = "version_required"


_IF_MATCH = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


def _version(request: Request, body: dict[str, Any]) -> int:
    if "version" in body:
        return int(body["version"])
    header = request.headers.get("If-Match", "")
    match = _IF_MATCH.match(header) if header else None
    if match is None:
        raise VersionRequired(
            "Cần gửi phiên bản hồ sơ (trường version hoặc tiêu đề If-Match).",
            "Send the dossier version (the version field or an If-Match header).",
            code="version_required",
            field="version",
        )
    return int(match.group(1))


class ActView(APIView):
    spec: ActSpec

    def post(self, request: Request, dossier_id: int) -> Response:
        dossier = dossier_of(request, dossier_id)
        body = self.spec.body(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        version = _version(request, data)
        self.spec.call(dossier, _user(request), data, version)
        dossier = Dossier.objects.get(pk=dossier.pk)
        return _dossier_response(dossier)


def act_view(spec: ActSpec) -> type[ActView]:
    """One view class per act, so that the schema documents each act's own body."""

    def post(self: ActView, request: Request, dossier_id: int) -> Response:
        return ActView.post(self, request, dossier_id)

    documented = extend_schema(
        operation_id=f"dossiers_act_{spec.name}",
        summary=spec.summary,
        request={"application/json": spec.body},
        parameters=[
            OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER),
            OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER),
        ],
        responses={200: DossierSerializer},
    )(post)
    return type(f"Act_{spec.name}", (ActView,), {"spec": spec, "post": documented})


# --------------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------------


class UploadIn(StrictSerializer):
    file = serializers.FileField()


class ComponentFiles(APIView):
    """Upload a scan of a component: PDF, JPEG or PNG by content; size and name checked."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="dossiers_component_file_upload",
        request={"multipart/form-data": UploadIn},
        parameters=[OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER)],
        responses={201: FileSerializer},
    )
    def post(self, request: Request, dossier_id: int, component_id: int) -> Response:
        dossier = dossier_of(request, dossier_id)
        if not DossierComponent.objects.filter(pk=component_id, dossier=dossier).exists():
            raise NotFound(
                "Không tìm thấy thành phần hồ sơ.", "Component not found.", code="component_not_found"
            )
        body = UploadIn(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        content = upload.read()
        name = check_upload(content, upload.name or "")
        stored = services.attach_component_file(
            component_id=component_id, actor=_user(request), content=content, name=name
        )
        return Response(FileSerializer(stored).data, status=201)


class AnyRenderer(BaseRenderer):
    """Lets a download be asked for with any ``Accept``; errors still go out as problem JSON."""

    media_type = "*/*"
    format = "bin"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return data if isinstance(data, bytes) else JSONRenderer().render(data)


class FileDownload(APIView):
    renderer_classes = [JSONRenderer, AnyRenderer]

    @extend_schema(
        operation_id="dossiers_file_download",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY),
        },
    )
    def get(self, request: Request, dossier_id: int, file_id: int) -> FileResponse:
        dossier = dossier_of(request, dossier_id)
        stored = DossierFile.objects.filter(pk=file_id, component__dossier=dossier).first()
        if stored is None:
            raise NotFound("Không tìm thấy tệp.", "File not found.", code="file_not_found")
        response = FileResponse(
            stored.file.open("rb"),
            content_type=stored.content_type,
            as_attachment=True,
            filename=stored.original_name,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
