"""Property: for random dossier histories made through the real services, the projections kept up
to date act by act equal a recomputation from scratch, and II.06a's invariants hold on every period."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.catalog.models import Channel
from motcua.dossiers import services
from motcua.dossiers.tests import conftest as dossier_fixtures
from motcua.dossiers.tests.factories import vn
from motcua.reports import ii06a, projections
from motcua.reports.selectors import Period, Scope

pytestmark = pytest.mark.django_db

calendar_2026 = dossier_fixtures.calendar_2026
world = dossier_fixtures.world

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
