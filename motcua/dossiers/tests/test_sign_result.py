"""Signing the result (T21b) through the signature provider interface (decision 0030)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import replace

import pytest
from django.core.checks import Warning as CheckWarning
from django.core.files.base import ContentFile

from motcua.core.errors import ValidationFailed
from motcua.dossiers import services, signing
from motcua.dossiers.checks import check_signature_provider
from motcua.dossiers.models import Dossier, DossierEvent, Result

from .factories import PDF, vn

pytestmark = pytest.mark.django_db

OTHER_PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n% another document\ntrailer<<>>\n%%EOF\n"


class RefusingProvider:
    name = "refusing"

    def sign(self, content, *, signer, at):
        raise signing.SignatureRefused("Mã PIN không đúng.", "Wrong PIN.", field="file")

    def verify(self, content, signature):
        return False


def test_a_signed_pdf_carries_a_verifying_ed25519_signature(world, signing_step):
    d = signing_step
    services.sign_result(
        dossier_id=d.pk, actor=world.approver, content=PDF, file_name="qd.pdf", at=vn(2026, 3, 3, 9)
    )
    result = Result.objects.get(dossier=d)
    assert result.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (result.signer, result.signed_at) == (world.approver, vn(2026, 3, 3, 9))
    assert (result.signature_provider, result.signature_algorithm) == ("test", "Ed25519")
    assert len(base64.b64decode(result.signature_value)) == 64
    key_id = signing.TestSignatureProvider().key_id()
    assert (
        result.signature_certificate
        == f"CN={world.approver.full_name}, UID={world.approver.pk}, KEY={key_id}"
    )
    assert services.result_signature_valid(result) is True
    event = DossierEvent.objects.filter(dossier=d).order_by("-seq").first()
    assert (event.name, event.data["sha256"]) == ("result_signed", result.sha256)
    assert Dossier.objects.get(pk=d.pk).state == "in_processing"
    assert Dossier.objects.get(pk=d.pk).step == "issuing"


def test_a_file_changed_after_signing_no_longer_verifies(world, signing_step):
    d = signing_step
    services.sign_result(dossier_id=d.pk, actor=world.approver, content=PDF, at=vn(2026, 3, 3, 9))
    result = Result.objects.get(dossier=d)
    result.file.save("tampered.pdf", ContentFile(OTHER_PDF), save=True)
    assert services.result_signature_valid(result) is False


def test_another_key_does_not_verify(world, signing_step, settings):
    d = signing_step
    services.sign_result(dossier_id=d.pk, actor=world.approver, content=PDF, at=vn(2026, 3, 3, 9))
    settings.MOTCUA_SIGNATURE_TEST_SECRET = "a-different-secret"
    assert services.result_signature_valid(Result.objects.get(dossier=d)) is False


def test_issuing_a_different_file_than_the_signed_one_is_refused_and_changes_nothing(world, signing_step):
    d = signing_step
    services.sign_result(dossier_id=d.pk, actor=world.approver, content=PDF, at=vn(2026, 3, 3, 9))
    version = Dossier.objects.get(pk=d.pk).version
    events = DossierEvent.objects.filter(dossier=d).count()
    with pytest.raises(ValidationFailed) as caught:
        services.issue_result(
            dossier_id=d.pk, actor=world.clerk, number="7/QĐ", content=OTHER_PDF, at=vn(2026, 3, 3, 10)
        )
    assert caught.value.code == "result_not_the_signed_one"
    assert caught.value.message_en == (
        "The result file differs from the digitally signed one; sign this file before issuing it."
    )
    assert Dossier.objects.get(pk=d.pk).version == version
    assert DossierEvent.objects.filter(dossier=d).count() == events
    result = Result.objects.get(dossier=d)
    assert (result.number, result.issued_at, result.sha256) == ("", None, hashlib.sha256(PDF).hexdigest())
    # The signed file itself (or no file) is issued normally.
    services.issue_result(
        dossier_id=d.pk, actor=world.clerk, number="7/QĐ", content=PDF, at=vn(2026, 3, 3, 10)
    )
    result.refresh_from_db()
    assert (result.number, services.result_signature_valid(result)) == ("7/QĐ", True)
    assert Dossier.objects.get(pk=d.pk).state == "result_ready"


def test_without_a_document_the_act_records_a_paper_signature(world, signing_step):
    d = signing_step
    services.sign_result(dossier_id=d.pk, actor=world.approver, at=vn(2026, 3, 3, 9))
    result = Result.objects.get(dossier=d)
    assert (result.signer, result.signature_value, result.file.name) == (world.approver, "", "")
    assert services.result_signature_valid(result) is None


def test_a_refusing_provider_refuses_the_act_and_nothing_is_saved(world, signing_step, settings):
    settings.MOTCUA_SIGNATURE_PROVIDER = f"{__name__}.RefusingProvider"
    d = signing_step
    version = Dossier.objects.get(pk=d.pk).version
    with pytest.raises(ValidationFailed) as caught:
        services.sign_result(dossier_id=d.pk, actor=world.approver, content=PDF, at=vn(2026, 3, 3, 9))
    assert (caught.value.code, caught.value.message_vi) == ("signature_refused", "Mã PIN không đúng.")
    assert Dossier.objects.get(pk=d.pk).version == version
    assert not Result.objects.filter(dossier=d, signed_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("content", "code"),
    [(b"GIF89a not a pdf", "unsupported_file_type"), (b"%PDF-" + b"0" * 2048, "file_too_large")],
)
def test_a_bad_document_is_refused_before_anything_happens(world, signing_step, settings, content, code):
    settings.MOTCUA_DOSSIER_FILE_MAX_BYTES = 1024
    d = signing_step
    with pytest.raises(ValidationFailed) as caught:
        services.sign_result(dossier_id=d.pk, actor=world.approver, content=content, at=vn(2026, 3, 3, 9))
    assert (caught.value.code, caught.value.field) == (code, "file")
    assert Dossier.objects.get(pk=d.pk).step == "signing"


def test_the_test_provider_in_production_is_a_system_check_warning(settings):
    settings.MOTCUA_ENV = "production"
    settings.MOTCUA_SIGNATURE_PROVIDER = signing.TEST_PROVIDER
    messages = check_signature_provider()
    assert [(type(m), m.id) for m in messages] == [(CheckWarning, "dossiers.W001")]
    settings.MOTCUA_ENV = "demo"
    assert check_signature_provider() == []
    settings.MOTCUA_SIGNATURE_PROVIDER = "motcua.nowhere.Provider"
    assert [m.id for m in check_signature_provider()] == ["dossiers.E001"]


def test_signatures_bind_the_instant():
    provider = signing.TestSignatureProvider()
    signer = signing.Signer(user_id=7, full_name="Trần Thị Bình", username="binh")
    at = dt.datetime(2026, 3, 3, 2, 0, tzinfo=dt.UTC)
    signature = provider.sign(PDF, signer=signer, at=at)
    assert provider.verify(PDF, signature) is True
    moved = replace(signature, signed_at=at + dt.timedelta(seconds=1))
    assert provider.verify(PDF, moved) is False
    assert provider.verify(OTHER_PDF, signature) is False
