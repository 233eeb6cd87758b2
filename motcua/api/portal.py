"""The citizen portal through the API (issue #7; decision 0034): what the portal's pages do, through
the same services (``dossiers.online``).

Public (no account; throttled like every public endpoint, and failed look-ups counted per client
address exactly as on the page):

* ``POST /api/v1/tracking`` — ``{"code", "factor"}`` (the dossier code or temporary reference and
  the last 4 digits of the applicant's phone or identity number): state, dates, next step. An
  unknown code and a wrong factor get the same 404 problem; past the limit of failures every
  look-up is a 429 problem with ``Retry-After``.

The signed-in applicant (session or token), each route answering 404 for anything not theirs:

* ``GET/POST me/drafts``; ``GET/PATCH/DELETE me/drafts/{id}`` — drafts: start one for a procedure
  (and case), keep what was typed, delete it;
* ``POST me/drafts/{id}/components/{template}/file`` (multipart ``file``, optional ``valid_until``)
  — upload a component (PDF/JPEG/PNG by content, size limit), kept in the store;
  ``PUT me/drafts/{id}/components/{template}`` ``{"document_id"}`` — use a stored document;
  ``DELETE`` the same — empty the slot;
* ``POST me/drafts/{id}/submit`` — the draft becomes a submitted dossier (201, its temporary
  reference and the acknowledgement); with an ``Idempotency-Key`` a retry gets the same answer;
* ``GET me/dossiers``, ``me/dossiers/{id}`` (timeline, components, forms), ``me/dossiers/{id}/result``
  (the e-result PDF);
* ``GET/POST me/documents``, ``GET me/documents/{id}/file`` — the personal document store.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import translation
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from motcua.accounts.models import User
from motcua.catalog.models import ComponentTemplate
from motcua.catalog.selectors import public_version
from motcua.core import clock
from motcua.core.errors import NotFound, ValidationFailed
from motcua.dossiers import online
from motcua.dossiers.models import Dossier, Draft, StoredDocument
from motcua.dossiers.selectors import timeline_of
from motcua.workflow import State
from motcua.workflow.states import state_label

from .auth import client_address
from .dossiers import AnyRenderer, ComponentSerializer
from .forms import PdfRenderer
from .pagination import Cursor
from .strict import StrictSerializer, id_field
from .throttling import AnonymousRate, ClientRate

_IDEMPOTENCY = OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER)


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _labels(state: str) -> dict[str, str]:
    known = state in State._value2member_map_
    return {
        "state": state,
        "state_vi": state_label(State(state), "vi") if known else state,
        "state_en": state_label(State(state), "en") if known else state,
    }


# --------------------------------------------------------------------------------------------------
# Tracking without signing in
# --------------------------------------------------------------------------------------------------


class TrackingIn(StrictSerializer):
    code = serializers.CharField(max_length=40, help_text="dossier code or temporary reference")
    factor = serializers.CharField(
        max_length=20, help_text="last 4 digits of the applicant's phone or identity number"
    )


class TrackingOut(serializers.Serializer):  # type: ignore[type-arg]
    reference = serializers.CharField()
    procedure = serializers.CharField()
    state = serializers.CharField()
    state_vi = serializers.CharField()
    state_en = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    next_step_vi = serializers.CharField()
    next_step_en = serializers.CharField()


def _not_tracked() -> NotFound:
    # One answer for an unknown code and a wrong factor alike: nothing tells which was wrong.
    return NotFound(
        "Không tìm thấy hồ sơ với mã và 4 chữ số này. Hãy kiểm tra lại mã trên giấy tiếp nhận.",
        "No dossier found with this code and these 4 digits. Check the code on the receipt.",
        code="dossier_not_found",
    )


class Tracking(APIView):
    """The public minimum about a dossier: no name, no phone, no timeline."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonymousRate, ClientRate, ScopedRateThrottle]
    throttle_scope = "public"

    @extend_schema(
        operation_id="tracking",
        request={"application/json": TrackingIn},
        parameters=[_IDEMPOTENCY],
        responses={200: TrackingOut},
    )
    def post(self, request: Request) -> Response:
        body = TrackingIn(data=request.data)
        body.is_valid(raise_exception=True)
        code = body.validated_data["code"].strip()
        factor = body.validated_data["factor"].strip()
        if not code:
            raise ValidationFailed(
                "Cần ghi mã hồ sơ.", "Enter the dossier code.", code="required", field="code"
            )
        if len("".join(ch for ch in factor if ch.isdigit())) != 4:
            raise ValidationFailed(
                "Cần ghi đúng 4 chữ số cuối.",
                "Enter exactly the last 4 digits.",
                code="invalid",
                field="factor",
            )
        found = online.track(code=code, factor=factor, client=online.client_key(client_address(request)))
        if found is None:
            raise _not_tracked()
        return Response(
            TrackingOut(
                {
                    "reference": found.reference,
                    "procedure": found.procedure_name,
                    **_labels(found.state),
                    "submitted_at": found.submitted_at,
                    "received_at": found.received_at,
                    "due_at": found.due_at,
                    "next_step_vi": online.next_step(found.state, "vi"),
                    "next_step_en": online.next_step(found.state, "en"),
                }
            ).data
        )


