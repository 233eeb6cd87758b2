"""The form a dossier's act produced, as PDF: ``GET /api/v1/dossiers/<id>/forms/<seq>``.

The same gate as every dossier read (``dossiers.selectors.dossier_for_user``, narrowed to a token's
agencies by ``dossiers.dossier_of``, decision 0024): a dossier the caller may not see, an event that
does not exist or that produced no form, all answer 404 (problem details). Rendered on request from
the immutable event (decision 0009), with a strong ETag: a matching ``If-None-Match`` answers 304
without rendering again.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.utils.http import parse_etags
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from motcua.accounts.models import User
from motcua.core.errors import NotFound
from motcua.dossiers import access_log
from motcua.dossiers.models import DossierEvent
from motcua.paperwork.from_dossier import context_for_event, rendered_form

from .dossiers import dossier_of


class PdfRenderer(BaseRenderer):
    """Lets clients ask for ``Accept: application/pdf``; errors still go out as problem JSON."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if isinstance(data, bytes):
            return data
        return JSONRenderer().render(data)


def _no_form() -> NotFound:
    return NotFound(
        "Không tìm thấy biểu mẫu của hồ sơ.", "No such form on this dossier.", code="form_not_found"
    )


class DossierFormPdf(APIView):
    """The form (TT03/2025 Mẫu 01–05) produced by event ``seq`` of the dossier, as a PDF."""

    renderer_classes = [JSONRenderer, PdfRenderer]

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="the form"),
            304: OpenApiResponse(description="unchanged (If-None-Match)"),
            404: OpenApiResponse(description="no such dossier, event or form for this user"),
        },
    )
    def get(self, request: Request, dossier_id: int, seq: int) -> HttpResponseBase:
        user = request.user
        assert isinstance(user, User)
        dossier = dossier_of(request, dossier_id)  # the token's agencies too (decision 0024)
        event = (
            DossierEvent.objects.filter(dossier=dossier, seq=seq).select_related("actor", "dossier").first()
        )
        form = context_for_event(event) if event is not None else None
        if form is None:
            raise _no_form()
        assert event is not None
        access_log.note_read(
            user,
            kind=access_log.AccessKind.API,
            address=request.META.get("REMOTE_ADDR"),
            dossier_id=dossier.pk,
            detail=f"{event.form} #{seq} pdf",
        )
        content, etag = rendered_form(form, "pdf")
        response: HttpResponse
        if etag in parse_etags(request.headers.get("If-None-Match", "")):
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(content, content_type="application/pdf")
            response["Content-Disposition"] = (
                f'inline; filename="mau-{form.form_number}-{dossier.pk}-{seq}.pdf"'
            )
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache"
        return response
