"""TT03 Form 05 (SPEC §11 scenario 23): processing stopped on the applicant's request."""

from __future__ import annotations

from dataclasses import replace

import pytest

from motcua.paperwork.samples import sample_form05, vn
from motcua.paperwork.tests.conftest import Rendered
from motcua.paperwork.tests.pdf_tools import flat, pdf_text


def test_stop_notice_prints_request_stage_decision_fees_and_originals(samples: dict[str, Rendered]) -> None:
    text = flat(pdf_text(samples["05"].pdf))
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text
    assert "Mã hồ sơ: 000.00.12.H42-260302-0004" in text
    assert "Kính gửi: Ông/Bà Võ Thị Ngọc Ánh" in text
    assert "Vào 08 giờ 10 phút, ngày 05/03/2026, Ông/Bà đã yêu cầu dừng giải quyết hồ sơ trên Cổng" in text
    assert "Không còn nhu cầu sử dụng Phiếu lý lịch tư pháp" in text
    assert "Hồ sơ đang được Sở Tư pháp thẩm định" in text
    assert "Dừng giải quyết hồ sơ theo yêu cầu của người nộp hồ sơ." in text
    assert "Thời điểm dừng giải quyết: 10 giờ 30 phút, ngày 05/03/2026." in text
    assert "Về phí, lệ phí: Lệ phí đã nộp 200.000 đồng" in text
    assert "Về giấy tờ bản chính:" in text
    assert "Đặng Quốc Việt" in text


def test_stop_cannot_precede_the_request() -> None:
    with pytest.raises(ValueError, match="stopped_at"):
        replace(sample_form05(), stopped_at=vn(2026, 3, 5, 8, 0))
