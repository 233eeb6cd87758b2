"""The live dashboard, the scorecard and evaluation pages, their drill-downs and CSV exports,
through HTTP, on dossiers built with the real services (March 2026, see ``test_scorecard``)."""

from __future__ import annotations

import re

import pytest
import time_machine

from motcua.accounts.models import Role
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import calendar_2026, factory, world  # noqa: F401
from motcua.dossiers.tests.factories import staff
from motcua.reports import dashboards
from motcua.reports.projections import refresh
from motcua.reports.scope import Scope
from motcua.reports.tests.test_scorecard import AT, MARCH, march  # noqa: F401

MARCH_QS = "period=month&year=2026&number=3"


@pytest.fixture
def inspector(world, make_user):  # noqa: F811
    return staff(make_user, Role.INSPECTOR, "thanhtra", agency_id=world.agency.parent_id)


@pytest.fixture
def projected(march):  # noqa: F811
    refresh()
    with time_machine.travel(AT, tick=False):
        yield march


def test_dashboard_figures_and_every_drill_down_lists_what_it_counts(projected, world):  # noqa: F811
    board = dashboards.dashboard(scope=Scope(), period=MARCH)
    t = board.totals
    assert (t.received, t.finished, t.finished_early, t.finished_late) == (5, 2, 1, 1)
    assert board.rate is not None and str(board.rate) == "50.00"
    assert (t.in_progress, t.within_deadline, t.overdue) == (3, 1, 2)
    assert board.by_channel == [
        ("in_person", "Trực tiếp", 4),
        ("online", "Trực tuyến", 1),
        ("postal", "Dịch vụ bưu chính", 0),
    ]
    assert [(r.label, r.finished, r.on_time) for r in board.trend] == [("03/2026", 2, 1)]
    assert [(r.key, r.received, r.finished, r.overdue) for r in board.by_agency] == [
        (world.agency.pk, 5, 2, 2)
    ]
    assert board.due_next == 0
    assert sorted((pk, step, n) for pk, _, step, n in board.overdue_by_place) == [
        (world.agency.pk, "", 1),
        (world.agency.pk, "awaiting_assignment", 1),
    ]
    expected = {
        "received": 5,
        "finished": 2,
        "on_time": 1,
        "late": 1,
        "in_progress": 3,
        "within": 1,
        "overdue": 2,
        "due_next": 0,
        "overdue_now": 2,
    }
    for metric, count in expected.items():
        assert dashboards.records(metric, scope=Scope(), period=MARCH).count() == count, metric
    assert {d.pk for d in dashboards.records("late", scope=Scope(), period=MARCH)} == {projected["b"].pk}
    assert {d.pk for d in dashboards.records("overdue", scope=Scope(), period=MARCH)} == {
        projected["c"].pk,
        projected["d"].pk,
    }
    online = dashboards.records("received", scope=Scope(), period=MARCH, channel="online")
    assert [d.pk for d in online] == [projected["d"].pk]
    step = dashboards.records("overdue_now", scope=Scope(), period=MARCH, agency_id=world.agency.pk, step="")
    assert [d.pk for d in step] == [projected["d"].pk]


def test_dashboard_page(client, projected, inspector):
    client.force_login(inspector)
    page = client.get(f"/can-bo/bao-cao/bang-dieu-khien/?{MARCH_QS}")
    assert page.status_code == 200
    html = page.content.decode()
    link = "/can-bo/bao-cao/ho-so/?period=custom&amp;start=2026-03-01&amp;end=2026-03-31&amp;metric=received"
    assert f'id="received"><a href="{link}">5</a>' in html
    assert 'id="on-time-rate">50,00%' in html
    assert 'id="data-trend" type="application/json"' in html
    assert "reports/vendor/chartjs/chart.umd.min.js" in html
    records = client.get("/can-bo/bao-cao/ho-so/?period=custom&start=2026-03-01&end=2026-03-31&metric=late")
    assert records.status_code == 200
    assert projected["b"].code in records.content.decode()
    assert projected["a"].code not in records.content.decode()


