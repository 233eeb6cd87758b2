"""Apology and extension (T20, Form 04; SPEC scenarios 16, 17) and early/on-time/late (scenario 18)."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.core.errors import ValidationFailed
from motcua.dossiers import services
from motcua.dossiers.models import Dossier

from .factories import make_procedure, vn

pytestmark = pytest.mark.django_db


def _five_day(world, factory):
    version = make_procedure("1.000016.H42", amount=5)
    return factory.create(
        at=vn(2026, 3, 9, 8), trait="appraising", version=version, step=dt.timedelta(minutes=10)
    )


def _finish(world, dossier, at):
    services.approve(dossier_id=dossier.pk, actor=world.approver, at=at)
    services.sign_result(dossier_id=dossier.pk, actor=world.approver, at=at)
    return services.issue_result(dossier_id=dossier.pk, actor=world.clerk, number="9/QĐ", at=at)


def test_scenario_16_extension_once_and_17_late_with_apology(world, factory):
    dossier = _five_day(world, factory)
    assert dossier.due_at == vn(2026, 3, 16, 17, 0)
    extended = services.apologise_and_extend(
        dossier_id=dossier.pk,
        actor=world.leader,
        reason="Cần xác minh thực địa",
        new_due=dt.date(2026, 3, 20),
        at=vn(2026, 3, 13, 16),
    )
    assert extended.extended_due_at == vn(2026, 3, 20, 17, 0)
    assert extended.due_at == vn(2026, 3, 20, 17, 0)
    assert extended.original_due_at == vn(2026, 3, 16, 17, 0)
    event = extended.events.get(name="extended")
    assert (event.form, event.data["apology_late"]) == ("form04", False)
    before = Dossier.objects.filter(pk=dossier.pk).values().get()
    with pytest.raises(ValidationFailed) as second:
        services.apologise_and_extend(
            dossier_id=dossier.pk,
            actor=world.leader,
            reason="Lần nữa",
            new_due=dt.date(2026, 3, 27),
            at=vn(2026, 3, 16, 9),
        )
    assert second.value.code == "second_extension"
    assert Dossier.objects.filter(pk=dossier.pk).values().get() == before
    finished = _finish(world, dossier, vn(2026, 3, 19, 10))
    assert finished.timeliness == "late"  # SPEC §6.1 rule 8: late, with apology
    assert finished.finished_at == vn(2026, 3, 19, 10)


def test_extension_must_be_later(world, factory):
    dossier = _five_day(world, factory)
    with pytest.raises(ValidationFailed) as earlier:
        services.apologise_and_extend(
            dossier_id=dossier.pk,
            actor=world.leader,
            reason="x",
            new_due=dt.date(2026, 3, 13),
            at=vn(2026, 3, 12, 9),
        )
    assert earlier.value.code == "extension_not_later"
    assert Dossier.objects.get(pk=dossier.pk).extended_due_at is None


def test_extension_aware_classification_setting(world, factory, settings):
    settings.MOTCUA_CLASSIFY_EXTENSION_AWARE = True
    dossier = _five_day(world, factory)
    services.apologise_and_extend(
        dossier_id=dossier.pk,
        actor=world.leader,
        reason="x",
        new_due=dt.date(2026, 3, 20),
        at=vn(2026, 3, 13, 16),
    )
    assert _finish(world, dossier, vn(2026, 3, 19, 10)).timeliness == "early"


@pytest.mark.parametrize(
    ("finished", "expected"),
    [(vn(2026, 3, 5, 10), "early"), (vn(2026, 3, 6, 16, 40), "on_time"), (vn(2026, 3, 9, 9), "late")],
)
def test_scenario_18_early_on_time_late(world, factory, finished, expected):
    # Scenario 1's dossier: due Fri 06/03/2026.
    dossier = factory.create(at=vn(2026, 2, 13, 14), trait="appraising", step=dt.timedelta(minutes=10))
    assert dossier.due_at == vn(2026, 3, 6, 17, 0)
    assert _finish(world, dossier, finished).timeliness == expected


def test_an_apology_after_its_deadline_is_flagged(world, factory):
    dossier = _five_day(world, factory)
    late = services.apologise_and_extend(
        dossier_id=dossier.pk,
        actor=world.leader,
        reason="x",
        new_due=dt.date(2026, 3, 20),
        at=vn(2026, 3, 16, 8),
    )
    assert late.events.get(name="extended").data["apology_late"] is True
