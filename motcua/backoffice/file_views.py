"""Scanned component files: upload (POST /can-bo/ho-so/<id>/tep/) and the gated download
(GET /can-bo/ho-so/<id>/tep/<file_id>/).

Both read the dossier through the one gate (``dossier_for_user``: 404 for anyone who may not see
it); the file must belong to a component of that dossier. The upload calls
``services.attach_component_file``, which sniffs the bytes (PDF, JPEG, PNG only) and checks the size
and the permission; a refusal is shown next to the file field and nothing is stored.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from motcua.core.errors import MotcuaError
from motcua.dossiers import services
from motcua.dossiers.models import AccessKind, DossierFile, Result

from . import forms as f
from .dossier_views import _context, _not_found, form_links, note_read, staff_dossier, upload_form

FROM_COUNTER = "counter"


def _page(request: HttpRequest, dossier_id: int) -> str:
    if request.POST.get("from") == FROM_COUNTER:
        return reverse("backoffice:counter_done", args=[dossier_id])
    return reverse("backoffice:dossier", args=[dossier_id])


@login_required
@require_POST
def upload_file(request: HttpRequest, dossier_id: int) -> HttpResponse:
    found = staff_dossier(request, dossier_id)
    if isinstance(found, HttpResponse):
        return found
    user, dossier = found
    form = upload_form(dossier, user, request.POST, request.FILES)
    if form is None:
        return render(request, "backoffice/not_staff.html", status=403)
    status = 400
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            stored = services.attach_component_file(
                component_id=form.cleaned_data["component"],
                actor=user,
                content=upload.read(),
                name=upload.name or "",
            )
        except MotcuaError as error:
            f.put_error(form, error)
            status = error.status
        else:
            messages.success(request, _("Đã lưu tệp %(name)s.") % {"name": stored.original_name})
            return HttpResponseRedirect(_page(request, dossier.pk), status=303)
    dossier.refresh_from_db()
    if request.POST.get("from") == FROM_COUNTER:
        links = form_links(dossier)
        context = {
            "dossier": dossier,
            "form_link": links[-1] if links else None,
            "upload_form": form,
            "components": dossier.components.prefetch_related("files").order_by("position", "pk"),
        }
        return render(request, "backoffice/counter/done.html", context, status=status)
    return render(
        request, "backoffice/dossier/page.html", _context(dossier, user, upload_form=form), status=status
    )


@login_required
@require_GET
def download_file(request: HttpRequest, dossier_id: int, file_id: int) -> HttpResponseBase:
    found = staff_dossier(request, dossier_id)
    if isinstance(found, HttpResponse):
        return found
    user, dossier = found
    stored = DossierFile.objects.filter(pk=file_id, component__dossier=dossier).first()
    if stored is None:
        return _not_found(request)
    note_read(request, user, dossier, AccessKind.FILE, f"file {stored.pk} {stored.original_name}")
    response = FileResponse(
        stored.file.open("rb"), content_type=stored.content_type, filename=stored.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def result_file(request: HttpRequest, dossier_id: int) -> HttpResponseBase:
    """The result document of a dossier the user may see (inline PDF)."""
    found = staff_dossier(request, dossier_id)
    if isinstance(found, HttpResponse):
        return found
    user, dossier = found
    result = Result.objects.filter(dossier=dossier).first()
    if result is None or not result.file:
        return _not_found(request)
    note_read(request, user, dossier, AccessKind.FILE, "result")
    response = FileResponse(result.file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="ket-qua-{dossier.pk}.pdf"'
    return response
