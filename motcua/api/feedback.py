"""Petitions (PAKN) and ratings through the API, with the same services as the pages.

Public (no account; throttled like every public endpoint):

* ``POST /api/v1/petitions`` — send a petition (201 with its reference and time limits; a retry with
  the same ``Idempotency-Key`` header returns the same petition with 200);
* ``GET /api/v1/petitions/published`` and ``GET /api/v1/petitions/published/<code>`` — published
  answers, without the submitter's personal data;
* ``POST /api/v1/petitions/lookup`` — the submitter's own petition (reference + last 4 phone digits);
* ``POST /api/v1/petitions/supplement`` — the supplement the submitter was asked for;
* ``POST /api/v1/ratings`` — rate a returned dossier (code + last 4 digits, or the owner's session).

Staff (session or token; ``feedback.handle`` through the gate, 404 outside their reach):

* ``GET /api/v1/petitions`` and ``GET /api/v1/petitions/<id>`` (with the history);
* ``POST /api/v1/petitions/<id>/acts`` — ``{"act": "refuse"|"request_supplement"|"accept"|"transfer"|
  "answer"|"publish", "reason", "answer", "agency"}``.

Errors are problem details with a Vietnamese and an English message and the field they concern.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from motcua.accounts.models import User
from motcua.core import clock
from motcua.core.errors import ValidationFailed
from motcua.feedback import selectors, services
from motcua.feedback.lifecycle import STATE_LABELS, PetitionState
from motcua.feedback.models import Petition, Rating


def _body(request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise ValidationFailed(
            "Nội dung yêu cầu phải là một đối tượng JSON.",
            "The request body must be a JSON object.",
            code="invalid_body",
        )
    return dict(request.data)


def _str(body: dict[str, Any], key: str) -> str:
    value = body.get(key, "")
    return "" if value is None else str(value)


def _iso(value: Any) -> str | None:
    """Instants in Vietnam's local time (+07:00), as the pages show them."""
    return clock.to_local(value).isoformat() if value is not None else None


def _user(request: Request) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def public_petition(p: Petition) -> dict[str, Any]:
    return {
        "code": p.code,
        "kind": p.kind,
        "topic": p.topic,
        "title": p.title,
        "content": p.content,
        "proposal": p.proposal,
        "agency": p.agency.name,
        "submitted_at": _iso(p.submitted_at),
        "answer": p.answer,
        "answered_at": _iso(p.answered_at),
        "published_at": _iso(p.published_at),
    }


def _limits(p: Petition) -> dict[str, Any]:
    return {
        "refuse_due_at": _iso(p.refuse_due_at),
        "supplement_due_at": _iso(p.supplement_due_at),
        "transfer_due_at": _iso(p.transfer_due_at),
        "resolve_due_at": _iso(p.resolve_due_at),
        "publish_due_at": _iso(p.publish_due_at),
    }


def own_petition(p: Petition) -> dict[str, Any]:
    """What the submitter sees of their own petition."""
    vi, en = STATE_LABELS[PetitionState(p.state)]
    return {
        "code": p.code,
        "state": p.state,
        "state_vi": vi,
        "state_en": en,
        "title": p.title,
        "agency": p.agency.name,
        "submitted_at": _iso(p.submitted_at),
        "answer": p.answer,
        "refusal_reason": p.refusal_reason,
        **_limits(p),
        "history": [
            {
                "act": e.act,
                "at": _iso(e.at),
                "note": e.note if e.act in ("refuse", "request_supplement") else "",
            }
            for e in selectors.history_of(p)
        ],
    }


def staff_petition(p: Petition, *, history: bool = False) -> dict[str, Any]:
    data = {
        "id": p.pk,
        "code": p.code,
        "state": p.state,
        "kind": p.kind,
        "topic": p.topic,
        "title": p.title,
        "content": p.content,
        "proposal": p.proposal,
        "supplements": p.supplements,
        "agency": p.agency_id,
        "one_stop_unit": p.one_stop_unit_id,
        "dossier": p.dossier.code if p.dossier_id and p.dossier else None,
        "submitter": {
            "name": p.submitter_name,
            "identifier": p.submitter_identifier,
            "phone": p.submitter_phone,
            "email": p.submitter_email,
            "address": p.submitter_address,
        },
        "submitted_at": _iso(p.submitted_at),
        "answer": p.answer,
        "is_late": p.is_late,
        "is_overdue": selectors.is_overdue(p),
        **_limits(p),
    }
    if history:
        data["history"] = [
            {
                "seq": e.seq,
                "act": e.act,
                "event": e.name,
                "actor": e.actor_name,
                "at": _iso(e.at),
                "state_before": e.state_before,
                "state_after": e.state_after,
                "note": e.note,
                "due_at": _iso(e.due_at),
                "is_on_time": e.is_on_time,
                "data": e.data,
            }
            for e in selectors.history_of(p)
        ]
    return data


