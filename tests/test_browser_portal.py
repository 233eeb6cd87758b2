"""The citizen's journey in a real Chromium: find a procedure, submit online with two uploads and
one document reused from the store, the officer asks for completion in the back office, the citizen
completes, the dossier is accepted and processed (services), the e-result appears in the account;
tracking by code from the QR link; axe-core (vendored, tests only) finds no WCAG 2.1 A/AA
violation on the main portal pages. Screenshots in test-artifacts/."""

# ruff: noqa: F811 - the dossier world's fixtures are imported, then requested by name

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.test import Client

from conftest import screenshot, submit
from motcua.catalog.models import AgencyRole, VersionAgency
from motcua.dossiers import online, services
from motcua.dossiers.models import Dossier, StoredDocument
from motcua.dossiers.tests.conftest import calendar_2026, factory, world  # noqa: F401
from motcua.dossiers.tests.factories import make_procedure
from motcua.paperwork.from_dossier import tracking_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True


@pytest.fixture
def procedure(world):
    version = make_procedure("1.000777.H42", components=3, fee=50000)
    VersionAgency.objects.bulk_create(
        [
            VersionAgency(
                version=version,
                role=AgencyRole.COMPETENT,
                name=world.agency.name,
                name_folded=world.agency.name_folded,
                agency=world.agency,
            )
        ]
    )
    return version


