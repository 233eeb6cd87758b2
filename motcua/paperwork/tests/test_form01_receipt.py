"""Form 01 on acceptance (SPEC §11 scenario 1): code, QR, receipt and due times, fees."""

from __future__ import annotations

import re

import segno

from motcua.paperwork.render import qr_svg, render_html
from motcua.paperwork.samples import SCENARIO_1_CODE, sample_form01
from motcua.paperwork.tests.conftest import Rendered
from motcua.paperwork.tests.pdf_tools import flat, pdf_text


def test_receipt_prints_the_scenario_1_dossier(samples: dict[str, Rendered]) -> None:
    text = flat(pdf_text(samples["01"].pdf))
    assert f"Mã hồ sơ: {SCENARIO_1_CODE}" in text
    assert SCENARIO_1_CODE.endswith("-260213-0007")
    assert "Hà Tĩnh, ngày 13 tháng 02 năm 2026" in text
    assert "Ông/Bà: Phạm Thị Thu Hằng" in text
    assert "4. Thời gian nhận hồ sơ: 14 giờ 00 phút, ngày 13/02/2026." in text
    assert "5. Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 06/03/2026." in text
    assert "3. Thời gian giải quyết hồ sơ theo quy định là: 10 ngày làm việc." in text
    assert "không tính 14/02–22/02 (Tết Nguyên Đán)" in text
    assert "2. Số lượng hồ sơ: 01 (bộ)." in text
    assert "Lệ phí đăng ký biến động đất đai: 30.000 đồng" in text
    assert "Phí thẩm định hồ sơ: 250.000 đồng" in text
    assert "Quyển số: 01, Số thứ tự: 185." in text
    assert "NGƯỜI NỘP HỒ SƠ" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    assert "Nguyễn Thị Lan" in text


def test_receipt_lists_every_component_with_its_copy_types(samples: dict[str, Rendered]) -> None:
    html = samples["01"].html
    assert html.count('<td class="num">') == 6 * 5  # 6 lines x (TT + 4 copy types)
    text = flat(pdf_text(samples["01"].pdf))
    for line in sample_form01().components:
        assert line.name in text


def test_receipt_qr_code_is_inline_svg_of_the_tracking_url(samples: dict[str, Rendered]) -> None:
    form = sample_form01()
    html = samples["01"].html
    assert re.search(r'<svg viewBox="0 0 \d+ \d+" class="qr-code">', html)
    assert '<path class="qr-line"' in html
    # The same URL encodes to the same symbol: the printed QR is the tracking URL's.
    assert str(qr_svg(form.tracking_url)) in html
    assert str(qr_svg(form.tracking_url + "x")) not in html
    assert segno.make(form.tracking_url, error="m").designator  # a regular QR code, not a micro one
    assert form.tracking_url in html
    assert form.tracking_url in pdf_text(samples["01"].pdf).replace("\n", "")


def test_receipt_without_fees_or_ledger_omits_those_lines() -> None:
    from dataclasses import replace

    html = render_html(replace(sample_form01(), fees=(), ledger_book="", ledger_number=None))
    assert "Phí, lệ phí" not in html
    assert "Vào Sổ theo dõi hồ sơ" not in html