class _Public(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "public"


class Petitions(_Public):
    """Send a petition (anyone); list the petitions the signed-in officer may handle."""

    def get_permissions(self) -> list[Any]:
        return [IsAuthenticated()] if self.request.method == "GET" else [AllowAny()]

    @extend_schema(operation_id="petitions_list", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        user = _user(request)
        rows = (
            selectors.petitions_for_user(user).select_related("agency", "dossier")
            if user
            else Petition.objects.none()
        )
        state = str(request.query_params.get("state", ""))
        if state:
            rows = rows.filter(state=state)
        return Response({"results": [staff_petition(p) for p in rows[:200]]})

    @extend_schema(
        operation_id="petitions_create", request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT}
    )
    def post(self, request: Request) -> Response:
        body = _body(request)
        agency = _str(body, "agency")
        key = str(request.headers.get("Idempotency-Key", "")).strip()
        replay = bool(key) and Petition.objects.filter(idempotency_key=key).exists()
        petition = services.submit_petition(
            data=services.PetitionInput(
                kind=_str(body, "kind"),
                topic=_str(body, "topic"),
                title=_str(body, "title"),
                content=_str(body, "content"),
                proposal=_str(body, "proposal"),
                name=_str(body, "name"),
                identifier=_str(body, "identifier"),
                phone=_str(body, "phone"),
                email=_str(body, "email"),
                address=_str(body, "address"),
                dossier_code=_str(body, "dossier_code"),
                agency_id=int(agency) if agency.isdigit() else None,
                channel="api",
            ),
            user=_user(request),
            idempotency_key=key,
        )
        return Response(own_petition(petition), status=200 if replay else 201)


class PublishedPetitions(_Public):
    @extend_schema(operation_id="petitions_published_list", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        return Response({"results": [public_petition(p) for p in selectors.published_petitions()[:100]]})


class PublishedPetition(_Public):
    @extend_schema(operation_id="petition_published", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, code: str) -> Response:
        return Response(public_petition(selectors.published_petition(code)))


class PetitionLookup(_Public):
    @extend_schema(
        operation_id="petition_lookup", request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT}
    )
    def post(self, request: Request) -> Response:
        body = _body(request)
        petition = services.petition_for_submitter(
            code=_str(body, "code"), phone_last4=_str(body, "phone_last4")
        )
        return Response(own_petition(petition))


class PetitionSupplement(_Public):
    @extend_schema(
        operation_id="petition_supplement", request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT}
    )
    def post(self, request: Request) -> Response:
        body = _body(request)
        petition = services.supplement_petition(
            code=_str(body, "code"), phone_last4=_str(body, "phone_last4"), text=_str(body, "text")
        )
        return Response(own_petition(petition))


class PetitionDetail(APIView):
    @extend_schema(operation_id="petition_detail", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, petition_id: int) -> Response:
        user = _user(request)
        assert user is not None
        return Response(staff_petition(selectors.petition_for_user(user, petition_id), history=True))


class PetitionActs(APIView):
    @extend_schema(
        operation_id="petition_act", request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT}
    )
    def post(self, request: Request, petition_id: int) -> Response:
        user = _user(request)
        assert user is not None
        selectors.petition_for_user(user, petition_id)  # 404 outside the officer's reach
        body = _body(request)
        act, reason = _str(body, "act"), _str(body, "reason")
        if act == "refuse":
            services.refuse_petition(petition_id=petition_id, actor=user, reason=reason)
        elif act == "request_supplement":
            services.request_petition_supplement(petition_id=petition_id, actor=user, reason=reason)
        elif act == "accept":
            services.accept_petition(petition_id=petition_id, actor=user, note=reason)
        elif act == "transfer":
            agency = _str(body, "agency")
            services.transfer_petition(
                petition_id=petition_id,
                actor=user,
                agency_id=int(agency) if agency.isdigit() else 0,
                reason=reason,
            )
        elif act == "answer":
            services.answer_petition(petition_id=petition_id, actor=user, answer=_str(body, "answer"))
        elif act == "publish":
            services.publish_petition(petition_id=petition_id, actor=user)
        else:
            raise ValidationFailed(
                "Thao tác không hợp lệ (refuse, request_supplement, accept, transfer, answer, publish).",
                "Unknown act (refuse, request_supplement, accept, transfer, answer, publish).",
                code="unknown_act",
                field="act",
            )
        return Response(staff_petition(selectors.petition_for_user(user, petition_id), history=True))


def rating_data(rating: Rating) -> dict[str, Any]:
    return {
        "dossier_code": rating.dossier.code,
        "rated_at": _iso(rating.rated_at),
        "proof": rating.proof,
        "time_score": rating.time_score,
        "agencies_contacted": rating.agencies_contacted,
        "contacts": rating.contacts,
        "information_score": rating.information_score,
        "attitude_score": rating.attitude_score,
        "lawfulness_score": rating.lawfulness_score,
        "online_score": rating.online_score,
        "satisfaction": rating.satisfaction,
        "comment": rating.comment,
    }


class Ratings(_Public):
    @extend_schema(
        operation_id="ratings_create", request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT}
    )
    def post(self, request: Request) -> Response:
        body = _body(request)
        online = body.get("online_score")
        rating = services.rate_dossier(
            dossier_code=_str(body, "dossier_code"),
            proof=_str(body, "proof"),
            user=_user(request),
            data=services.RatingInput(
                time_score=_str(body, "time_score"),
                agencies_contacted=_str(body, "agencies_contacted"),
                contacts=_str(body, "contacts"),
                information_score=_str(body, "information_score"),
                attitude_score=_str(body, "attitude_score"),
                lawfulness_score=_str(body, "lawfulness_score"),
                online_score=None if online in (None, "") else str(online),
                satisfaction=_str(body, "satisfaction"),
                comment=_str(body, "comment"),
            ),
        )
        return Response(rating_data(rating), status=201)
