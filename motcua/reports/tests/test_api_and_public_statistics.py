"""The same reports through the API (problem details on bad input) and the portal's public
statistics page (no login)."""

from __future__ import annotations

import pytest
import time_machine

from motcua.accounts.models import Role
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import calendar_2026, factory, world  # noqa: F401
from motcua.dossiers.tests.factories import staff
from motcua.reports.projections import refresh
from motcua.reports.tests.test_scorecard import AT, march  # noqa: F401

MARCH_QS = "period=month&year=2026&number=3"


@pytest.fixture
def inspector(world, make_user):  # noqa: F811
    return staff(make_user, Role.INSPECTOR, "thanhtra", agency_id=world.agency.parent_id)


@pytest.fixture
def projected(march):  # noqa: F811
    refresh()
    with time_machine.travel(AT, tick=False):
        yield march


def test_scorecard_api(client, projected, inspector):
    client.force_login(inspector)
    body = client.get(f"/api/v1/reports/index766?{MARCH_QS}").json()
    assert (body["total"], body["max"], body["computed_max"], body["is_complete"]) == (
        "10.40",
        "100",
        "46",
        False,
    )
    progress = next(g for g in body["groups"] if g["code"] == "TDGQ")
    assert progress["indicators"][0] | {} == {
        "id": "2.1",
        "name_vi": "Hồ sơ xử lý trước hạn, đúng hạn",
        "name_en": "Dossiers processed early or on time",
        "status": "ok",
        "numerator": 2,
        "denominator": 5,
        "percent": "40.00",
        "points": "8.00",
        "max": "20",
        "threshold": None,
        "reason_vi": "",
        "reason_en": "",
    }
    records = client.get(f"/api/v1/reports/index766/2.1/numerator?{MARCH_QS}").json()
    assert records["count"] == 2
    assert {i["code"] for i in records["items"]} == {projected["a"].code, projected["e"].code}


def test_dashboard_and_evaluation_api(client, projected, inspector):
    client.force_login(inspector)
    board = client.get(f"/api/v1/reports/dashboard?{MARCH_QS}").json()
    assert (board["received"], board["finished"], board["on_time_percent"], board["overdue"]) == (
        5,
        2,
        "50.00",
        2,
    )
    assert board["received_by_channel"] == {"in_person": 4, "online": 1, "postal": 0}
    q1 = client.get("/api/v1/reports/evaluation?period=quarter&year=2026&number=1").json()
    assert [(a["name"], a["dossiers"], a["total"], a["rating"]) for a in q1["agencies"]] == [
        ("Sở Tư pháp", 2, "4.0", "weak")
    ]
    # The page's per-dossier rows, with scenario 14's flag (set here; set by the act in dossiers' tests).
    Dossier.objects.filter(pk=projected["b"].pk).update(supplement_outside_window=True)
    q1 = client.get("/api/v1/reports/evaluation?period=quarter&year=2026&number=1").json()
    assert sorted((d["code"], d["points"], d["supplement_outside_window"]) for d in q1["dossiers"]) == sorted(
        [
            (projected["a"].code, {"1": 2, "2": None, "3": 2, "4": 1, "6": None, "7": None}, False),
            (projected["b"].code, {"1": 0, "2": None, "3": 2, "4": 1, "6": None, "7": None}, True),
        ]
    )


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("period=custom&start=2026-04-01&end=2026-03-01", 400, "period_end_before_start"),
        ("period=custom&start=2000-01-01&end=2026-01-01", 400, "period_too_long"),
        ("agency=424242", 404, "scope_not_found"),
    ],
)
def test_api_bad_input_is_a_problem(client, projected, inspector, query, status, code):
    client.force_login(inspector)
    response = client.get(f"/api/v1/reports/index766?{query}")
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == code and problem["detail_vi"] and problem["detail_en"]


def test_api_refuses_what_the_user_may_not_see(client, projected, world):  # noqa: F811
    client.force_login(world.leader)
    response = client.get(f"/api/v1/reports/index766?agency={world.other_agency.pk}")
    assert response.status_code == 403
    assert response.json()["code"] == "report_scope_forbidden"
    unknown = client.get(f"/api/v1/reports/index766/8.8/numerator?agency={world.agency.pk}")
    assert unknown.status_code == 404 and unknown.json()["code"] == "indicator_unknown"
    client.logout()
    assert client.get("/api/v1/reports/index766").status_code in (401, 403)


def test_public_statistics_page_and_api(client, projected):
    page = client.get("/thong-ke/?year=2026")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="stat-on-time">50,00%' in html
    assert 'id="stat-online">20,00%' in html
    assert 'id="stat-satisfaction">Chưa có dữ liệu' in html
    body = client.get("/api/v1/reports/public-statistics?year=2026").json()
    assert (body["on_time_percent"], body["online_percent"], body["satisfaction_percent"]) == (
        "50.00",
        "20.00",
        None,
    )
    assert body["months"][2] == {
        "month": "2026-03-01",
        "received": 5,
        "finished": 2,
        "on_time_percent": "50.00",
    }
    assert len(body["months"]) == 4  # January to the frozen day, 1 April 2026
    bad = client.get("/thong-ke/?year=2099")
    assert bad.status_code == 400 and 'data-code="period_year_invalid"' in bad.content.decode()
