"""``rows.new`` builds the same instance as the model's keyword constructor, for the rows an
acceptance builds (decision 0060): every attribute, the related objects' cache and the database
noted on the instance."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import models

from motcua.accounts.models import User
from motcua.catalog.models import ComponentTemplate, ProcedureCase, ProcedureVersion
from motcua.core import rows
from motcua.dossiers.models import ClockEvent, Dossier, DossierComponent, DossierEvent, FeeLine, Result
from motcua.integration.models import OutboxEvent
from motcua.units.models import Agency, OneStopUnit

AT = dt.datetime(2026, 3, 3, 8, 15, tzinfo=dt.UTC)


def same(model: type[models.Model], **values: Any) -> models.Model:
    by_keywords, built = model(**values), rows.new(model, **values)
    assert type(built) is model
    assert {k: v for k, v in vars(built).items() if k != "_state"} == {
        k: v for k, v in vars(by_keywords).items() if k != "_state"
    }
    assert (built._state.db, built._state.adding) == (by_keywords._state.db, by_keywords._state.adding)
    cache, expected = built._state.fields_cache, by_keywords._state.fields_cache
    assert cache.keys() == expected.keys()
    assert all(cache[name] is expected[name] for name in expected)
    return built


def loaded(model: type[models.Model], pk: int) -> Any:
    """An instance as a queryset gives it (its database noted), without a database."""
    return model.from_db("default", ["id"], [pk])


def test_the_dossier_of_an_acceptance():
    version, case = loaded(ProcedureVersion, 3), loaded(ProcedureCase, 4)
    unit, agency = loaded(OneStopUnit, 5), loaded(Agency, 6)
    common = {
        "procedure_version": version,
        "procedure_case": case,
        "channel": "in_person",
        "applicant_kind": "person",
        "applicant_name": "Nguyễn Văn An",
        "applicant_identifier_type": "citizen_id",
        "applicant_identifier": "042000000010",
        "applicant_date_of_birth": dt.date(1990, 5, 17),
        "applicant_commune_id": None,
        "has_representative": False,
        "submitted_by": None,
        "received_at_unit": unit,
        "competent_agency": agency,
        "state": "new",
        "result_delivery": "counter",
        "vneid_verified": False,
    }
    built = same(Dossier, **common, return_unit=unit, return_unit_id=5)
    assert built.return_unit is unit and built.procedure_version is version
    assert (built.version, built.code, built.paid_online, built.pk) == (1, None, 0, None)
    # a return unit other than the receiving one: the key given wins, nothing stale is cached
    other = same(Dossier, **common, return_unit=None, return_unit_id=9)
    assert other.return_unit_id == 9 and "return_unit" not in other._state.fields_cache
    assert same(Dossier, **common, return_unit=unit, return_unit_id=9).return_unit_id == 9
    # no related object at all: no database noted
    assert same(Dossier, channel="online", applicant_name="X")._state.db is None


def test_components_events_and_the_rows_that_point_to_them():
    dossier = loaded(Dossier, 11)
    for template in (None, loaded(ComponentTemplate, 7)):  # as at the counter: with or without one
        same(
            DossierComponent,
            dossier=dossier,
            template=template,
            name="Tờ khai",
            copy_type="copy",
            count=1,
            reused_from="",
            position=0,
        )
    actor = loaded(User, 2)
    fields = {
        "dossier": dossier,
        "seq": 1,
        "act": "accept",
        "name": "accepted",
        "actor_id": 2,
        "actor_role": "reception_officer",
        "at": AT,
        "reason": "",
        "state_before": "new",
        "state_after": "received",
        "data": {"code": "000.00.01.H42-260303-0001"},
        "prev_hash": "",
    }
    event = same(DossierEvent, pk=87, **fields, actor_name="tiepnhan")
    assert (event.pk, event.id, event.actor_id) == (87, 87, 2)
    same(DossierEvent, **fields, actor=actor)
    same(ClockEvent, dossier=dossier, event=event, kind="start", at=AT, new_due_at=None)
    same(OutboxEvent, dossier_id=11, event_id=87, seq=1, name="accepted", created_at=AT)


def test_a_callable_default_is_called_for_each_instance():
    first, second = rows.new(DossierEvent, seq=1), rows.new(DossierEvent, seq=2)
    assert first.data == {} and second.data == {} and first.data is not second.data
    assert (first.reason, first.actor_id, first.prev_hash) == ("", None, "")


def test_what_the_keyword_constructor_refuses_it_refuses():
    with pytest.raises(TypeError, match="unexpected keyword arguments: colour"):
        rows.new(DossierComponent, name="x", colour="red")
    with pytest.raises(ValueError, match=r'"DossierComponent\.dossier" must be a "Dossier" instance'):
        rows.new(DossierComponent, dossier=loaded(Agency, 1))
    with pytest.raises(TypeError, match=r"Result\.dossier is not a plain foreign key"):
        rows.new(Result, number="1/QĐ")  # a one-to-one caches its reverse side too: not built this way


@pytest.mark.parametrize("model", [Dossier, DossierComponent, DossierEvent, ClockEvent, OutboxEvent, FeeLine])
def test_the_rows_an_acceptance_writes_have_no_save_signal_receivers(model):
    # core.rows writes them without model signals (as bulk_create would): a receiver added later
    # must be noticed here
    for signal in (models.signals.pre_save, models.signals.post_save):
        assert signal.has_listeners(model) is False
