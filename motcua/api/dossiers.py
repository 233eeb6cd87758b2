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
from motcua.dossiers import access_log, acts, services
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


def note_read(request: Request, dossier: Dossier, detail: str) -> None:
    """An inspector's read of ``dossier`` over the API in the access log (decision 0061)."""
    access_log.note_read(
        _user(request),
        kind=access_log.AccessKind.API,
        address=request.META.get("REMOTE_ADDR"),
        dossier_id=dossier.pk,
        detail=detail,
    )


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
        access_log.note_read(  # a list: its query and how many dossiers it showed (decision 0061)
            _user(request),
            kind=access_log.AccessKind.SEARCH,
            address=request.META.get("REMOTE_ADDR"),
            detail=request.get_full_path(),
            results=len(page or []),
        )
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
        dossier = dossier_of(request, dossier_id)
        note_read(request, dossier, "dossier")
        return _dossier_response(dossier)


class DossierComponents(APIView):
    @extend_schema(operation_id="dossiers_components", responses=ComponentSerializer(many=True))
    def get(self, request: Request, dossier_id: int) -> Response:
        dossier = dossier_of(request, dossier_id)
        note_read(request, dossier, "components")
        components = dossier.components.prefetch_related("files").order_by("position", "pk")
        return Response(ComponentSerializer(components, many=True).data)


class DossierTasks(APIView):
    @extend_schema(operation_id="dossiers_tasks", responses=TaskSerializer(many=True))
    def get(self, request: Request, dossier_id: int) -> Response:
        dossier = dossier_of(request, dossier_id)
        note_read(request, dossier, "tasks")
        tasks = ProcessingTask.objects.filter(dossier=dossier).order_by("position", "pk")
        return Response(TaskSerializer(tasks, many=True).data)


class DossierTimeline(APIView):
    @extend_schema(operation_id="dossiers_timeline", responses=TimelineEntrySerializer(many=True))
    def get(self, request: Request, dossier_id: int) -> Response:
        dossier = dossier_of(request, dossier_id)
        note_read(request, dossier, "timeline")
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


Values = Callable[[dict[str, Any]], dict[str, Any]]


def _same(data: dict[str, Any]) -> dict[str, Any]:
    return data


def _with_components(data: dict[str, Any]) -> dict[str, Any]:
    return data | {"components": _components(data["components"])}


def _with_tasks(data: dict[str, Any]) -> dict[str, Any]:
    return data | {"tasks": tuple(services.TaskInput(**task) for task in data["tasks"])}


@dataclass(frozen=True, slots=True)
class ActSpec:
    """One act as the API offers it: the act of the registry (``dossiers.acts``: its service, the
    arguments it takes, its permission) with the request body that carries them. The body's field
    names are the service's argument names; ``values`` turns nested input into the service's types;
    ``target`` names the field with the consultation or task the act is aimed at."""

    name: str
    body: type[ActIn]
    values: Values = _same
    target: str | None = None

    @property
    def summary(self) -> str:
        return acts.ACTS[self.name].summary

    def perform(self, dossier: Dossier, user: User, data: dict[str, Any], version: int) -> Any:
        target_id = data[self.target] if self.target else None
        return acts.perform(
            self.name,
            dossier=dossier,
            actor=user,
            version=version,
            values=self.values(data),
            target_id=target_id,
        )


ACTS: dict[str, ActSpec] = {
    spec.name: spec
    for spec in (
        ActSpec(Act.ACCEPT, ActIn),
        ActSpec(Act.REQUEST_COMPLETION, CompletionIn),
        ActSpec(Act.REFUSE_AT_INTAKE, ReasonIn),
        ActSpec(Act.RESUBMIT, ComponentsIn, _with_components),
        ActSpec(Act.FORWARD, ForwardIn, _with_tasks),
        ActSpec(Act.ASSIGN, AssignIn),
        ActSpec(Act.APPRAISE, OpinionIn),
        ActSpec(Act.CONSULT, ConsultIn),
        ActSpec(Act.ANSWER_CONSULTATION, AnswerIn, target="consultation_id"),
        ActSpec(Act.REQUEST_SUPPLEMENT, SupplementIn),
        ActSpec(Act.RECEIVE_SUPPLEMENT, ComponentsIn, _with_components),
        ActSpec(Act.REQUEST_FINANCIAL_OBLIGATION, ObligationIn),
        ActSpec(Act.CONFIRM_PAYMENT, PaymentIn),
        ActSpec(Act.PROPOSE_REFUSAL, ReasonIn),
        ActSpec(Act.REFUSE_AFTER_APPRAISAL, ReasonIn),
        ActSpec(Act.APPROVE, OpinionIn),
        ActSpec(Act.SIGN_RESULT, ActIn),
        ActSpec(Act.ISSUE_RESULT, IssueIn),
        ActSpec(Act.RETURN_RESULT, ReturnIn),
        ActSpec(Act.APOLOGISE_AND_EXTEND, ExtendIn),
        ActSpec(Act.REQUEST_WITHDRAWAL, ReasonIn),
        ActSpec(Act.STOP_PROCESSING, ReasonIn),
        ActSpec(Act.REPORT_INCIDENT, ReasonIn),
        ActSpec(acts.TRANSFER_TO_SUCCESSOR, ActIn),
        ActSpec(acts.COMPLETE_TASK, CompleteTaskIn, target="task_id"),
        ActSpec(acts.URGE, UrgeIn),
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
        self.spec.perform(dossier, _user(request), data, version)
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
        note_read(request, dossier, f"file {stored.pk} {stored.original_name}")
        response = FileResponse(
            stored.file.open("rb"),
            content_type=stored.content_type,
            as_attachment=True,
            filename=stored.original_name,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