def test_scorecard_page_says_it_is_partial_and_links_to_the_dossiers(client, projected, inspector):
    client.force_login(inspector)
    page = client.get(f"/can-bo/bao-cao/chi-so-766/?{MARCH_QS}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="total-points">10,40</span> / 100' in html
    assert 'data-complete="false"' in html
    assert "7/18" in html
    numerator = client.get(
        "/can-bo/bao-cao/chi-so-766/2.1/numerator/?period=custom&start=2026-03-01&end=2026-03-31"
    )
    assert numerator.status_code == 200
    body = numerator.content.decode()
    assert projected["a"].code in body and projected["e"].code in body and projected["b"].code not in body


def test_csv_exports(client, projected, inspector):
    client.force_login(inspector)
    card = client.get(f"/can-bo/bao-cao/chi-so-766/?{MARCH_QS}&format=csv")
    assert card["Content-Type"] == "text/csv; charset=utf-8"
    lines = card.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "nhom,chi_tieu,ten,tu_so,mau_so,ty_le_phan_tram,diem,diem_toi_da,trang_thai"
    assert 'TDGQ,2.1,"Hồ sơ xử lý trước hạn, đúng hạn",2,5,40.00,8.00,20,ok' in lines
    assert lines[-1] == ",,TỔNG,,,,10.40,100,partial"
    board = client.get(f"/can-bo/bao-cao/bang-dieu-khien/?{MARCH_QS}&format=csv").content.decode("utf-8-sig")
    assert board.splitlines()[1] == "total,,Tháng 03/2026,5,2,1,1,50.00,2"
    listing = client.get(
        "/can-bo/bao-cao/ho-so/?period=custom&start=2026-03-01&end=2026-03-31&metric=received&format=csv"
    )
    assert len(listing.content.decode("utf-8-sig").splitlines()) == 1 + 5
    evaluation = client.get("/can-bo/bao-cao/danh-gia/?period=quarter&year=2026&number=1&format=csv")
    rows = evaluation.content.decode("utf-8-sig").splitlines()
    assert rows[0].endswith(",tong_diem,xep_loai,ghi_chu")
    assert rows[1].startswith("agency,Sở Tư pháp,2,1.0,,2.0,1.0,,,,,,4.0,")
    assert f"dossier,{projected['a'].code},1,2,,2,1,,,,,,,," in rows
    assert f"dossier,{projected['b'].code},1,0,,2,1,,,,,,,," in rows
    page = client.get("/can-bo/bao-cao/danh-gia/?period=quarter&year=2026&number=1")
    assert page.status_code == 200
    html = page.content.decode()
    table = html[html.index('id="dossier-evaluation"') :]
    assert table.count('<tr><th scope="row"><a href="/can-bo/ho-so/') == 2


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("period=custom&start=2026-03-31&end=2026-03-01", 400, "period_end_before_start"),
        ("period=custom&start=2010-01-01&end=2026-01-01", 400, "period_too_long"),
        ("period=quarter&number=9", 400, "period_number_invalid"),
        ("agency=999999", 404, "scope_not_found"),
    ],
)
def test_bad_input_is_a_clear_4xx(client, projected, inspector, query, status, code):
    client.force_login(inspector)
    page = client.get(f"/can-bo/bao-cao/chi-so-766/?{query}")
    assert page.status_code == status
    assert f'data-code="{code}"' in page.content.decode()
    assert "total-points" not in page.content.decode()


def test_unknown_indicator_and_metric(client, projected, inspector):
    client.force_login(inspector)
    unknown = client.get("/can-bo/bao-cao/chi-so-766/9.9/numerator/")
    assert unknown.status_code == 404 and 'data-code="indicator_unknown"' in unknown.content.decode()
    metric = client.get("/can-bo/bao-cao/ho-so/?metric=everything")
    assert metric.status_code == 400 and 'data-code="metric_unknown"' in metric.content.decode()


def test_a_leader_sees_only_their_agency(client, projected, world):  # noqa: F811
    client.force_login(world.leader)
    own = client.get(f"/can-bo/bao-cao/bang-dieu-khien/?{MARCH_QS}")  # defaults to their agency
    assert own.status_code == 200
    assert f'<option value="{world.agency.pk}" selected>' in own.content.decode()
    other = client.get(f"/can-bo/bao-cao/chi-so-766/?agency={world.other_agency.pk}")
    assert other.status_code == 403
    assert 'data-code="report_scope_forbidden"' in other.content.decode()
    province = client.get(f"/can-bo/bao-cao/chi-so-766/?province={world.agency.admin_unit_id}")
    assert province.status_code == 403
    client.force_login(world.handler)  # no reports.view at all
    assert client.get("/can-bo/bao-cao/bang-dieu-khien/").status_code == 403


def test_a_supplement_requested_after_the_window_is_noted_in_the_evaluation(client, projected, inspector):
    """SPEC scenario 14: the dossier whose supplement was requested after the 3-working-day window
    (on a legal basis, ``supplement_outside_window``) carries a note with its scores, on the page and
    in the CSV; the other dossier has none."""
    Dossier.objects.filter(pk=projected["b"].pk).update(supplement_outside_window=True)
    client.force_login(inspector)
    html = client.get("/can-bo/bao-cao/danh-gia/?period=quarter&year=2026&number=1").content.decode()
    notes = re.findall(r'<td class="note">([^<]*)</td>', html[html.index('id="dossier-evaluation"') :])
    assert sorted(notes) == [
        "",
        "Yêu cầu bổ sung quá thời hạn (NĐ 61 Điều 19(4)), có căn cứ pháp luật chuyên ngành",
    ]
    csv = client.get("/can-bo/bao-cao/danh-gia/?period=quarter&year=2026&number=1&format=csv")
    rows = csv.content.decode("utf-8-sig").splitlines()
    assert (
        f"dossier,{projected['b'].code},1,0,,2,1,,,,,,,,"
        '"Yêu cầu bổ sung quá thời hạn (NĐ 61 Điều 19(4)), có căn cứ pháp luật chuyên ngành"'
    ) in rows
    assert f"dossier,{projected['a'].code},1,2,,2,1,,,,,,,," in rows
