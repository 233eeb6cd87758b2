"""The transitions' statements without the ORM's query compiler (decision 0054) write and read what
the ORM did."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.base import ContentFile

from motcua.core.errors import ValidationFailed
from motcua.dossiers import services
from motcua.dossiers.models import ProcessingTask, Result

from .factories import vn

pytestmark = pytest.mark.django_db


def _values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_processing_task_has_no_auto_now_field():
    # rows.update also writes auto_now fields, which the queryset update it replaces left alone.
    assert not [f.name for f in ProcessingTask._meta.concrete_fields if getattr(f, "auto_now", False)]


def test_assign_writes_the_assignee_and_role_alone(world, factory):
    d = factory.create(at=vn(2026, 3, 2, 8), trait="in_processing")
    before = ProcessingTask.objects.get(dossier=d, is_lead=True)
    assert before.assignee_id is None
    services.assign_handler(
        dossier_id=d.pk, actor=world.leader, handler_id=world.handler.pk, at=vn(2026, 3, 2, 10)
    )
    after = ProcessingTask.objects.get(pk=before.pk)
    expected = {**_values(before), "assignee_id": world.handler.pk, "role": "handler"}
    assert _values(after) == expected


def test_assign_refuses_an_inactive_or_unknown_handler(world, factory):
    d = factory.create(at=vn(2026, 3, 2, 8), trait="in_processing")
    world.handler.is_active = False
    world.handler.save(update_fields=["is_active"])
    for handler_id in (world.handler.pk, 987654):
        with pytest.raises(ValidationFailed) as refused:
            services.assign_handler(
                dossier_id=d.pk, actor=world.leader, handler_id=handler_id, at=vn(2026, 3, 2, 10)
            )
        assert refused.value.code == "not_a_handler"
    assert ProcessingTask.objects.get(dossier=d, is_lead=True).assignee_id is None


PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def signing_step(factory, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.MOTCUA_SIGNATURE_TEST_SECRET = "bi-mat-ky-so-thu-nghiem"
    return factory.create(at=vn(2026, 3, 2, 8), trait="signing")


def test_sign_inserts_the_row_save_would_insert(world, signing_step):
    d = signing_step
    services.sign_result(
        dossier_id=d.pk, actor=world.approver, content=PDF, file_name="qd.pdf", at=vn(2026, 3, 3, 9)
    )
    written = Result.objects.get(dossier=d)
    assert written.file.name.startswith("results/2026/") and written.file.read() == PDF
    values = {k: v for k, v in _values(written).items() if k != "id"}
    Result.objects.filter(pk=written.pk).delete()
    again = Result(**values)
    again.save()
    assert {k: v for k, v in _values(Result.objects.get(pk=again.pk)).items() if k != "id"} == values


def test_sign_writes_every_column_of_an_existing_result(world, signing_step):
    d = signing_step
    before = Result(dossier=d, result_code="MKQ-1", sha256=hashlib.sha256(PDF).hexdigest())
    before.file.save("du-thao.pdf", ContentFile(PDF), save=False)
    before.save()
    before = Result.objects.get(pk=before.pk)
    services.sign_result(dossier_id=d.pk, actor=world.approver, at=vn(2026, 3, 3, 9))
    after = Result.objects.get(pk=before.pk)
    assert (after.signer_id, after.signed_at) == (world.approver.pk, vn(2026, 3, 3, 9))
    assert (after.signature_provider, after.signature_algorithm) == ("test", "Ed25519")
    changed = {"signer_id", "signed_at", "signature_provider", "signature_algorithm", "signature_value"}
    changed.add("signature_certificate")
    assert {k: v for k, v in _values(after).items() if k not in changed} == {
        k: v for k, v in _values(before).items() if k not in changed
    }
    assert services.result_signature_valid(after) is True
