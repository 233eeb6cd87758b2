"""The transitions' statements without the ORM's query compiler (decision 0054) write and read what
the ORM did."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.files.base import ContentFile
from django.db import transaction

from motcua.core.errors import ValidationFailed
from motcua.dossiers import services
from motcua.dossiers.models import ProcessingTask, Result

from .factories import PDF, make_procedure, vn

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


def _zones(events) -> list:
    return [(e.at.tzinfo, e.new_due_at.tzinfo if e.new_due_at else None) for e in events]


def test_the_lock_reads_the_clock_events_as_clock_events_does(world, factory):
    """Decision 0054: the lock statement brings the dossier's clock events as one JSON column, read
    back to the very values of ``_clock_events`` (kinds, aware instants, their time zone, order),
    and keeps them for ``_replay``: start, supplement requested and received (a pause), extension."""
    paused = make_procedure("1.000098.H42", policy="pause")
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="appraising", version=paused)
    services.request_supplement(
        dossier_id=dossier.pk,
        actor=world.handler,
        reason="Thiếu",
        guidance="Bổ sung",
        at=vn(2026, 3, 4, 9) + dt.timedelta(microseconds=120000),  # PostgreSQL's JSON trims the zeros
    )
    services.receive_supplement(
        dossier_id=dossier.pk, actor=world.reception, at=vn(2026, 3, 10, 10) + dt.timedelta(microseconds=7)
    )
    services.apologise_and_extend(
        dossier_id=dossier.pk,
        actor=world.leader,
        reason="Cần xác minh thực địa",
        new_due=dt.date(2026, 3, 27),
        at=vn(2026, 3, 13, 16),
    )
    expected = services._clock_events(dossier.pk)
    assert [e.kind for e in expected] == ["start", "supplement_requested", "supplement_received", "extended"]
    assert expected[-1].new_due_at is not None
    with transaction.atomic(), services._memo_scope():
        services._lock(dossier.pk, expected_version=None)
        known, kept = services._recall(("clock", dossier.pk))
    assert known and kept == expected
    assert _zones(kept) == _zones(expected)
    fresh = factory.create(at=vn(2026, 3, 2, 8), trait="received")
    with transaction.atomic(), services._memo_scope():
        services._lock(fresh.pk, expected_version=None)
        assert services._recall(("clock", fresh.pk)) == (True, services._clock_events(fresh.pk))


def test_a_transition_reads_no_clock_events_after_the_lock(world, factory, monkeypatch):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="assigned")

    def unread(dossier_id):
        raise AssertionError("the clock events come with the lock")

    monkeypatch.setattr(services, "_clock_events", unread)
    done = services.appraise(dossier_id=dossier.pk, actor=world.handler, opinion="Đủ", at=vn(2026, 3, 3, 9))
    assert (done.pk, done.state, done.step) == (dossier.pk, "in_processing", "appraising")
