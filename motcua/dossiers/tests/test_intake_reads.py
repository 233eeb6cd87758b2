"""What intake reads once (ADR 0032): the frozen parts of a published version are kept per process;
that may not change an answer: a newly published version is used at once, a draft is never kept.
(Form 01 built from the rows the acceptance left on the dossier: paperwork/tests.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from motcua.catalog import selectors
from motcua.catalog.models import ChannelOffer, ProcedureVersion
from motcua.catalog.services import publish_version
from motcua.dossiers import services

from .factories import vn

pytestmark = pytest.mark.django_db


def test_a_newly_published_version_is_seen_at_once(world):
    first = services.receive_at_counter(intake=world.intake(), actor=world.reception, at=vn(2026, 3, 2, 9))
    assert (first.time_limit_amount, first.due_at) == (10, vn(2026, 3, 16, 17))
    assert world.version.pk in selectors._parts  # kept for the next acceptance
    # A new text from 3 March with a 5-working-day limit: a new version, published the ordinary way.
    draft = ProcedureVersion(
        procedure=world.version.procedure, number=2, name=world.version.name, decision="QĐ 2/2026"
    )
    draft.save()
    offer = ChannelOffer(
        version=draft, channel="in_person", time_limit_amount=5, time_limit_unit="working_day"
    )
    offer.save()
    case = draft.cases.create(name="Trường hợp chung")
    for template in world.version.cases.get().components.all():
        case.components.create(name=template.name, position=template.position, is_required=True)
    new = publish_version(
        version_id=draft.pk, actor=None, effective_from=dt.date(2026, 3, 3), at=vn(2026, 3, 2, 10)
    )
    second = services.receive_at_counter(
        intake=world.intake(version=new), actor=world.reception, at=vn(2026, 3, 3, 9)
    )
    assert (second.procedure_version_id, second.time_limit_amount) == (new.pk, 5)
    assert second.due_at == vn(2026, 3, 10, 17)
    # The old version is no longer in force: refused, not served from the cache.
    with pytest.raises(services.ValidationFailed) as refused:
        services.receive_at_counter(intake=world.intake(), actor=world.reception, at=vn(2026, 3, 3, 10))
    assert refused.value.code == "version_not_in_force"


def test_a_draft_is_never_kept(world):
    draft = ProcedureVersion(procedure=world.version.procedure, number=2, name="Dự thảo", decision="")
    draft.save()
    selectors.version_parts(draft)
    assert draft.pk not in selectors._parts
    offer = ChannelOffer(
        version=draft, channel="in_person", time_limit_amount=3, time_limit_unit="working_day"
    )
    offer.save()
    assert [o.time_limit_amount for o in selectors.version_parts(draft).offers] == [3]


def test_a_version_ended_behind_the_services_back_is_refused_at_the_next_intake(
    world, django_assert_num_queries
):
    """The version in force is kept per process under the catalogue revision (ADR 0043): a second
    intake the same day does not read it again, and a bulk update ending the version (no model save, no
    signal) changes the token, so the next intake reads it again and is refused."""
    services.receive_at_counter(intake=world.intake(), actor=world.reception, at=vn(2026, 3, 2, 9))
    intake = world.intake()
    # The version in force is not read again (PostgreSQL: both counters in one statement, ADR 0044,
    # with the components, the clock event and the outbox row in front of them, and the event with
    # the dossier's row: decision 0056).
    with django_assert_num_queries(10 - 5 * (connection.vendor == "postgresql")):
        services.receive_at_counter(intake=intake, actor=world.reception, at=vn(2026, 3, 2, 10))
    ProcedureVersion.objects.filter(pk=world.version.pk).update(effective_to=dt.date(2026, 3, 1))
    with pytest.raises(services.ValidationFailed) as refused:
        services.receive_at_counter(intake=world.intake(), actor=world.reception, at=vn(2026, 3, 2, 11))
    assert refused.value.code == "version_not_in_force"
