"""The transitions' statements without the ORM's query compiler (decision 0054) write and read what
the ORM did."""

from __future__ import annotations

import pytest

from motcua.core.errors import ValidationFailed
from motcua.dossiers import services
from motcua.dossiers.models import ProcessingTask

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
