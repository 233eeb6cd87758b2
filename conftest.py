"""Fixtures shared by every app's tests."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from motcua.accounts.models import Role, User, UserKind
from motcua.accounts.services import grant_membership
from motcua.units.models import AdminUnit, Agency, AgencyKind, Level, OneStopKind, OneStopUnit


@pytest.fixture
def province(db: None) -> AdminUnit:
    return AdminUnit.objects.create(
        code="42",
        level=Level.PROVINCE,
        name="Hà Tĩnh",
        full_name="Tỉnh Hà Tĩnh",
        kind="tỉnh",
        valid_from=dt.date(2025, 7, 1),
        name_folded="ha tinh",
    )


@pytest.fixture
def make_agency(province: AdminUnit):
    def make(
        identifier_code: str, name: str, *, kind: str = AgencyKind.DEPARTMENT, parent: Agency | None = None
    ):
        return Agency.objects.create(
            identifier_code=identifier_code,
            name=name,
            kind=kind,
            admin_unit=province,
            parent=parent,
            name_folded=name.lower(),
        )

    return make


@pytest.fixture
def committee(make_agency) -> Agency:
    return make_agency("000.00.00.H42", "UBND tỉnh Hà Tĩnh", kind=AgencyKind.PROVINCIAL_COMMITTEE)


@pytest.fixture
def justice_dept(make_agency, committee) -> Agency:
    return make_agency("000.00.12.H42", "Sở Tư pháp", parent=committee)


@pytest.fixture
def finance_dept(make_agency, committee) -> Agency:
    return make_agency("000.00.13.H42", "Sở Tài chính", parent=committee)


@pytest.fixture
def centre(committee, province) -> OneStopUnit:
    return OneStopUnit.objects.create(
        code="ttpvhcc-42",
        name="Trung tâm Phục vụ hành chính công tỉnh Hà Tĩnh",
        kind=OneStopKind.PROVINCIAL_CENTRE,
        agency=committee,
        admin_unit=province,
    )


@pytest.fixture
def make_user(db: None):
    def make(
        username: str, *, role: Role | None = None, password: str = "mat-khau-an-toan-9", **place
    ) -> User:
        user = User.objects.create_user(username=username, password=password, full_name=username.title())
        if role is not None:
            grant_membership(user=user, role=role, **place)
        return user

    return make


@pytest.fixture
def citizen(make_user) -> User:
    user = make_user("congdan", role=Role.CITIZEN)
    user.kind = UserKind.CITIZEN
    user.save()
    return user


# --- Real browser (Chromium from Debian, driven by Playwright; nothing is downloaded) ---

CHROMIUM = os.environ.get("MOTCUA_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required in CI but {CHROMIUM} is missing")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    os.environ.setdefault("PLAYWRIGHT_BROWSERS_PATH", str(ARTIFACTS / "no-browser-download"))
    # Playwright's sync API runs an event loop in this thread; Django's ORM is safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, request):
    context = chromium.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot into test-artifacts/ (CI lists that folder in its log)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def submit(button) -> None:
    """Click a button or link that loads a new page and return once that page has loaded.

    `click()` followed by `wait_for_load_state()` is a race: the state can be read from the page
    being left, before the browser has committed the navigation. Reading the database or the new
    page after that can see the world before the request ran (it failed CI once, on PostgreSQL)."""
    with button.page.expect_navigation():
        button.click()
