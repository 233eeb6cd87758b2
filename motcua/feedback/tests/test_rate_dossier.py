"""Rating a dossier after its result is returned (SPEC §7.1; once per dossier, proven by a second factor)."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.core.errors import Conflict, NotFound, ValidationFailed
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import vn
from motcua.feedback import selectors, services
from motcua.feedback.models import Rating, RatingOfficer

pytestmark = pytest.mark.django_db


def scores(**overrides) -> services.RatingInput:
    values = {
        "time_score": 2,
        "agencies_contacted": 0,
        "contacts": 1,
        "information_score": 2,
        "attitude_score": 1,
        "lawfulness_score": 2,
        "satisfaction": "satisfied",
        "comment": "Cán bộ hướng dẫn tận tình.",
    }
    values.update(overrides)
    return services.RatingInput(**values)


@pytest.fixture
def returned(factory):
    return factory.create(at=vn(2026, 3, 2, 9, 0), trait="returned")


def test_rating_with_the_last_four_phone_digits(returned, world):
    rating = services.rate_dossier(
        dossier_code=returned.code, proof="5678", data=scores(), at=vn(2026, 3, 10, 9, 0)
    )
    assert (rating.proof, rating.agency_id, rating.one_stop_unit_id) == (
        "phone",
        world.agency.pk,
        world.centre.pk,
    )
    assert (rating.time_score, rating.contacts, rating.attitude_score, rating.satisfaction) == (
        2,
        1,
        1,
        "satisfied",
    )
    assert rating.online_score is None  # counter dossier: criterion (h) does not apply
    officers = dict(RatingOfficer.objects.filter(rating=rating).values_list("officer__username", "roles"))
    assert officers == {
        "tiepnhan": ["reception_officer"],
        "lanhdao": ["dept_leader"],
        "thuly": ["handler"],
        "pheduyet": ["approver"],
        "vanthu": ["clerk"],
    }


def test_rating_with_the_last_four_id_digits_and_lowercase_code(returned):
    rating = services.rate_dossier(
        dossier_code=f"  {returned.code.lower()} ", proof="1234", data=scores(), at=vn(2026, 3, 10, 9, 0)
    )
    assert rating.proof == "identifier"


def test_the_signed_in_owner_needs_no_second_factor(returned, world):
    Dossier.objects.filter(pk=returned.pk).update(submitted_by=world.citizen)  # an online applicant
    rating = services.rate_dossier(
        dossier_code=returned.code, user=world.citizen, data=scores(), at=vn(2026, 3, 10, 9, 0)
    )
    assert (rating.proof, rating.rated_by_id) == ("owner", world.citizen.pk)


def test_a_second_rating_is_refused(returned):
    services.rate_dossier(dossier_code=returned.code, proof="5678", data=scores(), at=vn(2026, 3, 10, 9, 0))
    with pytest.raises(Conflict) as error:
        services.rate_dossier(
            dossier_code=returned.code,
            proof="5678",
            data=scores(satisfaction="dissatisfied"),
            at=vn(2026, 3, 11, 9, 0),
        )
    assert error.value.code == "already_rated"
    assert (
        error.value.message_vi
        == "Hồ sơ này đã được đánh giá ngày 10/03/2026; mỗi hồ sơ chỉ được đánh giá một lần."
    )
    assert list(Rating.objects.values_list("satisfaction", flat=True)) == ["satisfied"]


def test_a_dossier_not_yet_returned_cannot_be_rated(factory):
    ready = factory.create(at=vn(2026, 3, 2, 9, 0), trait="result_ready")
    with pytest.raises(Conflict) as error:
        services.rate_dossier(dossier_code=ready.code, proof="5678", data=scores(), at=vn(2026, 3, 10, 9, 0))
    assert (error.value.code, error.value.field) == ("not_returned", "dossier_code")
    assert error.value.message_en == (
        "The result has not been returned yet; a dossier can be rated only after its result is returned."
    )
    assert Rating.objects.count() == 0


def test_unknown_code_and_wrong_factor_get_the_same_answer(returned):
    answers = []
    for code, proof in ((returned.code, "0000"), ("000.00.12.H42-260302-9999", "5678")):
        with pytest.raises(NotFound) as error:
            services.rate_dossier(dossier_code=code, proof=proof, data=scores(), at=vn(2026, 3, 10, 9, 0))
        answers.append((error.value.code, error.value.field, error.value.message_vi, error.value.message_en))
    assert answers[0] == answers[1]
    assert answers[0][0] == "dossier_not_found"
    assert Rating.objects.count() == 0


def test_guessing_the_second_factor_is_stopped(returned):
    for guess in ("0001", "0002", "0003", "0004", "0005"):
        with pytest.raises(NotFound):
            services.rate_dossier(dossier_code=returned.code, proof=guess, data=scores())
    with pytest.raises(services.TooManyAttempts) as error:
        services.rate_dossier(dossier_code=returned.code, proof="5678", data=scores())
    assert (error.value.status, error.value.code) == (429, "too_many_attempts")
    assert Rating.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "proof", "field", "code"),
    [
        ({}, "56", "proof", "invalid_proof"),
        ({"time_score": 3}, "5678", "time_score", "invalid_score"),
        ({"attitude_score": "tốt"}, "5678", "attitude_score", "invalid_score"),
        ({"contacts": -1}, "5678", "contacts", "invalid_count"),
        ({"agencies_contacted": 100}, "5678", "agencies_contacted", "invalid_count"),
        ({"satisfaction": "meh"}, "5678", "satisfaction", "invalid_satisfaction"),
        ({"comment": "x" * 2001}, "5678", "comment", "too_long"),
    ],
)
def test_bad_ratings_are_refused_and_save_nothing(returned, overrides, proof, field, code):
    with pytest.raises(ValidationFailed) as error:
        services.rate_dossier(dossier_code=returned.code, proof=proof, data=scores(**overrides))
    assert (error.value.field, error.value.code) == (field, code)
    assert error.value.message_vi and error.value.message_en
    assert Rating.objects.count() == 0


def test_selectors_for_reports(factory, world):
    first = factory.create(at=vn(2026, 3, 2, 9, 0), trait="returned")
    second = factory.create(at=vn(2026, 3, 3, 9, 0), trait="returned")
    third = factory.create(at=vn(2026, 3, 4, 9, 0), trait="returned")
    services.rate_dossier(dossier_code=first.code, proof="5678", data=scores(), at=vn(2026, 3, 10, 9, 0))
    services.rate_dossier(
        dossier_code=second.code,
        proof="5678",
        data=scores(time_score=1, attitude_score=0, contacts=2, satisfaction="dissatisfied"),
        at=vn(2026, 3, 31, 23, 30),
    )
    services.rate_dossier(dossier_code=third.code, proof="5678", data=scores(), at=vn(2026, 4, 1, 0, 30))
    march = selectors.ratings_between(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    assert selectors.rating_summary(march) == {
        "count": 2,
        "time_score": 1.5,
        "information_score": 2.0,
        "attitude_score": 0.5,
        "lawfulness_score": 2.0,
        "online_score": None,
        "agencies_contacted": 0.0,
        "contacts": 1.5,
        "satisfied": 1,
        "neutral": 0,
        "dissatisfied": 1,
    }
    [agency] = selectors.ratings_per_agency(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    assert (agency["agency_id"], agency["count"], agency["attitude_score"], agency["dissatisfied"]) == (
        world.agency.pk,
        2,
        0.5,
        1,
    )
    officers = {
        row["officer__username"]: (row["count"], row["attitude_score"])
        for row in selectors.ratings_per_officer(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    }
    assert officers == {name: (2, 0.5) for name in ("lanhdao", "pheduyet", "thuly", "tiepnhan", "vanthu")}
    rows = selectors.ratings_per_dossier(start=dt.date(2026, 4, 1), end=dt.date(2026, 4, 30))
    assert [(r["dossier__code"], r["satisfaction"]) for r in rows] == [(third.code, "satisfied")]
    assert selectors.rating_of_dossier(dossier_id=second.pk).satisfaction == "dissatisfied"
    # The reports' ratings source (MOTCUA_RATINGS_SOURCE): only the dissatisfied dossier counts.
    assert selectors.unhappy_dossier_ids([first.pk, second.pk, third.pk]) == {second.pk}
    assert selectors.unhappy_dossier_ids([first.pk]) == set()
