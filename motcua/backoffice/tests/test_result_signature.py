"""Signing the result from the dossier page: the PDF is signed by the provider, the page shows the
signature and whether the file still matches it, and the file is served only to staff who may see it."""

from __future__ import annotations

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.accounts.models import Role
from motcua.dossiers.models import Result
from motcua.dossiers.tests.factories import staff, vn

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_sign_with_a_pdf_then_issue_and_read_the_result(
    client, world, factory, settings, tmp_path, make_user
):
    settings.MEDIA_ROOT = tmp_path
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="signing")
    with time_machine.travel(vn(2026, 3, 3, 9), tick=True):
        client.force_login(world.approver)
        page = client.get(f"/can-bo/ho-so/{dossier.pk}/").content.decode()
        assert 'id="act-sign_result" enctype="multipart/form-data"' in page
        response = client.post(
            f"/can-bo/ho-so/{dossier.pk}/thao-tac/",
            {
                "act": "sign_result",
                "sign_result-version": dossier.version,
                "sign_result-document": SimpleUploadedFile("qd.pdf", PDF, "application/pdf"),
            },
        )
        assert response.status_code == 303
        page = client.get(f"/can-bo/ho-so/{dossier.pk}/").content.decode()
        download = client.get(f"/can-bo/ho-so/{dossier.pk}/ket-qua.pdf")
        assert (download.status_code, download["Content-Type"]) == (200, "application/pdf")
        assert b"".join(download.streaming_content) == PDF
        outsider = staff(make_user, Role.HANDLER, "thuly-khac", agency_id=world.other_agency.pk)
        client.force_login(outsider)
        assert client.get(f"/can-bo/ho-so/{dossier.pk}/ket-qua.pdf").status_code == 404
    result = Result.objects.get(dossier=dossier)
    assert result.signature_algorithm == "Ed25519"
    assert "hợp lệ: tệp chưa bị sửa đổi sau khi ký" in page
    assert result.signature_certificate in page


def test_a_file_that_is_not_a_pdf_is_refused_next_to_the_field(client, world, factory, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="signing")
    with time_machine.travel(vn(2026, 3, 3, 9), tick=True):
        client.force_login(world.approver)
        response = client.post(
            f"/can-bo/ho-so/{dossier.pk}/thao-tac/",
            {
                "act": "sign_result",
                "sign_result-version": dossier.version,
                "sign_result-document": SimpleUploadedFile("qd.pdf", b"GIF89a...", "application/pdf"),
            },
        )
    assert response.status_code == 400
    assert "Tệp kết quả phải là PDF." in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.step == "signing"
