"""The public catalog in a real Chromium at 360 px: search, open the first result, read the page."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.conf import settings

from conftest import screenshot, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORDS = Path(settings.SHARED_DATA_DIR) / "tthc/dvcqg-crawl-chatbot-tthc/records-cap-xa.jsonl"


@pytest.fixture
def birth_slice(tmp_path):
    """A slice of the real records: every birth (khai sinh) or marriage procedure, not all 588."""
    if not RECORDS.exists():
        pytest.skip(f"no shared data at {RECORDS}")
    from motcua.catalog.importer import import_procedures

    lines = [
        line
        for line in RECORDS.read_text(encoding="utf-8").splitlines()
        if any(word in json.loads(line)["ten_thu_tuc"].lower() for word in ("khai sinh", "kết hôn"))
    ]
    source = tmp_path / "slice.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return import_procedures(source, publish=True, effective_from=dt.date(2026, 1, 5)).as_dict()


def test_search_birth_registration_and_open_it_on_a_phone(page, live_server, birth_slice):
    assert birth_slice["published"] > 3
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/thu-tuc/")
    page.get_by_label("Tên hoặc mã thủ tục (có dấu hoặc không dấu)").fill("dang ky khai sinh")
    submit(page.get_by_role("button", name="Tìm thủ tục"))
    first = page.locator("ol.cat-results li a").first
    assert first.inner_text() == "Thủ tục đăng ký khai sinh"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "catalog-search-360px")
    first.click()
    page.wait_for_url(live_server.url + "/thu-tuc/1.001193/")
    assert page.locator("h1").inner_text() == "Thủ tục đăng ký khai sinh"
    caption = "Thời hạn giải quyết và phí, lệ phí theo hình thức nộp"
    assert page.get_by_role("table", name=caption).count() == 1
    assert "Không quy định thời hạn" in page.locator("table.offers").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "catalog-procedure-1.001193-360px")
