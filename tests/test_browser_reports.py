"""The province dashboard and the 766 scorecard in a real Chromium: charts drawn by the vendored
Chart.js (no console error, no CSP violation), a number followed to the dossiers behind it, and
the scorecard's partial total. Screenshots in test-artifacts/."""

# ruff: noqa: F811 - the dossier world's fixtures are imported, then requested by name

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from conftest import screenshot
from motcua.accounts.models import Role
from motcua.dossiers.tests.conftest import calendar_2026, factory, world  # noqa: F401
from motcua.dossiers.tests.factories import staff
from motcua.reports.projections import refresh
from motcua.reports.tests.test_scorecard import AT, march  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _sessions_without_expiry(settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True


def log_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_province_dashboard_and_766_scorecard(page, live_server, world, march, make_user, settings):
    settings.MOTCUA_RATINGS_SOURCE = ""  # the figures below are stated without ratings ("no data")
    refresh()
    inspector = staff(make_user, Role.INSPECTOR, "thanhtra", agency_id=world.agency.parent_id)
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    with time_machine.travel(AT, tick=True):
        log_in(page, live_server, inspector)
        page.goto(live_server.url + "/can-bo/bao-cao/bang-dieu-khien/?period=month&year=2026&number=3")
        assert page.locator("h1").inner_text() == "Bảng điều khiển"
        assert page.locator("#received").inner_text() == "5"
        assert page.locator("#on-time-rate").inner_text() == "50,00%"
        assert page.locator("#overdue").inner_text() == "2"
        assert page.locator("#stale").count() == 0  # every event is projected
        for chart in ("#chart-trend", "#chart-agency", "#chart-field"):
            page.wait_for_selector(f"{chart}[data-drawn]")
        assert page.locator("#chart-trend").get_attribute("data-drawn") == "1"
        assert page.locator("#table-trend tbody tr").count() == 1
        screenshot(page, "reports-province-dashboard")
        page.locator("#overdue a").click()
        page.wait_for_url("**/can-bo/bao-cao/ho-so/**metric=overdue**")
        assert page.locator("#records tbody tr").count() == 2
        assert {march["c"].code, march["d"].code} == set(
            page.locator("#records tbody tr td:first-child").all_inner_texts()
        )

        page.goto(live_server.url + "/can-bo/bao-cao/chi-so-766/?period=month&year=2026&number=3")
        assert page.locator("#total-points").inner_text() == "10,40"
        assert page.locator("#completeness").get_attribute("data-complete") == "false"
        assert page.locator("#ind-21 td").nth(3).inner_text() == "40,00%"
        assert page.locator("#ind-54").get_attribute("data-status") == "no_data"
        screenshot(page, "reports-766-scorecard")
        page.locator("#ind-21 a.den-link").click()
        page.wait_for_url("**/chi-so-766/2.1/denominator/**")
        assert page.locator("#records tbody tr").count() == 5
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(live_server.url + "/can-bo/bao-cao/bang-dieu-khien/?period=month&year=2026&number=3")
        page.wait_for_selector("#chart-trend[data-drawn]")
        screenshot(page, "reports-province-dashboard-phone")
    assert problems == []
