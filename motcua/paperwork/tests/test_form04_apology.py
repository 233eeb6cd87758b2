"""Form 04 (SPEC §11 scenario 16): the processing agency apologises and proposes a new date."""

from __future__ import annotations

from dataclasses import replace

import pytest

from motcua.paperwork.samples import sample_form04, vn
from motcua.paperwork.tests.conftest import Rendered
from motcua.paperwork.tests.pdf_tools import flat, pdf_text


def test_apology_prints_both_dates_and_the_reason(samples: dict[str, Rendered]) -> None:
    text = flat(pdf_text(samples["04"].pdf))
    assert "ỦY BAN NHÂN DÂN PHƯỜNG THÀNH SEN" in text  # the processing agency issues it
    assert "Thành Sen, ngày 13 tháng 3 năm 2026" in text
    assert "Số: 112/UBND-TP" in text
    assert "Kính gửi: Ông/Bà Hoàng Văn Thắng" in text
    assert "Mã hồ sơ: 000.00.30.H42-260309-0012." in text
    assert "Thời gian hẹn trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 16/03/2026." in text
    assert "Lý do: Sổ đăng ký khai sinh" in text
    assert "Thời gian hẹn trả kết quả lại: 17 giờ 00 phút, ngày 20/03/2026." in text
    assert "KT. CHỦ TỊCH" in text
    assert "PHÓ CHỦ TỊCH" in text
    assert "Nguyễn Văn Bình" in text
    assert "Trung tâm Phục vụ hành chính công phường Thành Sen;" in text  # Nơi nhận


def test_new_date_must_be_later() -> None:
    with pytest.raises(ValueError, match="new_due_at"):
        replace(sample_form04(), new_due_at=vn(2026, 3, 16, 17, 0))