# --------------------------------------------------------------------------------------------------
# Drafts
# --------------------------------------------------------------------------------------------------


class DraftFields(StrictSerializer):
    """What the applicant types: every field optional and kept as text; checked at submission."""

    applicant_kind = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    applicant_full_name = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    applicant_identifier_type = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    applicant_identifier_number = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    applicant_date_of_birth = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, help_text="YYYY-MM-DD"
    )
    applicant_address = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    applicant_phone = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    applicant_email = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    on_behalf = serializers.BooleanField(required=False, help_text="submitted by a representative")
    representative_full_name = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    representative_identifier_type = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    representative_identifier_number = serializers.CharField(
        max_length=1000, required=False, allow_blank=True
    )
    representative_date_of_birth = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    representative_address = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    representative_phone = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    representative_email = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    authorisation = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    result_delivery = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    result_delivery_address = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    received_at_unit_id = id_field(required=False, allow_null=True)


class DraftUpdateIn(DraftFields):
    procedure_case_id = id_field(required=False, allow_null=True)


class DraftCreateIn(StrictSerializer):
    procedure_code = serializers.CharField(max_length=60)
    procedure_case_id = id_field(required=False, allow_null=True, default=None)


class DraftDataOut(serializers.Serializer):  # type: ignore[type-arg]
    applicant_kind = serializers.CharField()
    applicant_full_name = serializers.CharField()
    applicant_identifier_type = serializers.CharField()
    applicant_identifier_number = serializers.CharField()
    applicant_date_of_birth = serializers.CharField()
    applicant_address = serializers.CharField()
    applicant_phone = serializers.CharField()
    applicant_email = serializers.CharField()
    on_behalf = serializers.BooleanField()
    representative_full_name = serializers.CharField()
    representative_identifier_type = serializers.CharField()
    representative_identifier_number = serializers.CharField()
    representative_date_of_birth = serializers.CharField()
    representative_address = serializers.CharField()
    representative_phone = serializers.CharField()
    representative_email = serializers.CharField()
    authorisation = serializers.CharField()
    result_delivery = serializers.CharField()
    result_delivery_address = serializers.CharField()
    summary = serializers.CharField()
    received_at_unit_id = serializers.IntegerField(allow_null=True)


class SlotOut(serializers.Serializer):  # type: ignore[type-arg]
    template = serializers.IntegerField()
    name = serializers.CharField()
    is_required = serializers.BooleanField()
    document = serializers.IntegerField(allow_null=True)
    reused = serializers.BooleanField()


