"""Form 06 (SPEC §11 scenario 19): one row per hand-over, each agency early, on time or late."""

from __future__ import annotations

import re

from motcua.paperwork.samples import SCENARIO_1_CODE
from motcua.paperwork.tests.conftest import Rendered
from motcua.paperwork.tests.pdf_tools import flat, pdf_text


def test_rows_classify_each_agency(samples: dict[str, Rendered]) -> None:
    html = samples["06"].html
    rows = re.findall(r'<td class="agency">([^<]*)</td>.*?<td class="result">([^<]*)</td>', html, re.S)
    assert rows == [
        ("Văn phòng Đăng ký đất đai tỉnh Hà Tĩnh", "Trước hạn"),
        ("Thuế tỉnh Hà Tĩnh", "Quá hạn"),  # scenario 19: the tax office took 5 of its 3 days
        ("Văn phòng Đăng ký đất đai tỉnh Hà Tĩnh", "Đúng hạn"),
        ("Bộ phận Một cửa", "Đúng hạn"),
    ]
    text = pdf_text(samples["06"].pdf, layout=True)
    tax_line = next(line for line in text.splitlines() if "Thuế tỉnh Hà" in line and "Giao" in line)
    assert "Quá hạn" in tax_line
    # Each label once in the column head "(Trước hạn/ Đúng hạn/ Quá hạn)", then once per row.
    assert text.count("Trước hạn") == 1 + 1
    assert text.count("Quá hạn") == 1 + 1
    assert text.count("Đúng hạn") == 1 + 2


def test_control_slip_header_fields(samples: dict[str, Rendered]) -> None:
    text = flat(pdf_text(samples["06"].pdf))
    assert f"Mã hồ sơ: {SCENARIO_1_CODE}" in text
    assert "Chủ hồ sơ: Phạm Thị Thu Hằng" in text
    assert "Thời gian nhận hồ sơ: 14 giờ 00 phút, ngày 13/02/2026" in text
    assert "Thời gian trả kết quả: 17 giờ 00 phút, ngày 06/03/2026" in text
    assert "Cơ quan phối hợp giải quyết hồ sơ: Thuế tỉnh Hà Tĩnh" in text
    # Cells wrap, so their text is read from the HTML; the PDF has the times.
    html = samples["06"].html
    assert (
        '1. Giao: Nguyễn Thị Lan (Bộ phận Một cửa)<br><span class="when">14 giờ 40 phút, ngày 13/02/2026'
        in html
    )
    assert (
        '2. Nhận: Lê Thị Mai (Thuế tỉnh Hà Tĩnh)<br><span class="when">09 giờ 30 phút, ngày 26/02/2026'
        in html
    )
    assert "14 giờ 40 phút, ngày 13/02/2026" in text
    assert "09 giờ 30 phút, ngày 26/02/2026" in text