def log_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def axe_violations(page) -> list[dict]:
    # Evaluated through the DevTools protocol: the page's CSP (script-src 'self') stays as served.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        """async () => {
            const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)
            }));
        }"""
    )
    return result


def assert_accessible(page, name: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{name}: {json.dumps(violations, ensure_ascii=False)}"


def test_submit_online_complete_on_request_and_receive_the_e_result(
    page, live_server, world, procedure, tmp_path
):
    citizen = world.citizen
    citizen.full_name = "Nguyễn Văn An"
    citizen.save()
    held = online.keep_upload(
        actor=citizen, content=PDF + b"cccd", name="cccd.pdf", title="Căn cước công dân"
    )
    first, second = tmp_path / "don.pdf", tmp_path / "ban-ve.png"
    first.write_bytes(PDF + b"don")
    second.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 128)
    log_in(page, live_server, citizen)

    # Find the procedure in the catalogue and start online.
    page.goto(live_server.url + "/thu-tuc/")
    page.get_by_role("link", name="Thủ tục 1.000777.H42").click()
    page.wait_for_url("**/thu-tuc/1.000777.H42/")
    page.get_by_role("button", name="Nộp hồ sơ trực tuyến").click()
    page.wait_for_url("**/ho-so-cua-toi/nhap/*/")
    assert "50000 đồng" in page.locator("#fees-title + ul").inner_text()

    # Fill, upload two components, pick the third from the store; save the draft first.
    page.get_by_label("Số định danh (căn cước, mã số doanh nghiệp)").fill("042090001234")
    page.get_by_label("Số điện thoại", exact=True).fill("0912 345 678")
    templates = list(procedure.cases.first().components.order_by("position"))
    page.set_input_files(f"#file_{templates[0].pk}", str(first))
    submit(page.get_by_role("button", name="Lưu nháp"))
    assert "Đã lưu hồ sơ nháp." in page.locator(".messages").inner_text()
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "portal-draft-360px")
    assert_accessible(page, "draft")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.set_input_files(f"#file_{templates[1].pk}", str(second))
    page.select_option(f"#store_{templates[2].pk}", str(held.pk))
    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    page.wait_for_url("**/ho-so-cua-toi/*/")
    dossier = Dossier.objects.get()
    assert page.locator("#dossier-state").inner_text() == "Mới đăng ký"
    assert dossier.has_reused_components is True
    assert [c.reused_from for c in dossier.components.order_by("position")] == ["", "", f"KHO:{held.pk}"]
    screenshot(page, "portal-submitted")
    assert_accessible(page, "dossier")

    # The reception officer asks for completion in the back office.
    officer = page.context.browser.new_context(locale="vi-VN")
    staff_page = officer.new_page()
    log_in(staff_page, live_server, world.reception)
    staff_page.goto(f"{live_server.url}/can-bo/ho-so/{dossier.pk}/")
    form = staff_page.locator("#act-request_completion")
    form.get_by_label("Lý do yêu cầu bổ sung, hoàn thiện").fill("Bản vẽ không đọc được")
    form.get_by_label(templates[1].name).check()
    submit(form.get_by_role("button", name="Hướng dẫn bổ sung, hoàn thiện"))
    officer.close()
    dossier.refresh_from_db()
    assert dossier.state == "intake_supplement_requested"

    # The citizen completes online.
    page.reload()
    assert "Bản vẽ không đọc được" in page.locator("#completion-title + div").inner_text()
    clearer = tmp_path / "ban-ve-ro.pdf"
    clearer.write_bytes(PDF + b"ro")
    page.set_input_files(f"#complete-{templates[1].pk} input[type=file]", str(clearer))
    submit(page.get_by_role("button", name="Gửi hồ sơ bổ sung"))
    dossier.refresh_from_db()
    assert dossier.state == "submitted"

    # Accepted and processed through the services; the result PDF is issued.
    services.accept_dossier(dossier_id=dossier.pk, actor=world.reception)
    services.forward_dossier(dossier_id=dossier.pk, actor=world.reception)
    services.assign_handler(dossier_id=dossier.pk, actor=world.leader, handler_id=world.handler.pk)
    services.appraise(dossier_id=dossier.pk, actor=world.handler, opinion="Đủ điều kiện")
    services.approve(dossier_id=dossier.pk, actor=world.approver)
    services.sign_result(dossier_id=dossier.pk, actor=world.approver)
    services.issue_result(dossier_id=dossier.pk, actor=world.clerk, number="21/GP", content=PDF + b"ket-qua")
    dossier.refresh_from_db()

    page.reload()
    assert page.locator("#dossier-state").inner_text() == "Đã xử lý xong"
    assert page.locator("#e-result").count() == 1
    screenshot(page, "portal-e-result")
    page.goto(live_server.url + "/kho-du-lieu/")
    assert "Kết quả: Thủ tục 1.000777.H42 (số 21/GP)" in page.locator("table.grid").inner_text()
    assert StoredDocument.objects.filter(owner=citizen, source="result").count() == 1
    assert_accessible(page, "store")

    # Tracking from the QR link on Form 01, signed out.
    page.context.clear_cookies()
    link = urlparse(tracking_url(dossier.code))
    page.goto(f"{live_server.url}{link.path}?{link.query}")
    assert page.get_by_label("Mã hồ sơ (trên giấy tiếp nhận)").input_value() == dossier.code
    page.get_by_label("4 chữ số cuối số điện thoại hoặc số căn cước của người nộp").fill("5678")
    submit(page.get_by_role("button", name="Tra cứu", exact=True))
    assert page.locator("#tracking-state").inner_text() == "Đã xử lý xong"
    screenshot(page, "portal-tracking")
    assert_accessible(page, "tracking result")


@pytest.mark.parametrize(
    "path",
    ["/", "/thu-tuc/", "/thu-tuc/1.000777.H42/", "/tra-cuu/", "/tai-khoan/dang-nhap/", "/tai-khoan/dang-ky/"],
)
def test_public_pages_pass_axe_at_360px(page, live_server, procedure, path):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, path)


def test_signed_in_pages_pass_axe(page, live_server, world, procedure):
    log_in(page, live_server, world.citizen)
    for path in ("/ho-so-cua-toi/", "/kho-du-lieu/"):
        page.goto(live_server.url + path)
        assert_accessible(page, path)


def test_withdraw_a_dossier_from_its_page_on_a_phone(page, live_server, world):
    dossier = services.submit_dossier(intake=world.intake(channel="online"), actor=world.citizen)
    services.accept_dossier(dossier_id=dossier.pk, actor=world.reception)
    services.forward_dossier(dossier_id=dossier.pk, actor=world.reception)
    log_in(page, live_server, world.citizen)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/ho-so-cua-toi/{dossier.pk}/")
    section = page.get_by_role("region", name="Rút hồ sơ")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, "dossier with the withdrawal form")

    # Sent without a reason nor the confirmation: refused next to both fields, nothing changes.
    submit(section.get_by_role("button", name="Gửi yêu cầu rút hồ sơ"))
    assert section.locator("#err_withdrawal_reason").inner_text() == "Cần ghi lý do."
    assert (
        section.locator("#err_withdrawal_confirm").inner_text()
        == "Hãy đánh dấu xác nhận rằng bạn muốn rút hồ sơ."
    )
    assert Dossier.objects.get(pk=dossier.pk).state == "in_processing"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, "withdrawal refused")
    screenshot(page, "portal-withdrawal-refused-360px")

    section.get_by_label("Lý do rút hồ sơ").fill("Đã nộp nhầm thủ tục")
    section.get_by_label("Tôi xác nhận muốn rút hồ sơ này").check()
    submit(section.get_by_role("button", name="Gửi yêu cầu rút hồ sơ"))
    assert "Đã gửi yêu cầu rút hồ sơ." in page.locator(".messages").inner_text()
    assert page.locator("#dossier-state").inner_text() == "Công dân yêu cầu rút hồ sơ"
    assert "Đã nộp nhầm thủ tục" in page.locator("ol.timeline li").last.inner_text()
    assert page.get_by_role("region", name="Rút hồ sơ").count() == 0
    withdrawn = Dossier.objects.get(pk=dossier.pk)
    assert (withdrawn.state, withdrawn.events.last().reason) == (
        "withdrawal_requested",
        "Đã nộp nhầm thủ tục",
    )
    screenshot(page, "portal-withdrawal-requested-360px")