class DraftOut(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    procedure_version = serializers.IntegerField()
    procedure_code = serializers.CharField()
    procedure_name = serializers.CharField()
    procedure_case = serializers.IntegerField(allow_null=True)
    values = DraftDataOut(help_text="what was typed")
    components = SlotOut(many=True)
    missing = serializers.ListField(child=serializers.IntegerField(), help_text="required templates unfilled")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class DraftPage(serializers.Serializer):  # type: ignore[type-arg]
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = DraftOut(many=True)


def _truthy(value: Any) -> bool:
    return str(value) in ("1", "on", "true", "True")


def draft_data(draft: Draft) -> dict[str, Any]:
    values: dict[str, Any] = {key: str(draft.data.get(key, "")) for key in online.DRAFT_FIELDS}
    values["on_behalf"] = _truthy(draft.data.get("on_behalf", ""))
    unit = values["received_at_unit_id"]
    values["received_at_unit_id"] = int(unit) if unit.isdigit() else None
    return values


def _templates_by_case(drafts: list[Draft]) -> dict[int, list[ComponentTemplate]]:
    """The components of the drafts' cases, in order, read at once."""
    cases = {d.procedure_case_id for d in drafts if d.procedure_case_id is not None}
    by_case: dict[int, list[ComponentTemplate]] = {case: [] for case in cases}
    for template in ComponentTemplate.objects.filter(case_id__in=cases).order_by("position", "id"):
        by_case[template.case_id].append(template)
    return by_case


def draft_out(draft: Draft, by_case: dict[int, list[ComponentTemplate]] | None = None) -> dict[str, Any]:
    if by_case is None:
        by_case = _templates_by_case([draft])
    templates = by_case.get(draft.procedure_case_id, []) if draft.procedure_case_id else []
    slots = []
    for template in templates:
        slot = draft.slots.get(str(template.pk))
        slots.append(
            {
                "template": template.pk,
                "name": template.name,
                "is_required": template.is_required,
                "document": int(slot["document"]) if slot else None,
                "reused": bool(slot and slot.get("reused")),
            }
        )
    version = draft.procedure_version
    return {
        "id": draft.pk,
        "procedure_version": version.pk,
        "procedure_code": version.procedure.code,
        "procedure_name": version.name,
        "procedure_case": draft.procedure_case_id,
        "values": draft_data(draft),
        "components": slots,
        "missing": [t.pk for t in online.missing_slots(draft, templates)],
        "created_at": draft.created_at,
        "updated_at": draft.updated_at,
    }


def _draft(draft_id: int, user: User) -> Draft:
    draft = online.own_draft(draft_id, user)
    return Draft.objects.select_related("procedure_version__procedure").get(pk=draft.pk)


def _draft_response(draft_id: int, user: User, status: int = 200) -> Response:
    return Response(DraftOut(draft_out(_draft(draft_id, user))).data, status=status)


class Drafts(APIView):
    @extend_schema(
        operation_id="me_drafts_list",
        parameters=[
            OpenApiParameter("cursor", OpenApiTypes.STR),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses=DraftPage,
    )
    def get(self, request: Request) -> Response:
        drafts = online.my_drafts(_user(request)).select_related("procedure_version__procedure")
        paginator = Cursor()
        page = paginator.paginate_queryset(drafts.order_by("-pk"), request, view=self)
        drafts_page = list(page or [])
        by_case = _templates_by_case(drafts_page)
        return paginator.get_paginated_response(
            DraftOut([draft_out(d, by_case) for d in drafts_page], many=True).data
        )

    @extend_schema(
        operation_id="me_drafts_create",
        request={"application/json": DraftCreateIn},
        parameters=[_IDEMPOTENCY],
        responses={201: DraftOut},
    )
    def post(self, request: Request) -> Response:
        body = DraftCreateIn(data=request.data)
        body.is_valid(raise_exception=True)
        version = public_version(body.validated_data["procedure_code"])
        if version is None:
            raise NotFound("Không tìm thấy thủ tục.", "Procedure not found.", code="version_not_found")
        user = _user(request)
        draft = online.start_draft(
            actor=user,
            procedure_version_id=version.pk,
            procedure_case_id=body.validated_data["procedure_case_id"],
        )
        return _draft_response(draft.pk, user, status=201)


class DraftDetail(APIView):
    @extend_schema(operation_id="me_drafts_retrieve", responses=DraftOut)
    def get(self, request: Request, draft_id: int) -> Response:
        return _draft_response(draft_id, _user(request))

    @extend_schema(
        operation_id="me_drafts_update",
        request={"application/json": DraftUpdateIn},
        parameters=[_IDEMPOTENCY],
        responses={200: DraftOut},
    )
    def patch(self, request: Request, draft_id: int) -> Response:
        user = _user(request)
        online.own_draft(draft_id, user)  # 404 before looking at the body
        body = DraftUpdateIn(data=request.data)
        body.is_valid(raise_exception=True)
        values: dict[str, Any] = dict(body.validated_data)
        if "on_behalf" in values:
            values["on_behalf"] = "1" if values["on_behalf"] else ""
        if "received_at_unit_id" in values:
            unit = values["received_at_unit_id"]
            values["received_at_unit_id"] = "" if unit is None else str(unit)
        if values.get("procedure_case_id") is None:
            values.pop("procedure_case_id", None)
        online.save_draft(draft_id=draft_id, actor=user, values=values)
        return _draft_response(draft_id, user)

    @extend_schema(
        operation_id="me_drafts_delete",
        parameters=[_IDEMPOTENCY],
        responses={204: OpenApiResponse(description="deleted")},
    )
    def delete(self, request: Request, draft_id: int) -> Response:
        online.delete_draft(draft_id=draft_id, actor=_user(request))
        return Response(status=204)


class DraftUploadIn(StrictSerializer):
    file = serializers.FileField()
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)


class DocumentUploadIn(DraftUploadIn):
    title = serializers.CharField(max_length=500)


class DocumentOut(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    title = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]
    valid_until = serializers.DateField(allow_null=True)
    valid = serializers.SerializerMethodField()
    original_name = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    sha256 = serializers.CharField()
    dossier = serializers.IntegerField(source="dossier_id", allow_null=True)
    result_code = serializers.CharField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_valid(self, document: StoredDocument) -> bool:
        return document.valid_until is None or document.valid_until >= clock.today()


def _read(upload: Any) -> bytes:
    # One byte over the limit is enough for the service to refuse the file (as the page reads it).
    content: bytes = upload.read(settings.MOTCUA_DOSSIER_FILE_MAX_BYTES + 1)
    return content


class DraftComponentFile(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="me_drafts_component_upload",
        request={"multipart/form-data": DraftUploadIn},
        parameters=[_IDEMPOTENCY],
        responses={201: DocumentOut},
    )
    def post(self, request: Request, draft_id: int, template_id: int) -> Response:
        user = _user(request)
        online.own_draft(draft_id, user)  # 404 before reading the file
        body = DraftUploadIn(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        document = online.upload_to_draft(
            draft_id=draft_id,
            actor=user,
            template_id=template_id,
            content=_read(upload),
            name=upload.name or "",
            valid_until=body.validated_data["valid_until"],
        )
        return Response(DocumentOut(document).data, status=201)


class PickIn(StrictSerializer):
    document_id = id_field(help_text="a valid document of your store")


class DraftComponent(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="me_drafts_component_pick",
        request={"application/json": PickIn},
        parameters=[_IDEMPOTENCY],
        responses={200: DraftOut},
    )
    def put(self, request: Request, draft_id: int, template_id: int) -> Response:
        user = _user(request)
        online.own_draft(draft_id, user)
        body = PickIn(data=request.data)
        body.is_valid(raise_exception=True)
        online.pick_from_store(
            draft_id=draft_id,
            actor=user,
            template_id=template_id,
            document_id=body.validated_data["document_id"],
        )
        return _draft_response(draft_id, user)

    @extend_schema(
        operation_id="me_drafts_component_clear", parameters=[_IDEMPOTENCY], responses={200: DraftOut}
    )
    def delete(self, request: Request, draft_id: int, template_id: int) -> Response:
        user = _user(request)
        online.clear_slot(draft_id=draft_id, actor=user, template_id=template_id)
        return _draft_response(draft_id, user)


# --------------------------------------------------------------------------------------------------
# The applicant's dossiers
# --------------------------------------------------------------------------------------------------


class MyDossierOut(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    reference = serializers.CharField()
    code = serializers.CharField(allow_null=True)
    temporary_reference = serializers.CharField(allow_null=True)
    procedure_version = serializers.IntegerField(source="procedure_version_id")
    procedure_name = serializers.CharField(source="procedure_version.name")
    channel = serializers.CharField()
    state = serializers.CharField()
    state_vi = serializers.SerializerMethodField()
    state_en = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(OpenApiTypes.STR)
    def get_state_vi(self, dossier: Dossier) -> str:
        return _labels(dossier.state)["state_vi"]

    @extend_schema_field(OpenApiTypes.STR)
    def get_state_en(self, dossier: Dossier) -> str:
        return _labels(dossier.state)["state_en"]


class SubmittedOut(MyDossierOut):
    acknowledgement_vi = serializers.CharField()
    acknowledgement_en = serializers.CharField()


class MyTimelineEntry(serializers.Serializer):  # type: ignore[type-arg]
    seq = serializers.IntegerField()
    at = serializers.DateTimeField()
    act = serializers.CharField()
    act_vi = serializers.CharField()
    act_en = serializers.CharField()
    state_after = serializers.CharField()
    state_after_vi = serializers.CharField()
    state_after_en = serializers.CharField()
    reason = serializers.CharField()
    form = serializers.CharField(help_text="the form the act produced (01 … 05), or empty")
    form_url = serializers.CharField(allow_null=True)


class ResultOut(serializers.Serializer):  # type: ignore[type-arg]
    number = serializers.CharField()
    issued_at = serializers.DateTimeField()
    url = serializers.CharField()


class MyDossierDetail(MyDossierOut):
    next_step_vi = serializers.CharField()
    next_step_en = serializers.CharField()
    timeline = MyTimelineEntry(many=True)
    components = ComponentSerializer(many=True)
    result = ResultOut(allow_null=True)


class MyDossierPage(serializers.Serializer):  # type: ignore[type-arg]
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = MyDossierOut(many=True)


def _acknowledgement(dossier: Dossier, language: str) -> str:
    with translation.override(language):
        return gettext("Đã nộp hồ sơ. Mã tạm: %(reference)s. Bộ phận Một cửa sẽ kiểm tra và tiếp nhận.") % {
            "reference": dossier.reference
        }


def _issued_result(dossier: Dossier) -> Any:
    result = getattr(dossier, "result", None)
    if result is None or not result.file or result.issued_at is None or result.is_refusal:
        return None
    return result


class DraftSubmit(APIView):
    @extend_schema(
        operation_id="me_drafts_submit",
        request=None,
        parameters=[_IDEMPOTENCY],
        responses={201: SubmittedOut},
    )
    def post(self, request: Request, draft_id: int) -> Response:
        dossier = online.submit_draft(draft_id=draft_id, actor=_user(request))
        dossier = Dossier.objects.select_related("procedure_version").get(pk=dossier.pk)
        data = dict(MyDossierOut(dossier).data)
        data["acknowledgement_vi"] = _acknowledgement(dossier, "vi")
        data["acknowledgement_en"] = _acknowledgement(dossier, "en")
        return Response(data, status=201)


class MyDossiers(APIView):
    @extend_schema(
        operation_id="me_dossiers_list",
        parameters=[
            OpenApiParameter("state", OpenApiTypes.STR, enum=[s.value for s in State]),
            OpenApiParameter("cursor", OpenApiTypes.STR),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses=MyDossierPage,
    )
    def get(self, request: Request) -> Response:
        dossiers: QuerySet[Dossier] = online.my_dossiers(_user(request)).select_related("procedure_version")
        state = request.query_params.get("state", "")
        if state:
            if state not in State._value2member_map_:
                raise ValidationFailed("Trạng thái không hợp lệ.", "Unknown state.", field="state")
            dossiers = dossiers.filter(state=state)
        paginator = Cursor()
        page = paginator.paginate_queryset(dossiers.order_by("-pk"), request, view=self)
        return paginator.get_paginated_response(MyDossierOut(page, many=True).data)


class MyDossier(APIView):
    @extend_schema(operation_id="me_dossiers_retrieve", responses=MyDossierDetail)
    def get(self, request: Request, dossier_id: int) -> Response:
        dossier = online.my_dossier(dossier_id, _user(request))
        data = dict(MyDossierOut(dossier).data)
        timeline = []
        for entry in timeline_of(dossier):
            after = _labels(entry.state_after)
            timeline.append(
                {
                    "seq": entry.seq,
                    "at": entry.at,
                    "act": entry.act,
                    "act_vi": entry.act_vi,
                    "act_en": entry.act_en,
                    "state_after": entry.state_after,
                    "state_after_vi": after["state_vi"],
                    "state_after_en": after["state_en"],
                    "reason": entry.reason,
                    "form": entry.form,
                    "form_url": f"/api/v1/dossiers/{dossier.pk}/forms/{entry.seq}" if entry.form else None,
                }
            )
        result = _issued_result(dossier)
        data |= {
            "next_step_vi": online.next_step(dossier.state, "vi"),
            "next_step_en": online.next_step(dossier.state, "en"),
            "timeline": MyTimelineEntry(timeline, many=True).data,
            "components": ComponentSerializer(
                dossier.components.prefetch_related("files").order_by("position", "pk"), many=True
            ).data,
            "result": ResultOut(
                {
                    "number": result.number,
                    "issued_at": result.issued_at,
                    "url": f"/api/v1/me/dossiers/{dossier.pk}/result",
                }
            ).data
            if result is not None
            else None,
        }
        return Response(data)


class CompletionItemIn(StrictSerializer):
    template_id = id_field(help_text="the component of the procedure case")
    document_id = id_field(help_text="a valid document of your store (upload it first: me/documents)")
    reused = serializers.BooleanField(
        default=True, help_text="false for a document uploaded for this completion (not held before)"
    )


class MyCompletionIn(StrictSerializer):
    """The applicant's completion (not the staff act ``dossiers.CompletionIn``: its own schema component)."""

    components = CompletionItemIn(many=True, max_length=200)  # type: ignore[call-arg]


class MyCompletion(APIView):
    """T6: send what the one-stop unit asked for; the dossier is submitted again."""

    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="me_dossiers_complete",
        request={"application/json": MyCompletionIn},
        parameters=[_IDEMPOTENCY],
        responses={200: MyDossierOut},
    )
    def post(self, request: Request, dossier_id: int) -> Response:
        user = _user(request)
        online.my_dossier(dossier_id, user)  # 404 before looking at the body
        body = MyCompletionIn(data=request.data)
        body.is_valid(raise_exception=True)
        items = [
            online.CompletionItem(item["template_id"], item["document_id"], reused=item["reused"])
            for item in body.validated_data["components"]
        ]
        online.complete_online(dossier_id=dossier_id, actor=user, items=items)
        return Response(MyDossierOut(online.my_dossier(dossier_id, user)).data)


class MyResult(APIView):
    renderer_classes = [JSONRenderer, PdfRenderer]

    @extend_schema(
        operation_id="me_dossiers_result",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="the e-result")
        },
    )
    def get(self, request: Request, dossier_id: int) -> FileResponse:
        dossier = online.my_dossier(dossier_id, _user(request))
        result = _issued_result(dossier)
        if result is None:
            raise NotFound(
                "Hồ sơ chưa có kết quả điện tử.", "The dossier has no e-result yet.", code="result_not_found"
            )
        response = FileResponse(
            result.file.open("rb"),
            content_type="application/pdf",
            as_attachment=True,
            filename=f"ket-qua-{dossier.pk}.pdf",
        )
        response["Cache-Control"] = "private, no-cache"
        return response


# --------------------------------------------------------------------------------------------------
# The personal document store
# --------------------------------------------------------------------------------------------------


class DocumentPage(serializers.Serializer):  # type: ignore[type-arg]
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = DocumentOut(many=True)


class Documents(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="me_documents_list",
        parameters=[
            OpenApiParameter("cursor", OpenApiTypes.STR),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses=DocumentPage,
    )
    def get(self, request: Request) -> Response:
        documents = StoredDocument.objects.filter(owner_id=_user(request).pk)
        paginator = Cursor()
        page = paginator.paginate_queryset(documents.order_by("-pk"), request, view=self)
        return paginator.get_paginated_response(DocumentOut(page, many=True).data)

    @extend_schema(
        operation_id="me_documents_upload",
        request={"multipart/form-data": DocumentUploadIn},
        parameters=[_IDEMPOTENCY],
        responses={201: DocumentOut},
    )
    def post(self, request: Request) -> Response:
        body = DocumentUploadIn(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        title = body.validated_data["title"]
        document = online.keep_upload(
            actor=_user(request),
            content=_read(upload),
            name=upload.name or "",
            title=title,
            valid_until=body.validated_data["valid_until"],
        )
        return Response(DocumentOut(document).data, status=201)


class DocumentFile(APIView):
    renderer_classes = [JSONRenderer, AnyRenderer]

    @extend_schema(
        operation_id="me_documents_file",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY),
        },
    )
    def get(self, request: Request, document_id: int) -> FileResponse:
        document = online.own_document(document_id, _user(request))
        response = FileResponse(
            document.file.open("rb"),
            content_type=document.content_type,
            as_attachment=True,
            filename=document.original_name,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-cache"
        return response
