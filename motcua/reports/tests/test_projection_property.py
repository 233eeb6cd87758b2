"""Property: for random dossier histories made through the real services, the projections kept up
to date act by act equal a recomputation from scratch, and II.06a's invariants hold on every period;
hand-overs to a successor agency (scenario 30) move no dossier out of any period or place."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.accounts.models import Role
from motcua.catalog.models import Channel
from motcua.dossiers import services
from motcua.dossiers.tests import conftest as dossier_fixtures
from motcua.dossiers.tests import test_successor_takes_over as successor_fixtures
from motcua.dossiers.tests.factories import staff, vn
from motcua.reports import ii06a, projections
from motcua.reports.dashboards import figures_scope
from motcua.reports.models import ReportedDossier
from motcua.reports.scope import Scope as Place
from motcua.reports.selectors import Period, Scope

pytestmark = pytest.mark.django_db

calendar_2026 = dossier_fixtures.calendar_2026
world = dossier_fixtures.world
legacy = successor_fixtures.legacy

PATHS = ("received", "processing", "finished", "returned", "supplement", "refused", "withdrawn", "abandoned")

plans = st.lists(
    st.tuples(
        st.integers(0, 80),  # day of acceptance after 01/01/2026
        st.booleans(),  # online
        st.sampled_from(PATHS),
        st.integers(1, 25),  # days from acceptance to the last act
        st.booleans(),  # refresh the projections after this dossier
    ),
    min_size=1,
    max_size=7,
)


def _walk(w, start: dt.datetime, online: bool, path: str, days: int) -> None:
    if online:
        draft = services.submit_dossier(intake=w.intake(channel=Channel.ONLINE), actor=w.citizen, at=start)
        d = services.accept_dossier(
            dossier_id=draft.pk, actor=w.reception, at=start + dt.timedelta(minutes=1)
        )
    else:
        d = services.receive_at_counter(intake=w.intake(), actor=w.reception, at=start)
    if path == "received":
        return
    t = start + dt.timedelta(minutes=10)
    services.forward_dossier(dossier_id=d.pk, actor=w.reception, at=t)
    services.assign_handler(
        dossier_id=d.pk, actor=w.leader, handler_id=w.handler.pk, at=t + dt.timedelta(minutes=1)
    )
    # After a supplement (received a day after it was asked) the work needs at least one more day.
    end = start + dt.timedelta(days=days + (2 if path == "supplement" else 0))
    if path == "processing":
        return
    if path in ("supplement", "abandoned"):
        services.request_supplement(
            dossier_id=d.pk,
            actor=w.handler,
            reason="Thiếu",
            guidance="Bổ sung bản sao",
            at=t + dt.timedelta(hours=1),
        )
        if path == "abandoned":
            services.stop_processing(dossier_id=d.pk, actor=w.reception, reason="Quá hạn bổ sung", at=end)
            return
        services.receive_supplement(dossier_id=d.pk, actor=w.reception, at=t + dt.timedelta(days=1))
    if path == "withdrawn":
        services.request_withdrawal(
            dossier_id=d.pk, actor=w.reception, reason="Rút", at=t + dt.timedelta(hours=2)
        )
        services.stop_processing(dossier_id=d.pk, actor=w.head, at=end)
        return
    services.appraise(dossier_id=d.pk, actor=w.handler, opinion="Xem xét", at=end - dt.timedelta(hours=3))
    if path == "refused":
        services.propose_refusal(
            dossier_id=d.pk, actor=w.handler, reason="Không đủ", at=end - dt.timedelta(hours=2)
        )
        services.refuse_after_appraisal(dossier_id=d.pk, actor=w.approver, reason="Không đủ", at=end)
        return
    services.approve(dossier_id=d.pk, actor=w.approver, at=end - dt.timedelta(hours=2))
    services.sign_result(dossier_id=d.pk, actor=w.approver, at=end - dt.timedelta(hours=1))
    services.issue_result(dossier_id=d.pk, actor=w.clerk, number="5/QĐ", at=end)
    if path == "returned":
        services.return_result(dossier_id=d.pk, actor=w.reception, at=end + dt.timedelta(hours=1))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plans=plans, cut=st.integers(0, 120), length=st.integers(0, 100))
def test_incremental_projections_equal_recomputation(world, plans, cut, length):
    with transaction.atomic():
        for day, online, path, days, refresh in plans:
            _walk(world, vn(2026, 1, 1, 8) + dt.timedelta(days=day), online, path, days)
            if refresh:
                projections.refresh()
        projections.refresh()
        assert projections.check() == []
        start = dt.date(2026, 1, 1) + dt.timedelta(days=cut)
        period = Period(start, start + dt.timedelta(days=length))
        report = ii06a.build(scope=Scope(), period=period)  # raises if an invariant is broken
        previous = ii06a.build(
            scope=Scope(), period=Period(dt.date(2025, 12, 1), start - dt.timedelta(days=1))
        )
        assert report.total.cols[6] == previous.total.cols[11]
        assert report.total.cols[3] <= len(plans) and report.total.cols[13] <= report.total.cols[11]
        transaction.set_rollback(True)


# SPEC scenario 30 (decision 0062): dossiers received by a district before it was abolished
# (30/06/2025), handed to its successor on a later day or never, some finished there afterwards.
hand_overs = st.lists(
    st.tuples(
        st.integers(0, 80),  # day of acceptance after 01/04/2025 (the district in force)
        st.one_of(st.none(), st.integers(0, 240)),  # day of the hand-over after 01/07/2025, or none
        st.booleans(),  # the successor finishes it two days after the hand-over
        st.booleans(),  # refresh the projections after this dossier
    ),
    min_size=1,
    max_size=5,
)


@pytest.fixture
def successor_staff(legacy, make_user):
    agency = legacy["successor"].pk
    return {
        "approver": staff(make_user, Role.APPROVER, "pd-xa", agency_id=agency),
        "clerk": staff(make_user, Role.CLERK, "vt-xa", agency_id=agency),
    }


def _hand_over(legacy, extra, received: dt.datetime, moved: dt.datetime | None, finish: bool) -> None:
    d = services.receive_at_counter(
        intake=legacy["world"].intake(
            received_at_unit_id=legacy["unit"].pk, competent_agency_id=legacy["agency"].pk
        ),
        actor=legacy["reception"],
        at=received,
    )
    services.forward_dossier(dossier_id=d.pk, actor=legacy["reception"], at=received + dt.timedelta(hours=1))
    services.assign_handler(
        dossier_id=d.pk,
        actor=legacy["leader"],
        handler_id=legacy["handler"].pk,
        at=received + dt.timedelta(hours=2),
    )
    if moved is None:
        return
    services.transfer_to_successor(dossier_id=d.pk, actor=None, at=moved)
    if not finish:
        return
    new = legacy["new_handler"]
    services.assign_handler(
        dossier_id=d.pk, actor=legacy["new_leader"], handler_id=new.pk, at=moved + dt.timedelta(hours=1)
    )
    done = moved + dt.timedelta(days=2)
    services.appraise(dossier_id=d.pk, actor=new, opinion="Đủ", at=done - dt.timedelta(hours=3))
    services.approve(dossier_id=d.pk, actor=extra["approver"], at=done - dt.timedelta(hours=2))
    services.sign_result(dossier_id=d.pk, actor=extra["approver"], at=done - dt.timedelta(hours=1))
    services.issue_result(dossier_id=d.pk, actor=extra["clerk"], number="5/QĐ", at=done)


def _place_report(place: Place, period: Period) -> ii06a.Report:
    return ii06a.build(scope=figures_scope(place), period=period)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plans=hand_overs, cut=st.integers(0, 400))
def test_hand_overs_move_no_period_and_keep_projections_equal_recomputation(
    world, legacy, successor_staff, plans, cut
):
    legacy = {**legacy, "world": world}
    district, successor = Place(agency_id=legacy["agency"].pk), Place(agency_id=legacy["successor"].pk)
    h1 = Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    with transaction.atomic():
        received = [
            vn(2025, 4, 1, 8) + dt.timedelta(days=day, minutes=i) for i, (day, *_) in enumerate(plans)
        ]
        for at in received:
            _hand_over(legacy, successor_staff, at, None, False)
        projections.refresh()
        before = {p: _place_report(p, h1).total.cols for p in (district, successor, Place())}
        transaction.set_rollback(True)
    with transaction.atomic():
        for at, (_day, moved, finish, refresh) in zip(received, plans, strict=True):
            when = None if moved is None else vn(2025, 7, 1, 8) + dt.timedelta(days=moved)
            _hand_over(legacy, successor_staff, at, when, finish)
            if refresh:
                projections.refresh()
        projections.refresh()
        assert projections.check() == []
        # Every dossier stays the district's, at the district's level, whoever handles it now.
        assert set(ReportedDossier.objects.values_list("agency_id", "level")) == {
            (legacy["agency"].pk, "district")
        }
        # H1 2025 is what it was with nothing handed over, in every scope that holds the district.
        for place in (district, successor, Place()):
            assert _place_report(place, h1).total.cols == before[place]
        start = dt.date(2025, 4, 1) + dt.timedelta(days=cut)
        for place in (district, successor, Place()):
            report = _place_report(place, Period(start, dt.date(2026, 12, 31)))
            previous = _place_report(place, Period(dt.date(2025, 1, 1), start - dt.timedelta(days=1)))
            assert report.total.cols[6] == previous.total.cols[11]
            assert (
                report.total.cols[3] == previous.total.cols[11] + report.total.cols[4] + report.total.cols[5]
            )
        transaction.set_rollback(True)
