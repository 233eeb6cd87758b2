"""The notification task reads the event, its dossier and what the messages name in one statement
(``rows.with_related`` with ``effects.NOTICE_PATHS``, decision 0046): the same values, and the same
message context, as the ORM's."""

from __future__ import annotations

import pytest

from motcua.core import rows
from motcua.dossiers import effects, services
from motcua.dossiers.models import Dossier, DossierEvent

from .factories import vn

pytestmark = pytest.mark.django_db


def _values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@pytest.mark.parametrize("with_return_unit", [False, True])
def test_the_event_and_its_dossier_as_the_orm_reads_them(world, with_return_unit):
    dossier = services.receive_at_counter(intake=world.intake(), actor=world.reception, at=vn(2026, 3, 2, 9))
    if not with_return_unit:  # the acceptance names one; a dossier without (returned where received)
        Dossier.objects.filter(pk=dossier.pk).update(return_unit=None)
    event = DossierEvent.objects.get(dossier=dossier, name="accepted")

    read = rows.with_related(DossierEvent, event.pk, *effects.NOTICE_PATHS)

    orm = Dossier.objects.select_related(
        "procedure_version", "received_at_unit", "return_unit", "competent_agency"
    ).get(pk=dossier.pk)
    assert read is not None
    assert _values(read) == _values(event)
    assert _values(read.dossier) == _values(orm)
    for name in ("procedure_version", "received_at_unit", "competent_agency"):
        assert _values(getattr(read.dossier, name)) == _values(getattr(orm, name))
    if with_return_unit:
        assert _values(read.dossier.return_unit) == _values(orm.return_unit)
    else:
        assert read.dossier.return_unit is None
    assert effects.context_for(read, read.dossier) == effects.context_for(event, orm)
    assert rows.with_related(DossierEvent, 987654321, *effects.NOTICE_PATHS) is None
